r"""Behaviour shared by every time-series result: mean field, exact, truncated Wigner, cumulants.

A result has times ``t`` (units of :math:`1/\chi N`) and a coherence ``s_plus``
(:math:`S^+ = (1/N)\sum_i\langle\sigma^+_i\rangle`); results that also carry
:math:`\langle S^+S^-\rangle` (``pair_correlation``) get the phase-insensitive
``pair_coherence``. The helpers :func:`time_average` and :func:`first_departure`
work on any sampled curve.
"""
from __future__ import annotations

import numpy as np

from . import _validate as check

__all__ = ["TimeSeries", "PairCoherent", "time_average", "first_departure"]


def time_average(t, values, t_min=None, t_max=None) -> float:
    r"""Trapezoidal time average :math:`\frac{1}{t_{max}-t_{min}}\int v\,dt` over saved samples.

    Defaults to the whole record. The window must hold at least two samples.
    """
    t = check.finite_array("t", t)
    values = check.numeric_array("values", values)
    if t.ndim != 1 or values.shape != t.shape:
        raise ValueError(f"t and values must be 1-d of the same length, got shapes {t.shape} and {values.shape}")
    t_min = t[0] if t_min is None else check.finite("t_min", t_min)
    t_max = t[-1] if t_max is None else check.finite("t_max", t_max)
    sel = (t >= t_min) & (t <= t_max)
    if np.count_nonzero(sel) < 2:
        raise ValueError(f"the window [t_min, t_max] = [{t_min}, {t_max}] must contain at least two saved times "
                         f"(saved: {t[0]:g} .. {t[-1]:g})")
    ts, vs = t[sel], values[sel]
    return float(np.trapezoid(vs, ts) / (ts[-1] - ts[0]))


def first_departure(t, a, b, threshold: float = 0.1) -> float:
    r"""First time at which two sampled curves differ by more than ``threshold``.

    ``t``, ``a``, ``b`` share one time grid (e.g. :math:`|S^+|` of two methods);
    returns ``inf`` if :math:`|a - b|` never exceeds ``threshold`` (``> 0``). Used to
    define how long mean field tracks a quantum calculation.
    """
    threshold = check.positive("threshold", threshold)
    t = check.finite_array("t", t)
    a = check.numeric_array("a", a)
    b = check.numeric_array("b", b)
    if not (t.shape == a.shape == b.shape):
        raise ValueError(f"t, a and b must have the same shape, got {t.shape}, {a.shape}, {b.shape}")
    off = np.flatnonzero(np.abs(a - b) > threshold)
    return float(t[off[0]]) if off.size else np.inf


class TimeSeries:
    """Shared behaviour of every result with times ``t`` and a coherence ``s_plus``."""

    @property
    def coherence(self) -> np.ndarray:
        r""":math:`|S^+(t)|`."""
        return np.abs(self.s_plus)

    def time_average(self, quantity="coherence", t_min=None, t_max=None) -> float:
        """Time average of ``quantity`` (an attribute name) over ``[t_min, t_max]``.

        See :func:`time_average`.
        """
        if not isinstance(quantity, str) or not hasattr(self, quantity):  # a name, never an array
            raise ValueError(f"quantity must name an attribute of the result, got {quantity!r}")
        return time_average(self.t, getattr(self, quantity), t_min, t_max)


class PairCoherent(TimeSeries):
    r"""Results that also carry :math:`\langle S^+S^-\rangle` (``pair_correlation``)."""

    @property
    def pair_coherence(self) -> np.ndarray:
        r"""Phase-insensitive coherence :math:`\sqrt{(1/N^2)\sum_{i\ne j}\langle\sigma^+_i\sigma^-_j\rangle}`.

        The :math:`i = j` terms, :math:`(1/N^2)\sum_i\langle\sigma^+_i\sigma^-_i\rangle =
        (1 + \tfrac1N\sum_i\langle\sigma^z_i\rangle/2)/N`, are removed from
        ``pair_correlation``: they leave a floor :math:`\approx 1/N` even for
        uncorrelated spins. For a product state its square is
        :math:`|S^+|^2 - (1/N^2)\sum_i|\langle\sigma^+_i\rangle|^2` (:math:`|S^+|` up to
        :math:`O(1/N)`); unlike :math:`|\langle S^+\rangle|` it survives a spread of the
        global phase. (Negative estimates, possible from sampling noise, are clipped to 0.)
        """
        N = self.model.n_pairs
        spin_z_half = self.excitations - self.n_photon  # (1/2N) sum_i <sigma^z_i>
        off_diagonal = self.pair_correlation - (1.0 + spin_z_half) / N
        return np.sqrt(np.clip(off_diagonal, 0.0, None))
