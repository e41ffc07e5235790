r"""Reading a quench's late-time dynamics without the Lax roots: signature and spectral lines.

These classify a :class:`~cavity_bcs.QuenchResult` from :math:`S^+(t)` alone, so
that the phases predicted by root counting (:mod:`cavity_bcs.integrability`) can be
checked against the dynamics independently.
"""
from __future__ import annotations

import numpy as np

from .. import _validate as check
from ..results import TimeSeries

__all__ = ["EXPECTED_SIGNATURE", "quench_signature", "spectral_lines"]


#: What the late-time ``|S+(t)|`` should do in each phase (the quench-side signature).
EXPECTED_SIGNATURE = {"I": "decayed", "II": "constant", "III": "oscillating",
                      "I+1": "steady", "II+1": "oscillating", "III+1": "oscillating"}


def quench_signature(result, t_min: float | None = None, decayed_below: float = 0.01,
                     oscillation_threshold: float = 0.05) -> str:
    r"""Classify the late-time :math:`|S^+(t)|` of a quench, independently of the Lax roots.

    On the window :math:`t \ge t_{min}` (default: the second half of the record)
    with mean :math:`m` and standard deviation :math:`s` of :math:`|S^+|`:

    - ``"oscillating"`` if :math:`s > \max(\text{oscillation\_threshold}\cdot m,\ 0.002)`
      and the fluctuations do not shrink from the first to the second half of
      the window (by more than 15 %): persistent collective oscillations
      (phases III, II+1, III+1), not a dephasing transient;
    - otherwise ``"decayed"`` if :math:`m <` ``decayed_below`` and ``"constant"``
      if not. For the full model both count as ``"steady"`` (phase I+1: the photon
      drives a constant, possibly tiny, :math:`|S^+|`), see :data:`EXPECTED_SIGNATURE`.

    Finite :math:`N` (revivals at :math:`t\sim 2\pi N/W`) and the slow
    (:math:`\sim t^{-1/2}`) decay of transients near a boundary limit this test;
    the thresholds are dimensionless fractions of :math:`|S^+|`.
    """
    check.instance("result", result, TimeSeries)
    decayed_below = check.positive("decayed_below", decayed_below)
    oscillation_threshold = check.positive("oscillation_threshold", oscillation_threshold)
    t_min = result.t[-1] / 2 if t_min is None else check.finite("t_min", t_min)
    sel = result.t >= t_min
    if np.count_nonzero(sel) < 10:
        raise ValueError("the window t >= t_min must hold at least 10 saved times")
    c = np.abs(result.s_plus[sel])
    mean, std = float(c.mean()), float(c.std())
    half = c.size // 2
    # a dephasing transient shrinks (~1/t) from the first to the second half of the
    # window; persistent collective oscillations do not
    persistent = c[half:].std() > 0.85 * c[:half].std()
    if std > max(oscillation_threshold * mean, 0.002) and persistent:
        return "oscillating"
    if getattr(result, "adiabatic", False):
        return "decayed" if mean < decayed_below else "constant"
    return "steady"


def spectral_lines(result, t_min: float | None = None, threshold: float = 0.003, max_lines: int = 6):
    r"""Strongest spectral lines of the late-time :math:`S^+(t)` of a quench.

    Each isolated root pair :math:`u_k` of :math:`\ell^2` is a collective mode that
    keeps precessing at angular frequency :math:`2\,\mathrm{Re}\,u_k`; the
    dephasing continuum only adds a decaying background. The complex
    :math:`S^+(t) \propto e^{+i\omega t}` for a mode at frequency :math:`\omega`
    (since :math:`s_i\propto e^{-2i\varepsilon_i t}`), so its Hann-windowed Fourier
    transform over :math:`t\ge t_{min}` shows lines at :math:`\omega_k = 2\,\mathrm{Re}\,u_k`.

    Parameters
    ----------
    result : QuenchResult
    t_min : float, optional
        Start of the window (default: half the record), units of :math:`1/\chi N`.
    threshold : float
        Smallest line amplitude kept (same units as :math:`|S^+|`).
    max_lines : int
        Largest number of lines returned.

    Returns
    -------
    (frequencies, amplitudes) : two ndarrays, strongest first; angular
        frequencies in units of :math:`\chi N`. The resolution is
        :math:`\sim 2\pi/(t_{final}-t_{min})`.
    """
    check.instance("result", result, TimeSeries)
    threshold = check.nonnegative("threshold", threshold)
    max_lines = check.integer("max_lines", max_lines, minimum=1)
    t_min = result.t[-1] / 2 if t_min is None else check.finite("t_min", t_min)
    sel = result.t >= t_min
    if np.count_nonzero(sel) < 16:
        raise ValueError("the window t >= t_min must hold at least 16 saved times")
    t = result.t[sel]
    window = np.hanning(t.size)
    spectrum = np.abs(np.fft.fft(result.s_plus[sel] * window)) / window.sum()
    omega = 2 * np.pi * np.fft.fftfreq(t.size, t[1] - t[0])
    inner = spectrum[1:-1]
    peaks = np.nonzero((inner > spectrum[:-2]) & (inner >= spectrum[2:]) & (inner > threshold))[0] + 1
    peaks = peaks[np.argsort(-spectrum[peaks])][:max_lines]
    return omega[peaks], spectrum[peaks]
