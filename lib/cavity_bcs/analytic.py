r"""Closed-form results used as independent checks of the numerics.

Units: energies in :math:`\chi N`, times in :math:`1/(\chi N)`.
"""
import numpy as np

from . import _validate as check

__all__ = ["phase_two_plateau_flat_band", "free_precession"]


def phase_two_plateau_flat_band(W):
    r"""Late-time :math:`|S^+(\infty)|` of the spin model for :math:`\varepsilon_0 = 0`.

    With both boxes on top of each other (one flat band of :math:`\varepsilon_i`
    of width :math:`W/2`) and every spin initially along :math:`+x`, the
    one-channel BCS model settles into phase II with

    .. math:: |S^+(\infty)| = \frac{W}{4\chi N}\cot\frac{W}{4\chi N},

    which falls to zero at :math:`W = 2\pi\chi N`, the II/I boundary. Valid for
    :math:`0 \le W < 2\pi` (units of :math:`\chi N`); returns 1 at ``W = 0``.
    """
    W = np.asarray(check.finite("W", W) if np.ndim(W) == 0 else check.finite_array("W", W))
    if np.any(W < 0) or np.any(W >= 2 * np.pi):
        raise ValueError("W must lie in [0, 2*pi) (units of chi*N) for the phase-II plateau")
    x = W / 4.0
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(x == 0, 1.0, x / np.tan(np.where(x == 0, 1.0, x)))
    return value if value.ndim else float(value)


def free_precession(t, s0, a0, eps, delta_c, kappa=0.0):
    r"""Uncoupled evolution (:math:`g = 0`): :math:`s_i(t) = s_i(0)e^{-2i\varepsilon_i t}`,
    :math:`a(t) = a(0)\,e^{-i\Delta_c t - \kappa t/2}`.

    Returns ``(s, a)`` with ``s`` of shape ``(len(t), len(s0))``.
    """
    check.nonnegative("kappa", kappa)
    t = np.asarray(t, dtype=float)[:, None]
    s = np.asarray(s0)[None, :] * np.exp(-2j * np.asarray(eps)[None, :] * t)
    a = a0 * np.exp((-1j * delta_c - 0.5 * kappa) * t[:, 0])
    return s, a
