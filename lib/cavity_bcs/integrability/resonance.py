r"""The resonance condition: where the quench's late-time coherence is largest, read from the Lax roots.

After the quench from the x-polarised state with the cavity empty, the photon settles
(phase I\ :sup:`+1`) into a rotating field :math:`\langle a\rangle/\sqrt N = \alpha e^{-i\mu t}`.
Its isolated Lax root :math:`u_0` encodes both numbers
(:func:`~cavity_bcs.integrability.phases.photon_oscillation`): the frequency
:math:`\mu = 2\,\mathrm{Re}\,u_0` and the Rabi frequency :math:`\Omega = G|\alpha| = \mathrm{Im}\,u_0`
(units of :math:`\chi N`). In the frame rotating with the photon each atom precesses about
the static field :math:`(\varepsilon_i - \mu/2)\hat z + f_i\Omega\hat x`; once the atoms have
dephased, only the projection of the initial :math:`+\hat x` on that field survives
(:func:`~cavity_bcs.drive_coherence`, ``picture="projected"``):

.. math:: |S^+|_\infty = \frac{1}{2N}\sum_i\frac{\Omega^2}{(\varepsilon_i - \mathrm{Re}\,u_0)^2 + \Omega^2}
          = \frac{1}{2N}\sum_i\frac{(\mathrm{Im}\,u_0)^2}{|\varepsilon_i - u_0|^2},

a Lorentzian of half-width :math:`\mathrm{Im}\,u_0` centred at :math:`\mathrm{Re}\,u_0`, summed over the
band. For the two-box density (height :math:`1/W` on :math:`[a_k, b_k]`) the sum is

.. math:: |S^+|_\infty = \frac{\Omega}{W}\sum_{k=1,2}\Big[\arctan\frac{b_k - x}{\Omega}
          - \arctan\frac{a_k - x}{\Omega}\Big],\qquad x = \mathrm{Re}\,u_0,\ \Omega = \mathrm{Im}\,u_0.

No time evolution enters: :func:`root_drive_coherence` evaluates this for one detuning, and
:func:`resonant_detuning` maximises it over :math:`\Delta_c`. As :math:`\Delta_c` grows, the
photon root moves up through the upper band and :math:`\mathrm{Im}\,u_0` (the drive's width)
grows; the coherence is largest where the Lorentzian still covers the band's top — the mode is
about to leave the band. That happens at :math:`\Delta_c^* > \varepsilon_0` (for
:math:`\varepsilon_0 = 6`, :math:`W = 8`: :math:`\Delta_c^*\approx 7\chi N`), not at
:math:`\Delta_c = \varepsilon_0`.

Validity (measured in chapter 4, whose map this summarises, and tested in ``tests/test_resonance.py``):
for broad bands, :math:`W \ge 4\varepsilon_0/3`, the maximum lies in or at the edge of phase I\ :sup:`+1`
and the prediction agrees with the simulated maximum to about 1 %; at :math:`W = \varepsilon_0` it is
4–6 % off; for :math:`W < \varepsilon_0` the maximum lies deep in phase II\ :sup:`+1` (two roots, a still
oscillating :math:`|S^+|`) and the one-drive picture is about 10 % low; for narrow bands the adiabatic
(spin-model) end is itself coherent (phase III\ :sup:`+1`), the coherence rises monotonically with
:math:`\Delta_c` and there is no resonant maximum to predict (:func:`resonant_detuning` refuses).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from .. import _validate as check
from ..density import TwoBox
from ..meanfield.drive import drive_coherence
from ..model import Model
from .phases import dynamical_phase
from .roots import isolated_roots

__all__ = ["DrivePrediction", "root_drive_coherence", "resonant_detuning", "ADIABATIC_END"]

#: The detuning (units of :math:`\chi N`) taken as the adiabatic end when :func:`resonant_detuning`
#: asks whether the spin-model limit is itself coherent.
ADIABATIC_END = 1000.0

#: Range of detunings (units of :math:`\chi N`) over which :func:`resonant_detuning` looks for the maximum.
SEARCH_RANGE = (0.05, ADIABATIC_END)


@dataclass(frozen=True)
class DrivePrediction:
    r"""The late-time coherence predicted from the Lax roots at one detuning (:func:`root_drive_coherence`).

    Attributes
    ----------
    delta_c : float
        Cavity detuning :math:`\Delta_c`, units of :math:`\chi N`.
    coherence : float
        :math:`|S^+|_\infty` of the dephased precession about the root's drive (0 without a root).
    root : complex or None
        The isolated root :math:`u_0` (:math:`\mathrm{Im}\,u_0 > 0`) whose drive gives the largest
        coherence; None when there is no isolated root.
    frequency : float
        The photon frequency :math:`\mu = 2\,\mathrm{Re}\,u_0`, units of :math:`\chi N` (NaN without a root).
    rabi : float
        The Rabi frequency :math:`\Omega = \mathrm{Im}\,u_0 = G|\alpha|`, units of :math:`\chi N` (0 without a root).
    n_roots : int
        Number of isolated root pairs: 1 in phase I\ :sup:`+1`; with 2 (II\ :sup:`+1`) the coherence still
        oscillates and the one-drive prediction is only approximate.
    """

    delta_c: float
    coherence: float
    root: complex | None
    frequency: float
    rabi: float
    n_roots: int


def _box_projection(density: TwoBox, root: complex) -> float:
    """The Lorentzian of the root's drive integrated over the two-box density (closed form)."""
    x, omega = root.real, abs(root.imag)
    total = sum(math.atan((b - x) / omega) - math.atan((a - x) / omega) for a, b in density.boxes)
    return omega * total / density.W


def _projection(model, density, root: complex) -> float:
    if density is not None:
        return _box_projection(density, root)
    return drive_coherence(model, 2.0 * root.real, abs(root.imag), "projected")


def root_drive_coherence(model, *, delta_c: float | None = None) -> DrivePrediction:
    r"""Late-time :math:`|S^+|` of the quench predicted from the isolated Lax roots, without a time evolution.

    Parameters
    ----------
    model : Model or TwoBox
        A :class:`~cavity_bcs.Model` (the sum runs over its atoms :math:`\varepsilon_i, f_i`; the roots are
        those of its continuum Lax vector, so the energies must be the two-box ones), or the two-box density
        itself (the integral in closed form; needs ``delta_c``).
    delta_c : float, optional
        Only with a TwoBox: the detuning :math:`\Delta_c`, units of :math:`\chi N`, ``> 0``.

    Returns
    -------
    DrivePrediction
        With the root that gives the largest coherence.
    """
    if isinstance(model, TwoBox):
        if delta_c is None:
            raise ValueError("model is a TwoBox, which needs delta_c (the cavity detuning, units of chi N, > 0)")
        density, dc = model, check.positive("delta_c", delta_c)
        if density.W <= 0:
            raise ValueError(f"W must be > 0 for the continuum prediction (the density has height 1/W), got {density.W!r}")
        roots = isolated_roots(density, delta_c=dc)
    else:
        check.instance("model", model, Model)
        if delta_c is not None:
            raise ValueError("delta_c is given by the Model; pass delta_c only with a TwoBox")
        density, dc = None, model.delta_c
        roots = isolated_roots(model)
    if len(roots) == 0:
        return DrivePrediction(dc, 0.0, None, math.nan, 0.0, 0)
    values = [_projection(model, density, complex(r)) for r in roots]
    best = int(np.argmax(values))
    root = complex(roots[best])
    return DrivePrediction(dc, float(values[best]), root, 2.0 * root.real, abs(root.imag), len(roots))


def resonant_detuning(eps0: float, W: float, *, xtol: float = 1e-4) -> float:
    r"""The detuning :math:`\Delta_c^*` of largest late-time coherence after the quench, predicted from the Lax roots.

    Maximises :func:`root_drive_coherence` of the two-box density (continuum, :math:`N\to\infty`, no
    photon loss, quench from the x-polarised state with an empty cavity) over :math:`\Delta_c`; runs no
    time evolution (a few hundred root searches, about a second).

    Accuracy against the simulated maxima of the time-averaged :math:`|S^+|` (800 atoms, average over
    :math:`t\in[50, 100]/\chi N`, :math:`\varepsilon_0 = 2`–:math:`8\chi N`, :math:`W = 4`–:math:`16\chi N`;
    chapter 4 shows the map, ``tests/test_resonance.py`` checks it): about 1 % for :math:`W \ge 4\varepsilon_0/3`
    (at the paper's :math:`\varepsilon_0 = 6`, :math:`W = 8`: 1 % above the simulated :math:`\Delta_c^*\approx 7\chi N`);
    4–6 % at :math:`W = \varepsilon_0`; about 10 % low for :math:`W < \varepsilon_0`, where the maximum lies
    in phase II\ :sup:`+1`.

    Parameters
    ----------
    eps0 : float
        Separation of the two boxes :math:`\varepsilon_0`, units of :math:`\chi N`, ``>= 0``.
    W : float
        Width parameter of the boxes (each :math:`\varepsilon` box is :math:`W/2` wide), units of
        :math:`\chi N`, ``> 0``.
    xtol : float
        Tolerance on :math:`\ln\Delta_c^*` of the final bounded search, in ``(0, 0.1]``.

    Returns
    -------
    float
        :math:`\Delta_c^*`, units of :math:`\chi N`.

    Raises
    ------
    ValueError
        If the adiabatic end (:data:`ADIABATIC_END`) is not in phase I\ :sup:`+1`: then the spin-model
        limit keeps its coherence (narrow bands, :math:`W \lesssim 2\chi N` at :math:`\varepsilon_0\ge 2`),
        the coherence rises towards it monotonically and there is no resonant maximum.
    """
    eps0 = check.in_range("eps0", eps0, 0.0, 1e3)
    W = check.in_range("W", W, 0.0, 1e3, lo_open=True)
    xtol = check.in_range("xtol", xtol, 0.0, 0.1, lo_open=True)
    density = TwoBox(eps0=eps0, W=W)
    end = dynamical_phase(density, delta_c=ADIABATIC_END, locate=False)
    if end.phase != "I+1":
        raise ValueError(f"no resonant maximum at eps0 = {eps0:g}, W = {W:g} (units of chi N): the adiabatic end "
                         f"(delta_c = {ADIABATIC_END:g}) is in phase {end.phase}, so the spin model itself stays "
                         "coherent and the coherence rises with delta_c towards it; broaden the band (larger W)")

    def minus(log_dc):
        return -root_drive_coherence(density, delta_c=math.exp(log_dc)).coherence

    lo, hi = (math.log(v) for v in SEARCH_RANGE)
    grid = np.linspace(lo, hi, 49)  # coarse scan first: the curve has one broad maximum
    values = np.array([minus(g) for g in grid])
    i = int(np.argmin(values))
    if i == grid.size - 1:
        raise ValueError(f"no resonant maximum below delta_c = {SEARCH_RANGE[1]:g} at eps0 = {eps0:g}, W = {W:g}")
    left, right = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    best = minimize_scalar(minus, bounds=(left, right), method="bounded", options={"xatol": xtol})
    return float(math.exp(best.x))
