r"""Mean-field quench dynamics of the cavity-QED BCS simulator.

Equations of motion (book convention; :math:`s_i = \langle\sigma^-_i\rangle`,
:math:`z_i = \langle\sigma^z_i\rangle`, mean-field factorisation
:math:`\langle AB\rangle = \langle A\rangle\langle B\rangle`):

.. math::

    \dot s_i &= -2i\varepsilon_i s_i + i g_i a z_i ,\\
    \dot z_i &= 2i g_i (a^* s_i - a s_i^*) ,\\
    \dot a   &= -i\Delta_c a - i\sum_i g_i s_i - \tfrac{\kappa}{2} a .

The adiabatic (one-channel BCS) model replaces :math:`a` by
:math:`a_{eq} = -\sum_i g_i s_i/(\Delta_c - i\kappa/2)`; for :math:`\kappa = 0` and
homogeneous :math:`g` it is the mean-field dynamics of
:math:`H_{eff} = \sum_i\varepsilon_i\sigma^z_i - \chi\sum_{ij}\sigma^+_i\sigma^-_j`.
Units: energies and rates in :math:`\chi N`, time in :math:`1/(\chi N)`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import _validate as check
from ..model import Model
from ..results import TimeSeries
from . import _engine
from ._engine import IntegrationError
from ._equations import pack, physics, unpack_photon, unpack_spins
from .states import State, photon_equilibrium, x_polarized

__all__ = ["IntegrationError", "QuenchResult", "quench"]


@dataclass(frozen=True, eq=False)
class QuenchResult(TimeSeries):
    r"""Observables of one mean-field quench, sampled at the times ``t``.

    All per-atom quantities are normalised by :math:`N` (half the number of
    atoms), as in the paper.

    Attributes
    ----------
    t : ndarray
        Times, units of :math:`1/(\chi N)`.
    s_plus : ndarray (complex)
        :math:`S^+(t) = (1/N)\sum_i\langle\sigma^+_i\rangle`.
    photon : ndarray (complex)
        :math:`\langle a\rangle/\sqrt N`; in the adiabatic model the slaved
        :math:`a_{eq}/\sqrt N`.
    n_photon : ndarray
        :math:`\langle a^\dagger a\rangle/N = |\langle a\rangle|^2/N` (mean field).
    excitations : ndarray
        :math:`(\tfrac12\sum_i\langle\sigma^z_i\rangle + \langle a^\dagger a\rangle)/N`;
        in the adiabatic model only the spin part (the photon there is virtual).
        Conserved when :math:`\kappa = 0`.
    energy : ndarray
        :math:`\langle H\rangle/N`, units of :math:`\chi N`; conserved when
        :math:`\kappa = 0`.
    model : Model
    adiabatic : bool
    final : State
        The state at ``t[-1]`` (to continue a run).
    states : ndarray or None
        Full states, shape ``(len(t), n_atoms, 3)`` Bloch vectors, when
        ``save_states=True`` (the photon is ``photon``).
    n_steps, n_rejected : int
        Accepted and rejected integrator steps.
    method : str
        The integrator that ran: ``"taylor"`` or ``"dop853"`` (see :func:`quench`).
    """

    t: np.ndarray
    s_plus: np.ndarray
    photon: np.ndarray
    n_photon: np.ndarray
    excitations: np.ndarray
    energy: np.ndarray
    model: Model
    adiabatic: bool
    final: State = field(repr=False)
    states: np.ndarray | None = field(default=None, repr=False)
    n_steps: int = 0
    n_rejected: int = 0
    method: str = "dop853"

    def to_xarray(self):
        """This quench as an :class:`xarray.Dataset` over ``time``: observables, the model and settings as attributes.

        Needs xarray; :mod:`cavity_bcs.labelled` describes the layout.
        """
        from ..labelled import time_series_dataset
        return time_series_dataset(self)



def quench(model: Model, t_final: float, n_save: int = 1001, adiabatic: bool = False,
           initial: State | None = None, *, rtol: float = 1e-10, atol: float = 1e-12,
           max_steps: int = 10_000_000, save_states: bool = False, method: str = "auto",
           progress=None) -> QuenchResult:
    r"""Mean-field quench of ``model`` from ``initial`` up to ``t_final``.

    Integrates the mean-field equations (module docstring) with a numba-compiled
    adaptive integrator and samples the observables at ``n_save`` evenly spaced
    times in :math:`[0, t_{final}]`. When every atom has the same coupling and
    there is no local atomic loss (``gamma = dephasing = 0``) the integrator is a
    Taylor series of order 16 whose terms are built from moments of the atomic
    energies (:mod:`cavity_bcs.meanfield._taylor`); otherwise it is Dormand–Prince 8(5,3).

    Parameters
    ----------
    model : Model
        Parameters, units of :math:`\chi N`.
    t_final : float
        Final time, units of :math:`1/(\chi N)`; ``> 0``.
    n_save : int
        Number of saved times (``>= 2``), including ``t = 0`` and ``t_final``.
    adiabatic : bool
        Integrate the one-channel BCS spin model (photon eliminated,
        :math:`\chi = g^2/\Delta_c`) instead of the full model.
    initial : State, optional
        Initial state; default :func:`~cavity_bcs.states.x_polarized` (every spin
        along :math:`+x`, cavity in vacuum).
    rtol, atol : float
        Local error tolerances of the integrator (relative, absolute), each in
        ``[1e-15, 1e-2]`` (looser tolerances no longer control the answer). For the
        Taylor series, ``rtol`` bounds the last two terms of each step's series
        (Bloch vectors have unit length, so it is also absolute) and ``atol`` is
        not used. The defaults keep excitation number, energy and spin lengths
        to ~1e-10 relative over :math:`t = 100/\chi N` at the Fig. 1 parameters.
    max_steps : int
        Safety limit on accepted steps. A run that provably needs more (at least half
        a step per period of the fastest frequency, ``Model.fastest_frequency``) is
        refused before it starts.
    save_states : bool
        Also return every Bloch vector at every saved time (memory
        ``n_save * n_atoms * 24`` bytes).
    method : {"auto", "taylor", "dop853"}
        ``"auto"`` takes ``"taylor"`` whenever it applies (equal couplings, no
        local atomic loss), else ``"dop853"``. Both agree to their tolerances
        (tested); the Taylor series is 3–5 times faster at equal accuracy.
    progress : bool or None
        Progress bar on stderr: ``None`` (default) shows one once the run has taken
        a few seconds (not when ``CAVITY_BCS_PROGRESS=0``). Ctrl-C stops the run at its
        next step with ``KeyboardInterrupt``.

    Returns
    -------
    QuenchResult

    Raises
    ------
    ValueError
        For a non-positive or non-finite ``t_final``, ``n_save < 2``, bad
        tolerances, an ``initial`` state of the wrong size, an unknown
        ``method``, or ``method="taylor"`` where it does not apply.
    IntegrationError
        If the integrator cannot reach ``t_final`` (step limit, step underflow,
        or a non-finite state).
    """
    check.instance("model", model, Model)
    t_final = check.positive("t_final", t_final)
    n_save = check.integer("n_save", n_save, minimum=2)
    adiabatic = check.boolean("adiabatic", adiabatic)
    save_states = check.boolean("save_states", save_states)
    rtol = check.rtol(rtol)
    atol = check.atol(atol)
    max_steps = check.integer("max_steps", max_steps, minimum=1)
    if initial is None:
        initial = x_polarized(model)
    check.instance("initial", initial, State)
    if initial.spins.shape[0] != model.n_atoms:
        raise ValueError(f"initial has {initial.spins.shape[0]} spins but model.n_atoms = {model.n_atoms}")
    # refuse what cannot fit or finish before allocating or integrating anything
    n = model.n_atoms
    check.memory("quench", 8.0 * (n_save * (7 + (3 * n + 2 if save_states else 0)) + 16 * (3 * n + 2)),
                 f"n_save = {n_save} saved times x n_atoms = {n}" + (" with save_states" if save_states else ""))
    # the initial photon drives the spins at G |f| |alpha|: a huge photon is a fast frequency too
    drive = 2.0 * model.g_collective * float(np.max(np.abs(model.couplings))) * abs(initial.photon)
    source = model.frequency_source() if drive <= model.fastest_frequency else " (set by the initial photon)"
    check.steps("quench", t_final, max(model.fastest_frequency, drive), max_steps, source)

    t_save = np.linspace(0.0, t_final, n_save)
    sol = _engine.integrate(
        pack(initial.spins, initial.photon), t_save,
        physics(model.eps, model.couplings, np.ones(n), model.g_collective, model.delta_c, model.kappa,
                model.gamma, model.dephasing, adiabatic, 1.0 / model.n_pairs),
        rtol=rtol, atol=atol, max_steps=max_steps, save_state=save_states, method=method, what="quench",
        progress=progress)
    final = State._integrated(unpack_spins(sol.y_final), unpack_photon(sol.y_final))
    if adiabatic:
        final = State._integrated(final.spins, photon_equilibrium(model, final.spins))
    obs = sol.obs
    return QuenchResult(
        t=t_save,
        s_plus=obs[0] + 1j * obs[1],
        photon=obs[2] + 1j * obs[3],
        n_photon=obs[4].copy(),
        excitations=obs[5].copy(),
        energy=obs[6].copy(),
        model=model,
        adiabatic=bool(adiabatic),
        final=final,
        states=unpack_spins(sol.states) if save_states else None,
        n_steps=sol.n_steps,
        n_rejected=sol.n_rejected,
        method=sol.method,
    )
