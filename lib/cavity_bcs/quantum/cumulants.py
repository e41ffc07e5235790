r"""Beyond mean field by the cumulant expansion: second-order cumulants of atoms and photon.

Model and conventions (:mod:`cavity_bcs.model`): 2N atoms,
:math:`H = \sum_i\varepsilon_i\sigma^z_i + \sum_i g_i(\sigma^+_ia + \sigma^-_ia^\dagger) + \Delta_c a^\dagger a`,
units of :math:`\chi N` (:math:`G = g\sqrt N = \sqrt{\Delta_c}`, :math:`g_i = Gf_i/\sqrt N`), losses
:math:`\kappa` (cavity energy-loss rate, textbook jump :math:`\sqrt\kappa\,a`), :math:`\gamma`
(spontaneous decay, :math:`\sqrt\gamma\,\sigma^-_i`) and :math:`\gamma_\phi` (dephasing,
:math:`\sqrt{\gamma_\phi/2}\,\sigma^z_i`).

The truncation
--------------
Mean field keeps the first moments and factorises every product,
:math:`\langle AB\rangle = \langle A\rangle\langle B\rangle`. The second-order cumulant
expansion also keeps every two-operator cumulant
:math:`C(A, B) = \langle AB\rangle - \langle A\rangle\langle B\rangle` (operators of different atoms,
or an atom and the photon, or two photon operators in normal order) and closes the
hierarchy by setting third-order cumulants to zero,

.. math::

    \langle ABC\rangle \approx \langle A\rangle\langle B\rangle\langle C\rangle + \langle A\rangle C(B,C)
        + \langle B\rangle C(A,C) + \langle C\rangle C(A,B).

Two operators of the *same* atom are never split: :math:`\sigma^+_i\sigma^-_i = (1+\sigma^z_i)/2`,
:math:`\sigma^-_i\sigma^-_i = 0`, :math:`\sigma^z_i\sigma^-_i = -\sigma^-_i`, … are applied exactly
first. The equations were derived with sympy for explicit atoms
(:mod:`cavity_bcs.symbolic.cumulants`) and the tests prove the numba kernel equals them.

Classes
-------
Atoms with the same :math:`(\varepsilon, f)` and the same initial Bloch vector stay
interchangeable (the Lindbladian is permutation symmetric), so the moments of atom
:math:`i` depend only on its class :math:`c`, and a cumulant of two atoms :math:`i \ne j`
only on their classes :math:`(c, d)` — including :math:`c = d`, two *different* atoms of one
class of :math:`w_c` atoms. Sums over atoms become
:math:`\sum_{k\ne i}(\dots)_{ik} = \sum_d (w_d - \delta_{cd})(\dots)_{cd}`.

Variables per class (``K`` classes)
-----------------------------------
With :math:`N` scaling chosen so that every variable is :math:`O(1)` as :math:`N\to\infty`
(atom :math:`i\in c`, :math:`j\in d`, :math:`i\ne j`):

* means :math:`s_c = \langle\sigma^-_i\rangle` (complex), :math:`z_c = \langle\sigma^z_i\rangle`,
  :math:`\alpha = \langle a\rangle/\sqrt N`;
* spin–photon :math:`A^{\mp,z}_c = \sqrt N\,C(\sigma^{\mp,z}_i, a)` (3 complex per class);
* spin–spin :math:`P_{cd} = N C(\sigma^+_i,\sigma^-_j)` (Hermitian),
  :math:`Q_{cd} = N C(\sigma^-_i,\sigma^-_j)` (symmetric), :math:`R_{cd} = N C(\sigma^z_i,\sigma^-_j)`,
  :math:`Z_{cd} = N C(\sigma^z_i,\sigma^z_j)` (real symmetric);
* photon :math:`n = \langle a^\dagger a\rangle - |\langle a\rangle|^2`,
  :math:`m = \langle aa\rangle - \langle a\rangle^2`.

Real unknowns: :math:`9K + 5` for the means and the atom–photon/photon cumulants plus
:math:`\tfrac92K^2 + \tfrac32K` for the pairs (:math:`P`: :math:`K^2`, :math:`Q`: :math:`K(K+1)`,
:math:`R`: :math:`2K^2`, :math:`Z`: :math:`K(K+1)/2`) — 180 000 for 200 classes.

Equations
---------
With :math:`G_c = Gf_c`, :math:`\Gamma = \gamma/2 + \gamma_\phi`, :math:`\lambda = i\Delta_c + \kappa/2`,
:math:`1/N` the strength of the fluctuations' back-action and
:math:`\Sigma^X_c = \frac1N\sum_d(w_d - \delta_{cd})f_dX_{cd}`:

.. math::

    \dot s_c &= (-2i\varepsilon_c - \Gamma)s_c + iG_c(\alpha z_c + A^z_c/N),\\
    \dot z_c &= -\gamma(z_c + 1) + 4G_c\,\mathrm{Im}(s_c^*\alpha + A^+_c/N),\\
    \dot\alpha &= -\lambda\alpha - iG\,\tfrac1N\textstyle\sum_c w_cf_cs_c,\\
    \dot n &= -\kappa n - 2G\,\tfrac1N\textstyle\sum_c w_cf_c\,\mathrm{Im}A^+_c,\\
    \dot m &= -(2i\Delta_c + \kappa)m - 2iG\,\tfrac1N\textstyle\sum_c w_cf_cA^-_c,\\
    \dot A^-_c &= (-\lambda - \Gamma - 2i\varepsilon_c)A^-_c + iG_c(\alpha A^z_c + z_cm + s_c^2)
        - iG\Sigma^Q_c,\\
    \dot A^+_c &= (-\lambda - \Gamma + 2i\varepsilon_c)A^+_c
        + iG_c\big(-\alpha^*A^z_c - z_cn + |s_c|^2 - \tfrac{1 + z_c}{2}\big) - iG\Sigma^P_c,\\
    \dot A^z_c &= (-\lambda - \gamma)A^z_c - iG\Sigma^R_c\\
        &\quad + iG_c\big(2\alpha^*A^-_c - 2\alpha A^+_c - 2ms_c^* + 2ns_c + s_c(1 + z_c)\big),\\
    \dot P_{cd} &= (2i(\varepsilon_c - \varepsilon_d) - \gamma - 2\gamma_\phi)P_{cd}\\
        &\quad + iG_dz_dA^+_c - iG_cz_cA^{+*}_d - iG_c\alpha^*R_{cd} + iG_d\alpha R^*_{dc},\\
    \dot Q_{cd} &= (-2i(\varepsilon_c + \varepsilon_d) - \gamma - 2\gamma_\phi)Q_{cd}\\
        &\quad + iG_dz_dA^-_c + iG_cz_cA^-_d + i\alpha(G_cR_{cd} + G_dR_{dc}),\\
    \dot R_{cd} &= (-2i\varepsilon_d - \tfrac32\gamma - \gamma_\phi)R_{cd} + 2iG_c(s_cA^{+*}_d - s_c^*A^-_d)\\
        &\quad + iG_dz_dA^z_c + 2iG_c(\alpha^*Q_{cd} - \alpha P_{cd}) + iG_d\alpha Z_{cd},\\
    \dot Z_{cd} &= -2\gamma Z_{cd} + 4G_d\,\mathrm{Im}(s_d^*A^z_c - \alpha^*R_{cd})
        + 4G_c\,\mathrm{Im}(s_c^*A^z_d - \alpha^*R_{dc}).

The source terms :math:`iG_cs_c^2` and :math:`iG_c(|s_c|^2 - (1+z_c)/2)` (single-atom
identities) seed the correlations from a product state: the atom's emission into the
cavity, :math:`\langle\sigma^+_i\sigma^-_i\rangle \ne |\langle\sigma^-_i\rangle|^2`. Dropping every
cumulant (``order=1``) leaves the mean-field equations of :func:`cavity_bcs.quench`.

Conservation: without loss the excitation number
:math:`\tfrac{1}{2N}\sum_c w_cz_c + |\alpha|^2 + n/N` and the energy
:math:`\langle H\rangle/N = \frac1N\sum_cw_c[\varepsilon_cz_c + 2G_c\mathrm{Re}(s_c^*\alpha + A^+_c/N)]
+ \Delta_c(|\alpha|^2 + n/N)` are exact invariants of the truncated equations (each is a
linear combination of moments whose Heisenberg derivatives cancel as operators, before
any truncation). Spin lengths are not conserved.

Validity
--------
The expansion is in the connected correlations, which are :math:`O(1/N)` per pair for a
product initial state; it is controlled while they stay small, i.e. at short and
intermediate times (it captures the leading :math:`1/N` corrections: the vacuum-seeded
emission and the first dephasing of the collective phase). It is *not* a positive
description: long runs can produce :math:`n < 0` or :math:`\langle S^+S^-\rangle` outside its bounds,
and near a mean-field instability (e.g. inverted spins in an empty cavity) the
cumulants grow exponentially and the truncation fails once they reach :math:`O(1)`. Check
against :func:`cavity_bcs.exact_quench` / :func:`cavity_bcs.exact_master_equation` at small N.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import _validate as check
from ..experiment.coarse import CoarseModel, coarse_grain
from ..meanfield._engine import IntegrationError
from ..meanfield.states import State, x_polarized
from ..model import Model
from ..results import PairCoherent
from . import _cumulant_kernels as kern

__all__ = ["CumulantResult", "cumulant_quench", "cumulant_classes", "cumulant_rhs"]

ORDERS = (1, 2)


@dataclass(frozen=True, eq=False)
class CumulantResult(PairCoherent):
    r"""Observables of :func:`cumulant_quench`, sampled at the times ``t`` (per N, units of :math:`\chi N`).

    Attributes
    ----------
    t : ndarray
        Times, units of :math:`1/(\chi N)`.
    s_plus : ndarray (complex)
        :math:`S^+ = (1/N)\sum_i\langle\sigma^+_i\rangle`.
    photon : ndarray (complex)
        :math:`\langle a\rangle/\sqrt N`.
    n_photon : ndarray
        :math:`\langle a^\dagger a\rangle/N = |\alpha|^2 + n/N` (includes the incoherent photons).
    excitations : ndarray
        :math:`(\tfrac12\sum_i\langle\sigma^z_i\rangle + \langle a^\dagger a\rangle)/N`.
    energy : ndarray
        :math:`\langle H\rangle/N`, units of :math:`\chi N`.
    pair_correlation : ndarray
        :math:`\langle S^+S^-\rangle = (1/N^2)\sum_{ij}\langle\sigma^+_i\sigma^-_j\rangle`, with the pair
        cumulants (mean field: :math:`|S^+|^2 + (1/N^2)\sum_i(\langle\sigma^+_i\sigma^-_i\rangle - |s_i|^2)`).
    model : Model
    order : int
        1 (mean field) or 2 (second-order cumulants).
    n_classes : int
        Number of classes integrated.
    weights : ndarray
        Atoms per class.
    final : dict
        Class arrays at ``t[-1]`` (keys ``s``, ``z``, ``alpha`` and, for ``order=2``,
        ``Am``, ``Ap``, ``Az``, ``P``, ``Q``, ``R``, ``Z`` as ``K x K`` matrices, ``n``, ``m``;
        scaled as in the module docstring).
    n_steps, n_rejected : int
        Accepted and rejected DOP853 steps.
    """

    t: np.ndarray
    s_plus: np.ndarray
    photon: np.ndarray
    n_photon: np.ndarray
    excitations: np.ndarray
    energy: np.ndarray
    pair_correlation: np.ndarray
    model: Model = field(repr=False)
    order: int = 2
    n_classes: int = 0
    weights: np.ndarray = field(default=None, repr=False)
    final: dict = field(default=None, repr=False)
    n_steps: int = 0
    n_rejected: int = 0


def cumulant_classes(model: Model, classes=None, initial: State | None = None) -> CoarseModel:
    r"""The classes :func:`cumulant_quench` integrates.

    ``classes=None`` groups atoms whose :math:`\varepsilon_i`, :math:`f_i` and initial Bloch vector
    are *identical* (exact: e.g. two classes for :math:`W = 0` and equal couplings, one per atom
    for distinct energies); ``(n_eps_bins, n_g_bins)`` bins them with
    :func:`cavity_bcs.coarse_grain` (an approximation controlled by the bin widths; the
    class-mean Bloch vectors may be shorter than 1, i.e. slightly mixed); a
    :class:`~cavity_bcs.CoarseModel` is used as it is. ``initial`` defaults to
    :func:`~cavity_bcs.x_polarized` with a vacuum photon.
    """
    check.instance("model", model, Model)
    if isinstance(classes, CoarseModel):
        if classes.model is not model:
            raise ValueError("classes is a CoarseModel of another model")
        if initial is not None:
            raise ValueError("initial cannot be given with a CoarseModel (it carries its own state)")
        return classes
    initial = x_polarized(model) if initial is None else check.instance("initial", initial, State)
    if initial.spins.shape[0] != model.n_atoms:
        raise ValueError(f"initial has {initial.spins.shape[0]} spins but model.n_atoms = {model.n_atoms}")
    if classes is None:
        keys = np.column_stack([model.eps, model.couplings, initial.spins])
        _, first, counts = np.unique(keys, axis=0, return_index=True, return_counts=True)
        by_first = np.argsort(first)  # classes in the order of their first atom
        idx = first[by_first]
        return CoarseModel(eps=model.eps[idx].copy(), couplings=model.couplings[idx].copy(),
                           weights=counts[by_first].astype(float), spins=initial.spins[idx].copy(),
                           photon=initial.photon, model=model)
    if not isinstance(classes, tuple | list) or len(classes) != 2:
        raise ValueError(f"classes must be None, (n_eps_bins, n_g_bins) or a CoarseModel, got {classes!r}")
    return coarse_grain(model, classes[0], classes[1], initial)


def _initial_vector(coarse: CoarseModel, order: int) -> np.ndarray:
    K = coarse.n_classes
    sp = coarse.spins
    zeros = np.zeros((K, K))
    d = {"s": 0.5 * (sp[:, 0] - 1j * sp[:, 1]), "z": sp[:, 2], "alpha": complex(coarse.photon),
         "m": 0j, "n": 0.0, "Am": np.zeros(K, complex), "Ap": np.zeros(K, complex), "Az": np.zeros(K, complex),
         "P": zeros, "Q": zeros, "R": zeros, "Z": zeros}
    return kern.pack(d, K, order)


def cumulant_rhs(y, coarse: CoarseModel, order: int = 2) -> np.ndarray:
    """Time derivative of a packed state ``y`` of the classes ``coarse`` (the kernel, for checks)."""
    m = coarse.model
    out = np.zeros_like(np.asarray(y, dtype=float))
    kern.rhs(np.ascontiguousarray(y, dtype=float), out, coarse.eps, coarse.couplings, coarse.weights,
             m.g_collective, m.delta_c, m.kappa, m.gamma, m.dephasing, 1.0 / m.n_pairs, order,
             kern.workspace(coarse.n_classes))
    return out


def cumulant_quench(model: Model, t_final: float, n_save: int = 201, *, order: int = 2, classes=None,
                    photon="vacuum", initial: State | None = None, rtol: float = 1e-8, atol: float = 1e-10,
                    max_steps: int = 10_000_000) -> CumulantResult:
    r"""Quench dynamics with second-order cumulants (or mean field, ``order=1``).

    Integrates the equations of the module docstring from a product state (every
    cumulant zero: spins in their Bloch states, a coherent photon) with an adaptive
    Dormand–Prince 8(5,3) integrator (scipy's tableau and error norm) compiled together
    with the right-hand side, and samples the observables at ``n_save`` evenly spaced
    times in :math:`[0, t_{final}]`, on which it lands.

    Cost: :math:`\tfrac92K^2` unknowns for :math:`K` classes; the right-hand side loops over
    class pairs in vectorised numba code (about 0.3 ms for :math:`K = 200`), and the steps are
    set by the fastest free rotation, :math:`2(\varepsilon_{max} - \varepsilon_{min})`, of the pair
    cumulants (about 36 steps per :math:`1/\chi N` at the Fig. 1 parameters and ``rtol=1e-8``).
    ``benchmarks/bench_cumulants.py`` measures 200 classes to :math:`t = 100/\chi N`.

    Parameters
    ----------
    model : Model
        Parameters, units of :math:`\chi N`; ``kappa``, ``gamma`` and ``dephasing`` are included.
    t_final : float
        Final time, units of :math:`1/(\chi N)`; ``> 0``.
    n_save : int
        Number of saved times (``>= 2``); the integrator lands on each.
    order : {1, 2}
        1: mean field (the equations of :func:`cavity_bcs.quench`); 2: second-order cumulants.
    classes : None, (n_eps_bins, n_g_bins) or CoarseModel
        How atoms are grouped (:func:`cumulant_classes`). ``None`` is exact; binning is an
        approximation whose error shrinks with the bins. The cost grows as
        :math:`K^2` in the number of classes :math:`K`.
    photon : "vacuum", "equilibrium" or complex
        Initial :math:`\alpha = \langle a\rangle/\sqrt N` (coherent) with x-polarised spins, as in
        :func:`cavity_bcs.x_polarized`. Leave it at ``"vacuum"`` when giving ``initial``.
    initial : State, optional
        Another product initial state (its photon is used).
    rtol, atol : float
        Local error tolerances of the integrator, each in ``[1e-15, 1e-2]``; the
        variables are all :math:`O(1)`.
    max_steps : int
        Safety limit on accepted steps.

    Returns
    -------
    CumulantResult

    Raises
    ------
    ValueError
        For bad arguments, or a run that would need too much memory or provably more
        than ``max_steps`` steps.
    IntegrationError
        If the integrator cannot reach ``t_final`` (step limit, step underflow, or a
        non-finite state — the truncated equations can blow up, see the module docstring);
        its attribute ``t_reached`` is the time reached.
    """
    check.instance("model", model, Model)
    t_final = check.positive("t_final", t_final)
    n_save = check.integer("n_save", n_save, minimum=2)
    order = check.integer("order", order, minimum=1, maximum=2)
    rtol = check.rtol(rtol)
    atol = check.atol(atol)
    max_steps = check.integer("max_steps", max_steps, minimum=1)
    if initial is not None:
        if not (isinstance(photon, str) and photon == "vacuum"):
            raise ValueError("give the photon either through photon= or inside initial=, not both")
    elif not isinstance(classes, CoarseModel):
        initial = x_polarized(model, photon=photon)
    coarse = cumulant_classes(model, classes, initial)
    K = coarse.n_classes
    size = kern.size(K, order)
    check.memory("cumulant quench", 8.0 * (16 * size + 8 * n_save), f"{K} classes, {size} real unknowns")
    check.steps("cumulant quench", t_final, model.fastest_frequency, max_steps)
    t = np.linspace(0.0, t_final, n_save)
    status, t_reached, n_steps, n_rejected, y, obs = kern.run(
        _initial_vector(coarse, order), t, coarse.eps, coarse.couplings, coarse.weights, model.g_collective,
        model.delta_c, model.kappa, model.gamma, model.dephasing, 1.0 / model.n_pairs, order, rtol, atol,
        max_steps)
    if status != kern.STATUS_OK:
        why = {kern.STATUS_MAX_STEPS: f"max_steps = {max_steps} reached (raise it)",
               kern.STATUS_STEP_UNDERFLOW: "the step size underflowed (the truncated equations may be blowing up)",
               kern.STATUS_NONFINITE: "the state became non-finite (the truncated equations blew up)"}[status]
        error = IntegrationError(f"cumulant quench (order {order}, {K} classes) stopped at t = {t_reached:.6g} of "
                                 f"{t_final:.6g}: {why}")
        error.t_reached = float(t_reached)
        raise error
    return CumulantResult(
        t=t, s_plus=obs[0] + 1j * obs[1], photon=obs[2] + 1j * obs[3], n_photon=obs[4].copy(),
        excitations=obs[5].copy(), energy=obs[6].copy(), pair_correlation=obs[7].copy(), model=model,
        order=order, n_classes=K, weights=coarse.weights.copy(), final=kern.unpack(y, K, order),
        n_steps=int(n_steps), n_rejected=int(n_rejected))
