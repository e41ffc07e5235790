r"""Dynamical phases from the Lax roots: one quench (:func:`dynamical_phase`) or a grid (:func:`phase_diagram`).

The number of isolated root pairs of the continuum :math:`\ell^2(u)` is the number
of collective degrees of freedom left after the quench: spin model 0/1/2 pairs are
phases I/II/III, the full model 1/2/3 pairs (one more, the photon) I+1/II+1/III+1.
"""
from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from .. import _validate as check
from .._numba import njit
from ..density import TwoBox
from ..meanfield.states import resolve_photon
from .continuum import PHOTON_MAX, SCALE_MAX, _initial_data
from .roots import RootCount, _check_tolerances, _count_from_data, _count_kernel, _roots_for_count

__all__ = ["MAX_PAIRS", "DynamicalPhase", "dynamical_phase", "photon_oscillation", "PhaseDiagram",
           "phase_diagram", "PhaseCut", "phase_cut"]

#: The most isolated root pairs a phase can have, by ``adiabatic``: 2 for the spin model (III),
#: 3 with the photon (III+1); a larger count marks a point of a phase diagram as unsure.
MAX_PAIRS = {True: 2, False: 3}
_SPIN_NAMES = ("I", "II", "III")
_FULL_NAMES = ("I+1", "II+1", "III+1")

# ----------------------------------------------------------------------------- phases
@dataclass(frozen=True)
class DynamicalPhase:
    r"""Dynamical phase of a quench from the Lax-root count.

    Attributes
    ----------
    phase : str
        ``"I"``, ``"II"``, ``"III"`` (spin model: 0, 1, 2 isolated pairs) or
        ``"I+1"``, ``"II+1"``, ``"III+1"`` (full model: 1, 2, 3 pairs), or
        ``"unsure"`` when a root lies within ``tol`` of the continuum (the
        candidates are then in ``candidates``).
    n_pairs : int
        Isolated pairs further than ``tol`` from the continuum.
    n_near_axis : int
        Pairs within ``tol`` of the continuum (0 unless ``unsure``).
    roots : ndarray (complex)
        The isolated roots with :math:`\mathrm{Im}\,u>0` (conjugates implied),
        units of :math:`\chi N`, sorted by real part; includes near-axis ones.
    unsure : bool
    candidates : tuple of str
        Phase names compatible with the count (one unless ``unsure``).
    adiabatic : bool
    count : RootCount
    """

    phase: str
    n_pairs: int
    n_near_axis: int
    roots: np.ndarray = field(repr=False)
    unsure: bool
    candidates: tuple
    adiabatic: bool
    count: RootCount = field(repr=False)

    def __str__(self) -> str:
        return self.phase

    @property
    def collective_dof(self) -> int:
        r"""Number :math:`M` of collective degrees of freedom (phase I: 0 ... III+1: 3)."""
        return self.n_pairs


def _phase_name(n_pairs: int, adiabatic: bool) -> str:
    names = _SPIN_NAMES if adiabatic else _FULL_NAMES
    k = n_pairs if adiabatic else n_pairs - 1
    if 0 <= k < len(names):
        return names[k]
    return f"{n_pairs} pairs"


def dynamical_phase(model, adiabatic: bool = False, delta_phi0: float = 0.0, photon="vacuum",
                    tol: float = 1e-3, strip: float = 1e-7, locate: bool = True, *,
                    delta_c=None) -> DynamicalPhase:
    r"""Dynamical phase reached after a quench from the x-polarised state.

    Counts the isolated root pairs of the continuum :math:`\ell^2(u)`
    (:func:`count_isolated_roots`) and names the phase: spin model 0/1/2 pairs
    :math:`\to` I/II/III; full model 1/2/3 pairs :math:`\to` I+1/II+1/III+1.
    ``delta_phi0 = 0`` and ``photon = "vacuum"`` are the defaults of
    :func:`~cavity_bcs.quench`.

    Parameters
    ----------
    model : Model or TwoBox
        A homogeneous two-box model with ``kappa = 0`` (``n_atoms`` is irrelevant in
        the continuum limit), or the :class:`~cavity_bcs.TwoBox` density with
        ``delta_c`` (see :func:`~cavity_bcs.integrability.continuum.continuum_system`).
    adiabatic : bool
        Spin-only (one-channel BCS) model.
    delta_phi0, photon
        Initial state, as in :func:`~cavity_bcs.x_polarized`.
    tol, strip : float
        See :func:`~cavity_bcs.integrability.roots.count_isolated_roots` (units of :math:`\chi N`).
    locate : bool
        Also locate the roots (see :func:`~cavity_bcs.integrability.roots.isolated_roots`).
    delta_c : float, optional
        Only with a :class:`~cavity_bcs.TwoBox`: the detuning, units of :math:`\chi N`.

    Raises
    ------
    ValueError
        Inhomogeneous couplings, explicit energies, ``kappa > 0``, bad
        ``delta_phi0``/``photon``/``tol``/``strip``.
    """
    tol, strip = _check_tolerances(tol, strip)
    locate = check.boolean("locate", locate)
    data = _initial_data(model, adiabatic, delta_phi0, photon, delta_c)
    count = _count_from_data(data, tol, strip)
    roots = _roots_for_count(data, count, strip) if locate else np.zeros(0, dtype=complex)
    adiabatic = data.adiabatic
    if count.ok:
        candidates = tuple(_phase_name(k, adiabatic)
                           for k in range(count.n_pairs, count.n_pairs + count.n_near_axis + 1))
    else:
        # the contour failed (a root on it): any phase is possible
        candidates = _SPIN_NAMES if adiabatic else _FULL_NAMES
    names = _SPIN_NAMES if adiabatic else _FULL_NAMES
    # a count outside the possible range (e.g. no photon pair) means something is off: do not guess
    unsure = count.unsure or any(c not in names for c in candidates)
    phase = "unsure" if unsure else candidates[0]
    return DynamicalPhase(phase, count.n_pairs, count.n_near_axis, roots, unsure, candidates,
                          adiabatic, count)


def photon_oscillation(root: complex, delta_c: float):
    r"""Photon frequency and amplitude encoded by a phase-I+1 root :math:`u_0`.

    In the frame rotating with the photon, :math:`\alpha(t) = |\alpha|e^{-i\omega t}`,
    the reduced Lax vector is proportional to
    :math:`\vec M(u) = (G|\alpha|, 0, u - \omega/2)`, whose square vanishes at
    :math:`u = \omega/2 \pm iG|\alpha|`. Hence (units of :math:`\chi N`,
    :math:`G = \sqrt{\Delta_c}`)

    .. math:: \omega = 2\,\mathrm{Re}\,u_0,\qquad
              |\langle a\rangle|/\sqrt N = |\alpha| = \mathrm{Im}\,u_0/\sqrt{\Delta_c}.

    For :math:`u_0 \approx \Delta_c/2 + i` (the supplement's Eq. 10) this is
    :math:`\omega \approx \Delta_c` and :math:`|a| = \chi N/g`.

    Returns
    -------
    (frequency, amplitude) : (float, float)
    """
    delta_c = check.positive("delta_c", delta_c)
    root = check.complex_number("root", root)
    return 2.0 * root.real, abs(root.imag) / math.sqrt(delta_c)


# ----------------------------------------------------------------------------- diagrams
@njit
def _grid_kernel(eps0, W_vals, band_lo, band_hi, n_bands, dc_vals, ch, sh, photon_mode, photon_re, photon_im,
                 adiabatic, tol, strip, out_sure, out_all, out_ok, start, stop):
    # Points start..stop-1 of the flattened grid.  Compiled with nogil, so a plain thread
    # pool runs chunks in parallel; we avoid numba's OpenMP layer, whose spinning worker
    # threads would slow down the BLAS calls (finite-N eigenvalues) that follow.
    n_w = W_vals.size
    for flat in range(start, stop):
        i = flat // n_w
        j = flat % n_w
        dc = dc_vals[i]
        W = W_vals[j]
        e = 0.5 * eps0
        if adiabatic:
            px = 0.0
            py = 0.0
        elif photon_mode == 1:   # equilibrium: alpha_eq = -cos(delta_phi0/2)/sqrt(delta_c)
            px = -2.0 * ch / dc
            py = 0.0
        else:                    # fixed alpha (vacuum: 0)
            px = 2.0 * photon_re / math.sqrt(dc)
            py = -2.0 * photon_im / math.sqrt(dc)
        lo = band_lo[j, :n_bands[j]]
        hi = band_hi[j, :n_bands[j]]
        if W == 0.0:
            heights = np.array([strip, strip])
        else:
            heights = np.array([tol, strip])
        wind, _, _, ok = _count_kernel(e, W, dc, ch, sh, px, py, adiabatic, heights, lo, hi)
        a = np.rint(wind[0])
        b = np.rint(wind[1])
        err = max(abs(wind[0] - a), abs(wind[1] - b))
        out_sure[i, j] = int(a)
        out_all[i, j] = int(b)
        out_ok[i, j] = ok and err < 0.05


@dataclass(frozen=True)
class PhaseDiagram:
    r"""Dynamical phase diagram on a (delta_c, W) grid.

    Attributes
    ----------
    delta_c, W : ndarray
        Grid axes, units of :math:`\chi N` (arrays indexed ``[i_delta_c, j_W]``).
    n_pairs : ndarray of int
        Isolated pairs further than ``tol`` from the continuum.
    n_near_axis : ndarray of int
        Pairs within ``tol`` of the continuum.
    ok : ndarray of bool
        Contour sampling succeeded and windings were integers.
    eps0, delta_phi0, photon, adiabatic, tol, strip
        The parameters used.
    """

    delta_c: np.ndarray
    W: np.ndarray
    n_pairs: np.ndarray
    n_near_axis: np.ndarray
    ok: np.ndarray
    eps0: float
    delta_phi0: float
    photon: object
    adiabatic: bool
    tol: float
    strip: float

    @property
    def unsure(self) -> np.ndarray:
        """Points within tolerance of a boundary, failed counts, or impossible counts."""
        total = self.n_pairs + self.n_near_axis
        low = 0 if self.adiabatic else 1
        return ((self.n_near_axis != 0) | ~self.ok | (total > MAX_PAIRS[self.adiabatic])
                | (self.n_pairs < low))

    @property
    def phases(self) -> np.ndarray:
        """Phase names (object array), ``"unsure"`` where :attr:`unsure`."""
        names = np.vectorize(lambda k: _phase_name(int(k), self.adiabatic), otypes=[object])(self.n_pairs)
        names[self.unsure] = "unsure"
        return names

    @property
    def phase_index(self) -> np.ndarray:
        """0, 1, 2 for I(+1), II(+1), III(+1); -1 where unsure or out of range (for plotting)."""
        k = self.n_pairs - (0 if self.adiabatic else 1)
        k = np.where((k < 0) | (k > 2) | self.unsure, -1, k)
        return k

    def to_xarray(self):
        """This diagram as an :class:`xarray.Dataset` over ``(delta_c, W)``: counts, flags and phase names.

        Needs xarray; :mod:`cavity_bcs.labelled` describes the layout.
        """
        from ..labelled import phase_diagram_dataset
        return phase_diagram_dataset(self)


def phase_diagram(delta_c, W, eps0: float, adiabatic: bool = False, delta_phi0: float = 0.0,
                  photon="vacuum", tol: float = 1e-3, strip: float = 1e-7,
                  workers: int | None = None) -> PhaseDiagram:
    r"""Count isolated Lax-root pairs on the grid ``delta_c x W`` (argument principle, threads over a nogil numba kernel).

    Parameters
    ----------
    delta_c : array_like
        Cavity detunings, units of :math:`\chi N`, all ``> 0``.
    W : array_like
        Bandwidths, units of :math:`\chi N`, all ``>= 0``.
    eps0 : float
        Band separation, units of :math:`\chi N`.
    adiabatic, delta_phi0, photon, tol, strip
        As in :func:`dynamical_phase`; ``photon`` is ``"vacuum"``, ``"equilibrium"``
        (:math:`\alpha_{eq}(0)` at each :math:`\Delta_c`) or a fixed complex
        :math:`\alpha`.
    workers : int, optional
        Worker threads (default: one per core); the kernel releases the GIL.
    """
    dc = np.array(check.finite_array("delta_c", np.atleast_1d(delta_c)))
    Ws = np.array(check.finite_array("W", np.atleast_1d(W)))
    if dc.ndim != 1 or Ws.ndim != 1:
        raise ValueError("delta_c and W must be 1-d sequences")
    if not (np.all(dc > 0) and np.all(dc <= SCALE_MAX)):
        raise ValueError(f"delta_c values must lie in (0, {SCALE_MAX:g}] (units of chi*N)")
    if not (np.all(Ws >= 0) and np.all(Ws <= SCALE_MAX)):
        raise ValueError(f"W values must lie in [0, {SCALE_MAX:g}] (units of chi*N)")
    eps0 = check.in_range("eps0", eps0, -SCALE_MAX, SCALE_MAX)
    check.memory("phase_diagram", 24.0 * dc.size * Ws.size, f"delta_c x W = {dc.size} x {Ws.size} points")
    delta_phi0 = check.finite("delta_phi0", delta_phi0)
    tol, strip = _check_tolerances(tol, strip)
    adiabatic = check.boolean("adiabatic", adiabatic)
    # "equilibrium" depends on delta_c, so the kernel forms it per point (mode 1)
    mode = 1 if isinstance(photon, str) and photon == "equilibrium" else 0
    alpha = 0j if mode == 1 else check.complex_number("photon", resolve_photon(photon), max_abs=PHOTON_MAX)
    bands = [TwoBox(eps0, w).bands for w in Ws]
    n_bands = np.array([len(b) for b in bands], dtype=np.int64)
    band_lo = np.array([[b[0][0], b[-1][0]] for b in bands])
    band_hi = np.array([[b[0][1], b[-1][1]] for b in bands])
    n_sure = np.zeros((dc.size, Ws.size), dtype=np.int64)
    n_all = np.zeros_like(n_sure)
    ok = np.zeros((dc.size, Ws.size), dtype=np.bool_)
    n_points = dc.size * Ws.size
    workers = max(1, min(check.workers(workers), n_points))
    bounds = np.linspace(0, n_points, 4 * workers + 1).astype(int)   # a few chunks per thread

    def run(k):
        _grid_kernel(eps0, Ws, band_lo, band_hi, n_bands, dc, math.cos(delta_phi0 / 2), math.sin(delta_phi0 / 2),
                     mode, alpha.real, alpha.imag, adiabatic, tol, strip, n_sure, n_all, ok, bounds[k],
                     bounds[k + 1])

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(run, range(bounds.size - 1)))
    return PhaseDiagram(dc, Ws, n_sure, n_all - n_sure, ok, eps0, delta_phi0, photon, adiabatic, tol, strip)


# ----------------------------------------------------------------------------- boundaries along a cut
@dataclass(frozen=True)
class PhaseCut:
    r"""The dynamical phases along a line of detunings at fixed :math:`(\varepsilon_0, W)`.

    Attributes
    ----------
    box : TwoBox
        The density of atomic energies.
    intervals : tuple of (str, float, float)
        ``(phase, lo, hi)``: consecutive detuning intervals (units of :math:`\chi N`) of one phase,
        from the lowest to the highest detuning scanned; each inner edge is located by bisection
        to a relative accuracy ``rtol``.
    rtol : float
    """

    box: TwoBox
    intervals: tuple
    rtol: float

    @property
    def boundaries(self) -> tuple:
        """The inner edges ``(delta_c, phase below, phase above)``, units of :math:`\\chi N`."""
        return tuple((hi, a, b) for (a, _, hi), (b, _, _) in zip(self.intervals, self.intervals[1:]))

    def span(self, phase: str) -> tuple:
        """``(lo, hi)`` of the detunings in ``phase`` (the outermost edges of all its intervals)."""
        inside = [(lo, hi) for name, lo, hi in self.intervals if name == phase]
        if not inside:
            raise ValueError(f"phase {phase!r} does not occur along this cut; phases: "
                             f"{sorted({name for name, _, _ in self.intervals})}")
        return inside[0][0], inside[-1][1]


def phase_cut(box: TwoBox, delta_c_min: float = 0.1, delta_c_max: float = 100.0, n_scan: int = 121,
              rtol: float = 1e-4, delta_phi0: float = 0.0, photon="vacuum") -> PhaseCut:
    r"""The phases along :math:`\Delta_c\in[\Delta_{c,min}, \Delta_{c,max}]` at the box's
    :math:`(\varepsilon_0, W)`, with their boundaries located to ``rtol``.

    A geometric scan of ``n_scan`` detunings finds where the phase changes (features narrower
    than the scan's spacing can be missed: raise ``n_scan`` to check); each change is then bisected
    on :math:`\log\Delta_c` until the bracket is below ``rtol`` relative. Every point is one root
    count of the continuum Lax vector (:func:`dynamical_phase`, ``locate=False``), so the edges do
    not depend on any plotting grid. ``delta_phi0`` and ``photon``: the initial state, as in
    :func:`dynamical_phase`. Units of :math:`\chi N`.
    """
    check.instance("box", box, TwoBox)
    delta_c_min = check.positive("delta_c_min", delta_c_min)
    delta_c_max = check.positive("delta_c_max", delta_c_max)
    if delta_c_max <= delta_c_min:
        raise ValueError(f"delta_c_max must exceed delta_c_min, got {delta_c_max} <= {delta_c_min}")
    n_scan = check.integer("n_scan", n_scan, minimum=2, maximum=100_000)
    rtol = check.positive("rtol", rtol)
    if rtol >= 0.5:
        raise ValueError(f"rtol must be < 0.5, got {rtol}")

    def phase_at(dc):
        return dynamical_phase(box, delta_c=float(dc), locate=False, delta_phi0=delta_phi0, photon=photon).phase

    scan = np.geomspace(delta_c_min, delta_c_max, n_scan)
    names = [phase_at(dc) for dc in scan]
    intervals, start = [], scan[0]
    for k in range(1, n_scan):
        if names[k] == names[k - 1]:
            continue
        lo, hi = scan[k - 1], scan[k]
        while hi / lo - 1 > rtol:
            mid = np.sqrt(lo * hi)
            if phase_at(mid) == names[k - 1]:
                lo = mid
            else:
                hi = mid
        edge = float(np.sqrt(lo * hi))
        intervals.append((names[k - 1], float(start), edge))
        start = edge
    intervals.append((names[-1], float(start), float(scan[-1])))
    return PhaseCut(box, tuple(intervals), rtol)
