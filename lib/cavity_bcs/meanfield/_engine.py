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

import os
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import NamedTuple

import numba
import numpy as np

from . import _dop853, _taylor
from ._equations import (
    MONITOR_STOP,
    MONITOR_TIME,
    N_STATS,
    STATUS_INTERRUPTED,
    STATUS_MAX_STEPS,
    STATUS_NONFINITE,
    STATUS_OK,
    STATUS_STEP_UNDERFLOW,
    Physics,
    observables,
    rhs_local,
)

__all__ = ["IntegrationError", "METHODS", "Drive", "Progress", "Solution", "integrate", "interruptible",
           "resolve_method", "taylor_obstacle"]

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


#: A run shows a progress bar once it has taken this long (seconds), unless asked
#: otherwise or ``CAVITY_BCS_PROGRESS=0`` is set (the tests and the book builds set it).
PROGRESS_AFTER = 3.0

# Monitors of the kernels running now: Ctrl-C in the main thread sets their stop
# flags, so runs on worker threads (sweeps, TWA samples) stop at their next step too.
_ACTIVE = {}
_ACTIVE_LOCK = threading.Lock()


def progress_enabled(progress) -> bool | None:
    """``True``/``False`` as asked; ``None`` (automatic) unless ``CAVITY_BCS_PROGRESS=0``."""
    if progress is None:
        return False if os.environ.get("CAVITY_BCS_PROGRESS", "1") == "0" else None
    if not isinstance(progress, (bool, np.bool_)):
        raise TypeError(f"progress must be True, False or None, got {progress!r}")
    return bool(progress)


class Progress:
    """A progress bar over ``total`` units of work (samples, output times) for runs made of many
    short calls: opened at once when ``progress`` is True, after :data:`PROGRESS_AFTER` seconds when
    it is None (automatic), never when False. Use as a context manager; call :meth:`advance`."""

    def __init__(self, total, what: str, progress=None, unit: str = "it"):
        self.total, self.what, self.unit = total, what, unit
        self.progress = progress_enabled(progress)
        self.start = time.perf_counter()
        self.done = 0
        self.bar = None

    def __enter__(self):
        if self.progress:
            self._open()
        return self

    def _open(self):
        from tqdm import tqdm
        self.bar = tqdm(total=self.total, desc=self.what, unit=self.unit, leave=False, mininterval=0.5)
        self.bar.update(self.done)

    def advance(self, n=1) -> None:
        self.done += n
        if self.bar is None and self.progress is None and time.perf_counter() - self.start > PROGRESS_AFTER:
            self._open()
        elif self.bar is not None:
            self.bar.update(n)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()
        return False


def stop_all_runs() -> None:
    """Ask every running kernel to stop at its next step (what Ctrl-C does)."""
    with _ACTIVE_LOCK:
        for monitor in _ACTIVE.values():
            monitor[MONITOR_STOP] = 1.0


@contextmanager
def interruptible():
    """Around code that waits for kernels on other threads: Ctrl-C stops them all, then propagates."""
    try:
        yield
    except KeyboardInterrupt:
        stop_all_runs()
        raise


@contextmanager
def _registered(monitor):
    with _ACTIVE_LOCK:
        _ACTIVE[id(monitor)] = monitor
    try:
        yield
    finally:
        with _ACTIVE_LOCK:
            _ACTIVE.pop(id(monitor), None)


def _watched(run, monitor, t_start, t_final, progress, what):
    """Run ``run()`` (a kernel call that releases the GIL) on a helper thread while the calling
    (main) thread waits: Ctrl-C sets the stop flag, and a progress bar follows ``monitor``."""
    box = {}

    def target():
        try:
            box["out"] = run()
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=target, name=f"cavity_bcs {what}", daemon=True)
    start = time.perf_counter()
    bar = None

    def open_bar():
        from tqdm import tqdm  # on stderr: the book's pages drop it, a terminal shows it
        # a first call also compiles the kernels (5-15 s with a cold cache) before t moves
        return tqdm(total=round(t_final - t_start, 6), desc=what, leave=False, mininterval=0.5,
                    bar_format="{desc}: {percentage:3.0f}%|{bar}| t = {n:.4g}/{total:.4g} [{elapsed}<{remaining}]")

    try:
        if progress:
            bar = open_bar()
        worker.start()
        while worker.is_alive():
            worker.join(0.05)
            if bar is None and progress is None and time.perf_counter() - start > PROGRESS_AFTER:
                bar = open_bar()
            if bar is not None:
                reached = round(min(monitor[MONITOR_TIME], t_final) - t_start, 6)
                if reached != bar.n:  # redraw on progress only (tqdm itself limits the rate)
                    bar.update(reached - bar.n)
    except KeyboardInterrupt:
        monitor[MONITOR_STOP] = 1.0
        worker.join()  # the kernel stops at its next step
        raise KeyboardInterrupt(f"{what} interrupted at t = {monitor[MONITOR_TIME]:.6g}") from None
    finally:
        if bar is not None:
            bar.close()
    if "error" in box:
        raise box["error"]
    return box["out"]


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
    ``method`` that ran, and ``stats`` (the window statistics, slots ``STAT_*`` of
    :mod:`._equations`, from the dense output of every step) when a ``window`` was given.
    """

    obs: np.ndarray
    states: np.ndarray
    y_final: np.ndarray
    n_steps: int
    n_rejected: int
    method: str
    stats: np.ndarray | None = None


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


@contextmanager
def _nothing():
    yield


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
              drive: Drive | None = None, progress=None, window=None) -> Solution:
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
    progress : bool or None
        Show a progress bar (tqdm, on stderr): ``None`` shows one once the run has
        taken :data:`PROGRESS_AFTER` seconds, unless ``CAVITY_BCS_PROGRESS=0``.
    window : (float, float), optional
        ``(t_min, t_max)`` inside the run: return in ``Solution.stats`` the integrals over it
        of :math:`|S^+|`, :math:`|\alpha|^2`, :math:`|\alpha|`, the integral of
        :math:`|\alpha|^2` over the whole run and the extrema of :math:`|S^+|` in it, taken
        from every step's dense output (Gauss–Legendre nodes; extrema refined by a parabola),
        so they do not depend on ``t_save``. DOP853 then evaluates its continuous extension
        on every step.

    Ctrl-C stops a run in the main thread at its next step with ``KeyboardInterrupt``;
    runs on worker threads stop when their caller is interrupted (:func:`interruptible`).

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
    if window is not None:
        window = np.array([float(window[0]), float(window[1])])
        if not (t_save[0] <= window[0] < window[1] <= t_save[-1]):
            raise ValueError(f"window must satisfy t_save[0] <= t_min < t_max <= t_save[-1], got {tuple(window)}")
        if drive is not None:
            raise ValueError("window statistics are not available for driven runs")
    stats = np.zeros(N_STATS)
    # Without a window the kernels get None and compile no statistics code: numba drops a
    # branch on ``window is not None`` before typing when the argument is None, so a cold
    # first quench compiles only what it runs (a sweep, with its window, compiles its own).
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
    monitor = np.zeros(2)
    monitor[MONITOR_TIME] = t_save[0]
    if method == "taylor":
        # None, not False: then numba compiles no threaded pass at all (see _taylor._advance)
        threads = True if threaded else None
        run = lambda: _taylor.integrate(y0, t_save, physics, rtol, max_steps, save_state, threads,  # noqa: E731
                                        monitor, window, stats)
    elif large:
        run = lambda: _dop853.integrate_streaming(y0, t_save, physics, rtol, atol, max_steps,  # noqa: E731
                                                  save_state, threaded, monitor, window, stats)
    else:
        run = lambda: _dop853.integrate(y0, t_save, physics, rtol, atol, max_steps, save_state,  # noqa: E731
                                        monitor, window, stats)
    progress = progress_enabled(progress)
    with _registered(monitor), (_PARALLEL_LOCK if threaded else _nothing()):
        if threading.current_thread() is threading.main_thread():
            obs, states, y_final, status, n_steps, n_rejected, t = _watched(run, monitor, t_save[0], t_save[-1],
                                                                            progress, what)
        else:
            obs, states, y_final, status, n_steps, n_rejected, t = run()
    if status == STATUS_INTERRUPTED:
        raise KeyboardInterrupt(f"{what} interrupted at t = {t:.6g}")
    if status != STATUS_OK:
        raise IntegrationError(_failure(status, t, t_save[-1], max_steps, what))
    return Solution(obs, states, y_final, int(n_steps), int(n_rejected), method,
                    stats if window is not None else None)
