r"""The mean-field equations as a function, for anyone who wants to integrate them another way.

:func:`time_derivative` is the right-hand side that every integrator of the library
uses (:mod:`._equations`), on the packed state of :func:`pack_state`:
``y = [x_1..x_n, y_1..y_n, z_1..z_n, Re alpha, Im alpha]`` (Bloch components, then
:math:`\alpha = \langle a\rangle/\sqrt N`). Chapter 3 proves it equal to the equations
sympy derives from the Hamiltonian; with :func:`scipy.integrate.solve_ivp` it
reproduces :func:`~cavity_bcs.quench`.
"""
from __future__ import annotations

import numpy as np

from .. import _validate as check
from ..model import Model
from . import _equations
from .states import State

__all__ = ["pack_state", "unpack_state", "time_derivative"]


def pack_state(state: State) -> np.ndarray:
    """The packed real vector of a :class:`~cavity_bcs.State` (length ``3 n_atoms + 2``)."""
    if not isinstance(state, State):
        raise check.ParameterTypeError(f"state must be a cavity_bcs.State, got {type(state).__name__}")
    return _equations.pack(state.spins, state.photon)


def unpack_state(y) -> State:
    """The :class:`~cavity_bcs.State` of a packed vector ``y`` (length ``3 n + 2``)."""
    y = check.finite_array("y", y)
    if y.ndim != 1 or (y.size - 2) % 3 or y.size < 5:
        raise ValueError(f"y must be a 1-d packed state of length 3n + 2, got shape {y.shape}")
    return State(_equations.unpack_spins(y), complex(_equations.unpack_photon(y)))


def time_derivative(model: Model, y, adiabatic: bool = False) -> np.ndarray:
    r""":math:`dy/dt` of the mean-field equations (module docstring of :mod:`cavity_bcs.meanfield.quench`).

    Includes the model's :math:`\kappa`, :math:`\gamma` and dephasing; with
    ``adiabatic=True`` the photon is eliminated (its slots get zero derivative).
    Units: :math:`\chi N` (time in :math:`1/\chi N`).
    """
    if not isinstance(model, Model):
        raise check.ParameterTypeError(f"model must be a cavity_bcs.Model, got {type(model).__name__}")
    adiabatic = check.boolean("adiabatic", adiabatic)
    y = np.ascontiguousarray(y, dtype=float)
    if y.shape != (3 * model.n_atoms + 2,):
        raise ValueError(f"y must have shape ({3 * model.n_atoms + 2},) for {model.n_atoms} atoms, got {y.shape}")
    out = np.empty_like(y)
    _equations.rhs_local(y, model.eps, model.couplings, np.ones(model.n_atoms), model.g_collective, model.delta_c,
                         model.kappa, model.gamma, model.dephasing, adiabatic, 1.0 / model.n_pairs, out)
    return out
