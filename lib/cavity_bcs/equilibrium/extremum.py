r"""Brute-force check of the equilibrium equations: extremise :math:`\langle H\rangle/N` directly.

Nothing here uses the gap or excitation equations of
:mod:`cavity_bcs.equilibrium.stationary`: the mean-field energy of any product state
is minimised (or maximised) over the Bloch angles of every atom and the photon, at
fixed excitation number, so agreement with the stationary solver is an independent
test of it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validate as check
from ..meanfield.states import State
from ..model import Model

__all__ = ["mean_field_energy", "Extremum", "constrained_extremum"]


def mean_field_energy(model: Model, state: State) -> float:
    r""":math:`\langle H\rangle/N` of a mean-field state (units of :math:`\chi N`).

    .. math:: \frac{\langle H\rangle}{N} = \frac1N\sum_i\big[\varepsilon_i\sigma^z_i
        + G f_i(\sigma^x_i\,\mathrm{Re}\,\alpha - \sigma^y_i\,\mathrm{Im}\,\alpha)\big] + \Delta_c|\alpha|^2

    with :math:`G = \sqrt{\Delta_c}` and :math:`\alpha = \langle a\rangle/\sqrt N`.
    ``state`` must hold one Bloch vector per atom of ``model``.
    """
    check.instance("model", model, Model)
    check.instance("state", state, State)
    spins = np.asarray(state.spins, dtype=float)
    if spins.shape[0] != model.n_atoms:
        raise ValueError(f"state has {spins.shape[0]} spins but the model has n_atoms = {model.n_atoms}")
    alpha = state.photon
    G = model.g_collective
    inter = np.sum(model.couplings * (spins[:, 0] * alpha.real - spins[:, 1] * alpha.imag))
    return float((np.sum(model.eps * spins[:, 2]) + G * inter) / model.n_pairs
                 + model.delta_c * abs(alpha) ** 2)


@dataclass(frozen=True, eq=False)
class Extremum:
    r"""Result of :func:`constrained_extremum`.

    Attributes
    ----------
    energy : float
        The extremal :math:`\langle H\rangle/N`, units of :math:`\chi N`.
    coherence : float
        :math:`|S^+|` of that state.
    state : State
        Its Bloch vectors and photon.
    energies : ndarray
        :math:`\langle H\rangle/N` of every converged start, sorted.
    maximise : bool
        Whether the maximum (True) or the minimum was sought.
    """

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

    Parameters
    ----------
    model : Model
        A finite model (the variables are its atoms).
    excitations : float
        Target :math:`(\tfrac12\sum_i\sigma^z_i + a^\dagger a)/N`, ``>= -1``.
    starts : int
        Number of random starts, ``>= 1``.
    seed : int
        Seed of ``numpy.random.default_rng`` for the starts, ``>= 0``.
    maximise : bool
        Seek the maximum instead of the minimum.

    Raises
    ------
    RuntimeError
        When no start converges onto the constraint.
    """
    from scipy.optimize import minimize

    check.instance("model", model, Model)
    excitations = check.finite("excitations", excitations)
    if excitations < -1.0:
        raise ValueError(f"excitations must be >= -1 (all spins down, no photon), got {excitations!r}")
    starts = check.integer("starts", starts, minimum=1)
    seed = check.integer("seed", seed, minimum=0)
    maximise = check.boolean("maximise", maximise)
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
        raise RuntimeError(f"none of the {starts} random starts converged onto the constraint; raise starts")
    best = min(found, key=lambda r: r.fun)
    th, ph = best.x[:n], best.x[n:2 * n]
    spins = np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], axis=1)
    state = State(spins, complex(best.x[2 * n], best.x[2 * n + 1]))
    return Extremum(energy=float(sign * best.fun), coherence=abs(state.s_plus), state=state,
                    energies=np.sort([sign * r.fun for r in found]), maximise=maximise)
