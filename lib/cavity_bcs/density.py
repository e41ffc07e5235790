r"""The two-box density of atomic energies, as one small object.

The engineered energies :math:`\varepsilon_i` fill two boxes of width :math:`W/2`
centred on :math:`\pm\varepsilon_0/2` (units of :math:`\chi N`), each holding half of
the atoms, so the transition energies :math:`2\varepsilon_i` fill
:math:`\pm\varepsilon_0\pm W/2`. Everything that needs the density — the finite
model's sampling, the continuum Lax vector, the continuum gap equations, the symbolic
derivation and the plots — asks a :class:`TwoBox` for it, so the band edges are
computed in one place.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _validate as check

__all__ = ["TwoBox", "two_box_energies", "two_box_density"]

SAMPLINGS = ("quantile", "random")


def box_edges(eps0, W):
    r"""The two boxes ``((lo, hi) upper, (lo, hi) lower)`` of :math:`\varepsilon`:
    :math:`\pm\varepsilon_0/2 \mp\!/\!\pm W/4`. Plain arithmetic, so it serves numbers and
    sympy symbols alike (the symbolic derivation integrates over the same edges)."""
    return ((eps0 / 2 - W / 4, eps0 / 2 + W / 4), (-eps0 / 2 - W / 4, -eps0 / 2 + W / 4))


@dataclass(frozen=True)
class TwoBox:
    r"""The normalised two-box density :math:`p(\varepsilon)` of the atomic energies.

    :math:`p = [B(W/2, \varepsilon_0/2) + B(W/2, -\varepsilon_0/2)]/2` with
    :math:`B(w, c)` a box of width :math:`w` centred on :math:`c` (height :math:`1/w`);
    where the boxes overlap the densities add.

    Parameters
    ----------
    eps0 : float
        Separation of the box centres, units of :math:`\chi N`; any finite real
        (only :math:`|\varepsilon_0|` matters for the density).
    W : float
        Transition bandwidth, units of :math:`\chi N`; ``W >= 0`` (each box has
        width :math:`W/2`; ``W = 0`` gives two delta peaks).
    """

    eps0: float
    W: float

    def __post_init__(self):
        object.__setattr__(self, "eps0", check.finite("eps0", self.eps0))
        object.__setattr__(self, "W", check.nonnegative("W", self.W))

    @property
    def boxes(self) -> tuple:
        r"""The two boxes ``((lo, hi) upper, (lo, hi) lower)`` of :math:`\varepsilon`, upper first
        (centres :math:`+\varepsilon_0/2` and :math:`-\varepsilon_0/2`)."""
        return box_edges(self.eps0, self.W)

    @property
    def bands(self) -> list:
        r"""The support of :math:`p(\varepsilon)` as sorted disjoint intervals ``[(lo, hi), ...]``:
        two bands when :math:`W < 2|\varepsilon_0|`, one merged band otherwise."""
        half = self.W / 4.0
        e = abs(self.eps0) / 2.0
        if e - half > -e + half:
            return [(-e - half, -e + half), (e - half, e + half)]
        return [(-e - half, e + half)]

    @property
    def edge(self) -> float:
        r"""Largest :math:`|\varepsilon|` in the support, :math:`|\varepsilon_0|/2 + W/4`."""
        return abs(self.eps0) / 2.0 + self.W / 4.0

    def density(self, eps) -> np.ndarray:
        r""":math:`p(\varepsilon)` at ``eps`` (units of :math:`1/\chi N`); requires ``W > 0``."""
        if self.W == 0:
            raise ValueError("W must be > 0 for a density (W = 0 is two delta peaks)")
        eps = check.finite_array("eps", eps)
        width = self.W / 2.0
        (up_lo, up_hi), (lo_lo, lo_hi) = self.boxes
        upper = ((eps >= up_lo) & (eps <= up_hi)) / width
        lower = ((eps >= lo_lo) & (eps <= lo_hi)) / width
        return 0.5 * (upper + lower)

    def sample(self, n_atoms: int, sampling: str = "quantile", seed=None) -> np.ndarray:
        r"""``n_atoms`` energies :math:`\varepsilon_i` (units of :math:`\chi N`), upper box first.

        The first ``n_atoms // 2`` lie in the upper box, the rest in the lower one.
        ``sampling="quantile"`` places the :math:`N` energies of each box at its evenly
        spaced quantiles :math:`(k + 1/2)/N` (deterministic); ``"random"`` draws them
        uniformly with ``numpy.random.default_rng(seed)``.
        """
        n_atoms = check.atom_number("n_atoms", n_atoms)
        check.memory("sampling the two-box density", 32.0 * n_atoms, f"n_atoms = {n_atoms}")
        sampling = check.choice("sampling", sampling, SAMPLINGS)
        n_pairs = n_atoms // 2
        if sampling == "quantile":
            x = (np.arange(n_pairs) + 0.5) / n_pairs - 0.5
        elif sampling == "random":
            x = np.random.default_rng(seed).uniform(-0.5, 0.5, size=n_pairs)
        else:
            raise ValueError(f"sampling must be one of {SAMPLINGS}, got {sampling!r}")
        offsets = x * (self.W / 2.0)  # each box has width W/2
        return np.concatenate([self.eps0 / 2.0 + offsets, -self.eps0 / 2.0 + offsets])


def two_box_energies(eps0, W, n_atoms, sampling="quantile", seed=None):
    r"""Atomic energies of the two-box density: ``TwoBox(eps0, W).sample(n_atoms, sampling, seed)``."""
    return TwoBox(eps0, W).sample(n_atoms, sampling, seed)


def two_box_density(eps, eps0, W):
    r"""Normalised density :math:`p(\varepsilon)`: ``TwoBox(eps0, W).density(eps)`` (``W > 0``)."""
    return TwoBox(eps0, check.positive("W", W)).density(eps)
