r"""Mean-field equilibrium (stationary) states of the cavity-QED BCS simulator.

We look for the stationary states of the grand-canonical operator

.. math::

    K = H - 2\mu\,\hat N_{ex},\qquad
    \hat N_{ex} = \tfrac12\sum_i\sigma^z_i + a^\dagger a ,

with :math:`H = \sum_i\varepsilon_i\sigma^z_i + \sum_i g_i(\sigma^+_i a + \sigma^-_i
a^\dagger) + \Delta_c a^\dagger a` (book convention, units of :math:`\chi N`).
:math:`\hat N_{ex}` commutes with :math:`H`, so a stationary state of :math:`K` is
a state whose every amplitude *rotates* under :math:`H`:
:math:`\langle a\rangle(t),\ \langle\sigma^-_i\rangle(t)\propto e^{-2i\mu t}`, i.e.
:math:`S^+(t) = S^+(0)\,e^{+2i\mu t}`. The rotation frequency of :math:`S^+` is
:math:`2\mu`, not :math:`\mu`: a pair (one atom) carries two fermions.

Stationarity conditions (derived in the chapter "Equilibrium superfluidity")
-----------------------------------------------------------------------------
Per :math:`N`, with :math:`\alpha = \langle a\rangle/\sqrt N`, :math:`G = g\sqrt N
= \sqrt{\Delta_c}` and :math:`f_i = g_i/g`, the mean-field value of :math:`K/N` is

.. math::

    \frac{K}{N} = \frac1N\sum_i \vec b_i\cdot\vec\sigma_i + (\Delta_c - 2\mu)|\alpha|^2,
    \qquad \vec b_i = (f_i\,\mathrm{Re}\,\Delta,\ f_i\,\mathrm{Im}\,\Delta,\ \varepsilon_i-\mu),
    \qquad \Delta \equiv G\alpha^* = g\langle a^\dagger\rangle .

* Photon: :math:`\partial_{\alpha^*}K = 0` gives
  :math:`a = -\sum_i g_i\langle\sigma^-_i\rangle/(\Delta_c - 2\mu)`, hence the
  **gap** :math:`\Delta = -\frac{\Delta_c}{\Delta_c-2\mu}\,\frac1N\sum_i f_i
  \langle\sigma^+_i\rangle` (equal to :math:`-S^+` for homogeneous couplings at
  :math:`\mu = 0`).
* Spins: each Bloch vector is parallel (:math:`\eta_i = -1`, energy maximum) or
  anti-parallel (:math:`\eta_i = +1`, energy minimum) to its field,
  :math:`\vec\sigma_i = -\eta_i\,\vec b_i/E_i`,
  :math:`E_i = \sqrt{(\varepsilon_i-\mu)^2 + f_i^2|\Delta|^2}`, so
  :math:`\langle\sigma^+_i\rangle = -\eta_i f_i\Delta/(2E_i)` and
  :math:`\langle\sigma^z_i\rangle = -\eta_i(\varepsilon_i-\mu)/E_i`.
* Gap equation (:math:`\Delta\neq 0`):

  .. math:: 1 = \frac{\Delta_c}{\Delta_c - 2\mu}\,\frac{1}{2N}\sum_i \frac{\eta_i f_i^2}{E_i}.

* Excitations per :math:`N`: :math:`n_{ex} = s_z + |\alpha|^2` with
  :math:`s_z = \frac{1}{2N}\sum_i\langle\sigma^z_i\rangle` and
  :math:`|\alpha|^2 = |\Delta|^2/\Delta_c`.
* Energy per :math:`N`: :math:`E/N = \frac1N\sum_i(-\eta_iE_i + \mu\,\sigma^z_i) + |\Delta|^2`.

Branches: ``"superfluid"`` (all :math:`\eta_i = +1`, the only superfluid
candidate for a ground state; needs :math:`\Delta_c > 2\mu`), ``"parallel"``
(all :math:`\eta_i = -1`, the highest-energy stationary state; needs
:math:`2\mu > \Delta_c`), and ``"normal"`` (:math:`\Delta = 0`, every spin on the
:math:`z` axis, no photon). Stationary states with mixed :math:`\eta_i` are
saddles (rotating one parallel spin about :math:`\hat b_i\times\hat z` lowers the
energy without changing :math:`n_{ex}` to first order) and never ground states.

Continuum limit: sums :math:`\frac{1}{2N}\sum_i F(\varepsilon_i)` become
:math:`\int p(\varepsilon)F(\varepsilon)\,d\varepsilon` over the two-box density
(each box of width :math:`W/2` and weight 1/2, so height :math:`1/W`); the
integrals of :math:`1/E`, :math:`x/E` and :math:`E` (:math:`x = \varepsilon-\mu`)
are :math:`\operatorname{asinh}(x/\Delta)`, :math:`E` and
:math:`\tfrac12(xE + \Delta^2\operatorname{asinh}(x/\Delta))`.

Finite temperature :math:`T` (units of :math:`\chi N`, :math:`k_B = 1`): each spin
in its field has :math:`\langle\vec\sigma_i\rangle = -\tanh(E_i/T)\,\vec b_i/E_i`;
the coherent photon obeys the same stationarity condition, and thermal photons
(:math:`O(1)`, not :math:`O(N)`) drop out per :math:`N`.

Corrections to the supplement's equilibrium section (see the chapter):
the effective field has :math:`\mathrm{Im}\Delta` on :math:`\hat y` (printed on
:math:`\hat x`); :math:`\sigma^z_i` contains :math:`\varepsilon_i-\mu` (printed
:math:`\varepsilon_i-\mu/2`); the gap equation's integrand is :math:`1/E`, not
:math:`\Delta/E`; the integration region is
:math:`\pm\varepsilon_0/2 + [-W/4, W/4]`; with the supplement's definition
:math:`\Delta_p = \frac{g^2}{\Delta_c-2\mu}\sum_i\sigma^+_i` the field is
:math:`-\Delta_p` (so :math:`\Delta_p = -\Delta`); and the minimum has
:math:`\sigma^z_i = -(\varepsilon_i-\mu)/E_i` (Eq. 15 prints the opposite sign).
:func:`paper_branch` solves the equations exactly as printed (after the other
corrections) for comparison.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

from .. import _validate as check
from ..meanfield.states import State
from ..model import Model

__all__ = ["Equilibrium", "ground_state", "stationary_states", "normal_state",
           "thermal_state", "critical_temperature", "paper_branch", "mean_field_energy",
           "gap_equation_mu0_boundary", "two_band_dispersion", "coherence_map",
           "DetuningScan", "detuning_scan", "Extremum", "constrained_extremum"]

BRANCHES = ("normal", "superfluid", "parallel", "paper-eq15")
_METHODS = ("finite", "continuum")
_GAP_MIN = 1e-12


# --------------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class Equilibrium:
    r"""One mean-field stationary state (units of :math:`\chi N`, per-:math:`N` densities).

    Attributes
    ----------
    branch : str
        ``"normal"``, ``"superfluid"`` (spins anti-parallel to their field),
        ``"parallel"`` (spins parallel: the energy maximum) or ``"paper-eq15"``
        (the supplement's printed equations; not a stationary state).
    mu : float
        Chemical potential :math:`\mu`; :math:`S^+` rotates as :math:`e^{2i\mu t}`.
        For a normal state at fixed excitations any :math:`\mu` in ``mu_range``
        works; ``mu`` is its middle.
    gap : float
        :math:`|\Delta| = g|\langle a\rangle|`, units of :math:`\chi N` (phase chosen
        so that :math:`\Delta = G\alpha^*` is real and :math:`\ge 0`).
    s_plus : complex
        :math:`S^+ = (1/N)\sum_i\langle\sigma^+_i\rangle`.
    s_z : float
        :math:`\frac{1}{2N}\sum_i\langle\sigma^z_i\rangle` (spin part of the excitations).
    photon : complex
        :math:`\alpha = \langle a\rangle/\sqrt N`.
    n_photon : float
        :math:`|\alpha|^2 = \langle a^\dagger a\rangle/N`.
    excitations : float
        :math:`s_z + |\alpha|^2`.
    energy : float
        :math:`\langle H\rangle/N`, units of :math:`\chi N`.
    grand_energy : float
        :math:`\langle H - 2\mu\hat N_{ex}\rangle/N`.
    temperature : float
        :math:`T` (0 for ground states).
    method : str
        ``"finite"`` (sums over ``model.eps``) or ``"continuum"`` (two-box integrals).
    delta_c : float
    mu_range : tuple
        Interval of chemical potentials compatible with the state (a single
        point for superfluid states).
    is_stationary : bool
        False only for ``"paper-eq15"``.
    """

    branch: str
    mu: float
    gap: float
    s_plus: complex
    s_z: float
    photon: complex
    n_photon: float
    excitations: float
    energy: float
    grand_energy: float
    temperature: float = 0.0
    method: str = "finite"
    delta_c: float = float("nan")
    mu_range: tuple = ()
    is_stationary: bool = True
    _spin_rule: tuple = field(default=(), repr=False)

    @property
    def coherence(self) -> float:
        r""":math:`|S^+|`."""
        return abs(self.s_plus)

    @property
    def is_superfluid(self) -> bool:
        return self.gap > 0.0

    def spins(self, model: Model) -> np.ndarray:
        r"""Bloch vectors of the ``2N`` atoms of ``model`` in this state, shape ``(n_atoms, 3)``.

        Uses :math:`\vec\sigma_i = -\eta_i w_i\vec b_i/E_i` with the state's
        :math:`\mu,\Delta` and the model's own :math:`\varepsilon_i, f_i`
        (:math:`w_i = \tanh(E_i/T)` at finite temperature, else 1).
        """
        if not isinstance(model, Model):
            raise ValueError("model must be a cavity_bcs.Model")
        eps, f = model.eps, model.couplings
        x = eps - self.mu
        if self.branch == "normal":
            z = np.where(x > 0, -1.0, 1.0)
            if self.temperature > 0:
                z = -np.tanh(x / self.temperature)
            if self._spin_rule:
                # Fixed-excitation normal state: the lowest levels are up.
                n_up = self._spin_rule[0]
                order = np.argsort(eps, kind="stable")
                z = -np.ones(eps.size)
                z[order[:n_up]] = 1.0
            return np.stack([np.zeros_like(z), np.zeros_like(z), z], axis=1)
        bx = f * self.gap
        E = np.sqrt(x * x + bx * bx)
        eta = _eta(self.branch)
        w = np.tanh(E / self.temperature) if self.temperature > 0 else 1.0
        sx = -eta * w * bx / E
        sz = -eta * w * x / E
        if self.branch == "paper-eq15":
            sz = -sz
        return np.stack([sx, np.zeros_like(sx), sz], axis=1)

    def state(self, model: Model) -> State:
        """The mean-field :class:`~cavity_bcs.State` (spins and photon) for ``model``,
        ready to start :func:`cavity_bcs.quench` from."""
        return State(self.spins(model), self.photon)


def _eta(branch):
    return {"superfluid": 1.0, "parallel": -1.0, "paper-eq15": 1.0}[branch]


# --------------------------------------------------------------------------- spectral sums
@functools.lru_cache(maxsize=4)
def _legendre(n_points, order=16):
    """Composite Gauss-Legendre rule on [-1, 1]: ``n_points // order`` panels."""
    xg, wg = np.polynomial.legendre.leggauss(order)
    panels = max(n_points // order, 1)
    edges = np.linspace(-1.0, 1.0, panels + 1)
    half = 0.5 * np.diff(edges)
    mid = 0.5 * (edges[1:] + edges[:-1])
    return (mid[:, None] + half[:, None] * xg).ravel(), (half[:, None] * wg).ravel()


class _Spectrum:
    r"""Averages :math:`\frac{1}{2N}\sum_i F(\varepsilon_i)` for the finite model or the continuum."""

    def __init__(self, model: Model, method: str):
        if method not in _METHODS:
            raise ValueError(f"method must be 'finite' or 'continuum', got {method!r}")
        self.method = method
        self.delta_c = model.delta_c
        if method == "continuum":
            if not model.is_homogeneous or model.energies is not None:
                raise ValueError("method='continuum' needs the two-box density with homogeneous couplings")
            half = model.W / 4.0
            self.edges = [(-model.eps0 / 2 - half, -model.eps0 / 2 + half),
                          (model.eps0 / 2 - half, model.eps0 / 2 + half)]
            self.levels = np.array([e for pair in self.edges for e in pair])
            self.width = model.W  # box height 1/W (weight 1/2 over width W/2)
        else:
            self.eps = np.asarray(model.eps, dtype=float)
            self.f2 = np.asarray(model.couplings, dtype=float) ** 2
            # Scan marks for mu: the extreme levels of each half of the spectrum.
            srt = np.sort(self.eps)
            half_n = srt.size // 2
            self.levels = np.unique(srt[[0, max(half_n - 1, 0), half_n, srt.size - 1]])
            self.n_atoms = self.eps.size

    # Each function returns (A, B, C, Sz-normal pieces) for the chosen branch sign.
    def sums(self, mu, gap, eta=1.0, temperature=0.0):
        r"""Return ``(A, B, C)``: averages of :math:`\eta f^2 w/E`, :math:`\eta w x/E`, :math:`\eta w E`
        (:math:`w = \tanh(E/T)`, or 1 at :math:`T = 0`)."""
        if self.method == "finite":
            x = self.eps - mu
            E = np.sqrt(x * x + self.f2 * gap * gap)
            E = np.maximum(E, 1e-300)
            w = np.tanh(E / temperature) if temperature > 0 else 1.0
            return (eta * np.mean(self.f2 * w / E), eta * np.mean(w * x / E), eta * np.mean(w * E))
        if temperature > 0:
            return self._thermal_continuum(mu, gap, eta, temperature)
        A = B = C = 0.0
        for lo, hi in self.edges:
            a, b = lo - mu, hi - mu
            if self.width == 0:  # W = 0: two delta peaks of weight 1/2
                E = math.hypot(a, gap)
                A += 0.5 / max(E, 1e-300)
                B += 0.5 * a / max(E, 1e-300)
                C += 0.5 * E
                continue
            Ea, Eb = math.hypot(a, gap), math.hypot(b, gap)
            if gap > 0:
                Ia, Ib = math.asinh(a / gap), math.asinh(b / gap)
            else:
                # gap = 0: 1/|x| integrates to sign(x) log|x| (divergent across x = 0).
                Ia = math.copysign(math.log(abs(a)), a) if a != 0 else -math.inf
                Ib = math.copysign(math.log(abs(b)), b) if b != 0 else math.inf
                if a < 0 < b:
                    Ia, Ib = -math.inf, math.inf
            A += (Ib - Ia) / self.width
            B += (Eb - Ea) / self.width
            Ca = 0.5 * (a * Ea + (gap * gap * Ia if gap > 0 else 0.0))
            Cb = 0.5 * (b * Eb + (gap * gap * Ib if gap > 0 else 0.0))
            C += (Cb - Ca) / self.width
        return eta * A, eta * B, eta * C

    def _thermal_continuum(self, mu, gap, eta, temperature, n_points=4000):
        # No closed form with tanh factors: Gauss-Legendre on each box.
        xg, wg = _legendre(n_points)
        A = B = C = 0.0
        for lo, hi in self.edges:
            eps = 0.5 * (hi - lo) * xg + 0.5 * (hi + lo)
            wq = 0.5 * (hi - lo) * wg / self.width
            x = eps - mu
            E = np.maximum(np.sqrt(x * x + gap * gap), 1e-300)
            th = np.tanh(E / temperature)
            A += np.sum(wq * th / E)
            B += np.sum(wq * th * x / E)
            C += np.sum(wq * th * E)
        return eta * A, eta * B, eta * C

    def normal_sz(self, mu):
        r""":math:`s_z` of the normal state at :math:`\mu`: spins below :math:`\mu` up."""
        if self.method == "finite":
            return float(np.mean(np.where(self.eps - mu > 0, -1.0, 1.0)))
        below = 0.0
        for lo, hi in self.edges:
            if self.width == 0:
                below += 0.5 * (lo < mu)
            else:
                below += np.clip(mu - lo, 0.0, hi - lo) / self.width
        return float(2 * below - 1)


# --------------------------------------------------------------------------- building results
def _superfluid_result(spec: _Spectrum, branch, mu, gap, temperature=0.0):
    eta = _eta(branch)
    A, B, C = spec.sums(mu, gap, eta, temperature)
    G = math.sqrt(spec.delta_c)
    if branch == "paper-eq15":
        s_z = B          # printed sign: sigma^z parallel to the field's z component
    else:
        s_z = -B
    if spec.method == "finite":
        # S+ = (1/N) sum -eta f Delta/(2E) = -Delta * mean(eta f w/E)
        x = spec.eps - mu
        f = np.sqrt(spec.f2)
        E = np.maximum(np.sqrt(x * x + spec.f2 * gap * gap), 1e-300)
        w = np.tanh(E / temperature) if temperature > 0 else 1.0
        s_plus = -gap * eta * float(np.mean(f * w / E))
    else:
        s_plus = -gap * A
    n_photon = gap * gap / spec.delta_c
    photon = gap / G
    # Spin part of the energy: eps z + transverse = b.sigma + mu z; b.sigma = -eta w E.
    transverse_and_z = -2.0 * C + 2.0 * mu * (-B)  # per N; here s_z = -B
    if branch == "paper-eq15":
        # sigma = (-Delta w/E, 0, +x w/E): b.sigma = -Delta^2 w/E + x^2 w/E.
        if spec.method == "finite":
            x = spec.eps - mu
            E = np.maximum(np.sqrt(x * x + gap * gap), 1e-300)
            spin_energy = 2.0 * float(np.mean((x * x - gap * gap) / E + mu * x / E))
        else:
            spin_energy = 2.0 * (2.0 * _mean_x2_over_E(spec, mu, gap) - C) + 2.0 * mu * B
        energy = spin_energy + gap * gap
    else:
        energy = transverse_and_z + gap * gap
    excitations = s_z + n_photon
    return Equilibrium(branch=branch, mu=float(mu), gap=float(gap), s_plus=complex(s_plus),
                       s_z=float(s_z), photon=complex(photon), n_photon=float(n_photon),
                       excitations=float(excitations), energy=float(energy),
                       grand_energy=float(energy - 2 * mu * excitations),
                       temperature=float(temperature), method=spec.method,
                       delta_c=spec.delta_c, mu_range=(float(mu), float(mu)),
                       is_stationary=branch != "paper-eq15")


def _mean_x2_over_E(spec, mu, gap):
    r"""Continuum average of :math:`x^2/E` = :math:`E - \Delta^2/E`."""
    A, _, C = spec.sums(mu, gap, 1.0)
    # int x^2/E = int E - gap^2 int 1/E ; C is the average of E
    return C - gap * gap * A


def _normal_result(spec: _Spectrum, mu, mu_range, s_z, energy, temperature=0.0, spin_rule=()):
    return Equilibrium(branch="normal", mu=float(mu), gap=0.0, s_plus=0j, s_z=float(s_z),
                       photon=0j, n_photon=0.0, excitations=float(s_z), energy=float(energy),
                       grand_energy=float(energy - 2 * mu * s_z), temperature=float(temperature),
                       method=spec.method, delta_c=spec.delta_c,
                       mu_range=(float(mu_range[0]), float(mu_range[1])), _spin_rule=spin_rule)


# --------------------------------------------------------------------------- gap equation
def _gap_residual(spec, branch, mu, gap, temperature=0.0):
    r"""Right side minus left side of the gap equation; positive means the pairing wins."""
    A, _, _ = spec.sums(mu, gap, 1.0, temperature)
    dc = spec.delta_c
    if branch == "superfluid":
        return dc * A - (dc - 2 * mu)
    if branch == "parallel":
        return dc * A - (2 * mu - dc)
    if branch == "paper-eq15":
        return dc * A - (dc - 2 * mu)
    raise ValueError(branch)


def _gap_upper(spec):
    # dc*A <= dc*mean(f^2)/gap: beyond this the pairing side is below any positive target.
    f2max = 1.0 if spec.method == "continuum" else float(np.max(spec.f2, initial=1.0))
    return 1e3 * max(1.0, spec.delta_c, f2max, float(np.max(np.abs(spec.levels)))) + 10.0


def _solve_gap(spec, branch, mu, temperature=0.0):
    r"""The gap :math:`|\Delta| > 0` of ``branch`` at ``mu``, or ``None``.

    For the stationary branches the pairing side :math:`\Delta_c A(\Delta)` falls
    monotonically with :math:`\Delta` (each :math:`w/E` does), so there is at most
    one root; it is bracketed between :math:`\Delta \to 0` and a large gap.
    """
    dc = spec.delta_c
    target = (dc - 2 * mu) if branch in ("superfluid", "paper-eq15") else (2 * mu - dc)
    if target <= 0:
        return None
    lo, hi = _GAP_MIN, _gap_upper(spec)
    r_lo = _gap_residual(spec, branch, mu, lo, temperature)
    if not r_lo > 0:
        return None
    if _gap_residual(spec, branch, mu, hi, temperature) > 0:
        return None
    return brentq(lambda d: _gap_residual(spec, branch, mu, d, temperature), lo, hi,
                  xtol=1e-14, rtol=1e-13, maxiter=500)


def _fixed_mu_candidates(spec, mu, temperature=0.0):
    cands = []
    sz_normal = spec.normal_sz(mu)
    # Normal state at fixed mu: every spin anti-parallel to (eps - mu) z.
    _, B0, C0 = spec.sums(mu, 0.0, 1.0)
    if temperature > 0:
        # Thermal normal state: <sigma^z> = -tanh(x/T) (no photon).
        _, B0, C0 = spec.sums(mu, 0.0, 1.0, temperature)
        sz_normal = -B0
    energy = -2.0 * C0 + 2.0 * mu * sz_normal
    cands.append(_normal_result(spec, mu, (mu, mu), sz_normal, energy, temperature))
    for branch in ("superfluid", "parallel"):
        gap = _solve_gap(spec, branch, mu, temperature)
        if gap is not None:
            cands.append(_superfluid_result(spec, branch, mu, gap, temperature))
    return cands


# --------------------------------------------------------------------------- fixed excitations
def _mu_grid(spec, branch, n_grid):
    dc = spec.delta_c
    lo_lvl, hi_lvl = float(np.min(spec.levels)), float(np.max(spec.levels))
    span = hi_lvl - lo_lvl + dc + 10.0
    if branch in ("superfluid", "paper-eq15"):
        top = dc / 2.0
        lin = np.linspace(min(lo_lvl, top) - span, top, n_grid, endpoint=False)
        # Dense approach to mu -> delta_c/2, where the photon becomes soft.
        geo = top - np.geomspace(1e-6, max(top - lin[-1], 1e-3), n_grid // 4)[::-1]
        grid = np.unique(np.concatenate([lin, geo, spec.levels[(spec.levels < top)]]))
        return grid[grid < top]
    bottom = dc / 2.0
    lin = np.linspace(bottom, max(hi_lvl, bottom) + span, n_grid + 1)[1:]
    geo = bottom + np.geomspace(1e-6, max(lin[0] - bottom, 1e-3), n_grid // 4)
    grid = np.unique(np.concatenate([geo, lin, spec.levels[(spec.levels > bottom)]]))
    return grid[grid > bottom]


def _solve_fixed_excitations(spec, branch, excitations, n_grid=400):
    r"""Every solution :math:`(\mu, \Delta)` of the gap and excitation equations of ``branch``."""
    def residual(mu):
        gap = _solve_gap(spec, branch, mu)
        if gap is None:
            return None
        return _superfluid_result(spec, branch, mu, gap).excitations - excitations

    grid = list(_mu_grid(spec, branch, n_grid))
    values = [residual(m) for m in grid]
    # The branch exists on windows of mu whose edges (where the gap closes) the
    # grid may straddle; solutions often sit right next to an edge, so add the
    # edges themselves (found from the gap equation at Delta -> 0) to the scan.
    edge = lambda m: _gap_residual(spec, branch, m, _GAP_MIN)
    extra = []
    for m0, r0, m1, r1 in zip(grid[:-1], values[:-1], grid[1:], values[1:]):
        if (r0 is None) != (r1 is None):
            e0, e1 = edge(m0), edge(m1)
            if e0 * e1 < 0:
                me = brentq(edge, m0, m1, xtol=1e-14, rtol=1e-14)
                inside = m0 if r0 is not None else m1
                for step in (1e-9, 1e-6, 1e-3):
                    m_in = me + step * (inside - me)
                    extra.append(m_in)
    if extra:
        grid = sorted(set(grid) | set(extra))
        values = [residual(m) for m in grid]
    sols = []
    for (m0, r0), (m1, r1) in zip(zip(grid[:-1], values[:-1]), zip(grid[1:], values[1:])):
        if r0 is None or r1 is None:
            continue
        if r0 == 0:
            sols.append(m0)
        elif r0 * r1 < 0:
            sols.append(brentq(lambda m: residual(m), m0, m1, xtol=1e-13, rtol=1e-13))
    out = []
    for mu in sols:
        gap = _solve_gap(spec, branch, mu)
        if gap is not None and gap > 1e-9:
            out.append(_superfluid_result(spec, branch, mu, gap))
    return out


def _normal_fixed_excitations(spec, excitations):
    r"""Lowest-energy normal state with :math:`s_z` equal to ``excitations`` (no photon)."""
    if spec.method == "finite":
        n = spec.n_atoms
        k = (1.0 + excitations) * n / 2.0  # number of up spins
        k_int = int(round(k))
        if abs(k - k_int) > 1e-9 or not 0 <= k_int <= n:
            return None
        order = np.sort(spec.eps)
        z = -np.ones(n)
        z[:k_int] = 1.0
        energy = 2.0 * float(np.mean(order * z))
        lo = order[k_int - 1] if k_int > 0 else order[0] - 1.0
        hi = order[k_int] if k_int < n else order[-1] + 1.0
        return _normal_result(spec, 0.5 * (lo + hi), (lo, hi), excitations, energy,
                              spin_rule=(k_int,))
    if not -1.0 <= excitations <= 1.0:
        return None
    frac_up = (1.0 + excitations) / 2.0  # weight below mu
    # Find the interval of mu where the weight below mu equals frac_up.
    levels = np.sort(spec.levels)
    below = lambda m: (spec.normal_sz(m) + 1.0) / 2.0
    lo = brentq(lambda m: below(m) - frac_up + 1e-12, levels[0] - 1.0, levels[-1] + 1.0) \
        if 0 < frac_up < 1 else levels[0] - 1.0
    hi = brentq(lambda m: below(m) - frac_up - 1e-12, levels[0] - 1.0, levels[-1] + 1.0) \
        if 0 < frac_up < 1 else levels[-1] + 1.0
    mu = 0.5 * (lo + hi)
    # Energy 2 * int p eps z with z = +1 below mu, -1 above.
    energy = 0.0
    for a, b in spec.edges:
        if spec.width == 0:
            energy += 0.5 * a * (1.0 if a < mu else -1.0)
            continue
        m = np.clip(mu, a, b)
        energy += ((m * m - a * a) / 2.0 - (b * b - m * m) / 2.0) / spec.width
    return _normal_result(spec, mu, (lo, hi), excitations, 2.0 * energy)


# --------------------------------------------------------------------------- public API
def _check_model(model):
    if not isinstance(model, Model):
        raise ValueError(f"model must be a cavity_bcs.Model, got {type(model).__name__}")


def stationary_states(model: Model, mu: float | None = None, excitations: float | None = None,
                      method: str = "finite") -> list:
    r"""Every stationary candidate: the normal state and each superfluid branch.

    Give exactly one of ``mu`` (chemical potential, units of :math:`\chi N`,
    ``mu < delta_c/2`` so that the grand potential is bounded) or ``excitations``
    (the target :math:`(\tfrac12\sum_i\sigma^z_i + a^\dagger a)/N`, in
    :math:`[-1, 1 + \dots]`, solved for :math:`\mu`).

    Returns
    -------
    list of :class:`Equilibrium`, sorted by energy (by :math:`\langle H\rangle/N` at
    fixed excitations, by :math:`\langle H-2\mu\hat N_{ex}\rangle/N` at fixed
    :math:`\mu`), lowest first. Branch ``"parallel"`` appears at fixed excitations
    only (at fixed :math:`\mu < \Delta_c/2` it cannot exist).
    """
    _check_model(model)
    if (mu is None) == (excitations is None):
        raise ValueError("give exactly one of mu or excitations")
    spec = _Spectrum(model, method)
    if mu is not None:
        mu = check.finite("mu", mu)
        if mu >= model.delta_c / 2:
            raise ValueError(f"mu must be < delta_c/2 = {model.delta_c / 2:g} (the photon's grand "
                             f"energy delta_c - 2 mu must be positive), got {mu!r}")
        cands = _fixed_mu_candidates(spec, mu)
        return sorted(cands, key=lambda c: c.grand_energy)
    excitations = check.finite("excitations", excitations)
    if excitations < -1.0:
        raise ValueError(f"excitations must be >= -1 (all spins down, no photon), got {excitations!r}")
    cands = []
    normal = _normal_fixed_excitations(spec, excitations)
    if normal is not None:
        cands.append(normal)
    for branch in ("superfluid", "parallel"):
        cands.extend(_solve_fixed_excitations(spec, branch, excitations))
    return sorted(cands, key=lambda c: c.energy)


def ground_state(model: Model, mu: float | None = None, excitations: float | None = None,
                 method: str = "finite") -> Equilibrium:
    r"""The mean-field ground state, chosen BY ENERGY among all stationary candidates.

    ``ground_state(model, mu=0.0)`` minimises :math:`\langle H - 2\mu\hat N_{ex}\rangle`;
    ``ground_state(model, excitations=0.0)`` minimises :math:`\langle H\rangle` at fixed
    :math:`\langle\hat N_{ex}\rangle/N` (:math:`\mu` is then the Lagrange
    multiplier, solved for). If neither is given, ``mu=0.0``.

    Parameters
    ----------
    model : Model
    mu : float, optional
        Chemical potential, units of :math:`\chi N`; ``mu < delta_c/2``.
    excitations : float, optional
        Target :math:`(\tfrac12\sum_i\sigma^z_i + a^\dagger a)/N`, ``>= -1``.
    method : {"finite", "continuum"}
        Sums over ``model.eps`` (default) or the two-box continuum integrals.

    Returns
    -------
    Equilibrium
        With ``branch == "normal"`` when only the normal solution exists or wins.
    """
    if mu is None and excitations is None:
        mu = 0.0
    cands = stationary_states(model, mu=mu, excitations=excitations, method=method)
    if not cands:
        raise ValueError("no stationary state matches these excitations for this finite model; "
                         "use method='continuum' or an excitation number reachable by N spins")
    return cands[0]


def normal_state(model: Model, mu: float = 0.0, method: str = "finite") -> Equilibrium:
    r"""The normal state at chemical potential ``mu``: :math:`\sigma^z_i = -\mathrm{sign}(\varepsilon_i - \mu)`."""
    _check_model(model)
    spec = _Spectrum(model, method)
    return _fixed_mu_candidates(spec, check.finite("mu", mu))[0]


def thermal_state(model: Model, temperature: float, mu: float = 0.0,
                  method: str = "finite") -> Equilibrium:
    r"""Mean-field state at temperature :math:`T` (units of :math:`\chi N`) and fixed ``mu``.

    Gap equation with thermal factors,
    :math:`1 = \frac{\Delta_c}{\Delta_c-2\mu}\frac{1}{2N}\sum_i f_i^2\tanh(E_i/T)/E_i`;
    returns the superfluid solution when it exists (it then has the lower free
    energy), else the thermal normal state
    (:math:`\langle\sigma^z_i\rangle = -\tanh((\varepsilon_i-\mu)/T)`).
    ``temperature = 0`` gives :func:`ground_state` at that ``mu``.
    """
    _check_model(model)
    temperature = check.nonnegative("temperature", temperature)
    mu = check.finite("mu", mu)
    if mu >= model.delta_c / 2:
        raise ValueError(f"mu must be < delta_c/2 = {model.delta_c / 2:g}, got {mu!r}")
    if temperature == 0:
        return ground_state(model, mu=mu, method=method)
    spec = _Spectrum(model, method)
    gap = _solve_gap(spec, "superfluid", mu, temperature)
    if gap is not None:
        return _superfluid_result(spec, "superfluid", mu, gap, temperature)
    return _fixed_mu_candidates(spec, mu, temperature)[0]


def critical_temperature(model: Model, mu: float = 0.0, method: str = "finite") -> float:
    r"""Temperature where the gap closes, from the linearised gap equation
    :math:`1 = \frac{\Delta_c}{\Delta_c-2\mu}\frac{1}{2N}\sum_i f_i^2\tanh(|x_i|/T)/|x_i|`.

    Returns 0.0 when there is no superfluid even at :math:`T = 0`.
    """
    _check_model(model)
    mu = check.finite("mu", mu)
    spec = _Spectrum(model, method)
    if _solve_gap(spec, "superfluid", mu, 0.0) is None:
        return 0.0
    res = lambda T: _gap_residual(spec, "superfluid", mu, _GAP_MIN, T)
    hi = 1.0
    while res(hi) > 0:
        hi *= 2.0
    lo = hi / 2.0
    while res(lo) < 0 and lo > 1e-12:
        lo /= 2.0
    return brentq(res, lo, hi, xtol=1e-13, rtol=1e-12)


def paper_branch(model: Model, excitations: float = 0.0, method: str = "finite") -> list:
    r"""Solutions of the supplement's equilibrium equations AS PRINTED (Eqs. 15–16).

    The obvious slips are repaired (integrand :math:`1/E` in the gap equation,
    the integration region, :math:`\varepsilon_i-\mu` in :math:`\sigma^z_i`), but the
    printed sign of :math:`\sigma^z_i = +(\varepsilon_i-\mu)/E_i` is kept, together
    with the anti-parallel transverse part. Such a spin is the mirror image of the
    anti-parallel one in the :math:`xy` plane: it is NOT a stationary state
    (``is_stationary`` is False). Returns every :math:`(\mu,\Delta)` solution.
    """
    _check_model(model)
    spec = _Spectrum(model, method)
    return _solve_fixed_excitations(spec, "paper-eq15", check.finite("excitations", excitations))


def mean_field_energy(model: Model, state: State) -> float:
    r""":math:`\langle H\rangle/N` of a mean-field state (units of :math:`\chi N`)."""
    spins = np.asarray(state.spins, dtype=float)
    alpha = state.photon
    G = model.g_collective
    inter = np.sum(model.couplings * (spins[:, 0] * alpha.real - spins[:, 1] * alpha.imag))
    return float((np.sum(model.eps * spins[:, 2]) + G * inter) / model.n_pairs
                 + model.delta_c * abs(alpha) ** 2)


def gap_equation_mu0_boundary(eps0):
    r"""Bandwidth :math:`W_c(\varepsilon_0)` of the :math:`T = 0`, :math:`\mu = 0` transition (continuum).

    With :math:`\mu = 0` in the band gap (:math:`W < 2\varepsilon_0`) the gap
    equation at :math:`\Delta\to 0` reads :math:`1 = \frac{2}{W}
    \ln\frac{2\varepsilon_0 + W}{2\varepsilon_0 - W}`; the superfluid exists for
    :math:`W > W_c`. For :math:`\varepsilon_0 = 0` the Fermi level lies inside the
    band for every :math:`W > 0` (Cooper instability) and :math:`W_c = 0`. The sign of
    ``eps0`` does not matter. Independent of :math:`\Delta_c`.
    """
    eps0 = check.finite("eps0", abs(eps0))
    if eps0 == 0:
        return 0.0
    h = lambda W: (2.0 / W) * math.log((2 * eps0 + W) / (2 * eps0 - W)) - 1.0
    lo, hi = 1e-9 * eps0, 2 * eps0 * (1 - 1e-15)
    if h(lo) > 0:
        return 0.0
    return brentq(h, lo, hi, xtol=1e-14)


# --------------------------------------------------------------------------- scans for the chapter
def two_band_dispersion(k, eps0, W):
    r"""A concrete two-band dispersion whose density of states is the two-box density.

    One dimension, :math:`k \in [-1, 1]` (units of the zone edge :math:`K`), two
    linear "Dirac-cone" branches with apexes at :math:`k = 0`:

    .. math::

        \varepsilon_{k,\pm} = \pm\Big(\frac{\varepsilon_0}{2} - \frac{W}{4}
            + \frac{W}{2}\,|k|\Big).

    A linear branch in one dimension has a constant density of states
    (:math:`dk/d\varepsilon = 2/W` on each side), so each band fills a box of width
    :math:`W/2` centred on :math:`\pm\varepsilon_0/2` uniformly; the band gap is
    :math:`\varepsilon_0 - W/2` (the bands overlap when :math:`W > 2\varepsilon_0`).
    Returns ``(upper, lower)`` in units of :math:`\chi N`.
    """
    k = np.asarray(k, dtype=float)
    if np.any(np.abs(k) > 1):
        raise ValueError("k must lie in [-1, 1] (units of the zone edge)")
    upper = eps0 / 2.0 - W / 4.0 + (W / 2.0) * np.abs(k)
    return upper, -upper


def coherence_map(eps0_values, W_values, mu=0.0, delta_c=1.0):
    r""":math:`|S^+|` of the :math:`T = 0` continuum ground state on a grid, shape
    ``(len(eps0_values), len(W_values))``; zero where the normal state wins.

    At ``mu = 0`` the result does not depend on ``delta_c`` (the gap equation's
    prefactor :math:`\Delta_c/(\Delta_c - 2\mu)` is 1).
    """
    out = np.zeros((len(eps0_values), len(W_values)))
    for i, e0 in enumerate(eps0_values):
        for j, w in enumerate(W_values):
            model = Model(eps0=float(e0), W=float(w), delta_c=delta_c, n_atoms=2)
            out[i, j] = ground_state(model, mu=mu, method="continuum").coherence
    return out


@dataclass(frozen=True, eq=False)
class DetuningScan:
    r"""Stationary branches against :math:`\Delta_c` at fixed excitations (continuum).

    Each attribute is an array over ``delta_c`` (NaN where the branch does not exist):
    ``*_coherence`` = :math:`|S^+|`, ``*_energy`` = :math:`E/N`, ``*_mu`` = :math:`\mu`,
    for ``ground`` (lowest energy), ``superfluid`` (anti-parallel spins),
    ``parallel`` (the energy maximum) and ``paper`` (the supplement's printed Eq. 15;
    not stationary). ``ground_branch`` names the winner at each detuning.
    """

    delta_c: np.ndarray
    excitations: float
    ground_branch: tuple
    ground_coherence: np.ndarray
    ground_energy: np.ndarray
    superfluid_coherence: np.ndarray
    superfluid_energy: np.ndarray
    parallel_coherence: np.ndarray
    parallel_energy: np.ndarray
    parallel_mu: np.ndarray
    paper_coherence: np.ndarray
    paper_energy: np.ndarray
    paper_mu: np.ndarray


def detuning_scan(eps0, W, delta_c_values, excitations=0.0) -> DetuningScan:
    """Solve every branch at each detuning (continuum, fixed ``excitations``); see :class:`DetuningScan`."""
    dcs = np.asarray(delta_c_values, dtype=float)
    nan = lambda: np.full(dcs.size, np.nan)
    cols = {k: nan() for k in ("gc", "ge", "sc", "se", "pc", "pe", "pm", "qc", "qe", "qm")}
    names = []
    for i, dc in enumerate(dcs):
        model = Model(eps0=eps0, W=W, delta_c=float(dc), n_atoms=2)
        states = stationary_states(model, excitations=excitations, method="continuum")
        names.append(states[0].branch)
        cols["gc"][i], cols["ge"][i] = states[0].coherence, states[0].energy
        for s in states:
            if s.branch == "superfluid" and np.isnan(cols["se"][i]):
                cols["sc"][i], cols["se"][i] = s.coherence, s.energy
            if s.branch == "parallel" and np.isnan(cols["pe"][i]):
                cols["pc"][i], cols["pe"][i], cols["pm"][i] = s.coherence, s.energy, s.mu
        paper = paper_branch(model, excitations, method="continuum")
        if paper:
            cols["qc"][i], cols["qe"][i], cols["qm"][i] = paper[0].coherence, paper[0].energy, paper[0].mu
    return DetuningScan(dcs, float(excitations), tuple(names), cols["gc"], cols["ge"], cols["sc"],
                        cols["se"], cols["pc"], cols["pe"], cols["pm"], cols["qc"], cols["qe"], cols["qm"])


@dataclass(frozen=True, eq=False)
class Extremum:
    r"""Result of :func:`constrained_extremum`: ``energy`` (:math:`E/N`), ``coherence``
    (:math:`|S^+|`), ``state`` (a :class:`~cavity_bcs.State`), ``energies`` of every
    converged start (sorted), ``maximise``."""

    energy: float
    coherence: float
    state: State
    energies: np.ndarray
    maximise: bool


def constrained_extremum(model: Model, excitations: float = 0.0, starts: int = 8,
                         seed: int = 0, maximise: bool = False) -> Extremum:
    r"""Brute-force check: extremise :math:`\langle H\rangle/N` at fixed excitations.

    Independent of the gap equations: the variables are the Bloch angles
    :math:`(\theta_i, \phi_i)` of every atom and the photon :math:`\alpha`, the
    constraint :math:`\frac{1}{2N}\sum_i\cos\theta_i + |\alpha|^2 = ` ``excitations``
    is imposed by SLSQP, and the best of ``starts`` random starts is kept. Cost grows
    like ``n_atoms**3`` per iteration: use tens of atoms.
    """
    from scipy.optimize import minimize

    _check_model(model)
    starts = check.integer("starts", starts, minimum=1)
    excitations = check.finite("excitations", excitations)
    eps, f = model.eps, model.couplings
    n, N, G, dc = eps.size, model.n_pairs, model.g_collective, model.delta_c
    sign = -1.0 if maximise else 1.0

    def fun(p):
        th, ph, ar, ai = p[:n], p[n:2 * n], p[2 * n], p[2 * n + 1]
        st, ct, sp, cp = np.sin(th), np.cos(th), np.sin(ph), np.cos(ph)
        x, y = st * cp, st * sp
        e = (np.sum(eps * ct) + G * np.sum(f * (x * ar - y * ai))) / N + dc * (ar * ar + ai * ai)
        grad = np.concatenate([(-eps * st + G * f * ct * (cp * ar - sp * ai)) / N,
                               -G * f * st * (sp * ar + cp * ai) / N,
                               [G * np.sum(f * x) / N + 2 * dc * ar, -G * np.sum(f * y) / N + 2 * dc * ai]])
        return sign * e, sign * grad

    cons = {"type": "eq",
            "fun": lambda p: np.sum(np.cos(p[:n])) / (2 * N) + p[2 * n] ** 2 + p[2 * n + 1] ** 2 - excitations,
            "jac": lambda p: np.concatenate([-np.sin(p[:n]) / (2 * N), np.zeros(n),
                                             [2 * p[2 * n], 2 * p[2 * n + 1]]])}
    rng = np.random.default_rng(seed)
    found = []
    for _ in range(starts):
        p0 = np.concatenate([np.arccos(rng.uniform(-1, 1, n)), rng.uniform(0, 2 * np.pi, n),
                             rng.normal(0.0, 0.5, 2)])
        r = minimize(fun, p0, jac=True, method="SLSQP", constraints=[cons],
                     options={"maxiter": 3000, "ftol": 1e-13})
        if r.success and abs(cons["fun"](r.x)) < 1e-8:
            found.append(r)
    if not found:
        raise RuntimeError("no random start converged; raise starts")
    best = min(found, key=lambda r: r.fun)
    th, ph = best.x[:n], best.x[n:2 * n]
    spins = np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], axis=1)
    state = State(spins, complex(best.x[2 * n], best.x[2 * n + 1]))
    return Extremum(energy=float(sign * best.fun), coherence=abs(state.s_plus), state=state,
                    energies=np.sort([sign * r.fun for r in found]), maximise=bool(maximise))
