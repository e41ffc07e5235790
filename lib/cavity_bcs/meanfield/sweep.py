r"""Parameter sweeps of mean-field quenches: many points, a few numbers each.

A sweep varies some fields of a base :class:`~cavity_bcs.Model` over a grid,
runs :func:`~cavity_bcs.quench` at every point and keeps, per point, the
observables of :data:`OBSERVABLES` (all dimensionless, normalised per :math:`N`):

``coherence_avg``
    time average of :math:`|S^+(t)|` over the window;
``coherence_late``
    mean of :math:`|S^+|` over the late window;
``coherence_swing``
    half the peak-to-peak range of :math:`|S^+|` over the late window (the
    amplitude of persistent oscillations; ~0 in phases I and II);
``n_photon_avg``
    time average of :math:`\langle a^\dagger a\rangle/N` over the window;
``photon_late``
    mean of :math:`|\langle a\rangle|/\sqrt N` over the late window;
``n_photon_run_avg``
    time average of :math:`\langle a^\dagger a\rangle/N` over the whole run
    :math:`[0, t_{final}]` (the paper's Fig. 5 quantity).

Points run in parallel: by default on a thread pool with one worker per core
(the numba kernels release the GIL), or on any ``concurrent.futures``-style
executor — anything with ``submit(fn, *args)`` returning futures with
``result()``, such as a ``dask.distributed.Client``. A ``checkpoint`` file
(``.npz``, read with ``allow_pickle=False``) is rewritten as points finish, so
an interrupted sweep resumes without recomputing them.
"""
from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields

import numpy as np

from .. import _validate as check
from ..model import Model
from ..results import time_average
from .quench import quench
from .states import x_polarized

__all__ = ["OBSERVABLES", "SweepResult", "sweep", "quench_observables"]

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


def quench_observables(model: Model, t_final: float, window, n_save: int = 2001,
                       adiabatic: bool = False, delta_phi0: float = 0.0, photon="vacuum") -> np.ndarray:
    """Run one quench and reduce it to the :data:`OBSERVABLES` (in that order)."""
    r = quench(model, t_final, n_save=n_save, adiabatic=adiabatic,
               initial=x_polarized(model, delta_phi0=delta_phi0, photon=photon))
    t_min, t_max = window
    late = (r.t >= t_min) & (r.t <= t_max)
    coherence = r.coherence[late]
    return np.array([
        time_average(r.t, r.coherence, t_min, t_max),
        coherence.mean(),
        0.5 * np.ptp(coherence),
        time_average(r.t, r.n_photon, t_min, t_max),
        np.abs(r.photon[late]).mean(),
        time_average(r.t, r.n_photon),
    ])


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
        Saved times per quench (resolution of the averages).
    adiabatic, delta_phi0, photon
        Passed to :func:`~cavity_bcs.quench` and :func:`~cavity_bcs.x_polarized`.
    kappa_per_g : float, optional
        If given, :math:`\kappa = ` ``kappa_per_g`` :math:`\times g\sqrt N` at each
        point (the paper fixes :math:`\kappa/(g\sqrt N) = 1.4\times10^{-2}`).
    executor : Executor-like, optional
        Anything with ``submit``; default a thread pool of ``workers``
        (default: one per core) threads.
    progress : bool
        Show a tqdm progress bar (notebook or terminal).
    checkpoint : str or path, optional
        ``.npz`` file written as points finish; if it exists and was made by the
        same sweep, finished points are loaded instead of recomputed.
    """
    if not isinstance(base, Model):
        raise ValueError(f"base must be a cavity_bcs.Model, got {type(base).__name__}")
    if base.energies is not None or base.coupling_profile is not None:
        raise ValueError("base must not carry explicit energies or coupling_profile in a sweep")
    if not grid:
        raise ValueError("grid must name at least one axis")
    axes = {}
    for name, values in grid.items():
        if name not in _SWEEPABLE:
            raise ValueError(f"grid axis {name!r} is not sweepable; choose from {_SWEEPABLE}")
        values = np.atleast_1d(np.asarray(values, dtype=float))
        if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
            raise ValueError(f"grid axis {name!r} must be a non-empty 1-d array of finite numbers")
        axes[name] = values
    if kappa_per_g is not None:
        kappa_per_g = check.nonnegative("kappa_per_g", kappa_per_g)
        if "kappa" in axes:
            raise ValueError("give either a kappa axis or kappa_per_g, not both")
    t_final = check.positive("t_final", t_final)
    window = (0.5 * t_final, t_final) if window is None else tuple(map(float, window))
    if not (0 <= window[0] < window[1] <= t_final):
        raise ValueError(f"window must satisfy 0 <= t_min < t_max <= t_final, got {window}")
    n_save = check.integer("n_save", n_save, minimum=2)

    shape = tuple(a.size for a in axes.values())
    points = list(np.ndindex(*shape))
    base_fields = {f.name: getattr(base, f.name) for f in fields(base)
                   if f.name not in ("energies", "coupling_profile")}
    settings = dict(t_final=t_final, window=list(window), n_save=n_save, adiabatic=bool(adiabatic),
                    delta_phi0=float(delta_phi0), photon=str(photon), kappa_per_g=kappa_per_g)
    # Validate every grid point before any work starts.
    changes = []
    for idx in points:
        ch = {name: axes[name][i] for name, i in zip(axes, idx)}
        if "n_atoms" in ch:
            ch["n_atoms"] = int(round(ch["n_atoms"]))
        Model(**{**base_fields, **ch})
        changes.append(ch)

    values = np.full((len(OBSERVABLES),) + shape, np.nan)
    done = np.zeros(shape, dtype=bool)
    signature = _signature(base, axes, settings)
    if checkpoint is not None and os.path.exists(checkpoint):
        with np.load(checkpoint, allow_pickle=False) as saved:
            if str(saved["signature"]) == signature:
                values = saved["values"].copy()
                done = saved["done"].copy()

    def save():
        if checkpoint is None:
            return
        tmp = str(checkpoint) + ".tmp.npz"
        np.savez(tmp, signature=np.array(signature), values=values, done=done,
                 **{f"axis_{k}": v for k, v in axes.items()})
        os.replace(tmp, checkpoint)

    todo = [(idx, ch) for idx, ch in zip(points, changes) if not done[idx]]
    own_pool = executor is None
    if own_pool:
        executor = ThreadPoolExecutor(max_workers=check.workers(workers))
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(points), initial=len(points) - len(todo), desc="quenches")
    try:
        futures = [(idx, executor.submit(_point, base_fields, ch, kappa_per_g, t_final, window,
                                         n_save, adiabatic, delta_phi0, photon))
                   for idx, ch in todo]
        for count, (idx, future) in enumerate(futures, 1):
            values[(slice(None),) + idx] = future.result()
            done[idx] = True
            if bar is not None:
                bar.update(1)
            if count % 8 == 0:
                save()
    finally:
        save()
        if bar is not None:
            bar.close()
        if own_pool:
            executor.shutdown(wait=True, cancel_futures=True)
    return SweepResult(axes=axes, values={name: values[k] for k, name in enumerate(OBSERVABLES)},
                       base=base, settings=settings)
