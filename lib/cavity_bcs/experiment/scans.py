r"""Quench observables against the detuning in laboratory settings (the paper's Fig. 3), and loss decay times."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .. import _validate as check
from ..meanfield.quench import quench
from ..model import Model
from ..results import time_average
from .preparation import drive_state

__all__ = ["DetuningScan", "detuning_scan", "LossDecay", "loss_decay"]


@dataclass(frozen=True, eq=False)
class DetuningScan:
    r"""Quench observables against the detuning (Fig. 3 of the paper).

    Attributes
    ----------
    delta_c : ndarray
        Detunings :math:`\Delta_c/\chi N`.
    n_photon_avg : ndarray
        :math:`\frac{1}{T}\int_0^T\langle a^\dagger a\rangle/N\,dt` over the whole run.
    coherence_avg : ndarray
        :math:`\frac{1}{T}\int_0^T|S^+|\,dt`.
    n_photon_initial : ndarray
        :math:`\langle a^\dagger a\rangle/N` at :math:`t = 0`.
    models : tuple of Model
        The model at each detuning.
    t_final : float
        :math:`T`, units of :math:`1/\chi N`.
    """

    delta_c: np.ndarray
    n_photon_avg: np.ndarray
    coherence_avg: np.ndarray
    n_photon_initial: np.ndarray
    models: tuple
    t_final: float


def detuning_scan(make_model, detunings, t_final: float, initial="drive", n_save: int = 2001,
                  workers: int | None = None) -> DetuningScan:
    r"""Quench at each detuning and average the photon density and coherence over the run.

    Parameters
    ----------
    make_model : callable
        ``make_model(delta_c) -> Model`` (e.g. built from
        :class:`~cavity_bcs.units.LabParameters`, so that :math:`\kappa/\chi N`
        follows the detuning at fixed laboratory :math:`\kappa`).
    detunings : array_like
        :math:`\Delta_c/\chi N` values.
    t_final : float or callable
        Run length in units of :math:`1/\chi N`, or ``t_final(model)``.
    initial : {"drive", "x"} or callable
        ``"drive"``: :func:`drive_state`; ``"x"``: every spin along :math:`+x`, empty
        cavity; or ``initial(model) -> State``.
    workers : int, optional
        Threads (the numba kernels release the GIL); default one per core.
    """
    detunings = np.atleast_1d(np.asarray(detunings, dtype=float))
    if detunings.ndim != 1 or detunings.size == 0:
        raise ValueError("detunings must be a non-empty 1-d array")
    if initial == "drive":
        make_initial = drive_state
    elif initial == "x":
        make_initial = None
    elif callable(initial):
        make_initial = initial
    else:
        raise ValueError(f"initial must be 'drive', 'x' or a callable, got {initial!r}")
    models = tuple(make_model(float(d)) for d in detunings)
    for m in models:
        if not isinstance(m, Model):
            raise ValueError("make_model must return cavity_bcs.Model instances")
    finals = [float(t_final(m)) if callable(t_final) else float(t_final) for m in models]

    def run(k):
        m = models[k]
        init = None if make_initial is None else make_initial(m)
        r = quench(m, finals[k], n_save=n_save, initial=init)
        return (time_average(r.t, r.n_photon), time_average(r.t, r.coherence), r.n_photon[0])

    with ThreadPoolExecutor(max_workers=check.workers(workers)) as pool:
        rows = np.array(list(pool.map(run, range(len(models)))))
    return DetuningScan(delta_c=detunings, n_photon_avg=rows[:, 0], coherence_avg=rows[:, 1],
                        n_photon_initial=rows[:, 2], models=models,
                        t_final=finals[0] if len(set(finals)) == 1 else np.array(finals))


@dataclass(frozen=True, eq=False)
class LossDecay:
    r"""When loss has eaten into the coherence of a quench.

    Attributes
    ----------
    time_us : float
        First lab time (µs) at which the smoothed ratio
        :math:`|S^+|_\kappa/|S^+|_{\kappa=0}` falls below ``level`` (``inf`` if never).
    t_us : ndarray
        Lab times (µs) of the samples.
    ratio : ndarray
        The smoothed ratio at those times.
    """

    time_us: float
    t_us: np.ndarray
    ratio: np.ndarray


def loss_decay(lossy, ideal, lab, level: float = 0.6, smooth_us: float = 0.5) -> LossDecay:
    r"""Decay of :math:`|S^+|` caused by loss: compare a lossy quench with the lossless one.

    Both runs share their saved times (units of :math:`1/\chi N`, converted with ``lab``,
    a :class:`~cavity_bcs.units.LabParameters`). The ratio is smoothed over ``smooth_us``
    so that the coherence's own oscillations do not trigger the threshold.
    """
    level = check.positive("level", level)
    smooth_us = check.positive("smooth_us", smooth_us)
    if lossy.t.shape != ideal.t.shape:
        raise ValueError("lossy and ideal must be saved at the same times")
    t_us = lab.time_to_ms(lossy.t) * 1e3
    width = max(1, int(round(smooth_us / (t_us[1] - t_us[0]))))
    kernel = np.ones(width) / width
    ratio = np.convolve(lossy.coherence, kernel, "same") / np.convolve(ideal.coherence, kernel, "same")
    below = np.flatnonzero((ratio < level) & (t_us > smooth_us))
    return LossDecay(time_us=float(t_us[below[0]]) if below.size else np.inf, t_us=t_us, ratio=ratio)
