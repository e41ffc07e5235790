r"""Coupling profiles: the relative couplings :math:`f_i = g_i/g` of atoms in a standing-wave cavity.

In a standing-wave cavity around an optical lattice the atom on site :math:`i`
couples with :math:`g_i = g\cos(k_0 a_0 i)`, :math:`k_0 a_0 = 3.7` for the
strontium experiments the paper quotes. A :class:`~cavity_bcs.Model` takes the
*relative* couplings :math:`f_i = g_i/g` as ``coupling_profile``; the
reference :math:`g` sets the units (:math:`g\sqrt N = \sqrt{\chi N\Delta_c}`).

Normalisation (the ``normalize`` argument of the profile functions):

``"peak"`` (default)
    :math:`g` is the largest coupling, :math:`\max_i|f_i| = 1`: the paper's
    :math:`g_i = g\cos(k_0a_0 i)`, with :math:`g/2\pi = 10.8` kHz the measured
    peak coupling. The collective coupling :math:`\sqrt{\sum_i g_i^2}` is then
    :math:`g\sqrt{2N\,\overline{f^2}}\approx g\sqrt N` for the cosine
    (:math:`\overline{\cos^2} = 1/2`), a factor :math:`\sqrt2` below a
    homogeneous ensemble of the same :math:`g`.
``"rms"``
    :math:`\overline{f^2} = (1/2N)\sum_i f_i^2 = 1`: the inhomogeneous ensemble
    has the same collective coupling :math:`\sqrt{\sum_i g_i^2} = g\sqrt{2N}` as
    the homogeneous one, so only the *spread* of couplings differs.
``None``
    The values as given.

Atom :math:`i` of the model (upper band first) sits on lattice site :math:`i+1`;
because :math:`k_0a_0/2\pi` is irrational the :math:`f_i` are equidistributed and
uncorrelated with the (smoothly ordered) :math:`\varepsilon_i`.
"""
from __future__ import annotations

import numpy as np

from .. import _validate as check
from ..model import Model

__all__ = ["K0A0", "coupling_profile", "cosine_profile", "mean_abs_coupling"]

#: :math:`k_0a_0` of the strontium lattice–cavity geometry (paper, Fig. 3).
K0A0 = 3.7


def coupling_profile(values, normalize="peak") -> np.ndarray:
    r"""Relative couplings :math:`f_i = g_i/g` from any array, normalised as stated.

    Parameters
    ----------
    values : array_like, 1-d
        Couplings in any unit (finite, not all zero).
    normalize : {"peak", "rms", None}
        ``"peak"``: divide by :math:`\max|g_i|` (so :math:`g` is the peak
        coupling); ``"rms"``: divide by :math:`\sqrt{\overline{g_i^2}}` (same
        collective coupling as a homogeneous ensemble of coupling :math:`g`);
        ``None``: keep the values. See the module docstring.
    """
    f = np.array(check.finite_array("values", values))
    if f.ndim != 1 or f.size == 0:
        raise ValueError(f"values must be a non-empty 1-d array, got shape {f.shape}")
    if normalize is None:
        return f
    peak = np.max(np.abs(f))
    if normalize == "peak":
        scale = peak
    elif normalize == "rms":
        # through the peak, so that the squares of large finite values cannot overflow
        scale = peak * np.sqrt(np.mean((f / peak) ** 2)) if peak > 0 else 0.0
    else:
        raise ValueError(f"normalize must be 'peak', 'rms' or None, got {normalize!r}")
    if scale == 0:
        raise ValueError("values must not all be zero")
    return f / scale


def cosine_profile(n_atoms: int, k0a0: float = K0A0, normalize="peak", first_site: int = 1) -> np.ndarray:
    r""":math:`f_i = \cos(k_0a_0\,(i + i_0))` for the ``n_atoms`` atoms, normalised by ``normalize``.

    ``first_site`` :math:`i_0` is the lattice index of atom 0 (default 1, the
    paper's :math:`i = 1\dots2N`). With ``normalize="peak"`` the values are the
    plain cosines (their maximum is 1 to within :math:`10^{-3}` for more than a
    few dozen atoms, and is rescaled to exactly 1).

    .. warning::
       :class:`~cavity_bcs.Model` orders quantile-sampled energies by atom index,
       so site and energy are correlated. From a homogeneous start the spin phases
       then advance by :math:`(W/N)t` from one atom to the next and, near
       :math:`t \approx (2\pi - k_0a_0)N/W`, line up with :math:`\cos(k_0a_0 i)`: the
       cavity lights up briefly. It is a finite-:math:`N` echo (it moves out as
       :math:`N` grows, like ``Model.revival_time``); keep runs well before it or
       use ``sampling="random"``. The drive state is not affected.
    """
    n_atoms = check.integer("n_atoms", n_atoms, minimum=1)
    check.memory("cosine_profile", 24.0 * n_atoms, f"n_atoms = {n_atoms}")
    k0a0 = check.finite("k0a0", k0a0)
    first_site = check.integer("first_site", first_site, minimum=-(2 ** 52), maximum=2 ** 52)
    return coupling_profile(np.cos(k0a0 * (np.arange(n_atoms) + first_site)), normalize)


def mean_abs_coupling(model: Model) -> float:
    r""":math:`\overline{|f|} = (1/2N)\sum_i|f_i|`: the coupling-weighted in-phase fraction
    of the drive state (1 for homogeneous :math:`g`, :math:`\approx 2/\pi` for a
    peak-normalised cosine)."""
    return float(np.mean(np.abs(model.couplings)))
