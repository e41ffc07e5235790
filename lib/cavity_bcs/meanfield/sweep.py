r"""Parameter sweeps of mean-field quenches: many points, a few numbers each.

A sweep varies some fields of a base :class:`~cavity_bcs.Model` over a grid,
runs :func:`~cavity_bcs.quench` at every point and keeps, per point, the
observables of :data:`OBSERVABLES` (all dimensionless, normalised per :math:`N`), taken
from the integrator's dense output over every step, not from saved points
(:func:`quench_observables`):

``coherence_avg``
    time average of :math:`|S^+(t)|` over the window;
``coherence_late``
    the same time average (an older name kept for compatibility);
``coherence_swing``
    half the peak-to-peak range of :math:`|S^+|` over the window (the
    amplitude of persistent oscillations; ~0 in phases I and II);
``n_photon_avg``
    time average of :math:`\langle a^\dagger a\rangle/N` over the window;
``photon_late``
    time average of :math:`|\langle a\rangle|/\sqrt N` over the window;
``n_photon_run_avg``
    time average of :math:`\langle a^\dagger a\rangle/N` over the whole run
    :math:`[0, t_{final}]` (the paper's Fig. 5 quantity).

Points run in parallel: by default on a thread pool with one worker per core
(the numba kernels release the GIL), or on any ``concurrent.futures``-style
executor — anything with ``submit(fn, *args)`` returning futures with
``result()``, such as a ``dask.distributed.Client``. A ``checkpoint`` file
(``.npz``, read with ``allow_pickle=False``) receives finished points as they
finish (at least every second), atomically, so an interrupted or killed sweep
resumes without recomputing them and gives bit-for-bit the result of an
uninterrupted one; see :mod:`._checkpoint` for locking and validation.
"""
from __future__ import annotations

import json
import time
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, fields

import numpy as np

from .. import _validate as check
from ..model import Model
from . import _engine
from ._checkpoint import Checkpoint
from ._equations import (
    STAT_COHERENCE,
    STAT_COHERENCE_MAX,
    STAT_COHERENCE_MIN,
    STAT_N_PHOTON,
    STAT_N_PHOTON_RUN,
    STAT_PHOTON,
    pack,
    physics,
)
from .states import resolve_photon, x_polarized

__all__ = ["OBSERVABLES", "SweepResult", "sweep", "quench_observables"]

#: The observables a sweep records at every grid point (the keys of ``SweepResult.values``), in order.
OBSERVABLES = ("coherence_avg", "coherence_late", "coherence_swing", "n_photon_avg", "photon_late",
               "n_photon_run_avg")
_SWEEPABLE = ("eps0", "W", "delta_c", "kappa", "n_atoms")


@dataclass(frozen=True, eq=False)
class SweepResult:
    """Observables on a parameter grid.

    Attributes
    ----------
    axes : dict[str, ndarray]
        Grid axes in order, e.g. ``{"delta_c": ..., "W": ...}`` (units of :math:`\\chi N`).
    values : dict[str, ndarray]
        Each observable of :data:`OBSERVABLES`, shaped like the grid.
    base : Model
        The model whose other fields every point shares.
    settings : dict
        ``t_final``, ``window``, ``n_save``, ``adiabatic``, ``delta_phi0``,
        ``photon``, ``kappa_per_g`` — everything else that fixed the runs.
    """

    axes: dict
    values: dict
    base: Model
    settings: dict

    def __getitem__(self, name):
        return self.values[name]

    @property
    def shape(self):
        return tuple(len(a) for a in self.axes.values())

    def to_xarray(self):
        """This sweep as an :class:`xarray.Dataset` with one coordinate per swept parameter.

        Needs xarray; :mod:`cavity_bcs.labelled` describes the layout.
        """
        from ..labelled import sweep_dataset
        return sweep_dataset(self)


def quench_observables(model: Model, t_final: float, window, n_save: int = 2001,
                       adiabatic: bool = False, delta_phi0: float = 0.0, photon="vacuum") -> np.ndarray:
    r"""Run one quench (as :func:`~cavity_bcs.quench` with its default tolerances) and reduce it to
    the :data:`OBSERVABLES`, in that order.

    The statistics come from the integrator's dense output, not from saved points: the time
    averages are Gauss–Legendre integrals over every step's interpolant (DOP853's continuous
    extension, or the Taylor series), the swing is the exact range of :math:`|S^+|` over the
    window (each step's samples refined by a parabola). So they do not depend on ``n_save``,
    which is accepted for compatibility and ignored; ``coherence_late`` is the same time
    average as ``coherence_avg``.
    """
    initial = x_polarized(model, delta_phi0=delta_phi0, photon=photon)
    t_min, t_max = (float(window[0]), float(window[1]))
    n = model.n_atoms
    drive = 2.0 * model.g_collective * float(np.max(np.abs(model.couplings))) * abs(initial.photon)
    check.steps("quench", t_final, max(model.fastest_frequency, drive), _MAX_STEPS, model.frequency_source())
    sol = _engine.integrate(
        pack(initial.spins, initial.photon), np.array([0.0, float(t_final)]),
        physics(model.eps, model.couplings, np.ones(n), model.g_collective, model.delta_c, model.kappa,
                model.gamma, model.dephasing, adiabatic, 1.0 / model.n_pairs),
        rtol=1e-10, atol=1e-12, max_steps=_MAX_STEPS, save_state=False, what="quench", window=(t_min, t_max))
    st = sol.stats
    span = t_max - t_min
    average = st[STAT_COHERENCE] / span
    return np.array([
        average,
        average,
        0.5 * (st[STAT_COHERENCE_MAX] - st[STAT_COHERENCE_MIN]),
        st[STAT_N_PHOTON] / span,
        st[STAT_PHOTON] / span,
        st[STAT_N_PHOTON_RUN] / float(t_final),
    ])


#: The step limit of :func:`~cavity_bcs.quench`'s default.
_MAX_STEPS = 10_000_000


def _point(base_fields, changes, kappa_per_g, t_final, window, n_save, adiabatic, delta_phi0, photon):
    # Top-level and built from plain data so that process pools and dask can ship it.
    params = dict(base_fields)
    params.update(changes)
    if kappa_per_g is not None:
        # kappa fixed relative to the collective coupling g sqrt(N) = sqrt(delta_c).
        params["kappa"] = kappa_per_g * np.sqrt(params["delta_c"])
    model = Model(**params)
    return quench_observables(model, t_final, window, n_save, adiabatic, delta_phi0, photon)


def _signature(base, axes, settings):
    base_fields = {f.name: getattr(base, f.name) for f in fields(base)
                   if f.name not in ("energies", "coupling_profile")}
    return json.dumps({"base": base_fields, "axes": {k: list(map(float, v)) for k, v in axes.items()},
                       "settings": settings}, sort_keys=True, default=str)


def sweep(base: Model, grid: dict, t_final: float, *, window=None, n_save: int = 2001,
          adiabatic: bool = False, delta_phi0: float = 0.0, photon="vacuum", kappa_per_g=None,
          executor=None, workers=None, progress=True, checkpoint=None) -> SweepResult:
    r"""Run a quench at every point of ``grid`` and return the observables.

    Parameters
    ----------
    base : Model
        Fields not on the grid are taken from here. Explicit ``energies`` and
        ``coupling_profile`` are not supported in sweeps (they fix ``n_atoms``).
    grid : dict[str, array_like]
        Axes, e.g. ``{"delta_c": np.geomspace(0.1, 100, 40)}``; keys among
        ``eps0``, ``W``, ``delta_c``, ``kappa``, ``n_atoms``. The grid is their
        outer product, in the order given.
    t_final : float
        Length of each quench, units of :math:`1/(\chi N)`.
    window : (float, float), optional
        Averaging window; default the second half ``(t_final/2, t_final)``.
    n_save : int
        Kept for compatibility (checked, recorded in ``settings``); the observables come from
        the dense output of every integrator step and do not depend on it.
    adiabatic, delta_phi0, photon
        Passed to :func:`~cavity_bcs.quench` and :func:`~cavity_bcs.x_polarized`.
    kappa_per_g : float, optional
        If given, :math:`\kappa = ` ``kappa_per_g`` :math:`\times g\sqrt N` at each
        point (the paper fixes :math:`\kappa/(g\sqrt N) = 1.4\times10^{-2}`).
    executor : Executor-like, optional
        Anything with ``submit``; default a thread pool of ``workers``
        (default: one per core) threads.
    workers : int, optional
        Threads of the default pool (one per core by default); each runs one point
        with BLAS limited to one thread.
    progress : bool
        Show a tqdm progress bar (notebook or terminal).
    checkpoint : str or path, optional
        ``.npz`` file that receives finished points; if it exists and was made by the
        same sweep, finished points are loaded instead of recomputed. Its directory
        must exist. Damaged files are set aside with a warning; a checkpoint in use by
        another sweep is refused.

    Ctrl-C stops the sweep (running quenches stop at their next step) after saving
    the finished points.
    """
    check.instance("base", base, Model)
    if base.energies is not None or base.coupling_profile is not None:
        raise ValueError("base must not carry explicit energies or coupling_profile in a sweep")
    if not isinstance(grid, dict) or not grid:
        raise ValueError("grid must be a dict naming at least one axis, e.g. {'delta_c': [1.0, 6.0]}")
    axes = {}
    for name, values in grid.items():
        if name not in _SWEEPABLE:
            raise ValueError(f"grid axis {name!r} is not sweepable; choose from {_SWEEPABLE}")
        axes[name] = check.finite_array(f"grid axis {name!r}", np.atleast_1d(values))
        if axes[name].ndim != 1 or axes[name].size == 0:
            raise ValueError(f"grid axis {name!r} must be a non-empty 1-d array of finite numbers")
        if name == "n_atoms" and not np.all(axes[name] == np.round(axes[name])):
            raise ValueError(f"grid axis 'n_atoms' must hold integers, got {axes[name]}")
    if kappa_per_g is not None:
        # kappa/(g sqrt N): the paper's 1.4e-2; beyond 1e6 the cavity is gone long before anything happens
        kappa_per_g = check.in_range("kappa_per_g", kappa_per_g, 0.0, 1e6)
        if "kappa" in axes:
            raise ValueError("give either a kappa axis or kappa_per_g, not both")
    t_final = check.positive("t_final", t_final)
    if window is None:
        window = (0.5 * t_final, t_final)
    else:
        if len(window) != 2:
            raise ValueError(f"window must be a pair (t_min, t_max), got {window!r}")
        window = (check.finite("window[0]", window[0]), check.finite("window[1]", window[1]))
    if not (0 <= window[0] < window[1] <= t_final):
        raise ValueError(f"window must satisfy 0 <= t_min < t_max <= t_final, got {window}")
    n_save = check.integer("n_save", n_save, minimum=2)
    adiabatic = check.boolean("adiabatic", adiabatic)
    delta_phi0 = check.finite("delta_phi0", delta_phi0)
    progress = check.boolean("progress", progress)
    resolve_photon(photon, base, np.zeros((base.n_atoms, 3)))  # the type and value, before any work
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise check.ParameterTypeError(f"executor must have a submit(fn, *args) method (a concurrent.futures "
                                       f"executor or a dask Client), got {type(executor).__name__}")
    workers = check.workers(workers)

    shape = tuple(a.size for a in axes.values())
    points = list(np.ndindex(*shape))
    base_fields = {f.name: getattr(base, f.name) for f in fields(base)
                   if f.name not in ("energies", "coupling_profile")}
    settings = dict(t_final=t_final, window=list(window), n_save=n_save, adiabatic=adiabatic,
                    delta_phi0=delta_phi0, photon=str(photon), kappa_per_g=kappa_per_g)
    # Validate every grid point before any work starts.
    changes = []
    for idx in points:
        ch = {name: axes[name][i] for name, i in zip(axes, idx)}
        if "n_atoms" in ch:
            ch["n_atoms"] = int(ch["n_atoms"])
        Model(**{**base_fields, **ch})
        changes.append(ch)

    values = np.full((len(OBSERVABLES),) + shape, np.nan)
    done = np.zeros(shape, dtype=bool)
    store = None
    if checkpoint is not None:
        store = Checkpoint(checkpoint, _signature(base, axes, settings), values.shape, done.shape)
    with store if store is not None else _no_checkpoint():
        if store is not None:
            loaded = store.load()
            if loaded is not None:
                values, done = loaded
        _run_points(values, done, points, changes, store, axes, executor, workers, progress,
                    (base_fields, kappa_per_g, t_final, window, n_save, adiabatic, delta_phi0, photon))
    return SweepResult(axes=axes, values={name: values[k] for k, name in enumerate(OBSERVABLES)},
                       base=base, settings=settings)


@contextmanager
def _no_checkpoint():
    yield


#: Finished points reach the checkpoint at least this often (seconds of work lost at most by a kill).
SAVE_EVERY = 1.0


def _run_points(values, done, points, changes, store, axes, executor, workers, progress, args):
    """Run the points not yet done; results are taken in the order they finish and saved at
    least every ``SAVE_EVERY`` seconds (atomically, see :mod:`._checkpoint`)."""
    base_fields, kappa_per_g, t_final, window, n_save, adiabatic, delta_phi0, photon = args
    todo = [(idx, ch) for idx, ch in zip(points, changes) if not done[idx]]
    extra = {f"axis_{k}": v for k, v in axes.items()}

    def save():
        if store is not None:
            store.save(values, done, **extra)

    own_pool = executor is None
    if own_pool:
        executor = ThreadPoolExecutor(max_workers=workers, initializer=_one_blas_thread)
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(points), initial=len(points) - len(todo), desc="quenches")
    last_save = time.monotonic()
    try:
        with _engine.interruptible():
            futures = {executor.submit(_point, base_fields, ch, kappa_per_g, t_final, window, n_save, adiabatic,
                                       delta_phi0, photon): idx for idx, ch in todo}
            for future in _as_completed(futures):
                idx = futures[future]
                values[(slice(None),) + idx] = future.result()
                done[idx] = True
                if bar is not None:
                    bar.update(1)
                if time.monotonic() - last_save >= SAVE_EVERY:
                    save()
                    last_save = time.monotonic()
    finally:
        save()
        if bar is not None:
            bar.close()
        if own_pool:
            executor.shutdown(wait=True, cancel_futures=True)


def _as_completed(futures):
    """Futures in the order they finish (concurrent.futures' and dask's); any other future-like
    object, which can only be asked for its ``result()``, in the order of submission."""
    first = next(iter(futures), None)
    if first is None:
        return iter(())
    if isinstance(first, Future):
        return as_completed(futures)
    if type(first).__module__.startswith("distributed"):
        from distributed import as_completed as dask_as_completed
        return dask_as_completed(list(futures))
    return iter(futures)


def _one_blas_thread():
    # Threads of the library's own pool each run one point: a threaded BLAS inside them
    # would oversubscribe the cores (dense eigen-solves ran 30x slower on two cores).
    from threadpoolctl import threadpool_limits
    threadpool_limits(1)
