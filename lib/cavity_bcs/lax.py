r"""The classical Lax vector of the homogeneous model and of the spin-only model.

Book convention (units of :math:`\chi N`; :math:`\alpha = \langle a\rangle/\sqrt N`,
:math:`G = g\sqrt N = \sqrt{\Delta_c}`), normalised by :math:`\chi/2`:

.. math::

    \vec\ell(u) = \frac{1}{2N}\sum_{i=1}^{2N}\frac{\vec\sigma_i}{u-\varepsilon_i}
        + \frac{2G}{\Delta_c}\,(\mathrm{Re}\,\alpha,\ -\mathrm{Im}\,\alpha,\ 0)
        + \frac{2u-\Delta_c}{\Delta_c}\,\hat z .

Under the mean-field equations :math:`\dot{\vec\ell} = 2\vec M(u)\times\vec\ell`
with :math:`\vec M = g(\mathrm{Re}\,a, -\mathrm{Im}\,a, 0) + u\hat z`, so
:math:`\ell^2(u) = \vec\ell\cdot\vec\ell` (no complex conjugation) is conserved
for every complex :math:`u`. Spin poles sit at :math:`u = \varepsilon_i`; the
photon's :math:`\hat z` term vanishes at :math:`u = \Delta_c/2`. The spin-only
(adiabatic) model has :math:`\vec\ell_{spin}(u) = \frac{1}{2N}\sum_i
\vec\sigma_i/(u-\varepsilon_i) - \hat z` (the limit :math:`\Delta_c\to\infty`).

Beyond the finite-:math:`N` vector, the module provides the continuum limit for the
x-polarised quench states (:func:`lax_vector_continuum`, :func:`lax_squared_continuum`),
an argument-principle count of the isolated roots of :math:`\ell^2`
(:func:`count_isolated_roots`), their location (:func:`isolated_roots`), the
finite-:math:`N` spectral-polynomial roots (:func:`finite_n_roots`), the dynamical
phase (:func:`dynamical_phase`, :func:`phase_diagram`) and quench-side diagnostics
(:func:`quench_signature`, :func:`spectral_lines`, :func:`photon_oscillation`).
"""
from __future__ import annotations

import cmath
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from . import _validate as check
from ._numba import njit
from .model import Model
from .states import State, x_polarized

__all__ = ["lax_vector", "lax_squared"]


def lax_vector(u, model: Model, state: State, adiabatic: bool = False) -> np.ndarray:
    r"""The Lax vector :math:`\vec\ell(u)` (module docstring) at complex points ``u``.

    Parameters
    ----------
    u : complex or array_like
        Spectral parameter(s), units of :math:`\chi N`.
    model : Model
        Must have homogeneous couplings (the inhomogeneous model is not integrable).
    state : State
        Mean-field state (Bloch vectors and :math:`\alpha`).
    adiabatic : bool
        Spin-only model's Lax vector instead.

    Returns
    -------
    ndarray, shape ``np.shape(u) + (3,)``, complex
    """
    if not model.is_homogeneous:
        raise ValueError("the Lax vector exists only for homogeneous couplings (coupling_profile all ones)")
    u = np.asarray(u, dtype=complex)
    poles = 1.0 / (u[..., None] - model.eps)  # (..., n)
    vec = poles @ state.spins / (2.0 * model.n_pairs)
    if adiabatic:
        vec[..., 2] -= 1.0
    else:
        alpha = state.photon
        vec[..., 0] += 2.0 * model.g_collective / model.delta_c * alpha.real
        vec[..., 1] -= 2.0 * model.g_collective / model.delta_c * alpha.imag
        vec[..., 2] += (2.0 * u - model.delta_c) / model.delta_c
    return vec


def lax_squared(u, model: Model, state: State, adiabatic: bool = False):
    r""":math:`\ell^2(u) = \vec\ell(u)\cdot\vec\ell(u)`, conserved by the mean-field dynamics."""
    vec = lax_vector(u, model, state, adiabatic)
    return np.sum(vec * vec, axis=-1)


# =====================================================================================
# Continuum limit, isolated roots and dynamical phases
# =====================================================================================
#
# Everything below uses the SAME ell(u) as `lax_vector` above, evaluated for the
# initial states of the figures in the limit N -> infinity.  See the docstring of
# `lax_vector_continuum` for the derivation.

__all__ += ["InitialLaxData", "lax_vector_continuum", "lax_squared_continuum",
            "RootCount", "count_isolated_roots", "isolated_roots", "finite_n_roots",
            "DynamicalPhase", "dynamical_phase", "PhaseDiagram", "phase_diagram",
            "photon_oscillation", "quench_signature", "EXPECTED_SIGNATURE", "spectral_lines"]

#: Largest number of isolated root pairs the two-box density allows: two
#: collective spins (one per box) for the spin model, plus the photon.
MAX_PAIRS = {True: 2, False: 3}
_SPIN_NAMES = ("I", "II", "III")
_FULL_NAMES = ("I+1", "II+1", "III+1")


@dataclass(frozen=True)
class InitialLaxData:
    r"""Everything the continuum :math:`\vec\ell(u)` needs about model and initial state.

    The initial state is the x-polarised quench state of
    :func:`~cavity_bcs.states.x_polarized`: the upper box at azimuth
    :math:`+\Delta\phi_0/2`, the lower box at :math:`-\Delta\phi_0/2`, photon
    :math:`\alpha = \langle a\rangle/\sqrt N`.

    Attributes
    ----------
    eps0, W, delta_c : float
        Units of :math:`\chi N` (``delta_c`` unused when ``adiabatic``).
    delta_phi0 : float
        Phase offset between the bands, radians.
    photon : complex
        :math:`\alpha(0)`; zero for the spin model.
    adiabatic : bool
        Spin-only model (:math:`\ell_z = -1`).
    """

    eps0: float
    W: float
    delta_c: float
    delta_phi0: float
    photon: complex
    adiabatic: bool

    @property
    def photon_x(self) -> float:
        r"""Constant :math:`x` part of :math:`\vec\ell`: :math:`2\,\mathrm{Re}\,\alpha/\sqrt{\Delta_c}`."""
        return 0.0 if self.adiabatic else 2.0 * self.photon.real / math.sqrt(self.delta_c)

    @property
    def photon_y(self) -> float:
        r"""Constant :math:`y` part: :math:`-2\,\mathrm{Im}\,\alpha/\sqrt{\Delta_c}`."""
        return 0.0 if self.adiabatic else -2.0 * self.photon.imag / math.sqrt(self.delta_c)

    @property
    def bands(self):
        r"""Support of the :math:`\varepsilon` density: list of disjoint ``(lo, hi)`` intervals."""
        w = self.W / 4.0
        e = abs(self.eps0) / 2.0
        if e - w > -e + w:
            return [(-e - w, -e + w), (e - w, e + w)]
        return [(-e - w, e + w)]

    def _params(self):
        return (self.eps0 / 2.0, self.W, self.delta_c, math.cos(self.delta_phi0 / 2.0),
                math.sin(self.delta_phi0 / 2.0), self.photon_x, self.photon_y, self.adiabatic)


def _initial_data(model, adiabatic, delta_phi0, photon) -> InitialLaxData:
    """Validate the inputs of the continuum functions and collect the state data."""
    if not isinstance(model, Model):
        raise ValueError(f"model must be a cavity_bcs.Model, got {type(model).__name__}")
    if not model.is_homogeneous:
        raise ValueError("Lax analysis needs homogeneous couplings (coupling_profile all ones); "
                         "inhomogeneous g_i break integrability")
    if model.energies is not None:
        raise ValueError("the continuum Lax vector needs the two-box density (energies=None); "
                         "use finite_n_roots for explicit energies")
    if model.kappa != 0.0:
        raise ValueError(f"Lax analysis needs kappa = 0 (photon loss breaks integrability), got {model.kappa!r}")
    delta_phi0 = check.finite("delta_phi0", delta_phi0)
    adiabatic = bool(adiabatic)
    if adiabatic:
        alpha = 0.0
        if not (isinstance(photon, str) and photon in ("vacuum", "equilibrium")):
            raise ValueError("with adiabatic=True the photon is slaved to the spins: "
                             "photon must be 'vacuum' or 'equilibrium'")
    elif isinstance(photon, str):
        if photon == "vacuum":
            alpha = 0.0
        elif photon == "equilibrium":
            # alpha_eq = -(1/sqrt(delta_c)) (1/N) sum_i s_i with s_i = (x_i - i y_i)/2: the y parts
            # of the two bands cancel, the x parts give 2N cos(delta_phi0/2)/2.
            alpha = -math.cos(delta_phi0 / 2.0) / math.sqrt(model.delta_c)
        else:
            raise ValueError(f"photon must be 'vacuum', 'equilibrium' or a complex number, got {photon!r}")
    else:
        alpha = complex(photon)
        if not cmath.isfinite(alpha):
            raise ValueError(f"photon must be finite, got {photon!r}")
    return InitialLaxData(model.eps0, model.W, model.delta_c, delta_phi0, complex(alpha), adiabatic)


@njit
def _box_resolvent(u, c, W):
    r""":math:`F(u) = \frac{1}{2}\langle 1/(u-\varepsilon)\rangle` over a box of width W/2 at c,
    and its derivative.  :math:`F = (2/W)\,\mathrm{artanh}(W/(4(u-c)))`, cut on the box."""
    z = u - c
    if W > 0.0:
        w = 0.25 * W
        val = (2.0 / W) * cmath.atanh(w / z)
        der = -0.5 / (z * z - w * w)
    else:
        val = 0.5 / z
        der = -0.5 / (z * z)
    return val, der


@njit
def _ell(u, e, W, dc, ch, sh, px, py, adiabatic):
    """Continuum ell(u) components and their u-derivatives."""
    fp, dfp = _box_resolvent(u, e, W)
    fm, dfm = _box_resolvent(u, -e, W)
    lx = ch * (fp + fm) + px
    ly = sh * (fp - fm) + py
    dlx = ch * (dfp + dfm)
    dly = sh * (dfp - dfm)
    if adiabatic:
        lz = -1.0 + 0.0j
        dlz = 0.0j
    else:
        lz = (2.0 * u - dc) / dc
        dlz = 2.0 / dc + 0.0j
    return lx, ly, lz, dlx, dly, dlz


@njit
def _l2(u, e, W, dc, ch, sh, px, py, adiabatic):
    lx, ly, lz, _, _, _ = _ell(u, e, W, dc, ch, sh, px, py, adiabatic)
    return lx * lx + ly * ly + lz * lz


@njit
def _l2_and_derivative(u, e, W, dc, ch, sh, px, py, adiabatic):
    lx, ly, lz, dlx, dly, dlz = _ell(u, e, W, dc, ch, sh, px, py, adiabatic)
    return lx * lx + ly * ly + lz * lz, 2.0 * (lx * dlx + ly * dly + lz * dlz)


def lax_vector_continuum(u, model: Model, adiabatic: bool = False, delta_phi0: float = 0.0,
                         photon="vacuum") -> np.ndarray:
    r"""The Lax vector :math:`\vec\ell(u)` of the initial state for :math:`N\to\infty`.

    For the x-polarised state (upper box at azimuth :math:`+\Delta\phi_0/2`,
    lower box at :math:`-\Delta\phi_0/2`, :math:`z_i = 0`) the spin sum of
    :func:`lax_vector` becomes an average over each box,

    .. math::

        \frac{1}{2N}\sum_{i\in\pm}\frac{1}{u-\varepsilon_i}\ \longrightarrow\
        F_\pm(u) = \frac{1}{2}\int\frac{p_\pm(\varepsilon)\,d\varepsilon}{u-\varepsilon}
        = \frac{1}{W}\ln\frac{u \mp \varepsilon_0/2 + W/4}{u \mp \varepsilon_0/2 - W/4}
        = \frac{2}{W}\,\mathrm{artanh}\frac{W}{4(u\mp\varepsilon_0/2)},

    (:math:`p_\pm` a box of width :math:`W/2` at :math:`\pm\varepsilon_0/2`; principal
    branches, whose only cuts are the boxes themselves), so that

    .. math::

        \ell_x = \cos\tfrac{\Delta\phi_0}{2}(F_+ + F_-) + \frac{2\,\mathrm{Re}\,\alpha}{\sqrt{\Delta_c}},\quad
        \ell_y = \sin\tfrac{\Delta\phi_0}{2}(F_+ - F_-) - \frac{2\,\mathrm{Im}\,\alpha}{\sqrt{\Delta_c}},\quad
        \ell_z = \frac{2u-\Delta_c}{\Delta_c}

    (spin model: no photon terms and :math:`\ell_z = -1`). ``W = 0`` uses the limit
    :math:`F_\pm = 1/(2(u\mp\varepsilon_0/2))`. The finite-:math:`N` quantile
    sum converges to this as :math:`1/N^2` off the real axis.

    Relation to the supplement's Eq. 7: there :math:`\chi\vec L/2` carries the
    photon term as :math:`s\chi N\cos(\Delta\phi/2)/\Delta_c` and a
    :math:`(1-2u/\Delta_c)` z part; in our normalisation the photon at
    :math:`a(0) = a_{eq}(0)` (:math:`\alpha_{eq} = -\cos(\Delta\phi_0/2)/\sqrt{\Delta_c}`)
    contributes :math:`2\,\mathrm{Re}\,\alpha_{eq}/\sqrt{\Delta_c}
    = -2\cos(\Delta\phi_0/2)/\Delta_c` to :math:`\ell_x` (twice the supplement's term), and the arctanh arguments are
    :math:`W/(4(u\mp\varepsilon_0/2))` rather than :math:`(W\mp2\varepsilon_0)/4u`.

    Parameters
    ----------
    u : complex or array_like
        Spectral parameter(s), units of :math:`\chi N`; off the boxes on the real axis.
    model : Model
        Homogeneous, two-box (``energies=None``), ``kappa = 0``; ``n_atoms`` is ignored.
    adiabatic : bool
        Spin-only model.
    delta_phi0 : float
        Phase offset between the bands, radians.
    photon : "vacuum", "equilibrium" or complex
        :math:`\alpha(0)` as in :func:`~cavity_bcs.states.x_polarized`
        (``"equilibrium"``: :math:`\alpha_{eq}(0) = -\cos(\Delta\phi_0/2)/\sqrt{\Delta_c}`).

    Returns
    -------
    ndarray, shape ``np.shape(u) + (3,)``, complex
    """
    data = _initial_data(model, adiabatic, delta_phi0, photon)
    return _vector_from_data(u, data)


def _vector_from_data(u, data: InitialLaxData) -> np.ndarray:
    e, W, dc, ch, sh, px, py, adiabatic = data._params()
    u = np.asarray(u, dtype=complex)
    flat = u.ravel()
    out = np.empty(flat.shape + (3,), dtype=complex)
    for k, uk in enumerate(flat):
        lx, ly, lz, _, _, _ = _ell(complex(uk), e, W, dc, ch, sh, px, py, adiabatic)
        out[k] = (lx, ly, lz)
    return out.reshape(u.shape + (3,))


def lax_squared_continuum(u, model: Model, adiabatic: bool = False, delta_phi0: float = 0.0,
                          photon="vacuum"):
    r""":math:`\ell^2(u)` of :func:`lax_vector_continuum` (no complex conjugation)."""
    vec = lax_vector_continuum(u, model, adiabatic, delta_phi0, photon)
    out = np.sum(vec * vec, axis=-1)
    return out if out.ndim else complex(out)


# ----------------------------------------------------------------------------- winding
_THETA_MAX = 0.5          # largest accepted change of arg(ell^2) between two samples (rad)
_MAX_LEVEL = 48           # bisection depth limit per initial segment
_N_INITIAL = 24           # initial segments per straight piece of contour
_STACK = 4 * _MAX_LEVEL + 8


@njit
def _segment_winding(p0, p1, e, W, dc, ch, sh, px, py, adiabatic):
    """Change of arg(ell^2) along the straight segment p0 -> p1, by adaptive bisection.

    A sub-segment is accepted only when the phase change across it and across
    both of its halves is below _THETA_MAX and the halves add up to the whole:
    a zero passing between two samples would show up as a large or inconsistent
    phase step and force refinement.  Returns (angle, n_evaluations, min |ell^2|
    relative to the typical |ell^2|, ok) where ok is False when the depth limit
    was reached (a root sits on or extremely close to the contour).
    """
    total = 0.0
    n_eval = 0
    ok = True
    min_abs = np.inf
    ta = np.empty(_STACK)
    tb = np.empty(_STACK)
    fa_s = np.empty(_STACK, dtype=np.complex128)
    fb_s = np.empty(_STACK, dtype=np.complex128)
    lev = np.empty(_STACK, dtype=np.int64)
    d = p1 - p0
    f_prev = _l2(p0, e, W, dc, ch, sh, px, py, adiabatic)
    n_eval += 1
    min_abs = min(min_abs, abs(f_prev))
    for k in range(_N_INITIAL):
        t0 = k / _N_INITIAL
        t1 = (k + 1) / _N_INITIAL
        f1 = _l2(p0 + t1 * d, e, W, dc, ch, sh, px, py, adiabatic)
        n_eval += 1
        min_abs = min(min_abs, abs(f1))
        top = 0
        ta[0] = t0
        tb[0] = t1
        fa_s[0] = f_prev
        fb_s[0] = f1
        lev[0] = 0
        top = 1
        while top > 0:
            top -= 1
            a = ta[top]
            b = tb[top]
            fa = fa_s[top]
            fb = fb_s[top]
            level = lev[top]
            m = 0.5 * (a + b)
            fm = _l2(p0 + m * d, e, W, dc, ch, sh, px, py, adiabatic)
            n_eval += 1
            min_abs = min(min_abs, abs(fm))
            whole = cmath.phase(fb / fa)
            left = cmath.phase(fm / fa)
            right = cmath.phase(fb / fm)
            good = (abs(whole) < _THETA_MAX and abs(left) < _THETA_MAX and abs(right) < _THETA_MAX
                    and abs(left + right - whole) < 1e-9)
            if good or level >= _MAX_LEVEL:
                if not good:
                    ok = False
                total += left + right
            else:
                # push right half first so the left half is processed next
                ta[top] = m
                tb[top] = b
                fa_s[top] = fm
                fb_s[top] = fb
                lev[top] = level + 1
                top += 1
                ta[top] = a
                tb[top] = m
                fa_s[top] = fa
                fb_s[top] = fm
                lev[top] = level + 1
                top += 1
        f_prev = f1
    return total, n_eval, min_abs, ok


@njit
def _path_winding(vertices, e, W, dc, ch, sh, px, py, adiabatic):
    total = 0.0
    n_eval = 0
    ok = True
    min_abs = np.inf
    for k in range(vertices.size - 1):
        ang, ne, ma, good = _segment_winding(vertices[k], vertices[k + 1], e, W, dc, ch, sh, px, py,
                                             adiabatic)
        total += ang
        n_eval += ne
        min_abs = min(min_abs, ma)
        ok = ok and good
    return total, n_eval, min_abs, ok


@njit
def _outer_radius(e, W, dc, px, py, adiabatic):
    r"""Half-size R of a box [-R, R] x [0, R] that provably holds every root.

    A root needs :math:`|\ell_z| = |\ell_x^2+\ell_y^2|^{1/2} \le 1/d + |p|`, with d the
    distance from u to the energy support [-b, b] and p the photon part
    (because :math:`|F_\pm| \le 1/(2d)`).  Outside the box |u| >= R, so it is enough that
    :math:`(2R-\Delta_c)/\Delta_c > 1/(R-b) + |p|` (full model) or :math:`1 > 1/(R-b)` (spin model).
    """
    b = abs(e) + 0.25 * W
    p = math.sqrt(px * px + py * py)
    if adiabatic:
        return b + 1.5
    R = max(b, 0.5 * dc) + 1.0
    while (2.0 * R - dc) / dc <= 1.0 / (R - b) + p + 0.05:
        R *= 1.25
    return R * 1.1


@njit
def _count_kernel(e, W, dc, ch, sh, px, py, adiabatic, heights, bands_lo, bands_hi):
    """Winding of ell^2 around {Im u > 0, inside the outer box} minus a strip of each
    height in `heights` (width +height beyond the band edges) above the continuum.

    Returns (windings per height, n_eval, min |ell^2| seen, ok)."""
    R = _outer_radius(e, W, dc, px, py, adiabatic)
    outer = np.empty(4, dtype=np.complex128)
    outer[0] = complex(R, 0.0)
    outer[1] = complex(R, R)
    outer[2] = complex(-R, R)
    outer[3] = complex(-R, 0.0)
    w_out, n_eval, min_abs, ok = _path_winding(outer, e, W, dc, ch, sh, px, py, adiabatic)
    out = np.empty(heights.size)
    detour = np.empty(4, dtype=np.complex128)
    for j in range(heights.size):
        h = heights[j]
        total = w_out
        for k in range(bands_lo.size):
            lo = bands_lo[k] - h
            hi = bands_hi[k] + h
            # bottom of the contour runs left to right: up, across, down
            detour[0] = complex(lo, 0.0)
            detour[1] = complex(lo, h)
            detour[2] = complex(hi, h)
            detour[3] = complex(hi, 0.0)
            w, ne, ma, good = _path_winding(detour, e, W, dc, ch, sh, px, py, adiabatic)
            total += w
            n_eval += ne
            min_abs = min(min_abs, ma)
            ok = ok and good
        # On the real axis in the gaps every component is real, so ell^2 >= 0 there and
        # those pieces add no winding: the pieces above start and end at positive reals.
        out[j] = total / (2.0 * math.pi)
    return out, n_eval, min_abs, ok


@dataclass(frozen=True)
class RootCount:
    r"""Number of isolated root pairs of :math:`\ell^2(u)` from the argument principle.

    Attributes
    ----------
    n_pairs : int
        Root pairs :math:`u, u^*` further than ``tol`` from the continuum
        (the band intervals on the real axis).
    n_near_axis : int
        Pairs with :math:`\mathrm{strip} < \mathrm{Im}\,u \le \mathrm{tol}` above the
        continuum: the state is within tolerance of a phase boundary.
    winding_error : float
        Largest distance of the measured winding numbers from integers.
    ok : bool
        False if the adaptive contour sampling hit its depth limit (a root on the
        contour) or the windings were not integers.
    n_evaluations : int
        Evaluations of :math:`\ell^2`.
    """

    n_pairs: int
    n_near_axis: int
    winding_error: float
    ok: bool
    n_evaluations: int

    @property
    def unsure(self) -> bool:
        """True when a root lies within tolerance of the continuum or the count failed."""
        return self.n_near_axis != 0 or not self.ok


def _bands_arrays(data):
    bands = data.bands
    return (np.array([b[0] for b in bands], dtype=float), np.array([b[1] for b in bands], dtype=float))


def _count_from_data(data: InitialLaxData, tol: float, strip: float) -> RootCount:
    lo, hi = _bands_arrays(data)
    e, W, dc, ch, sh, px, py, adiabatic = data._params()
    if W == 0.0:
        # no continuum: the strips only step over the two poles, every root counts
        heights = np.array([strip, strip])
    else:
        heights = np.array([tol, strip])
    windings, n_eval, _, ok = _count_kernel(e, W, dc, ch, sh, px, py, adiabatic, heights, lo, hi)
    rounded = np.rint(windings)
    err = float(np.max(np.abs(windings - rounded)))
    ok = bool(ok) and err < 0.05
    n_sure, n_all = int(rounded[0]), int(rounded[1])
    return RootCount(n_sure, n_all - n_sure, err, ok, int(n_eval))


def _check_tolerances(tol, strip):
    tol = check.positive("tol", tol)
    strip = check.positive("strip", strip)
    if strip >= tol:
        raise ValueError(f"strip must be smaller than tol, got strip={strip!r}, tol={tol!r}")
    return tol, strip


def count_isolated_roots(model: Model, adiabatic: bool = False, delta_phi0: float = 0.0,
                         photon="vacuum", tol: float = 1e-3, strip: float = 1e-7) -> RootCount:
    r"""Count the isolated root pairs of the continuum :math:`\ell^2(u)` (argument principle).

    :math:`\ell^2` is analytic in the upper half plane (its only singularities are
    the cuts on the band intervals), real and non-negative on the real axis in
    the gaps, and :math:`\ell^2(u^*) = \ell^2(u)^*`; roots therefore come in
    conjugate pairs and we count those with :math:`\mathrm{Im}\,u > 0`. The winding
    number of :math:`\ell^2` is measured along the boundary of a box that provably
    holds every root (see ``_outer_radius``) with a thin strip of height ``h``
    cut out above each band. With ``h = tol`` this counts the pairs safely away
    from the continuum; with ``h = strip`` also those close to it. A difference
    means a root within ``tol`` of the continuum, i.e. a phase boundary.

    Parameters
    ----------
    model, adiabatic, delta_phi0, photon
        As in :func:`lax_vector_continuum`.
    tol : float
        Distance (units of :math:`\chi N`) from the continuum below which a root
        makes the classification unsure; ``> strip``.
    strip : float
        Height of the excluded strip; roots closer to the cut than this are
        treated as part of the continuum; ``> 0``.
    """
    tol, strip = _check_tolerances(tol, strip)
    data = _initial_data(model, adiabatic, delta_phi0, photon)
    return _count_from_data(data, tol, strip)


# ----------------------------------------------------------------------------- locating
@njit
def _newton(u0, e, W, dc, ch, sh, px, py, adiabatic, max_iter):
    u = u0
    for _ in range(max_iter):
        f, df = _l2_and_derivative(u, e, W, dc, ch, sh, px, py, adiabatic)
        if df == 0:
            return u, False
        step = f / df
        # damp long jumps so the iteration does not hop across the cut
        if abs(step) > 1.0:
            step = step / abs(step)
        u = u - step
        # stay in the upper half plane (roots come in conjugate pairs) and off the cut
        floor = 1e-13 * (1.0 + abs(u.real))
        if abs(u.imag) < floor:
            u = complex(u.real, floor)
        elif u.imag < 0.0:
            u = complex(u.real, -u.imag)
        if abs(step) < 1e-14 * (1.0 + abs(u)):
            return u, True
    return u, False


def _in_region(u, data, h):
    """True if u (Im u > 0) lies outside the strips of height h above the bands."""
    if u.imag <= 0:
        return False
    if u.imag > h:
        return True
    return not any(lo - h <= u.real <= hi + h for lo, hi in data.bands)


def _locate(data: InitialLaxData, n_expected: int, h: float, seeds) -> np.ndarray:
    e, W, dc, ch, sh, px, py, adiabatic = data._params()
    found = []
    for s in seeds:
        if s.imag <= h:
            continue
        u, conv = _newton(complex(s), e, W, dc, ch, sh, px, py, adiabatic, 200)
        if not conv or not _in_region(u, data, h):
            continue
        if all(abs(u - v) > 1e-8 * (1 + abs(u)) for v in found):
            found.append(u)
        if len(found) > n_expected:
            break
    return np.array(sorted(found, key=lambda z: (z.real, z.imag)), dtype=complex)


@njit
def _newton_many(seeds, e, W, dc, ch, sh, px, py, adiabatic, max_iter):
    out = np.empty(seeds.size, dtype=np.complex128)
    conv = np.zeros(seeds.size, dtype=np.bool_)
    for k in range(seeds.size):
        out[k], conv[k] = _newton(seeds[k], e, W, dc, ch, sh, px, py, adiabatic, max_iter)
    return out, conv


def _locate_grid(data: InitialLaxData, n_expected: int, h: float) -> np.ndarray:
    """Newton from a grid of seeds over the whole root box (compiled loop), deduplicated."""
    e, W, dc, ch, sh, px, py, adiabatic = data._params()
    seeds = _seed_grid(data)
    out, conv = _newton_many(seeds, e, W, dc, ch, sh, px, py, adiabatic, 100)
    found = []
    for u in out[conv]:
        u = complex(u)
        if _in_region(u, data, h) and all(abs(u - v) > 1e-8 * (1 + abs(u)) for v in found):
            found.append(u)
    return np.array(sorted(found, key=lambda z: (z.real, z.imag)), dtype=complex)


def _seed_grid(data: InitialLaxData):
    e, W, dc, ch, sh, px, py, adiabatic = data._params()
    R = _outer_radius(e, W, dc, px, py, adiabatic)
    xs = np.linspace(-R, R, 41)
    ys = np.geomspace(1e-4, R, 25)
    grid = (xs[:, None] + 1j * ys[None, :]).ravel()
    return grid[np.argsort(np.abs(grid.imag - 0.5))]


def isolated_roots(model: Model, adiabatic: bool = False, delta_phi0: float = 0.0, photon="vacuum",
                   tol: float = 1e-3, strip: float = 1e-7, n_seed_atoms: int = 80) -> np.ndarray:
    r"""The isolated roots of the continuum :math:`\ell^2(u)` with :math:`\mathrm{Im}\,u > 0`.

    Counts first (:func:`count_isolated_roots`, including roots near the
    continuum), then locates: Newton iterations on the continuum
    :math:`\ell^2` from a grid of seeds covering the box that holds every root
    and, if that finds fewer than counted, from the finite-:math:`N` roots
    (``n_seed_atoms`` atoms, :func:`finite_n_roots`). Raises ``RuntimeError`` if
    the located roots do not match the count.

    Returns
    -------
    ndarray (complex)
        Roots sorted by real part; their conjugates are roots too.
    """
    tol, strip = _check_tolerances(tol, strip)
    data = _initial_data(model, adiabatic, delta_phi0, photon)
    count = _count_from_data(data, tol, strip)
    return _roots_for_count(model, data, count, strip, n_seed_atoms)


def _roots_for_count(model, data, count: RootCount, strip, n_seed_atoms=80):
    n = count.n_pairs + count.n_near_axis
    if n == 0:
        return np.zeros(0, dtype=complex)
    roots = _locate_grid(data, n, strip)
    if len(roots) != n:
        # second chance: seeds at the finite-N roots (they converge to the isolated ones)
        seed_model = model.replace(n_atoms=int(n_seed_atoms), sampling="quantile", energies=None)
        state = x_polarized(seed_model, data.delta_phi0, data.photon if not data.adiabatic else "vacuum")
        seeds = finite_n_roots(seed_model, state, data.adiabatic)
        seeds = seeds[seeds.imag > 0]
        seeds = seeds[np.argsort(-seeds.imag)]
        roots = _locate(data, n, strip, np.concatenate([seeds, roots]))
    if len(roots) != n:
        raise RuntimeError(f"located {len(roots)} isolated roots but the argument principle counts {n} "
                           f"(model={model!r}, adiabatic={data.adiabatic}, delta_phi0={data.delta_phi0})")
    return roots


# ----------------------------------------------------------------------------- finite N
def finite_n_roots(model: Model, state: State, adiabatic: bool = False) -> np.ndarray:
    r"""All roots of the finite-:math:`N` :math:`\ell^2(u)` (spectral polynomial).

    :math:`\ell^2(u)\prod_i(u-\varepsilon_i)^2` is a polynomial of degree
    :math:`4N+2` (full model) or :math:`4N` (spin model). Rather than expanding
    it (hopelessly ill-conditioned), we use that :math:`\ell^2 = -\det L(u)` for
    the :math:`2\times2` Lax matrix :math:`L = \vec\ell\cdot\vec\tau`
    (:math:`\vec\tau` the Pauli matrices) and write
    :math:`L(u) = D + uE + \sum_i (u-\varepsilon_i)^{-1} S_i` with
    :math:`S_i = \vec\sigma_i\cdot\vec\tau/2N`. The roots are then the eigenvalues
    of the block linearisation (Schur complement)
    :math:`\det\begin{pmatrix} u - A & -B\\ C & D + uE\end{pmatrix}
    = \det(u - A)\det L(u)` with :math:`A = \mathrm{diag}(\varepsilon_i)\otimes 1_2`,
    :math:`B` the stacked :math:`S_i` and :math:`C = (1_2, \dots, 1_2)`: a
    :math:`(4N+2)`-dimensional eigenvalue problem.

    Returns
    -------
    ndarray (complex)
        All roots (both halves of each conjugate pair), unsorted.
    """
    if not model.is_homogeneous:
        raise ValueError("the Lax vector exists only for homogeneous couplings (coupling_profile all ones)")
    n = model.n_atoms
    sig = np.asarray(state.spins, dtype=float)
    if sig.shape != (n, 3):
        raise ValueError(f"state has {sig.shape[0]} spins but model.n_atoms = {n}")
    S = np.empty((n, 2, 2), dtype=complex)
    S[:, 0, 0] = sig[:, 2]
    S[:, 1, 1] = -sig[:, 2]
    S[:, 0, 1] = sig[:, 0] - 1j * sig[:, 1]
    S[:, 1, 0] = sig[:, 0] + 1j * sig[:, 1]
    S /= 2.0 * model.n_pairs
    A = np.kron(np.diag(model.eps), np.eye(2))
    B = S.reshape(2 * n, 2)
    C = np.tile(np.eye(2), (1, n))
    if adiabatic:
        # D = -tau_z is invertible: det L = det D det(1 + D^-1 C (u-A)^-1 B)
        #   = det D det(u - A + B D^-1 C) / det(u - A)
        D = np.diag([-1.0, 1.0]).astype(complex)
        return np.linalg.eigvals(A - B @ np.linalg.solve(D, C))
    dc = model.delta_c
    alpha = state.photon
    px = 2.0 * model.g_collective / dc * alpha.real
    py = -2.0 * model.g_collective / dc * alpha.imag
    D = np.array([[-1.0, px - 1j * py], [px + 1j * py, 1.0]], dtype=complex)
    E_inv = np.diag([dc / 2.0, -dc / 2.0]).astype(complex)
    # pencil u M1 + M0 with M1 = diag(1, E), M0 = [[-A, -B], [C, D]]
    M0 = np.block([[-A, -B], [C, D]])
    M0[2 * n:, :] = E_inv @ M0[2 * n:, :]
    return np.linalg.eigvals(-M0)


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


def dynamical_phase(model: Model, adiabatic: bool = False, delta_phi0: float = 0.0, photon="vacuum",
                    tol: float = 1e-3, strip: float = 1e-7, locate: bool = True) -> DynamicalPhase:
    r"""Dynamical phase reached after a quench from the x-polarised state.

    Counts the isolated root pairs of the continuum :math:`\ell^2(u)`
    (:func:`count_isolated_roots`) and names the phase: spin model 0/1/2 pairs
    :math:`\to` I/II/III; full model 1/2/3 pairs :math:`\to` I+1/II+1/III+1.
    ``delta_phi0 = 0`` and ``photon = "vacuum"`` are the defaults of
    :func:`~cavity_bcs.dynamics.quench`.

    Parameters
    ----------
    model : Model
        Homogeneous couplings, two-box density (``energies=None``), ``kappa = 0``;
        ``W >= 0`` and ``delta_c > 0`` are enforced by :class:`~cavity_bcs.Model`.
        ``n_atoms`` is irrelevant (continuum limit).
    adiabatic : bool
        Spin-only (one-channel BCS) model.
    delta_phi0, photon
        Initial state, as in :func:`~cavity_bcs.states.x_polarized`.
    tol, strip : float
        See :func:`count_isolated_roots` (units of :math:`\chi N`).
    locate : bool
        Also locate the roots (see :func:`isolated_roots`).

    Raises
    ------
    ValueError
        Inhomogeneous couplings, explicit energies, ``kappa > 0``, bad
        ``delta_phi0``/``photon``/``tol``/``strip``.
    """
    tol, strip = _check_tolerances(tol, strip)
    data = _initial_data(model, adiabatic, delta_phi0, photon)
    count = _count_from_data(data, tol, strip)
    roots = _roots_for_count(model, data, count, strip) if locate else np.zeros(0, dtype=complex)
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
    root = complex(root)
    return 2.0 * root.real, abs(root.imag) / math.sqrt(delta_c)


# ----------------------------------------------------------------------------- diagrams
@njit
def _grid_kernel(eps0, W_vals, dc_vals, ch, sh, photon_mode, photon_re, photon_im, adiabatic, tol, strip,
                 out_sure, out_all, out_ok, start, stop):
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
        w4 = 0.25 * W
        ae = abs(e)
        if ae - w4 > -ae + w4:
            lo = np.array([-ae - w4, ae - w4])
            hi = np.array([-ae + w4, ae + w4])
        else:
            lo = np.array([-ae - w4])
            hi = np.array([ae + w4])
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


def phase_diagram(delta_c, W, eps0: float, adiabatic: bool = False, delta_phi0: float = 0.0,
                  photon="vacuum", tol: float = 1e-3, strip: float = 1e-7,
                  n_threads: int | None = None) -> PhaseDiagram:
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
    n_threads : int, optional
        Worker threads (default: all cores); the kernel releases the GIL.
    """
    dc = np.atleast_1d(np.asarray(delta_c, dtype=float))
    Ws = np.atleast_1d(np.asarray(W, dtype=float))
    if dc.ndim != 1 or Ws.ndim != 1:
        raise ValueError("delta_c and W must be 1-d sequences")
    if not (np.all(np.isfinite(dc)) and np.all(dc > 0)):
        raise ValueError("delta_c values must be finite and > 0 (units of chi*N)")
    if not (np.all(np.isfinite(Ws)) and np.all(Ws >= 0)):
        raise ValueError("W values must be finite and >= 0 (units of chi*N)")
    eps0 = check.finite("eps0", eps0)
    delta_phi0 = check.finite("delta_phi0", delta_phi0)
    tol, strip = _check_tolerances(tol, strip)
    adiabatic = bool(adiabatic)
    mode, alpha = 0, 0j
    if isinstance(photon, str):
        if photon == "equilibrium":
            mode = 1
        elif photon != "vacuum":
            raise ValueError(f"photon must be 'vacuum', 'equilibrium' or a complex number, got {photon!r}")
    else:
        alpha = complex(photon)
        if not cmath.isfinite(alpha):
            raise ValueError(f"photon must be finite, got {photon!r}")
    n_sure = np.zeros((dc.size, Ws.size), dtype=np.int64)
    n_all = np.zeros_like(n_sure)
    ok = np.zeros((dc.size, Ws.size), dtype=np.bool_)
    n_points = dc.size * Ws.size
    n_threads = max(1, min(int(n_threads or os.cpu_count() or 1), n_points))
    bounds = np.linspace(0, n_points, 4 * n_threads + 1).astype(int)   # a few chunks per thread

    def run(k):
        _grid_kernel(eps0, Ws, dc, math.cos(delta_phi0 / 2), math.sin(delta_phi0 / 2), mode, alpha.real,
                     alpha.imag, adiabatic, tol, strip, n_sure, n_all, ok, bounds[k], bounds[k + 1])

    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        list(pool.map(run, range(bounds.size - 1)))
    return PhaseDiagram(dc, Ws, n_sure, n_all - n_sure, ok, eps0, delta_phi0, photon, adiabatic, tol, strip)


# ----------------------------------------------------------------------------- dynamics side
#: What the late-time |S+(t)| should do in each phase (the quench-side signature).
EXPECTED_SIGNATURE = {"I": "decayed", "II": "constant", "III": "oscillating",
                      "I+1": "steady", "II+1": "oscillating", "III+1": "oscillating"}


def quench_signature(result, t_min: float | None = None, decayed_below: float = 0.01,
                     oscillation_threshold: float = 0.05) -> str:
    r"""Classify the late-time :math:`|S^+(t)|` of a quench, independently of the Lax roots.

    On the window :math:`t \ge t_{min}` (default: the second half of the record)
    with mean :math:`m` and standard deviation :math:`s` of :math:`|S^+|`:

    - ``"oscillating"`` if :math:`s > \max(\text{oscillation\_threshold}\cdot m,\ 0.002)`
      and the fluctuations do not shrink from the first to the second half of
      the window (by more than 15 %): persistent collective oscillations
      (phases III, II+1, III+1), not a dephasing transient;
    - otherwise ``"decayed"`` if :math:`m <` ``decayed_below`` and ``"constant"``
      if not. For the full model both count as ``"steady"`` (phase I+1: the photon
      drives a constant, possibly tiny, :math:`|S^+|`), see :data:`EXPECTED_SIGNATURE`.

    Finite :math:`N` (revivals at :math:`t\sim 2\pi N/W`) and the slow
    (:math:`\sim t^{-1/2}`) decay of transients near a boundary limit this test;
    the thresholds are dimensionless fractions of :math:`|S^+|`.
    """
    t_min = result.t[-1] / 2 if t_min is None else check.finite("t_min", t_min)
    sel = result.t >= t_min
    if np.count_nonzero(sel) < 10:
        raise ValueError("the window t >= t_min must hold at least 10 saved times")
    c = np.abs(result.s_plus[sel])
    mean, std = float(c.mean()), float(c.std())
    half = c.size // 2
    # a dephasing transient shrinks (~1/t) from the first to the second half of the
    # window; persistent collective oscillations do not
    persistent = c[half:].std() > 0.85 * c[:half].std()
    if std > max(oscillation_threshold * mean, 0.002) and persistent:
        return "oscillating"
    if result.adiabatic:
        return "decayed" if mean < decayed_below else "constant"
    return "steady"


def spectral_lines(result, t_min: float | None = None, threshold: float = 0.003, max_lines: int = 6):
    r"""Strongest spectral lines of the late-time :math:`S^+(t)` of a quench.

    Each isolated root pair :math:`u_k` of :math:`\ell^2` is a collective mode that
    keeps precessing at angular frequency :math:`2\,\mathrm{Re}\,u_k`; the
    dephasing continuum only adds a decaying background. The complex
    :math:`S^+(t) \propto e^{+i\omega t}` for a mode at frequency :math:`\omega`
    (since :math:`s_i\propto e^{-2i\varepsilon_i t}`), so its Hann-windowed Fourier
    transform over :math:`t\ge t_{min}` shows lines at :math:`\omega_k = 2\,\mathrm{Re}\,u_k`.

    Parameters
    ----------
    result : QuenchResult
    t_min : float, optional
        Start of the window (default: half the record), units of :math:`1/\chi N`.
    threshold : float
        Smallest line amplitude kept (same units as :math:`|S^+|`).
    max_lines : int
        Largest number of lines returned.

    Returns
    -------
    (frequencies, amplitudes) : two ndarrays, strongest first; angular
        frequencies in units of :math:`\chi N`. The resolution is
        :math:`\sim 2\pi/(t_{final}-t_{min})`.
    """
    t_min = result.t[-1] / 2 if t_min is None else check.finite("t_min", t_min)
    sel = result.t >= t_min
    if np.count_nonzero(sel) < 16:
        raise ValueError("the window t >= t_min must hold at least 16 saved times")
    t = result.t[sel]
    window = np.hanning(t.size)
    spectrum = np.abs(np.fft.fft(result.s_plus[sel] * window)) / window.sum()
    omega = 2 * np.pi * np.fft.fftfreq(t.size, t[1] - t[0])
    inner = spectrum[1:-1]
    peaks = np.nonzero((inner > spectrum[:-2]) & (inner >= spectrum[2:]) & (inner > threshold))[0] + 1
    peaks = peaks[np.argsort(-spectrum[peaks])][:max_lines]
    return omega[peaks], spectrum[peaks]
