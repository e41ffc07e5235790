r"""Mean-field stationary states: the gap and excitation equations, ground and thermal states.

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

    \vec b_i = (f_i\,\mathrm{Re}\,\Delta,\ f_i\,\mathrm{Im}\,\Delta,\ \varepsilon_i-\mu),
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
* Energy per :math:`N`: :math:`E/N = \frac1N\sum_i(\vec b_i\cdot\vec\sigma_i + \mu\,\sigma^z_i) + |\Delta|^2`.

Branches: ``"superfluid"`` (all :math:`\eta_i = +1`, the only superfluid
candidate for a ground state; needs :math:`\Delta_c > 2\mu`), ``"parallel"``
(all :math:`\eta_i = -1`, the highest-energy stationary state; needs
:math:`2\mu > \Delta_c`), and ``"normal"`` (:math:`\Delta = 0`, every spin on the
:math:`z` axis, no photon). Stationary states with mixed :math:`\eta_i` are
saddles (rotating one parallel spin about :math:`\hat b_i\times\hat z` lowers the
energy without changing :math:`n_{ex}` to first order) and never ground states.

The solver is written for a :class:`SpinRule`: the orientation :math:`\eta_t` of the
transverse part (which enters the gap equation) and :math:`\eta_z` of the :math:`z`
part (which enters the excitations and the energy). Stationary states have
:math:`\eta_t = \eta_z`; the supplement's printed Eq. 15 is the rule
:math:`\eta_t = -\eta_z`, supplied by :mod:`cavity_bcs.equilibrium.erratum`.

Finite temperature :math:`T` (units of :math:`\chi N`, :math:`k_B = 1`): each spin
in its field has :math:`\langle\vec\sigma_i\rangle = -\tanh(E_i/T)\,\vec b_i/E_i`;
the coherent photon obeys the same stationarity condition, and thermal photons
(:math:`O(1)`, not :math:`O(N)`) drop out per :math:`N`.

Every public function takes a :class:`~cavity_bcs.Model` (sums over its atoms, or
``spectrum="continuum"``) or a :class:`~cavity_bcs.TwoBox` with ``delta_c=`` (the
continuum integrals; see :mod:`cavity_bcs.equilibrium._spectrum`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq

from .. import _validate as check
from ..meanfield.states import State
from ..model import Model
from ._spectrum import Spectrum, spectrum_of

__all__ = ["Equilibrium", "SpinRule", "SUPERFLUID", "PARALLEL", "BRANCHES", "branch_states",
           "stationary_states", "ground_state", "normal_state", "thermal_state", "critical_temperature"]

_GAP_MIN = 1e-12        # the "Delta -> 0" end of every gap bracket (units of chi N)
_MAX_DOUBLINGS = 200    # T bracket of critical_temperature: 2**200 chi N is beyond any physical scale


# --------------------------------------------------------------------------- spin rules
@dataclass(frozen=True)
class SpinRule:
    r"""How each Bloch vector sits relative to its field :math:`\vec b_i = (f_i\Delta, 0, \varepsilon_i-\mu)`.

    :math:`\langle\sigma^x_i\rangle = -\eta_t w_i f_i\Delta/E_i` and
    :math:`\langle\sigma^z_i\rangle = -\eta_z w_i(\varepsilon_i-\mu)/E_i`
    (:math:`w_i = \tanh(E_i/T)`, or 1 at :math:`T = 0`).

    Attributes
    ----------
    branch : str
        Label of the solutions (``Equilibrium.branch``).
    transverse : float
        :math:`\eta_t = \pm1`: ``+1`` anti-parallel (gap equation with :math:`\Delta_c > 2\mu`),
        ``-1`` parallel (:math:`2\mu > \Delta_c`).
    z : float
        :math:`\eta_z = \pm1`, the same convention for the :math:`z` component.
    """

    branch: str
    transverse: float
    z: float

    def __post_init__(self):
        if not isinstance(self.branch, str) or not self.branch or self.branch == "normal":
            raise ValueError(f"branch must be a non-empty label other than 'normal', got {self.branch!r}")
        for name in ("transverse", "z"):
            value = check.finite(name, getattr(self, name))
            if value not in (1.0, -1.0):
                raise ValueError(f"{name} must be +1 or -1, got {value!r}")
            object.__setattr__(self, name, value)

    @property
    def is_stationary(self) -> bool:
        """True when the whole Bloch vector is (anti-)parallel to its field, i.e. a fixed point."""
        return self.transverse == self.z


#: All spins anti-parallel to their fields, the energy minimum of each spin.
SUPERFLUID = SpinRule("superfluid", 1.0, 1.0)
#: All spins parallel to their fields, the energy maximum.
PARALLEL = SpinRule("parallel", -1.0, -1.0)
#: Labels of the stationary branches returned by :func:`stationary_states`.
BRANCHES = ("normal", SUPERFLUID.branch, PARALLEL.branch)


# --------------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class Equilibrium:
    r"""One mean-field state of the equilibrium equations (units of :math:`\chi N`, per-:math:`N` densities).

    Attributes
    ----------
    branch : str
        ``"normal"``, ``"superfluid"`` (spins anti-parallel to their field),
        ``"parallel"`` (spins parallel: the energy maximum), or the label of a
        non-stationary :class:`SpinRule` (:data:`cavity_bcs.equilibrium.erratum.PRINTED_EQ15`).
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
    spectrum : str
        ``"finite"`` (sums over ``model.eps``) or ``"continuum"`` (two-box integrals).
    delta_c : float
        :math:`\Delta_c` the state was solved for.
    mu_range : tuple
        Interval of chemical potentials compatible with the state (a single
        point for superfluid states).
    is_stationary : bool
        False only for a non-stationary spin rule (the supplement's printed Eq. 15).
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
    spectrum: str = "finite"
    delta_c: float = float("nan")
    mu_range: tuple = ()
    is_stationary: bool = True
    _rule: SpinRule | None = field(default=None, repr=False)   # None for normal states
    _n_up: int | None = field(default=None, repr=False)        # finite normal state at fixed excitations

    @property
    def coherence(self) -> float:
        r""":math:`|S^+|`."""
        return abs(self.s_plus)

    @property
    def is_superfluid(self) -> bool:
        return self.gap > 0.0

    def spins(self, model: Model) -> np.ndarray:
        r"""Bloch vectors of the ``2N`` atoms of ``model`` in this state, shape ``(n_atoms, 3)``.

        Uses :math:`\langle\sigma^x_i\rangle = -\eta_t w_i f_i\Delta/E_i`,
        :math:`\langle\sigma^z_i\rangle = -\eta_z w_i(\varepsilon_i-\mu)/E_i` with the
        state's :math:`\mu,\Delta` and the model's own :math:`\varepsilon_i, f_i`
        (:math:`w_i = \tanh(E_i/T)` at finite temperature, else 1). ``model`` must have
        the state's :math:`\Delta_c` when the state carries a photon.
        """
        check.instance("model", model, Model)
        if self.gap > 0 and not math.isclose(model.delta_c, self.delta_c, rel_tol=1e-12):
            raise ValueError(f"model.delta_c = {model.delta_c:g} differs from the delta_c = {self.delta_c:g} "
                             "this state was solved for (its photon would not be stationary)")
        eps, f = model.eps, model.couplings
        x = eps - self.mu
        if self._rule is None:
            z = np.where(x > 0, -1.0, 1.0)
            if self.temperature > 0:
                z = -np.tanh(x / self.temperature)
            if self._n_up is not None:
                # Fixed-excitation normal state: the lowest levels are up.
                order = np.argsort(eps, kind="stable")
                z = -np.ones(eps.size)
                z[order[:self._n_up]] = 1.0
            return np.stack([np.zeros_like(z), np.zeros_like(z), z], axis=1)
        bx = f * self.gap
        E = np.sqrt(x * x + bx * bx)
        w = np.tanh(E / self.temperature) if self.temperature > 0 else 1.0
        sx = -self._rule.transverse * w * bx / E
        sz = -self._rule.z * w * x / E
        return np.stack([sx, np.zeros_like(sx), sz], axis=1)

    def state(self, model: Model) -> State:
        """The mean-field :class:`~cavity_bcs.State` (spins and photon) for ``model``,
        ready to start :func:`cavity_bcs.quench` from."""
        return State(self.spins(model), self.photon)


# --------------------------------------------------------------------------- building results
def _superfluid_result(spec: Spectrum, rule: SpinRule, mu, gap, temperature=0.0) -> Equilibrium:
    A, B, C, F = spec.averages(mu, gap, temperature)
    s_z = -rule.z * B
    # S+ = (1/N) sum -eta_t f w Delta/(2E) = -eta_t Delta <f w/E>
    s_plus = -rule.transverse * gap * F
    n_photon = gap * gap / spec.delta_c
    photon = gap / math.sqrt(spec.delta_c)
    # E/N = 2<b.sigma + mu sigma^z> + Delta^2 with b.sigma = -w(eta_t f^2 Delta^2 + eta_z x^2)/E; using
    # x^2/E = E - f^2 Delta^2/E this is 2[-eta_z (C + mu B) + (eta_z - eta_t) Delta^2 A] + Delta^2.
    spin_energy = -2.0 * (rule.z * (C + mu * B)) + 2.0 * (rule.z - rule.transverse) * gap * gap * A
    energy = spin_energy + gap * gap
    excitations = s_z + n_photon
    return Equilibrium(branch=rule.branch, mu=float(mu), gap=float(gap), s_plus=complex(s_plus),
                       s_z=float(s_z), photon=complex(photon), n_photon=float(n_photon),
                       excitations=float(excitations), energy=float(energy),
                       grand_energy=float(energy - 2 * mu * excitations),
                       temperature=float(temperature), spectrum=spec.kind,
                       delta_c=spec.delta_c, mu_range=(float(mu), float(mu)),
                       is_stationary=rule.is_stationary, _rule=rule)


def _normal_result(spec: Spectrum, mu, mu_range, s_z, energy, temperature=0.0, n_up=None) -> Equilibrium:
    return Equilibrium(branch="normal", mu=float(mu), gap=0.0, s_plus=0j, s_z=float(s_z),
                       photon=0j, n_photon=0.0, excitations=float(s_z), energy=float(energy),
                       grand_energy=float(energy - 2 * mu * s_z), temperature=float(temperature),
                       spectrum=spec.kind, delta_c=spec.delta_c,
                       mu_range=(float(mu_range[0]), float(mu_range[1])), _n_up=n_up)


# --------------------------------------------------------------------------- gap equation
def _gap_residual(spec: Spectrum, rule: SpinRule, mu, gap, temperature=0.0):
    r""":math:`\Delta_c A - \eta_t(\Delta_c - 2\mu)`: the gap equation times :math:`\eta_t(\Delta_c-2\mu)`;
    positive means the pairing wins."""
    dc = spec.delta_c
    return dc * spec.pairing(mu, gap, temperature) - rule.transverse * (dc - 2 * mu)


def _gap_upper(spec: Spectrum):
    # dc*A <= dc*max(f^2)/gap: beyond this the pairing side is below any positive target.
    return 1e3 * max(1.0, spec.delta_c, spec.max_f2, float(np.max(np.abs(spec.levels)))) + 10.0


def _solve_gap(spec: Spectrum, rule: SpinRule, mu, temperature=0.0):
    r"""The gap :math:`|\Delta| > 0` of ``rule`` at ``mu``, or ``None``.

    The pairing side :math:`\Delta_c A(\Delta)` falls monotonically with
    :math:`\Delta` (each :math:`w/E` does), so there is at most one root; it is
    bracketed between :math:`\Delta \to 0` and a large gap.
    """
    if rule.transverse * (spec.delta_c - 2 * mu) <= 0:
        return None
    lo, hi = _GAP_MIN, _gap_upper(spec)
    if not _gap_residual(spec, rule, mu, lo, temperature) > 0:
        return None
    if _gap_residual(spec, rule, mu, hi, temperature) > 0:
        return None
    return brentq(lambda d: _gap_residual(spec, rule, mu, d, temperature), lo, hi,
                  xtol=1e-14, rtol=1e-13, maxiter=500)


def _fixed_mu_states(spec: Spectrum, mu, temperature=0.0, rules=(SUPERFLUID, PARALLEL)) -> list:
    """The normal state at ``mu`` followed by the solution of each rule that has one."""
    # Normal state at fixed mu: every spin anti-parallel to (eps - mu) z, no photon;
    # thermal: <sigma^z> = -tanh(x/T).
    _, B0, C0, _ = spec.averages(mu, 0.0, temperature)
    sz_normal = -B0 if temperature > 0 else spec.normal_sz(mu)
    energy = -2.0 * C0 + 2.0 * mu * sz_normal
    states = [_normal_result(spec, mu, (mu, mu), sz_normal, energy, temperature)]
    for rule in rules:
        gap = _solve_gap(spec, rule, mu, temperature)
        if gap is not None:
            states.append(_superfluid_result(spec, rule, mu, gap, temperature))
    return states


# --------------------------------------------------------------------------- fixed excitations
def _mu_grid(spec: Spectrum, rule: SpinRule, n_grid):
    dc = spec.delta_c
    lo_lvl, hi_lvl = float(np.min(spec.levels)), float(np.max(spec.levels))
    span = hi_lvl - lo_lvl + dc + 10.0
    half = dc / 2.0
    if rule.transverse > 0:  # anti-parallel transverse part: mu < delta_c/2
        lin = np.linspace(min(lo_lvl, half) - span, half, n_grid, endpoint=False)
        # Dense approach to mu -> delta_c/2, where the photon becomes soft.
        geo = half - np.geomspace(1e-6, max(half - lin[-1], 1e-3), n_grid // 4)[::-1]
        grid = np.unique(np.concatenate([lin, geo, spec.levels[(spec.levels < half)]]))
        return grid[grid < half]
    lin = np.linspace(half, max(hi_lvl, half) + span, n_grid + 1)[1:]
    geo = half + np.geomspace(1e-6, max(lin[0] - half, 1e-3), n_grid // 4)
    grid = np.unique(np.concatenate([geo, lin, spec.levels[(spec.levels > half)]]))
    return grid[grid > half]


def _solve_fixed_excitations(spec: Spectrum, rule: SpinRule, excitations, n_grid=400) -> list:
    r"""Every solution :math:`(\mu, \Delta)` of the gap and excitation equations of ``rule``, by :math:`\mu`."""
    def residual(mu):
        gap = _solve_gap(spec, rule, mu)
        if gap is None:
            return None
        return _superfluid_result(spec, rule, mu, gap).excitations - excitations

    grid = list(_mu_grid(spec, rule, n_grid))
    values = [residual(m) for m in grid]
    # The branch exists on windows of mu whose edges (where the gap closes) the
    # grid may straddle; solutions often sit right next to an edge, so add the
    # edges themselves (found from the gap equation at Delta -> 0) to the scan.
    edge = lambda m: _gap_residual(spec, rule, m, _GAP_MIN)
    extra = []
    for m0, r0, m1, r1 in zip(grid[:-1], values[:-1], grid[1:], values[1:]):
        if (r0 is None) != (r1 is None):
            e0, e1 = edge(m0), edge(m1)
            if e0 * e1 < 0:
                me = brentq(edge, m0, m1, xtol=1e-14, rtol=1e-14)
                inside = m0 if r0 is not None else m1
                extra.extend(me + step * (inside - me) for step in (1e-9, 1e-6, 1e-3))
    if extra:
        grid = sorted(set(grid) | set(extra))
        values = [residual(m) for m in grid]
    roots = []
    for m0, r0, m1, r1 in zip(grid[:-1], values[:-1], grid[1:], values[1:]):
        if r0 is None or r1 is None:
            continue
        if r0 == 0:
            roots.append(m0)
        elif r0 * r1 < 0:
            roots.append(brentq(residual, m0, m1, xtol=1e-13, rtol=1e-13))
    out = []
    for mu in roots:
        gap = _solve_gap(spec, rule, mu)
        if gap is not None and gap > 1e-9:
            out.append(_superfluid_result(spec, rule, mu, gap))
    return out


def _normal_fixed_excitations(spec: Spectrum, excitations):
    r"""Lowest-energy normal state with :math:`s_z` equal to ``excitations`` (no photon), or ``None``."""
    if spec.kind == "finite":
        n = spec.n_atoms
        k = (1.0 + excitations) * n / 2.0  # number of up spins
        n_up = int(round(k))
        if abs(k - n_up) > 1e-9 or not 0 <= n_up <= n:
            return None
        order = np.sort(spec.eps)
        z = -np.ones(n)
        z[:n_up] = 1.0
        energy = 2.0 * float(np.mean(order * z))
        lo = order[n_up - 1] if n_up > 0 else order[0] - 1.0
        hi = order[n_up] if n_up < n else order[-1] + 1.0
        return _normal_result(spec, 0.5 * (lo + hi), (lo, hi), excitations, energy, n_up=n_up)
    if not -1.0 <= excitations <= 1.0:
        return None
    frac_up = (1.0 + excitations) / 2.0  # weight below mu
    # The interval of mu where the weight below mu equals frac_up (flat where the density vanishes).
    levels = np.sort(spec.levels)
    below = lambda m: (spec.normal_sz(m) + 1.0) / 2.0
    lo = brentq(lambda m: below(m) - frac_up + 1e-12, levels[0] - 1.0, levels[-1] + 1.0) \
        if 0 < frac_up < 1 else levels[0] - 1.0
    hi = brentq(lambda m: below(m) - frac_up - 1e-12, levels[0] - 1.0, levels[-1] + 1.0) \
        if 0 < frac_up < 1 else levels[-1] + 1.0
    mu = 0.5 * (lo + hi)
    return _normal_result(spec, mu, (lo, hi), excitations, spec.normal_energy(mu))


# --------------------------------------------------------------------------- argument checks
def _check_mu(spec: Spectrum, mu) -> float:
    mu = check.finite("mu", mu)
    if mu >= spec.delta_c / 2:
        raise ValueError(f"mu must be < delta_c/2 = {spec.delta_c / 2:g} (the photon's grand "
                         f"energy delta_c - 2 mu must be positive), got {mu!r}")
    return mu


def _check_excitations(excitations) -> float:
    excitations = check.finite("excitations", excitations)
    if excitations < -1.0:
        raise ValueError(f"excitations must be >= -1 (all spins down, no photon), got {excitations!r}")
    return excitations


def _exactly_one(mu, excitations):
    if (mu is None) == (excitations is None):
        raise ValueError("give exactly one of mu or excitations")


# --------------------------------------------------------------------------- public API
def branch_states(model, rule: SpinRule, mu: float | None = None, excitations: float | None = None,
                  spectrum: str | None = None, *, delta_c: float | None = None) -> list:
    r"""Every solution of the equilibrium equations for one :class:`SpinRule` (no normal state).

    The core solver behind :func:`stationary_states` (rules :data:`SUPERFLUID` and
    :data:`PARALLEL`) and :func:`~cavity_bcs.equilibrium.erratum.paper_branch`.

    Parameters
    ----------
    model : Model or TwoBox
        Finite model, or the two-box density (then ``delta_c`` is required and the
        continuum integrals are used).
    rule : SpinRule
    mu, excitations : float
        Exactly one: the chemical potential (units of :math:`\chi N`, ``< delta_c/2``;
        at most one solution) or the target :math:`(\tfrac12\sum_i\sigma^z_i + a^\dagger a)/N`
        (``>= -1``; every :math:`(\mu, \Delta)` solution, in increasing :math:`\mu`).
    spectrum : {"finite", "continuum"}, optional
        Default ``"finite"`` for a Model, ``"continuum"`` for a TwoBox.
    delta_c : float, optional
        Only with a TwoBox: :math:`\Delta_c`, units of :math:`\chi N`, ``> 0``.

    Returns
    -------
    list of :class:`Equilibrium`
    """
    spec = spectrum_of(model, delta_c, spectrum)
    check.instance("rule", rule, SpinRule)
    _exactly_one(mu, excitations)
    if mu is not None:
        return _fixed_mu_states(spec, _check_mu(spec, mu), rules=(rule,))[1:]
    return _solve_fixed_excitations(spec, rule, _check_excitations(excitations))


def stationary_states(model, mu: float | None = None, excitations: float | None = None,
                      spectrum: str | None = None, *, delta_c: float | None = None) -> list:
    r"""Every stationary candidate: the normal state and each superfluid branch.

    Parameters
    ----------
    model : Model or TwoBox
        Finite model, or the two-box density (then ``delta_c`` is required and the
        continuum integrals are used).
    mu : float, optional
        Chemical potential, units of :math:`\chi N`, ``mu < delta_c/2`` (so that the
        grand potential is bounded).
    excitations : float, optional
        Target :math:`(\tfrac12\sum_i\sigma^z_i + a^\dagger a)/N`, ``>= -1``, solved for
        :math:`\mu`. Give exactly one of ``mu`` and ``excitations``.
    spectrum : {"finite", "continuum"}, optional
        Sums over ``model.eps`` (default for a Model) or the two-box continuum
        integrals (default, and the only choice, for a TwoBox).
    delta_c : float, optional
        Only with a TwoBox: :math:`\Delta_c`, units of :math:`\chi N`, ``> 0``.

    Returns
    -------
    list of :class:`Equilibrium`, sorted by energy (by :math:`\langle H\rangle/N` at
    fixed excitations, by :math:`\langle H-2\mu\hat N_{ex}\rangle/N` at fixed
    :math:`\mu`), lowest first. Branch ``"parallel"`` appears at fixed excitations
    only (at fixed :math:`\mu < \Delta_c/2` it cannot exist).
    """
    spec = spectrum_of(model, delta_c, spectrum)
    _exactly_one(mu, excitations)
    if mu is not None:
        return sorted(_fixed_mu_states(spec, _check_mu(spec, mu)), key=lambda c: c.grand_energy)
    excitations = _check_excitations(excitations)
    normal = _normal_fixed_excitations(spec, excitations)
    states = [] if normal is None else [normal]
    for rule in (SUPERFLUID, PARALLEL):
        states.extend(_solve_fixed_excitations(spec, rule, excitations))
    return sorted(states, key=lambda c: c.energy)


def ground_state(model, mu: float | None = None, excitations: float | None = None,
                 spectrum: str | None = None, *, delta_c: float | None = None) -> Equilibrium:
    r"""The mean-field ground state, chosen BY ENERGY among all stationary candidates.

    ``ground_state(model, mu=0.0)`` minimises :math:`\langle H - 2\mu\hat N_{ex}\rangle`;
    ``ground_state(model, excitations=0.0)`` minimises :math:`\langle H\rangle` at fixed
    :math:`\langle\hat N_{ex}\rangle/N` (:math:`\mu` is then the Lagrange
    multiplier, solved for). If neither is given, ``mu=0.0``.

    Parameters
    ----------
    model : Model or TwoBox
        Finite model, or the two-box density (continuum, with ``delta_c``).
    mu : float, optional
        Chemical potential, units of :math:`\chi N`; ``mu < delta_c/2``.
    excitations : float, optional
        Target :math:`(\tfrac12\sum_i\sigma^z_i + a^\dagger a)/N`, ``>= -1``.
    spectrum : {"finite", "continuum"}, optional
        Sums over ``model.eps`` (default for a Model) or the two-box continuum integrals
        (default for a TwoBox).
    delta_c : float, optional
        Only with a TwoBox: :math:`\Delta_c`, units of :math:`\chi N`, ``> 0``.

    Returns
    -------
    Equilibrium
        With ``branch == "normal"`` when only the normal solution exists or wins.
    """
    if mu is None and excitations is None:
        mu = 0.0
    states = stationary_states(model, mu=mu, excitations=excitations, spectrum=spectrum, delta_c=delta_c)
    if not states:
        raise ValueError("no stationary state matches these excitations for this finite model; "
                         "use spectrum='continuum' or an excitation number reachable by N spins")
    return states[0]


def normal_state(model, mu: float = 0.0, spectrum: str | None = None, *,
                 delta_c: float | None = None) -> Equilibrium:
    r"""The normal state at chemical potential ``mu`` (units of :math:`\chi N`, ``< delta_c/2``):
    :math:`\sigma^z_i = -\mathrm{sign}(\varepsilon_i - \mu)`, no photon.

    ``model``, ``spectrum`` and ``delta_c`` as in :func:`stationary_states`.
    """
    spec = spectrum_of(model, delta_c, spectrum)
    return _fixed_mu_states(spec, _check_mu(spec, mu), rules=())[0]


def thermal_state(model, temperature: float, mu: float = 0.0, spectrum: str | None = None, *,
                  delta_c: float | None = None) -> Equilibrium:
    r"""Mean-field state at temperature :math:`T` (units of :math:`\chi N`, :math:`k_B = 1`) and fixed ``mu``.

    Gap equation with thermal factors,
    :math:`1 = \frac{\Delta_c}{\Delta_c-2\mu}\frac{1}{2N}\sum_i f_i^2\tanh(E_i/T)/E_i`;
    returns the superfluid solution when it exists (it then has the lower free
    energy), else the thermal normal state
    (:math:`\langle\sigma^z_i\rangle = -\tanh((\varepsilon_i-\mu)/T)`).
    ``temperature = 0`` gives :func:`ground_state` at that ``mu``.

    Parameters
    ----------
    model : Model or TwoBox
    temperature : float
        :math:`T \ge 0`, units of :math:`\chi N`.
    mu : float
        Chemical potential, units of :math:`\chi N`, ``< delta_c/2``.
    spectrum, delta_c
        As in :func:`stationary_states`.
    """
    spec = spectrum_of(model, delta_c, spectrum)
    temperature = check.nonnegative("temperature", temperature)
    mu = _check_mu(spec, mu)
    if temperature == 0:
        return min(_fixed_mu_states(spec, mu), key=lambda c: c.grand_energy)
    gap = _solve_gap(spec, SUPERFLUID, mu, temperature)
    if gap is not None:
        return _superfluid_result(spec, SUPERFLUID, mu, gap, temperature)
    return _fixed_mu_states(spec, mu, temperature, rules=())[0]


def critical_temperature(model, mu: float = 0.0, spectrum: str | None = None, *,
                         delta_c: float | None = None) -> float:
    r"""Temperature :math:`T_c` (units of :math:`\chi N`) where the gap closes at fixed ``mu``.

    Root of the linearised gap equation
    :math:`1 = \frac{\Delta_c}{\Delta_c-2\mu}\frac{1}{2N}\sum_i f_i^2\tanh(|x_i|/T)/|x_i|`,
    :math:`x_i = \varepsilon_i - \mu`. Returns 0.0 when there is no superfluid even at
    :math:`T = 0`. ``model``, ``mu`` (``< delta_c/2``), ``spectrum`` and ``delta_c`` as
    in :func:`thermal_state`.
    """
    spec = spectrum_of(model, delta_c, spectrum)
    mu = _check_mu(spec, mu)
    if _solve_gap(spec, SUPERFLUID, mu, 0.0) is None:
        return 0.0
    residual = lambda T: _gap_residual(spec, SUPERFLUID, mu, _GAP_MIN, T)
    # The pairing sum falls like 1/T at high T, so doubling reaches a negative residual quickly;
    # the limit only turns a pathological input into an error instead of a hang.
    hi = 1.0
    for _ in range(_MAX_DOUBLINGS):
        if not residual(hi) > 0:
            break
        hi *= 2.0
    else:
        raise RuntimeError(f"critical_temperature: the linearised gap equation still favours pairing at "
                           f"T = {hi:.3g} chi N after {_MAX_DOUBLINGS} doublings; no T_c was bracketed")
    lo = hi / 2.0
    while residual(lo) < 0 and lo > 1e-12:
        lo /= 2.0
    if residual(lo) < 0:
        raise RuntimeError(f"critical_temperature: no pairing even at T = {lo:.3g} chi N although the T = 0 "
                           "gap equation has a root; no T_c was bracketed")
    return brentq(residual, lo, hi, xtol=1e-13, rtol=1e-12)
