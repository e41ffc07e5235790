r"""Equilibrium scans for the chapter: band structure, :math:`\mu = 0` phase diagram, branches against :math:`\Delta_c`.

All of them are continuum calculations on the two-box density
(:class:`~cavity_bcs.TwoBox`), units of :math:`\chi N`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from .. import _validate as check
from ..density import TwoBox
from .erratum import paper_branch
from .stationary import PARALLEL, SUPERFLUID, ground_state, stationary_states

__all__ = ["gap_equation_mu0_boundary", "two_band_dispersion", "coherence_map", "BranchScan", "branch_scan"]


def gap_equation_mu0_boundary(eps0) -> float:
    r"""Bandwidth :math:`W_c(\varepsilon_0)` of the :math:`T = 0`, :math:`\mu = 0` transition (continuum).

    With :math:`\mu = 0` in the band gap (:math:`W < 2\varepsilon_0`) the gap
    equation at :math:`\Delta\to 0` reads :math:`1 = \frac{2}{W}
    \ln\frac{2\varepsilon_0 + W}{2\varepsilon_0 - W}`; the superfluid exists for
    :math:`W > W_c`. For :math:`\varepsilon_0 = 0` the Fermi level lies inside the
    band for every :math:`W > 0` (Cooper instability) and :math:`W_c = 0`. The sign of
    ``eps0`` (units of :math:`\chi N`) does not matter. Independent of :math:`\Delta_c`.
    """
    eps0 = abs(check.finite("eps0", eps0))
    if eps0 == 0:
        return 0.0
    h = lambda W: (2.0 / W) * math.log((2 * eps0 + W) / (2 * eps0 - W)) - 1.0
    lo, hi = 1e-9 * eps0, 2 * eps0 * (1 - 1e-15)
    if h(lo) > 0:
        return 0.0
    return brentq(h, lo, hi, xtol=1e-14)


def two_band_dispersion(k, eps0, W):
    r"""A concrete two-band dispersion whose density of states is the two-box density.

    One dimension, :math:`k \in [-1, 1]` (units of the zone edge :math:`K`), two
    linear "Dirac-cone" branches with apexes at :math:`k = 0`:

    .. math::

        \varepsilon_{k,\pm} = \pm\Big(\frac{\varepsilon_0}{2} - \frac{W}{4}
            + \frac{W}{2}\,|k|\Big).

    A linear branch in one dimension has a constant density of states
    (:math:`dk/d\varepsilon = 2/W` on each side), so each band fills a box of width
    :math:`W/2` centred on :math:`\pm\varepsilon_0/2` uniformly; the band gap is
    :math:`\varepsilon_0 - W/2` (the bands overlap when :math:`W > 2\varepsilon_0`).

    Parameters
    ----------
    k : array_like
        Momenta in :math:`[-1, 1]`.
    eps0, W : float
        As in :class:`~cavity_bcs.TwoBox` (units of :math:`\chi N`, ``W >= 0``).

    Returns
    -------
    (upper, lower) : ndarray
        The two bands at ``k``, units of :math:`\chi N`.
    """
    box = TwoBox(eps0, W)  # validates eps0 and W
    k = check.finite_array("k", k)
    if np.any(np.abs(k) > 1):
        raise ValueError("k must lie in [-1, 1] (units of the zone edge)")
    upper = box.eps0 / 2.0 - box.W / 4.0 + (box.W / 2.0) * np.abs(k)
    return upper, -upper


def _axis(name, values):
    values = check.finite_array(name, values)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {values.shape}")
    return values


def coherence_map(eps0_values, W_values, mu=0.0, delta_c=1.0) -> np.ndarray:
    r""":math:`|S^+|` of the :math:`T = 0` continuum ground state on a grid, shape
    ``(len(eps0_values), len(W_values))``; zero where the normal state wins.

    ``W_values >= 0``; ``mu`` (units of :math:`\chi N`) ``< delta_c/2``. At ``mu = 0``
    the result does not depend on ``delta_c`` (the gap equation's prefactor
    :math:`\Delta_c/(\Delta_c - 2\mu)` is 1).
    """
    eps0_values, W_values = _axis("eps0_values", eps0_values), _axis("W_values", W_values)
    out = np.zeros((eps0_values.size, W_values.size))
    for i, e0 in enumerate(eps0_values):
        for j, w in enumerate(W_values):
            out[i, j] = ground_state(TwoBox(float(e0), float(w)), mu=mu, delta_c=delta_c).coherence
    return out


@dataclass(frozen=True, eq=False)
class BranchScan:
    r"""The stationary branches against :math:`\Delta_c` at fixed excitations (continuum); see :func:`branch_scan`.

    For each of ``ground`` (lowest energy), ``superfluid`` (spins anti-parallel to their
    field), ``parallel`` (spins parallel: the energy maximum) and ``paper`` (the
    supplement's printed Eq. 15, :func:`~cavity_bcs.equilibrium.erratum.paper_branch`;
    not stationary) there are three arrays over ``delta_c``, NaN where the branch has no
    solution: ``<branch>_coherence`` = :math:`|S^+|`, ``<branch>_energy`` =
    :math:`\langle H\rangle/N` and ``<branch>_mu`` = :math:`\mu` (units of :math:`\chi N`).
    ``ground_branch`` names the winner at each detuning.
    """

    delta_c: np.ndarray
    excitations: float
    ground_branch: tuple
    ground_coherence: np.ndarray
    ground_energy: np.ndarray
    ground_mu: np.ndarray
    superfluid_coherence: np.ndarray
    superfluid_energy: np.ndarray
    superfluid_mu: np.ndarray
    parallel_coherence: np.ndarray
    parallel_energy: np.ndarray
    parallel_mu: np.ndarray
    paper_coherence: np.ndarray
    paper_energy: np.ndarray
    paper_mu: np.ndarray


_SCANNED = ("ground", "superfluid", "parallel", "paper")
_QUANTITIES = ("coherence", "energy", "mu")


def branch_scan(density: TwoBox, delta_c_values, excitations: float = 0.0) -> BranchScan:
    r"""Solve every branch at each detuning, at fixed excitations, in the continuum.

    Parameters
    ----------
    density : TwoBox
        The two-box density of the atomic energies.
    delta_c_values : array_like
        Detunings :math:`\Delta_c > 0`, units of :math:`\chi N`.
    excitations : float
        Target :math:`(\tfrac12\sum_i\sigma^z_i + a^\dagger a)/N`, ``>= -1``.

    Returns
    -------
    BranchScan
        The lowest-energy solution of each stationary branch, and the first (lowest
        :math:`\mu`) solution of the printed equations.
    """
    check.instance("density", density, TwoBox)
    detunings = _axis("delta_c_values", delta_c_values)
    for dc in detunings:
        check.positive("delta_c_values", float(dc))
    excitations = check.finite("excitations", excitations)
    columns = {(b, q): np.full(detunings.size, np.nan) for b in _SCANNED for q in _QUANTITIES}
    winners = []
    for i, dc in enumerate(detunings):
        states = stationary_states(density, excitations=excitations, delta_c=float(dc))
        printed = paper_branch(density, excitations, delta_c=float(dc))
        # states are sorted by energy, so the first of each branch is its lowest solution
        chosen = {"ground": states[0],
                  "superfluid": next((s for s in states if s.branch == SUPERFLUID.branch), None),
                  "parallel": next((s for s in states if s.branch == PARALLEL.branch), None),
                  "paper": printed[0] if printed else None}
        winners.append(states[0].branch)
        for name, s in chosen.items():
            if s is not None:
                for quantity, value in zip(_QUANTITIES, (s.coherence, s.energy, s.mu)):
                    columns[name, quantity][i] = value
    return BranchScan(delta_c=detunings, excitations=excitations, ground_branch=tuple(winners),
                      **{f"{b}_{q}": columns[b, q] for b in _SCANNED for q in _QUANTITIES})
