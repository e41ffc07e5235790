r"""The one entry point of the mean-field engine: method choice, dispatch, and errors.

Every caller that integrates the mean-field equations — :func:`~cavity_bcs.quench`,
the truncated-Wigner samples, the coarse-grained class model and the drive
preparation — calls :func:`integrate`. It picks the integrator
(:data:`METHODS`), runs the numba kernel and turns every status other than success
into an :class:`IntegrationError` that says what stopped, at what time, and what to
change. The physics itself lives in :mod:`._equations`; the two integrators in
:mod:`._taylor` (energy-moment Taylor series, equal couplings without local atomic
loss) and :mod:`._dop853` (generated Dormand–Prince 8(5,3), fused or streaming).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import NamedTuple

import numba
import numpy as np

from . import _dop853, _taylor
from ._equations import (
    STATUS_MAX_STEPS,
    STATUS_NONFINITE,
    STATUS_OK,
    STATUS_STEP_UNDERFLOW,
    Physics,
    observables,
    rhs_local,
)

__all__ = ["IntegrationError", "METHODS", "Drive", "Solution", "integrate", "resolve_method",
           "taylor_obstacle"]

#: The integrators :func:`integrate` knows.
METHODS = ("auto", "taylor", "dop853")

#: From this many atoms on, a DOP853 run uses the streaming variant of the
#: integrator (:func:`cavity_bcs.meanfield._dop853.integrate_streaming`): its twelve
#: stage vectors no longer fit in the caches, and a few register-resident sweeps over
#: the state per step beat moving ~100 vectors through memory (measured per step at
#: 10^5 atoms: fused 7.8 ms, streaming 8.1 ms on one thread, 4.3 ms on two;
#: benchmarks/bench_large_n.py). From here on both integrators split the atoms over
#: numba's threads when there are several.
STREAMING_MIN_ATOMS = 100_000

# Numba's default "workqueue" threading layer aborts the process when two Python
# threads launch parallel kernels at once (a sweep on a thread pool could do
# that), so large runs take turns.
_PARALLEL_LOCK = threading.Lock()


class IntegrationError(RuntimeError):
    """The adaptive integrator could not reach the final time; the message says why and what to change."""


class Drive(NamedTuple):
    r"""A coherent drive through the cavity, in the frame rotating with it.

    ``detuning(t)`` is :math:`\delta(t)`, the drive frequency above the atomic one, and
    ``amplitude(t)`` is :math:`\eta(t)` (both units of :math:`\chi N`, vectorised in
    ``t``). In this frame the equations are those of the model with
    :math:`\varepsilon_i\to\varepsilon_i-\delta/2`, :math:`\Delta_c\to\Delta_c-\delta` and
    :math:`\dot\alpha \mathrel{+}= -i\eta(t)`.
    """

    detuning: Callable
    amplitude: Callable


class Solution(NamedTuple):
    """What an engine run returns.

    ``obs`` (7 rows: Re S+, Im S+, Re alpha, Im alpha, |alpha|^2, excitations, energy,
    per N), ``states`` (packed states at the output times when saved, else zero rows),
    ``y_final`` (packed state at the last time), ``n_steps``, ``n_rejected`` and the
    ``method`` that ran.
    """

    obs: np.ndarray
    states: np.ndarray
    y_final: np.ndarray
    n_steps: int
    n_rejected: int
    method: str


def taylor_obstacle(f, gamma, dephasing):
    """Why the moment-Taylor integrator cannot take these atoms, or ``None`` if it can.

    It needs one common coupling (it expands in the atoms' energies alone) and no
    local atomic loss (it propagates Bloch vectors linearly without a source term).
    """
    f = np.asarray(f, dtype=float)
    if f.size and not np.all(f == f[0]):
        return "the couplings g_i differ between atoms"
    if gamma != 0.0:
        return "gamma > 0 (spontaneous emission)"
    if dephasing != 0.0:
        return "dephasing > 0"
    return None


def resolve_method(method, f, gamma, dephasing):
    """``"taylor"`` or ``"dop853"`` for ``method`` in :data:`METHODS`; ``"auto"`` takes
    the Taylor integrator whenever :func:`taylor_obstacle` allows it."""
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    obstacle = taylor_obstacle(f, gamma, dephasing)
    if method == "taylor" and obstacle is not None:
        raise ValueError(f"method='taylor' needs equal couplings and no local atomic loss, but {obstacle}; "
                         "use method='dop853' or 'auto'")
    if method == "auto":
        return "dop853" if obstacle is not None else "taylor"
    return method


def _failure(status, t, t_final, max_steps, what) -> str:
    where = f"{what} stopped at t = {t:.6g} of t_final = {t_final:.6g} (units of 1/chi N)"
    if status == STATUS_MAX_STEPS:
        return (f"{where}: it took max_steps = {max_steps} steps. Raise max_steps, shorten t_final, "
                "or loosen rtol.")
    if status == STATUS_STEP_UNDERFLOW:
        return (f"{where}: the step size fell to round-off, so the solution changes faster than the "
                "integrator can follow. Check for a rate or energy far larger than the others, or an "
                "unphysical initial state.")
    if status == STATUS_NONFINITE:
        return (f"{where}: the state became NaN or infinite. Check that the initial state is physical "
                "(Bloch vectors of length <= 1, a finite photon) and the parameters are finite.")
    return f"{where}: the kernel returned the unknown status {status}."


class _TooManySteps(Exception):
    pass


def _integrate_driven(y0, t_save, p: Physics, drive: Drive, rtol, atol, max_steps, save_state):
    """A run with a time-dependent drive: scipy's DOP853 (same tableau and step control as
    ours) on the shared right-hand side :func:`._equations.rhs_local`, in the drive frame."""
    from scipy.integrate import solve_ivp

    n = p.eps.size
    calls = [0, float(t_save[0])]

    def rhs(t, y):
        # DOP853 evaluates 12 stages per step: stop where the compiled integrators would
        calls[0] += 1
        calls[1] = t
        if calls[0] > 12 * max_steps + 12:
            raise _TooManySteps
        d = float(drive.detuning(t))
        out = np.empty_like(y)
        rhs_local(y, p.eps - 0.5 * d, p.f, p.w, p.G, p.delta_c - d, p.kappa, p.gamma, p.dephasing,
                  p.adiabatic, p.inv_n, out)
        out[3 * n + 1] -= float(drive.amplitude(t))  # d(alpha)/dt += -i eta
        return out

    try:
        sol = solve_ivp(rhs, (t_save[0], t_save[-1]), y0, method="DOP853", t_eval=t_save, rtol=rtol, atol=atol)
    except _TooManySteps:
        return None, None, y0, STATUS_MAX_STEPS, max_steps, 0, calls[1]
    n_steps = int(np.ceil(sol.nfev / 12))
    if sol.status != 0 or sol.y.shape[1] != t_save.size or not np.all(np.isfinite(sol.y)):
        reached = float(sol.t[-1]) if sol.t.size else float(t_save[0])
        status = STATUS_NONFINITE if not np.all(np.isfinite(sol.y)) else STATUS_STEP_UNDERFLOW
        return None, None, y0, status, n_steps, 0, reached
    obs = np.zeros((7, t_save.size))
    for k in range(t_save.size):
        d = float(drive.detuning(t_save[k]))
        observables(np.ascontiguousarray(sol.y[:, k]), p.eps - 0.5 * d, p.f, p.w, p.G, p.delta_c - d, p.kappa,
                    p.adiabatic, p.inv_n, k, obs)
    states = np.ascontiguousarray(sol.y.T) if save_state else np.zeros((0, y0.size))
    return obs, states, np.ascontiguousarray(sol.y[:, -1]), STATUS_OK, n_steps, 0, float(t_save[-1])


def integrate(y0, t_save, physics: Physics, *, rtol: float, atol: float, max_steps: int,
              save_state: bool, method: str = "auto", what: str = "the integration",
              drive: Drive | None = None) -> Solution:
    """Integrate the mean-field equations from ``t_save[0]`` through every time in ``t_save``.

    Parameters
    ----------
    y0 : ndarray
        Packed initial state (:func:`._equations.pack`).
    t_save : ndarray
        Increasing output times, units of :math:`1/\\chi N`.
    physics : Physics
        The atoms and the cavity (:func:`._equations.physics`).
    rtol, atol : float
        Tolerances. For the Taylor series ``rtol`` bounds the last two terms of each
        step's series and ``atol`` is not used.
    max_steps : int
        Limit on accepted steps.
    save_state : bool
        Return the packed state at every output time.
    method : {"auto", "taylor", "dop853"}
        See :func:`resolve_method`.
    what : str
        How the caller names the run in an error message (e.g. ``"quench"``).
    drive : Drive, optional
        A time-dependent coherent drive (the drive preparation); such runs take
        scipy's DOP853 on the shared right-hand side (``method`` must be ``"auto"`` or
        ``"dop853"``), observables in the drive frame.

    Raises
    ------
    IntegrationError
        For every kernel status other than success, with the time reached and what to change.
    """
    y0 = np.ascontiguousarray(y0, dtype=float)
    t_save = np.ascontiguousarray(t_save, dtype=float)
    rtol, atol, max_steps, save_state = float(rtol), float(atol), int(max_steps), bool(save_state)
    if not np.all(np.isfinite(y0)):
        # the kernels would only see an error norm of 1e300 and report a step underflow
        raise IntegrationError(f"{what} cannot start: the initial state contains NaN or infinite values")
    if drive is not None:
        if method not in ("auto", "dop853"):
            raise ValueError(f"a driven run integrates with DOP853: method must be 'auto' or 'dop853', got {method!r}")
        obs, states, y_final, status, n_steps, n_rejected, t = _integrate_driven(
            y0, t_save, physics, drive, rtol, atol, max_steps, save_state)
        if status != STATUS_OK:
            raise IntegrationError(_failure(status, t, t_save[-1], max_steps, what))
        return Solution(obs, states, y_final, n_steps, n_rejected, "dop853")
    method = resolve_method(method, physics.f, physics.gamma, physics.dephasing)
    large = physics.eps.size >= STREAMING_MIN_ATOMS
    threaded = large and numba.get_num_threads() > 1
    if method == "taylor":
        run = lambda: _taylor.integrate(y0, t_save, physics, rtol, max_steps, save_state, threaded)  # noqa: E731
    elif large:
        run = lambda: _dop853.integrate_streaming(y0, t_save, physics, rtol, atol, max_steps,  # noqa: E731
                                                  save_state, threaded)
    else:
        run = lambda: _dop853.integrate(y0, t_save, physics, rtol, atol, max_steps, save_state)  # noqa: E731
    if threaded:
        with _PARALLEL_LOCK:
            obs, states, y_final, status, n_steps, n_rejected, t = run()
    else:
        obs, states, y_final, status, n_steps, n_rejected, t = run()
    if status != STATUS_OK:
        raise IntegrationError(_failure(status, t, t_save[-1], max_steps, what))
    return Solution(obs, states, y_final, int(n_steps), int(n_rejected), method)
