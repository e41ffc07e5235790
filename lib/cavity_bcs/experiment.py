r"""The real experiment: inhomogeneous couplings, coherent-drive preparation, detuning scans.

Coupling profiles
-----------------
In a standing-wave cavity around an optical lattice the atom on site :math:`i`
couples with :math:`g_i = g\cos(k_0 a_0 i)`, :math:`k_0 a_0 = 3.7` for the
strontium experiments the paper quotes. A :class:`~cavity_bcs.Model` takes the
*relative* couplings :math:`f_i = g_i/g` as ``coupling_profile``; the
reference :math:`g` sets the units (:math:`g\sqrt N = \sqrt{\chi N\Delta_c}`).

Normalisation (the ``normalize`` argument of the profile functions):

``"peak"`` (default)
    :math:`g` is the largest coupling, :math:`\max_i|f_i| = 1`: the paper's
    :math:`g_i = g\cos(k_0a_0 i)`, with :math:`g/2\pi = 10.8` kHz the measured
    peak coupling. The collective coupling :math:`\sqrt{\sum_i g_i^2}` is then
    :math:`g\sqrt{2N\,\overline{f^2}}\approx g\sqrt N` for the cosine
    (:math:`\overline{\cos^2} = 1/2`), a factor :math:`\sqrt2` below a
    homogeneous ensemble of the same :math:`g`.
``"rms"``
    :math:`\overline{f^2} = (1/2N)\sum_i f_i^2 = 1`: the inhomogeneous ensemble
    has the same collective coupling :math:`\sqrt{\sum_i g_i^2} = g\sqrt{2N}` as
    the homogeneous one, so only the *spread* of couplings differs.
``None``
    The values as given.

Atom :math:`i` of the model (upper band first) sits on lattice site :math:`i+1`;
because :math:`k_0a_0/2\pi` is irrational the :math:`f_i` are equidistributed and
uncorrelated with the (smoothly ordered) :math:`\varepsilon_i`.

Coherent-drive preparation
--------------------------
The paper starts Fig. 3 (bottom) from the state a coherent drive through the
cavity leaves behind: every spin in the equator with
:math:`\mathrm{sgn}\langle\sigma^x_i\rangle = \mathrm{sgn}\,g_i` (so that all atoms
radiate into the cavity in phase) and photons in the cavity whose number scales
as :math:`1/\Delta_c`. :func:`drive_state` builds it directly: spins
:math:`\vec\sigma_i = \mathrm{sgn}(f_i)\hat x` and the cavity field in equilibrium
with them, :math:`\alpha = \alpha_{eq} = -\sqrt{\Delta_c}\,\overline{|f|}/(\Delta_c -
i\kappa/2)` per :math:`\sqrt N` (with :math:`\overline{|f|} = (1/2N)\sum|f_i|`),
hence :math:`\langle a^\dagger a\rangle/N = \overline{|f|}^2\Delta_c/(\Delta_c^2 +
\kappa^2/4)\approx\overline{|f|}^2/\Delta_c` in units of :math:`\chi N`.

:func:`simulate_drive` produces that state from the atomic ground state and an
empty cavity by an explicit mean-field simulation of a chirped drive through the
cavity, with the engineered fields :math:`\varepsilon_i` still off (they are
switched on by the quench). In the frame of the drive, whose frequency sits
:math:`\delta(t)` above the atomic one, the equations are those of the model with
:math:`\varepsilon_i\to-\delta/2`, :math:`\Delta_c\to\Delta_c-\delta` and a drive
term :math:`\dot\alpha \mathrel{+}= -i\eta(t)`. The drive is switched on
far below the atoms (:math:`\delta = -\delta_0`, where the ground state is the
spins' low-energy state in their field), brought to resonance
(:math:`\delta\to0`) and switched off. Each spin follows its field adiabatically
into the equator, on the side :math:`\mathrm{sgn}\,g_i` whatever :math:`|g_i|`,
and as the drive fades the cavity field turns into the field the atoms
themselves radiate, :math:`\alpha_{eq}`. Atoms with :math:`|f_i|` so small that
their Rabi frequency is below the sweep rate do not follow; they hardly couple to
the cavity either.

Coarse-graining
---------------
:func:`coarse_grain` groups atoms into classes of nearly equal
:math:`(\varepsilon_i, g_i)`, and :func:`coarse_quench` integrates the weighted class
model; exact for classes of identical atoms, convergent as the bins shrink (tested
against the full model; ``benchmarks/bench_large_n.py --coarse`` at :math:`10^6` atoms).
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.integrate import solve_ivp

from . import _kernels
from . import _validate as check
from .dynamics import quench, time_average
from .model import Model
from .states import State, photon_equilibrium

__all__ = ["K0A0", "cosine_profile", "coupling_profile", "mean_abs_coupling", "drive_state",
           "DrivePreparation", "simulate_drive", "DetuningScan", "detuning_scan",
           "CoarseModel", "coarse_grain", "CoarseResult", "coarse_quench"]

#: :math:`k_0a_0` of the strontium lattice–cavity geometry (paper, Fig. 3).
K0A0 = 3.7


def coupling_profile(values, normalize="peak") -> np.ndarray:
    r"""Relative couplings :math:`f_i = g_i/g` from any array, normalised as stated.

    Parameters
    ----------
    values : array_like, 1-d
        Couplings in any unit (finite, not all zero).
    normalize : {"peak", "rms", None}
        ``"peak"``: divide by :math:`\max|g_i|` (so :math:`g` is the peak
        coupling); ``"rms"``: divide by :math:`\sqrt{\overline{g_i^2}}` (same
        collective coupling as a homogeneous ensemble of coupling :math:`g`);
        ``None``: keep the values. See the module docstring.
    """
    f = np.array(values, dtype=float)
    if f.ndim != 1 or f.size == 0:
        raise ValueError(f"values must be a non-empty 1-d array, got shape {f.shape}")
    if not np.all(np.isfinite(f)):
        raise ValueError("values must contain only finite numbers")
    if normalize is None:
        return f
    if normalize == "peak":
        scale = np.max(np.abs(f))
    elif normalize == "rms":
        scale = np.sqrt(np.mean(f ** 2))
    else:
        raise ValueError(f"normalize must be 'peak', 'rms' or None, got {normalize!r}")
    if scale == 0:
        raise ValueError("values must not all be zero")
    return f / scale


def cosine_profile(n_atoms: int, k0a0: float = K0A0, normalize="peak", first_site: int = 1) -> np.ndarray:
    r""":math:`f_i = \cos(k_0a_0\,(i + i_0))` for the ``n_atoms`` atoms, normalised by ``normalize``.

    ``first_site`` :math:`i_0` is the lattice index of atom 0 (default 1, the
    paper's :math:`i = 1\dots2N`). With ``normalize="peak"`` the values are the
    plain cosines (their maximum is 1 to within :math:`10^{-3}` for more than a
    few dozen atoms, and is rescaled to exactly 1).

    .. warning::
       :class:`~cavity_bcs.Model` orders quantile-sampled energies by atom index,
       so site and energy are correlated. From a homogeneous start the spin phases
       then advance by :math:`(W/N)t` from one atom to the next and, near
       :math:`t \approx (2\pi - k_0a_0)N/W`, line up with :math:`\cos(k_0a_0 i)`: the
       cavity lights up briefly. It is a finite-:math:`N` echo (it moves out as
       :math:`N` grows, like ``Model.revival_time``); keep runs well before it or
       use ``sampling="random"``. The drive state is not affected.
    """
    n_atoms = check.integer("n_atoms", n_atoms, minimum=1)
    k0a0 = check.finite("k0a0", k0a0)
    first_site = check.integer("first_site", first_site)
    return coupling_profile(np.cos(k0a0 * (np.arange(n_atoms) + first_site)), normalize)


def mean_abs_coupling(model: Model) -> float:
    r""":math:`\overline{|f|} = (1/2N)\sum_i|f_i|`: the coupling-weighted in-phase fraction
    of the drive state (1 for homogeneous :math:`g`, :math:`\approx 2/\pi` for a
    peak-normalised cosine)."""
    return float(np.mean(np.abs(model.couplings)))


def drive_state(model: Model) -> State:
    r"""The state a coherent drive through the cavity prepares (built directly).

    Spins :math:`\vec\sigma_i = \mathrm{sgn}(f_i)\,\hat x` (atoms with :math:`f_i = 0`
    along :math:`+\hat x`), photon :math:`\alpha_{eq}` of these spins
    (:func:`~cavity_bcs.photon_equilibrium`), so
    :math:`\langle a^\dagger a\rangle/N = \overline{|f|}^2\Delta_c/(\Delta_c^2+\kappa^2/4)`.
    For homogeneous couplings this is ``x_polarized(model, photon="equilibrium")``.
    """
    spins = np.zeros((model.n_atoms, 3))
    spins[:, 0] = np.where(model.couplings < 0, -1.0, 1.0)
    return State(spins, photon_equilibrium(model, spins))


@dataclass(frozen=True, eq=False)
class DrivePreparation:
    r"""Result of :func:`simulate_drive`.

    Attributes
    ----------
    state : State
        The prepared state at the end of the drive, rotated about :math:`z` so that
        the photon phase matches :func:`drive_state` (a global phase carries no
        physics), ready for :func:`~cavity_bcs.quench`.
    t : ndarray
        Sample times of the protocol, units of :math:`1/\chi N`.
    n_photon : ndarray
        :math:`|\alpha(t)|^2 = \langle a^\dagger a\rangle/N` during the drive.
    detuning, drive : ndarray
        :math:`\delta(t)` and :math:`\eta(t)` (units of :math:`\chi N`).
    duration : float
    """

    state: State
    t: np.ndarray
    n_photon: np.ndarray
    detuning: np.ndarray
    drive: np.ndarray
    duration: float


def _ramp(s):
    # Smooth 0 -> 1 on s in [0, 1] with zero slope at both ends.
    s = np.clip(s, 0.0, 1.0)
    return np.sin(0.5 * np.pi * s) ** 2


def simulate_drive(model: Model, duration: float = 200.0, detuning_start: float = 4.0,
                   drive_peak: float | None = None, n_save: int = 801, rtol: float = 1e-8,
                   atol: float = 1e-10) -> DrivePreparation:
    r"""Prepare the drive state by simulating a chirped drive through the cavity.

    Protocol (drive frame, module docstring), for :math:`0\le t\le T` = ``duration``
    and :math:`s = t/T`:

    * drive detuning :math:`\delta(t) = -\delta_0\,[1 - r(\min(2s,1))]`, from
      :math:`-\delta_0` (``detuning_start``) to resonance at :math:`t = T/2`;
    * drive amplitude :math:`\eta(t) = \eta_0\,\sin^2(\pi s)`: on, then off;

    where :math:`r` is a smooth ramp. Atoms start in the ground state
    (:math:`\langle\sigma^z_i\rangle = -1`), the cavity empty, the fields
    :math:`\varepsilon_i` off. The model's :math:`\kappa`, :math:`\gamma` and
    dephasing act throughout.

    Parameters
    ----------
    model : Model
        Supplies :math:`\Delta_c`, :math:`f_i`, :math:`\kappa`, :math:`\gamma` (units
        of :math:`\chi N`); its :math:`\varepsilon_i` are not used here.
    duration : float
        :math:`T`, units of :math:`1/\chi N`; longer is more adiabatic.
    detuning_start : float
        :math:`\delta_0 > 0`, units of :math:`\chi N`.
    drive_peak : float, optional
        :math:`\eta_0` (units of :math:`\chi N`); default
        :math:`\Delta_c\,|\alpha_{eq}|` of the target state, i.e. a drive that alone
        would hold the cavity near the target field.
    """
    if not isinstance(model, Model):
        raise ValueError(f"model must be a cavity_bcs.Model, got {type(model).__name__}")
    duration = check.positive("duration", duration)
    detuning_start = check.positive("detuning_start", detuning_start)
    target = drive_state(model)
    if drive_peak is None:
        drive_peak = model.delta_c * abs(target.photon)
    drive_peak = check.positive("drive_peak", drive_peak)
    n_save = check.integer("n_save", n_save, minimum=2)

    n = model.n_atoms
    f = np.ascontiguousarray(model.couplings)
    ones = np.ones(n)
    G, dc, kappa, inv_n = model.g_collective, model.delta_c, model.kappa, 1.0 / model.n_pairs

    def detuning(t):
        return -detuning_start * (1.0 - _ramp(2.0 * t / duration))

    def drive(t):
        return drive_peak * np.sin(np.pi * np.clip(t / duration, 0.0, 1.0)) ** 2

    def rhs(t, y):
        d = detuning(t)
        out = np.empty_like(y)
        # The verified kernel in the drive frame: eps_i -> -delta/2, Delta_c -> Delta_c - delta.
        _kernels.rhs_local(y, np.full(n, -0.5 * d), f, ones, G, dc - d, kappa, model.gamma,
                           model.dephasing, False, inv_n, out)
        out[3 * n + 1] -= drive(t)  # d(alpha)/dt += -i eta
        return out

    y0 = np.zeros(3 * n + 2)
    y0[2 * n:3 * n] = -1.0
    t_eval = np.linspace(0.0, duration, n_save)
    sol = solve_ivp(rhs, (0.0, duration), y0, method="DOP853", t_eval=t_eval, rtol=rtol, atol=atol)
    if not sol.success:
        raise RuntimeError(f"drive simulation failed: {sol.message}")
    yf = sol.y[:, -1]
    alpha = complex(yf[3 * n], yf[3 * n + 1])
    spins = np.stack([yf[:n], yf[n:2 * n], yf[2 * n:3 * n]], axis=1)
    # Rotate about z so that alpha has the phase of the target photon.
    phi = np.angle(target.photon) - np.angle(alpha) if alpha != 0 else 0.0
    # alpha -> alpha e^{i phi} corresponds to s_i -> s_i e^{i phi}, i.e. (x - i y) rotated by +phi,
    # which is a rotation of (x, y) by -phi.
    c, s = np.cos(phi), np.sin(phi)
    x = c * spins[:, 0] + s * spins[:, 1]
    yy = -s * spins[:, 0] + c * spins[:, 1]
    spins = np.stack([x, yy, spins[:, 2]], axis=1)
    state = State(spins, alpha * np.exp(1j * phi))
    Y = sol.y
    return DrivePreparation(state=state, t=sol.t, n_photon=Y[3 * n] ** 2 + Y[3 * n + 1] ** 2,
                            detuning=detuning(sol.t), drive=drive(sol.t), duration=duration)


@dataclass(frozen=True, eq=False)
class DetuningScan:
    r"""Quench observables against the detuning (Fig. 3 of the paper).

    Attributes
    ----------
    delta_c : ndarray
        Detunings :math:`\Delta_c/\chi N`.
    n_photon_avg : ndarray
        :math:`\frac{1}{T}\int_0^T\langle a^\dagger a\rangle/N\,dt` over the whole run.
    coherence_avg : ndarray
        :math:`\frac{1}{T}\int_0^T|S^+|\,dt`.
    n_photon_initial : ndarray
        :math:`\langle a^\dagger a\rangle/N` at :math:`t = 0`.
    models : tuple of Model
        The model at each detuning.
    t_final : float
        :math:`T`, units of :math:`1/\chi N`.
    """

    delta_c: np.ndarray
    n_photon_avg: np.ndarray
    coherence_avg: np.ndarray
    n_photon_initial: np.ndarray
    models: tuple
    t_final: float


def detuning_scan(make_model, detunings, t_final: float, initial="drive", n_save: int = 2001,
                  n_workers: int | None = None) -> DetuningScan:
    r"""Quench at each detuning and average the photon density and coherence over the run.

    Parameters
    ----------
    make_model : callable
        ``make_model(delta_c) -> Model`` (e.g. built from
        :class:`~cavity_bcs.units.LabParameters`, so that :math:`\kappa/\chi N`
        follows the detuning at fixed laboratory :math:`\kappa`).
    detunings : array_like
        :math:`\Delta_c/\chi N` values.
    t_final : float or callable
        Run length in units of :math:`1/\chi N`, or ``t_final(model)``.
    initial : {"drive", "x"} or callable
        ``"drive"``: :func:`drive_state`; ``"x"``: every spin along :math:`+x`, empty
        cavity; or ``initial(model) -> State``.
    n_workers : int, optional
        Threads (the numba kernels release the GIL); default the number of cores.
    """
    detunings = np.atleast_1d(np.asarray(detunings, dtype=float))
    if detunings.ndim != 1 or detunings.size == 0:
        raise ValueError("detunings must be a non-empty 1-d array")
    if initial == "drive":
        make_initial = drive_state
    elif initial == "x":
        make_initial = None
    elif callable(initial):
        make_initial = initial
    else:
        raise ValueError(f"initial must be 'drive', 'x' or a callable, got {initial!r}")
    models = tuple(make_model(float(d)) for d in detunings)
    for m in models:
        if not isinstance(m, Model):
            raise ValueError("make_model must return cavity_bcs.Model instances")
    finals = [float(t_final(m)) if callable(t_final) else float(t_final) for m in models]

    def run(k):
        m = models[k]
        init = None if make_initial is None else make_initial(m)
        r = quench(m, finals[k], n_save=n_save, initial=init)
        return (time_average(r.t, r.n_photon), time_average(r.t, r.coherence), r.n_photon[0])

    with ThreadPoolExecutor(max_workers=n_workers or os.cpu_count() or 1) as pool:
        rows = np.array(list(pool.map(run, range(len(models)))))
    return DetuningScan(delta_c=detunings, n_photon_avg=rows[:, 0], coherence_avg=rows[:, 1],
                        n_photon_initial=rows[:, 2], models=models,
                        t_final=finals[0] if len(set(finals)) == 1 else np.array(finals))


@dataclass(frozen=True, eq=False)
class LossDecay:
    r"""When loss has eaten into the coherence of a quench.

    Attributes
    ----------
    time_us : float
        First lab time (µs) at which the smoothed ratio
        :math:`|S^+|_\kappa/|S^+|_{\kappa=0}` falls below ``level`` (``inf`` if never).
    t_us : ndarray
        Lab times (µs) of the samples.
    ratio : ndarray
        The smoothed ratio at those times.
    """

    time_us: float
    t_us: np.ndarray
    ratio: np.ndarray


def loss_decay(lossy, ideal, lab, level: float = 0.6, smooth_us: float = 0.5) -> LossDecay:
    r"""Decay of :math:`|S^+|` caused by loss: compare a lossy quench with the lossless one.

    Both runs share their saved times (units of :math:`1/\chi N`, converted with ``lab``,
    a :class:`~cavity_bcs.units.LabParameters`). The ratio is smoothed over ``smooth_us``
    so that the coherence's own oscillations do not trigger the threshold.
    """
    level = check.positive("level", level)
    smooth_us = check.positive("smooth_us", smooth_us)
    if lossy.t.shape != ideal.t.shape:
        raise ValueError("lossy and ideal must be saved at the same times")
    t_us = lab.time_to_ms(lossy.t) * 1e3
    width = max(1, int(round(smooth_us / (t_us[1] - t_us[0]))))
    kernel = np.ones(width) / width
    ratio = np.convolve(lossy.coherence, kernel, "same") / np.convolve(ideal.coherence, kernel, "same")
    below = np.flatnonzero((ratio < level) & (t_us > smooth_us))
    return LossDecay(time_us=float(t_us[below[0]]) if below.size else np.inf, t_us=t_us, ratio=ratio)


# --------------------------------------------------------------------------- coarse-graining
@dataclass(frozen=True, eq=False)
class CoarseModel:
    r"""Atoms grouped into classes of (nearly) equal :math:`(\varepsilon_i, g_i)`.

    In mean field, atoms with the same :math:`\varepsilon`, :math:`g` and initial Bloch vector
    evolve identically, so a class of :math:`w_c` such atoms is one spin that counts
    :math:`w_c` times in the cavity's source :math:`\sum_i g_i s_i`. Grouping atoms whose
    values only lie *close* is an approximation controlled by the bin widths; its error is
    measured against the full model by :func:`coarse_quench` (see the tests).

    Attributes
    ----------
    eps, couplings, weights : ndarray
        Class means of :math:`\varepsilon_i` (units of :math:`\chi N`) and :math:`f_i`, and
        the number of atoms per class (sums to ``model.n_atoms``).
    spins : ndarray, shape (n_classes, 3)
        Class-mean initial Bloch vectors.
    photon : complex
        Initial :math:`\alpha = \langle a\rangle/\sqrt N`.
    model : Model
        The full model that was coarse-grained.
    """

    eps: np.ndarray
    couplings: np.ndarray
    weights: np.ndarray
    spins: np.ndarray
    photon: complex
    model: Model

    @property
    def n_classes(self) -> int:
        return int(self.weights.size)


def coarse_grain(model: Model, n_eps_bins: int, n_g_bins: int, initial: State | None = None) -> CoarseModel:
    r"""Group the atoms of ``model`` into at most ``n_eps_bins`` :math:`\times` ``n_g_bins`` classes.

    Energies are binned separately in each band (``n_eps_bins`` equal-width bins per band);
    couplings in ``n_g_bins`` equal-width bins over :math:`[\min f, \max f]` with a bin edge at
    :math:`f = 0` when the couplings change sign (so that :math:`\mathrm{sgn}\,g_i` is uniform in
    a class, as the drive state needs). ``initial`` defaults to :func:`drive_state`.

    Validity: binning :math:`\varepsilon` into bins of width :math:`W/(2 n_\varepsilon)` makes
    the class spins rephase after :math:`t_{rev}\approx 2\pi n_\varepsilon/W` (units of
    :math:`1/\chi N`), as :math:`N` evenly spaced energies do after :math:`2\pi N/W`: keep
    ``t_final`` well below it and check convergence by doubling both bin numbers.
    """
    if not isinstance(model, Model):
        raise ValueError(f"model must be a cavity_bcs.Model, got {type(model).__name__}")
    n_eps_bins = check.integer("n_eps_bins", n_eps_bins, minimum=1)
    n_g_bins = check.integer("n_g_bins", n_g_bins, minimum=1)
    initial = drive_state(model) if initial is None else initial
    if initial.spins.shape[0] != model.n_atoms:
        raise ValueError(f"initial has {initial.spins.shape[0]} spins but model.n_atoms = {model.n_atoms}")
    eps, f, n_pairs = model.eps, model.couplings, model.n_pairs

    def bin_index(values, n_bins, split_at_zero):
        lo, hi = values.min(), values.max()
        if hi == lo:
            return np.zeros(values.size, dtype=np.int64)
        if split_at_zero and lo < 0 < hi:
            neg = max(1, n_bins // 2)
            pos = max(1, n_bins - neg)
            idx_neg = np.minimum((values - lo) / (-lo) * neg, neg - 1).astype(np.int64)
            idx_pos = neg + np.minimum(values / hi * pos, pos - 1).astype(np.int64)
            return np.where(values < 0, idx_neg, idx_pos)
        return np.minimum((values - lo) / (hi - lo) * n_bins, n_bins - 1).astype(np.int64)

    band = (np.arange(model.n_atoms) >= n_pairs).astype(np.int64)
    eps_idx = np.empty(model.n_atoms, dtype=np.int64)
    for b in (0, 1):
        sel = band == b
        eps_idx[sel] = bin_index(eps[sel], n_eps_bins, False)
    g_idx = bin_index(f, n_g_bins, True)
    key = (band * n_eps_bins + eps_idx) * (n_g_bins + 1) + g_idx
    _, inverse, weights = np.unique(key, return_inverse=True, return_counts=True)

    def class_mean(values):
        return np.bincount(inverse, weights=values) / weights

    spins = np.stack([class_mean(initial.spins[:, k]) for k in range(3)], axis=1)
    return CoarseModel(eps=class_mean(eps), couplings=class_mean(f), weights=weights.astype(float),
                       spins=spins, photon=initial.photon, model=model)


@dataclass(frozen=True, eq=False)
class CoarseResult:
    r"""Observables of :func:`coarse_quench` (same normalisations as :class:`~cavity_bcs.QuenchResult`).

    ``t`` (units of :math:`1/\chi N`), ``s_plus`` (:math:`S^+`), ``source``
    (:math:`(1/N)\sum_i f_i s_i`, what the cavity sees), ``photon``
    (:math:`\langle a\rangle/\sqrt N`), ``n_photon``, ``excitations``.
    """

    t: np.ndarray
    s_plus: np.ndarray
    source: np.ndarray
    photon: np.ndarray
    n_photon: np.ndarray
    excitations: np.ndarray


def coarse_quench(coarse: CoarseModel, t_final: float, n_save: int = 1001, rtol: float = 1e-9,
                  atol: float = 1e-11) -> CoarseResult:
    r"""Mean-field quench of the class model (weighted spins, same equations as :func:`~cavity_bcs.quench`).

    Each class spin precesses as :math:`\dot{\vec\sigma}_c = 2\vec b_c\times\vec\sigma_c` (plus
    the model's :math:`\gamma` and dephasing), and
    :math:`\dot\alpha = -i\Delta_c\alpha - iG\,(1/N)\sum_c w_c f_c s_c - (\kappa/2)\alpha`:
    the numba kernel behind :func:`~cavity_bcs.quench`, with class weights :math:`w_c`.
    """
    if not isinstance(coarse, CoarseModel):
        raise ValueError(f"coarse must be a CoarseModel, got {type(coarse).__name__}")
    t_final = check.positive("t_final", t_final)
    n_save = check.integer("n_save", n_save, minimum=2)
    m = coarse.model
    eps, f, w = coarse.eps, coarse.couplings, coarse.weights
    inv_n = 1.0 / m.n_pairs
    n = eps.size
    y0 = np.concatenate([coarse.spins[:, 0], coarse.spins[:, 1], coarse.spins[:, 2],
                         [coarse.photon.real, coarse.photon.imag]])
    t = np.linspace(0.0, t_final, n_save)
    obs, states, _, status, _, _ = _kernels.run(y0, t, eps, f, w, m.g_collective, m.delta_c, m.kappa,
                                                m.gamma, m.dephasing, False, inv_n, rtol, atol,
                                                10_000_000, True)
    if status != _kernels.STATUS_OK:
        raise RuntimeError(f"coarse quench stopped before t_final (status {status})")
    wf = w * f
    x, yy = states[:, :n], states[:, n:2 * n]
    s_plus = obs[0] + 1j * obs[1]
    source = 0.5 * inv_n * (x @ wf - 1j * (yy @ wf))
    alpha = obs[2] + 1j * obs[3]
    n_photon = obs[4]
    excitations = obs[5]
    return CoarseResult(t=t, s_plus=s_plus, source=source, photon=alpha, n_photon=n_photon,
                        excitations=excitations)
