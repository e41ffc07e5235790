r"""Coarse-graining: atoms grouped into classes of nearly equal :math:`(\varepsilon_i, g_i)`.

:func:`coarse_grain` groups atoms into classes of nearly equal
:math:`(\varepsilon_i, g_i)`, and :func:`coarse_quench` integrates the weighted class
model; exact for classes of identical atoms, convergent as the bins shrink (tested
against the full model; ``benchmarks/bench_large_n.py --coarse`` at :math:`10^6` atoms).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validate as check
from ..meanfield import _engine
from ..meanfield._equations import pack, physics, unpack_spins
from ..meanfield.states import State
from ..model import Model
from .preparation import drive_state

__all__ = ["CoarseModel", "coarse_grain", "CoarseResult", "coarse_quench"]


@dataclass(frozen=True, eq=False)
class CoarseModel:
    r"""Atoms grouped into classes of (nearly) equal :math:`(\varepsilon_i, g_i)`.

    In mean field, atoms with the same :math:`\varepsilon`, :math:`g` and initial Bloch vector
    evolve identically, so a class of :math:`w_c` such atoms is one spin that counts
    :math:`w_c` times in the cavity's source :math:`\sum_i g_i s_i`. Grouping atoms whose
    values only lie *close* is an approximation controlled by the bin widths; its error is
    measured against the full model by :func:`coarse_quench` (see the tests).

    Attributes
    ----------
    eps, couplings, weights : ndarray
        Class means of :math:`\varepsilon_i` (units of :math:`\chi N`) and :math:`f_i`, and
        the number of atoms per class (sums to ``model.n_atoms``).
    spins : ndarray, shape (n_classes, 3)
        Class-mean initial Bloch vectors.
    photon : complex
        Initial :math:`\alpha = \langle a\rangle/\sqrt N`.
    model : Model
        The full model that was coarse-grained.
    """

    eps: np.ndarray
    couplings: np.ndarray
    weights: np.ndarray
    spins: np.ndarray
    photon: complex
    model: Model

    @property
    def n_classes(self) -> int:
        return int(self.weights.size)


def coarse_grain(model: Model, n_eps_bins: int, n_g_bins: int, initial: State | None = None) -> CoarseModel:
    r"""Group the atoms of ``model`` into at most ``n_eps_bins`` :math:`\times` ``n_g_bins`` classes.

    Energies are binned separately in each band (``n_eps_bins`` equal-width bins per band);
    couplings in ``n_g_bins`` equal-width bins over :math:`[\min f, \max f]` with a bin edge at
    :math:`f = 0` when the couplings change sign (so that :math:`\mathrm{sgn}\,g_i` is uniform in
    a class, as the drive state needs). ``initial`` defaults to :func:`drive_state`.

    Validity: binning :math:`\varepsilon` into bins of width :math:`W/(2 n_\varepsilon)` makes
    the class spins rephase after :math:`t_{rev}\approx 2\pi n_\varepsilon/W` (units of
    :math:`1/\chi N`), as :math:`N` evenly spaced energies do after :math:`2\pi N/W`: keep
    ``t_final`` well below it and check convergence by doubling both bin numbers.
    """
    check.instance("model", model, Model)
    n_eps_bins = check.integer("n_eps_bins", n_eps_bins, minimum=1, maximum=10 ** 7)
    n_g_bins = check.integer("n_g_bins", n_g_bins, minimum=1, maximum=10 ** 7)
    initial = drive_state(model) if initial is None else check.instance("initial", initial, State)
    if initial.spins.shape[0] != model.n_atoms:
        raise ValueError(f"initial has {initial.spins.shape[0]} spins but model.n_atoms = {model.n_atoms}")
    eps, f, n_pairs = model.eps, model.couplings, model.n_pairs

    def bin_index(values, n_bins, split_at_zero):
        lo, hi = values.min(), values.max()
        if hi == lo:
            return np.zeros(values.size, dtype=np.int64)
        if split_at_zero and lo < 0 < hi:
            neg = max(1, n_bins // 2)
            pos = max(1, n_bins - neg)
            idx_neg = np.minimum((values - lo) / (-lo) * neg, neg - 1).astype(np.int64)
            idx_pos = neg + np.minimum(values / hi * pos, pos - 1).astype(np.int64)
            return np.where(values < 0, idx_neg, idx_pos)
        return np.minimum((values - lo) / (hi - lo) * n_bins, n_bins - 1).astype(np.int64)

    band = (np.arange(model.n_atoms) >= n_pairs).astype(np.int64)
    eps_idx = np.empty(model.n_atoms, dtype=np.int64)
    for b in (0, 1):
        sel = band == b
        eps_idx[sel] = bin_index(eps[sel], n_eps_bins, False)
    g_idx = bin_index(f, n_g_bins, True)
    key = (band * n_eps_bins + eps_idx) * (n_g_bins + 1) + g_idx
    _, inverse, weights = np.unique(key, return_inverse=True, return_counts=True)

    def class_mean(values):
        return np.bincount(inverse, weights=values) / weights

    spins = np.stack([class_mean(initial.spins[:, k]) for k in range(3)], axis=1)
    return CoarseModel(eps=class_mean(eps), couplings=class_mean(f), weights=weights.astype(float),
                       spins=spins, photon=initial.photon, model=model)


@dataclass(frozen=True, eq=False)
class CoarseResult:
    r"""Observables of :func:`coarse_quench` (same normalisations as :class:`~cavity_bcs.QuenchResult`).

    ``t`` (units of :math:`1/\chi N`), ``s_plus`` (:math:`S^+`), ``source``
    (:math:`(1/N)\sum_i f_i s_i`, what the cavity sees), ``photon``
    (:math:`\langle a\rangle/\sqrt N`), ``n_photon``, ``excitations``.
    """

    t: np.ndarray
    s_plus: np.ndarray
    source: np.ndarray
    photon: np.ndarray
    n_photon: np.ndarray
    excitations: np.ndarray


def coarse_quench(coarse: CoarseModel, t_final: float, n_save: int = 1001, rtol: float = 1e-9,
                  atol: float = 1e-11, max_steps: int = 10_000_000, progress=None) -> CoarseResult:
    r"""Mean-field quench of the class model (weighted spins, same equations as :func:`~cavity_bcs.quench`).

    Each class spin precesses as :math:`\dot{\vec\sigma}_c = 2\vec b_c\times\vec\sigma_c` (plus
    the model's :math:`\gamma` and dephasing), and
    :math:`\dot\alpha = -i\Delta_c\alpha - iG\,(1/N)\sum_c w_c f_c s_c - (\kappa/2)\alpha`:
    the numba kernel behind :func:`~cavity_bcs.quench`, with class weights :math:`w_c`.
    ``rtol``, ``atol``, ``max_steps`` and ``progress`` as in :func:`~cavity_bcs.quench`.
    """
    check.instance("coarse", coarse, CoarseModel)
    t_final = check.positive("t_final", t_final)
    n_save = check.integer("n_save", n_save, minimum=2)
    rtol = check.rtol(rtol)
    atol = check.atol(atol)
    max_steps = check.integer("max_steps", max_steps, minimum=1)
    m = coarse.model
    check.memory("coarse quench", 8.0 * n_save * (3 * coarse.n_classes + 9), f"n_save = {n_save} saved times x "
                 f"{coarse.n_classes} classes")
    check.steps("coarse quench", t_final, m.fastest_frequency, max_steps, m.frequency_source())
    eps, f, w = coarse.eps, coarse.couplings, coarse.weights
    inv_n = 1.0 / m.n_pairs
    t = np.linspace(0.0, t_final, n_save)
    sol = _engine.integrate(pack(coarse.spins, coarse.photon), t,
                            physics(eps, f, w, m.g_collective, m.delta_c, m.kappa, m.gamma, m.dephasing,
                                    False, inv_n),
                            rtol=rtol, atol=atol, max_steps=max_steps, save_state=True, what="coarse quench",
                            progress=progress)
    obs = sol.obs
    spins = unpack_spins(sol.states)
    wf = w * f
    source = 0.5 * inv_n * (spins[..., 0] @ wf - 1j * (spins[..., 1] @ wf))
    return CoarseResult(t=t, s_plus=obs[0] + 1j * obs[1], source=source, photon=obs[2] + 1j * obs[3],
                        n_photon=obs[4], excitations=obs[5])
