r"""Exact quantum dynamics of the cavity-QED BCS simulator for small systems.

The Hamiltonian is the one of :mod:`cavity_bcs.model` (book convention, :math:`\hbar = 1`)

.. math::

    H = \sum_{i=1}^{2N}\varepsilon_i\sigma^z_i
        + \sum_{i=1}^{2N} g_i\left(\sigma^+_i a + \sigma^-_i a^\dagger\right)
        + \Delta_c a^\dagger a ,

in units of :math:`\chi N` with :math:`g = \sqrt{\Delta_c/N}` and :math:`g_i = g f_i`.

Structure used
--------------
* **Excitation sectors.** :math:`K = \sum_i \tfrac12(1 + \sigma^z_i) + a^\dagger a`
  commutes with :math:`H`, so :math:`H` is block diagonal in sectors of fixed
  :math:`K = k`. A sector holds every spin configuration with :math:`m \le k` excited
  atoms and :math:`n = k - m` photons: it is *finite without any photon cut-off*.
  The quench state (every spin along :math:`+x`, photon vacuum) only populates
  :math:`k \le 2N`, so the closed dynamics from it is exact. Coherences such as
  :math:`\langle\sigma^+_i\rangle` connect sector :math:`k` to :math:`k+1`; they are
  evaluated on the full state vector.
* **Collective (Dicke) groups.** Atoms with identical :math:`(\varepsilon_i, f_i)` are
  interchangeable; the quench state lies in the fully symmetric multiplet of each
  group (collective spin :math:`j_g = n_g/2`), and :math:`H` keeps it there. A basis
  state is then :math:`|m_1,\dots,m_G; n\rangle` with :math:`m_g` excited atoms in
  group :math:`g`. For :math:`W = 0` and homogeneous :math:`g` there are two groups
  (one per band) and the dimension grows like :math:`N^2` per sector instead of
  :math:`2^{2N}`. The full basis is the special case of one atom per group.
* **Propagation sector by sector.** Every sector keeps its initial weight, so each
  can be advanced on its own (method ``"chebyshev"``): a Chebyshev series of
  :math:`e^{-iH\delta t}` on the sector's Gershgorin interval, cut where the Bessel
  tail is below ``step_tol`` (an a-priori bound per step), in numba kernels shared
  over threads. The cost is about :math:`r\,t` matrix-vector products per sector,
  :math:`r` the half-width of its spectrum; all energies are extensive, so
  :math:`r\propto N`. For :math:`W = 0`, :math:`\varepsilon_0 = \Delta_c = 6\chi N`
  this reaches 2N = 200 atoms (:math:`5\times10^5` states) to :math:`t = 5/\chi N` in
  about 20 s and 2N = 400 (:math:`3\times10^6` states) in minutes on two cores
  (``benchmarks/bench_exact.py``).
* **Verified photon cut-off.** Keeping :math:`n \le n_{cut}` (projector :math:`P`)
  changes the evolution by at most :math:`\int_0^t\|(1-P)H\psi_P(s)\|ds`
  (Duhamel); the ``"chebyshev"`` path accumulates this bound during the run and
  ``n_photon_max="auto"`` enlarges :math:`n_{cut}` until it is below ``cutoff_tol``.
* **Photon loss.** The master equation in the book's form
  :math:`\partial_t O = i[H,O] + \sum_L (2L^\dagger O L - \{L^\dagger L, O\})`, with
  :math:`L = \sqrt{\kappa/2}\,a`, becomes for the density matrix
  :math:`\dot\rho = -i[H,\rho] + \kappa\,a\rho a^\dagger - \tfrac\kappa2\{a^\dagger a,\rho\}`;
  atomic decay (:math:`\sqrt{\gamma/2}\,\sigma^-_i`) and dephasing
  (:math:`\tfrac12\sqrt{\gamma_\phi}\,\sigma^z_i`) are added in the same form.
  Loss only lowers :math:`K`, so the space of sectors :math:`0\dots k_{max}` is closed.

Observables are normalised as in :class:`~cavity_bcs.QuenchResult`:
:math:`S^+ = (1/N)\sum_i\langle\sigma^+_i\rangle`, photon :math:`\langle a\rangle/\sqrt N`,
photon density :math:`\langle a^\dagger a\rangle/N`, excitations
:math:`(\tfrac12\sum_i\langle\sigma^z_i\rangle + \langle a^\dagger a\rangle)/N` and
energy :math:`\langle H\rangle/N`.
"""
from __future__ import annotations

import dataclasses
import math
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy.sparse.linalg import expm_multiply
from scipy.special import gammaln, jv

from .. import _validate as check
from .._numba import njit
from ..meanfield import _engine
from ..meanfield.states import resolve_photon
from ..model import Model
from ..results import PairCoherent

__all__ = ["ExactResult", "TruncationWarning", "exact_quench", "exact_master_equation",
           "sector_spectrum", "hilbert_dimension"]

#: Largest number of collective configurations (product of group sizes + 1) we enumerate.
MAX_CONFIGURATIONS = 2 ** 18
#: Largest Hilbert-space dimension for the (vectorised) master equation.
MAX_DENSITY_DIMENSION = 1500
#: Sectors up to this dimension are diagonalised densely (method "eig").
EIG_LIMIT = 400
#: Per-step bound on the Chebyshev truncation error (units of the state norm).
CHEBYSHEV_TOL = 1e-14
#: Most sparse matrix-vector products :func:`exact_master_equation` will plan; beyond it even the
#: smallest systems (a few thousand nonzeros) take minutes, larger ones hours.
MAX_MASTER_PRODUCTS = 1e7

#: Longest Chebyshev step, as spectral half-width times step (about 330 terms of the series).
MAX_CHEBYSHEV_RANGE = 200.0

#: Default bound accepted for the photon cut-off error (``cutoff_error``).
CUTOFF_TOL = 1e-6


@dataclass(frozen=True, eq=False)
class ExactResult(PairCoherent):
    r"""Observables of an exact quantum evolution, sampled at the times ``t``.

    Same normalisation as :class:`~cavity_bcs.QuenchResult` (everything per
    :math:`N`, half the number of atoms; units of :math:`\chi N`).

    Attributes
    ----------
    t : ndarray
        Times, units of :math:`1/(\chi N)`.
    s_plus : ndarray (complex)
        :math:`S^+ = (1/N)\sum_i\langle\sigma^+_i\rangle`.
    photon : ndarray (complex)
        :math:`\langle a\rangle/\sqrt N`.
    n_photon : ndarray
        :math:`\langle a^\dagger a\rangle/N` (includes photon-number fluctuations).
    excitations : ndarray
        :math:`(\tfrac12\sum_i\langle\sigma^z_i\rangle + \langle a^\dagger a\rangle)/N`.
    energy : ndarray
        :math:`\langle H\rangle/N`, units of :math:`\chi N`.
    pair_correlation : ndarray
        :math:`\langle S^+S^-\rangle = (1/N^2)\sum_{ij}\langle\sigma^+_i\sigma^-_j\rangle`,
        insensitive to the global phase (mean field: :math:`|S^+|^2`).
    norm : ndarray
        :math:`\langle\psi|\psi\rangle` or :math:`\mathrm{tr}\,\rho` (1 up to round-off
        and the weight of the discarded sectors).
    model : Model
    basis : str
        ``"full"`` (one atom per group) or ``"collective"`` (Dicke groups).
    dimension : int
        Number of basis states kept.
    mixed : bool
        True for a master-equation (density-matrix) run.
    method : str
        Propagator used: ``"eig"``, ``"expm"``, ``"chebyshev"`` or ``"master"``.
    photon_cutoff : int or None
        Largest photon number kept (None: no cut-off).
    dropped_weight : float
        Initial probability left out of the kept space (sectors below ``tol`` and
        photon numbers above the cut-off).
    cutoff_error : float
        Photon cut-off error bound (``"chebyshev"`` only; None when a cut-off was used
        but not monitored, i.e. with ``"eig"`` or ``"expm"``): :math:`\int_0^{t}\|(1-P)H\psi_P(s)\|\,ds`, with
        :math:`P` the projector on the kept space and :math:`\psi_P` the truncated
        evolution. It bounds :math:`\|\psi(t) - \psi_P(t)\|` (Duhamel); the integral is
        evaluated by the trapezoidal rule on the output times. It is rigorous but
        pessimistic: the measured error of :math:`S^+` is typically :math:`10^{3}` times smaller.
    cutoff_population : float
        Largest probability, over the output times, of the last kept photon number
        :math:`n = n_{cut}` (``"chebyshev"`` with a cut-off; a quick indicator).
    propagation_error : float
        A priori bound on the accumulated error of the Chebyshev series (number of
        steps times the per-step tolerance), units of the state norm.
    """

    t: np.ndarray
    s_plus: np.ndarray
    photon: np.ndarray
    n_photon: np.ndarray
    excitations: np.ndarray
    energy: np.ndarray
    pair_correlation: np.ndarray
    norm: np.ndarray
    model: Model = field(repr=False)
    basis: str = "full"
    dimension: int = 0
    mixed: bool = False
    method: str = ""
    photon_cutoff: int | None = None
    dropped_weight: float = 0.0
    cutoff_error: float | None = 0.0
    cutoff_population: float = 0.0
    propagation_error: float = 0.0

    def to_xarray(self):
        """This evolution as an :class:`xarray.Dataset` over ``time``: observables, the model and settings as attributes.

        Needs xarray; :mod:`cavity_bcs.labelled` describes the layout.
        """
        from ..labelled import time_series_dataset
        return time_series_dataset(self, derived=("coherence", "pair_coherence"))

    @property
    def error_bound(self) -> float:
        r"""Bound on :math:`\|\psi_{exact}(t) - \psi(t)\|` at the last time: the discarded
        initial amplitude :math:`\sqrt{\texttt{dropped\_weight}}` plus ``cutoff_error`` plus
        ``propagation_error``. An expectation value of an operator :math:`O` is then off by
        at most :math:`2\|O\|` times this (to first order). ``inf`` when a photon cut-off was used
        without monitoring its error (``cutoff_error`` None): then no bound is known."""
        if self.cutoff_error is None:
            return math.inf
        return float(np.sqrt(max(self.dropped_weight, 0.0)) + self.cutoff_error + self.propagation_error)


class TruncationWarning(UserWarning):
    """The photon cut-off of :func:`exact_quench` may not be negligible."""



# --------------------------------------------------------------------- groups
def _groups(model: Model, basis: str):
    """Group sizes, energies and couplings for the requested basis."""
    eps = np.asarray(model.eps, dtype=float)
    f = np.asarray(model.couplings, dtype=float)
    if basis == "full":
        return np.ones(eps.size, dtype=np.int64), eps.copy(), f.copy(), "full"
    if basis not in ("auto", "collective"):
        raise ValueError(f"basis must be 'auto', 'full' or 'collective', got {basis!r}")
    # distinct (eps, f) pairs in lexicographic order, as np.unique(axis=0) gives them but
    # without its slow sort of row records (0.25 s for 200,000 atoms)
    order = np.lexsort((f, eps))
    eps_s, f_s = eps[order], f[order]
    starts = np.flatnonzero(np.concatenate([[True], (eps_s[1:] != eps_s[:-1]) | (f_s[1:] != f_s[:-1])]))
    counts = np.diff(np.append(starts, eps.size)).astype(np.int64)
    if basis == "auto" and counts.size == eps.size:
        return np.ones(eps.size, dtype=np.int64), eps.copy(), f.copy(), "full"
    return counts, eps_s[starts], f_s[starts], "collective"


def _log_binomial(n, m):
    return gammaln(n + 1.0) - gammaln(m + 1.0) - gammaln(n - m + 1.0)


def _coherent(n, beta):
    """Amplitudes e^{-|beta|^2/2} beta^n / sqrt(n!) of a coherent state (1 at n = 0 for beta = 0)."""
    n = np.asarray(n)
    if beta == 0:
        return (n == 0).astype(complex)
    nf = n.astype(float)
    return np.exp(-0.5 * abs(beta) ** 2 + nf * np.log(abs(beta)) - 0.5 * gammaln(nf + 1.0)
                  + 1j * nf * np.angle(beta))


# ------------------------------------------------------- counting the space
def _level_counts(sizes):
    """Number of atomic configurations with M = 0, 1, ... excited atoms in all, as exact integers.

    Group g offers one configuration per m_g = 0..n_g, so the histogram of M = sum_g m_g is
    the convolution of G boxes of n_g + 1 ones. The single atoms together give the binomial
    row; every other box is a moving-window sum of the cumulative histogram, O(length) each,
    which keeps one group of 200,000 atoms instant. Python integers replace int64 when the
    total could overflow it (full bases of more than 60 atoms, which are only ever counted).
    """
    sizes = [int(s) for s in sizes]
    dtype = np.int64 if math.fsum(math.log2(s + 1) for s in sizes) < 60 else object
    singles = sizes.count(1)
    row = [1]
    for level in range(singles):
        row.append(row[-1] * (singles - level) // (level + 1))
    hist = np.array(row, dtype=dtype)
    for size in (s for s in sizes if s != 1):
        cum = np.concatenate([np.zeros(1, dtype=dtype), np.cumsum(hist)])
        level = np.arange(hist.size + size)
        hist = cum[np.minimum(level, hist.size - 1) + 1] - cum[np.maximum(level - size, 0)]
    return hist


def _sector_dimensions(sizes, k_lo, k_hi, n_max):
    """States of each sector k = k_lo..k_hi: configurations with k - n_max <= M <= k (n = k - M)."""
    hist = _level_counts(sizes)
    cum = np.concatenate([np.zeros(1, dtype=hist.dtype), np.cumsum(hist)])
    k = np.arange(k_lo, k_hi + 1)
    hi = np.minimum(k, hist.size - 1) + 1
    lo = np.minimum(np.maximum(k - n_max, 0), hi)
    return [int(d) for d in cum[hi] - cum[lo]]


def _check_configurations(sizes):
    """Refuse, from the group sizes alone, an atomic grid larger than MAX_CONFIGURATIONS."""
    log2_config = math.fsum(math.log2(int(s) + 1) for s in sizes)
    exact = math.prod(int(s) + 1 for s in sizes) if log2_config < 60 else None  # no 2^(2N) big integers
    if exact is None or exact > MAX_CONFIGURATIONS:
        size = f"{exact:,}" if exact is not None else f"about 2^{log2_config:.1f}"
        raise ValueError(
            f"the atomic basis would need {size} configurations (limit MAX_CONFIGURATIONS = "
            f"{MAX_CONFIGURATIONS:,}): use fewer atoms, or W = 0 with homogeneous couplings for the "
            "collective basis")


#: Bytes per kept state and per Dicke group of the basis tables plus the propagator's copies
#: (measured peak of the "chebyshev" path: about 80 + 120 G bytes; the sparse paths need less).
_BYTES_PER_STATE = 96
_BYTES_PER_STATE_GROUP = 128


def _check_memory(sizes, n_states):
    """Refuse, before allocating, a kept space whose tables would not fit in memory."""
    per_state = _BYTES_PER_STATE + _BYTES_PER_STATE_GROUP * len(sizes)
    check.memory("the exact basis", float(n_states) * per_state,
                 f"{n_states:,} states of {len(sizes)} atom group(s), about {per_state} bytes per state")


# ------------------------------------------------------------------ basis
class _Basis:
    r"""The kept states :math:`|m_1..m_G; n\rangle`, built once for every propagator.

    Sector ``s`` holds :math:`k_s = k_{lo} + s`: the states with
    :math:`\sum_g m_g + n = k_s` and :math:`n \le n_{cut}`, in configuration order, at
    ``offsets[s]:offsets[s+1]`` of every per-state array (a sector emptied by the cut-off
    stays as a placeholder, so sector ``s - 1`` is always :math:`k - 1`). The ladder
    moves are tabulated with indices local to the target sector (``-1``: none):

    * ``hop``/``hop_amp``: :math:`J^+_g a` inside the sector,
      :math:`(m_g, n)\to(m_g+1, n-1)`, element :math:`\sqrt{(m_g+1)(n_g-m_g)\,n}`;
      ``drop``/``drop_amp`` hold its transpose :math:`J^-_g a^\dagger`;
    * ``low``/``low_amp``: :math:`J^-_g` into sector :math:`k-1` (same :math:`n`),
      element :math:`\sqrt{m_g(n_g-m_g+1)}`;
    * ``a_dn``: :math:`a` into sector :math:`k-1` (element :math:`\sqrt n`);
    * ``leak``/``leak_amp``: :math:`J^-_g a^\dagger` from :math:`n = n_{cut}` into the first
      dropped layer :math:`n_{cut}+1` (index into that layer of ``leak_size`` configurations).

    The sparse matrices of methods "eig"/"expm"/"master" (:meth:`hamiltonian`,
    :meth:`s_plus`, :meth:`lower`, :meth:`annihilate`) and the kernel tables of
    "chebyshev" (:class:`_Lattice`) are both read off these tables.
    """

    def __init__(self, sizes, k_lo, k_hi, n_cut):
        sizes = np.asarray(sizes, dtype=np.int64)
        _check_configurations(sizes)
        dims = _sector_dimensions(sizes, k_lo, k_hi, n_cut)
        _check_memory(sizes, sum(dims))  # both checks before anything is allocated
        G = sizes.size
        self.sizes, self.n_cut = sizes, n_cut
        self.ks = np.arange(k_lo, k_hi + 1, dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(dims)]).astype(np.int64)
        self.dim = D = int(self.offsets[-1])
        self.grid = np.indices(tuple(sizes + 1)).reshape(G, -1).T.astype(np.int64)  # (n_config, G)
        self.strides = np.array([int(np.prod(sizes[q + 1:] + 1)) for q in range(G)], dtype=np.int64)
        M = self.grid.sum(axis=1)
        self.config = np.empty(D, dtype=np.int64)
        self.n = np.empty(D, dtype=np.int64)
        self.a_dn = np.empty(D, dtype=np.int32)
        for name in ("hop", "drop", "low", "leak"):
            setattr(self, name, np.full((D, G), -1, dtype=np.int32))
            setattr(self, name + "_amp", np.zeros((D, G)))
        self.leak_size = np.zeros(self.ks.size, dtype=np.int64)
        pos_prev = np.full(M.size, -1, dtype=np.int64)  # local index of each configuration in k - 1
        pos = np.full(M.size, -1, dtype=np.int64)
        layer = np.full(M.size, -1, dtype=np.int64)
        for s, k in enumerate(self.ks):
            a, b = self.offsets[s], self.offsets[s + 1]
            sel = np.flatnonzero((M <= k) & (M >= k - n_cut))
            pos[:] = -1
            pos[sel] = np.arange(sel.size)
            m = self.grid[sel]
            n = k - M[sel]
            self.config[a:b], self.n[a:b] = sel, n
            layer[:] = -1
            layer_cfg = np.flatnonzero(M == k - n_cut - 1) if k - n_cut - 1 >= 0 else np.empty(0, np.int64)
            layer[layer_cfg] = np.arange(layer_cfg.size)
            self.leak_size[s] = layer_cfg.size
            for q in range(G):
                mq, size = m[:, q], sizes[q]
                up = (mq < size) & (n > 0)
                tgt = np.where(up, pos[np.where(up, sel + self.strides[q], 0)], -1)
                self.hop[a:b, q] = tgt
                self.hop_amp[a:b, q] = np.where(tgt >= 0, np.sqrt((mq + 1.0) * (size - mq) * n), 0.0)
                src = np.flatnonzero(tgt >= 0)
                self.drop[a + tgt[src], q] = src
                self.drop_amp[a + tgt[src], q] = self.hop_amp[a + src, q]
                down = mq > 0
                below = np.where(down, sel - self.strides[q], 0)
                tgt = np.where(down, pos_prev[below], -1)
                self.low[a:b, q] = tgt
                self.low_amp[a:b, q] = np.where(tgt >= 0, np.sqrt(mq * (size - mq + 1.0)), 0.0)
                tgt = np.where(down & (n == n_cut), layer[below], -1)
                self.leak[a:b, q] = tgt
                self.leak_amp[a:b, q] = np.where(tgt >= 0, np.sqrt(mq * (size - mq + 1.0) * (n + 1.0)), 0.0)
            self.a_dn[a:b] = np.where(n > 0, pos_prev[sel], -1)
            pos_prev, pos = pos, pos_prev  # this sector's map serves k + 1

    @property
    def m(self):
        """Excited atoms per group of every kept state, (D, G)."""
        return self.grid[self.config]

    @property
    def k(self):
        """Excitation number of every kept state."""
        return np.repeat(self.ks, np.diff(self.offsets))

    @property
    def blocks(self):
        """Slices of the non-empty sectors."""
        return [slice(a, b) for a, b in zip(self.offsets[:-1], self.offsets[1:]) if b > a]

    def amplitudes(self, beta):
        r"""Amplitudes of :math:`\bigotimes_g|j_g, +x\rangle\otimes|\beta\rangle` on the kept states.

        A spin along +x is :math:`(|{\downarrow}\rangle + |{\uparrow}\rangle)/\sqrt2`; the
        symmetric group state has amplitude :math:`\sqrt{\binom{n_g}{m_g}}/2^{n_g/2}` on
        :math:`m_g` excitations; the photon is the coherent state :func:`_coherent`.
        """
        sizes = self.sizes[None, :]
        log_atoms = 0.5 * (_log_binomial(sizes, self.grid) - sizes * np.log(2.0)).sum(axis=1)
        return np.exp(log_atoms[self.config]) * _coherent(self.n, beta)

    def diagonal(self, eps, delta_c):
        return self.m @ (2.0 * np.asarray(eps, dtype=float)) - float(np.dot(eps, self.sizes)) + delta_c * self.n

    # sparse-matrix view: local indices of a table shifted by the first index of the target sector
    def _entries(self, table, amp, previous):
        start = np.repeat(self.offsets[:-1] if not previous else np.concatenate([[0], self.offsets[:-2]]),
                          np.diff(self.offsets))
        src = np.flatnonzero(table >= 0)
        return src, table[src] + start[src], amp[src]

    def hamiltonian(self, eps, f, g, delta_c):
        """H in units of chi N (block diagonal in the sectors), CSR."""
        rows, cols, vals = [np.arange(self.dim)], [np.arange(self.dim)], [self.diagonal(eps, delta_c)]
        for q in range(self.sizes.size):
            if f[q] == 0.0:
                continue
            src, tgt, amp = self._entries(self.hop[:, q], self.hop_amp[:, q], False)
            amp = g * f[q] * amp
            rows += [tgt, src]
            cols += [src, tgt]
            vals += [amp, amp]
        return _csr(rows, cols, vals, self.dim)

    def lower(self, q):
        r""":math:`J^-_q` (for one-atom groups, :math:`\sigma^-_i`)."""
        src, tgt, amp = self._entries(self.low[:, q], self.low_amp[:, q], True)
        return _csr([tgt], [src], [amp], self.dim)

    def s_plus(self):
        r""":math:`\sum_g J^+_g` (maps sector k to k + 1)."""
        parts = [self._entries(self.low[:, q], self.low_amp[:, q], True) for q in range(self.sizes.size)]
        return _csr([p[0] for p in parts], [p[1] for p in parts], [p[2] for p in parts], self.dim)

    def annihilate(self):
        """The photon annihilation operator a (maps sector k to k - 1)."""
        src, tgt, amp = self._entries(self.a_dn, np.sqrt(self.n.astype(float)), True)
        return _csr([tgt], [src], [amp], self.dim)


def _csr(rows, cols, vals, dim):
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(dim, dim))


# ------------------------------------------------------------- set-up
def _sector_range(sizes, beta, tol, n_max, full_down):
    """Sectors k whose initial weight exceeds ``tol`` (all from 0 when ``full_down``)."""
    n_atoms = int(sizes.sum())
    atoms = np.exp(_log_binomial(n_atoms, np.arange(n_atoms + 1)) - n_atoms * np.log(2.0))
    mean = abs(beta) ** 2
    n_hi = int(np.ceil(mean + 12.0 * np.sqrt(mean) + 20)) if mean > 0 else 0
    n_hi = min(n_hi, n_max)
    nn = np.arange(n_hi + 1)
    photons = np.exp(-mean + nn * np.log(mean) - gammaln(nn + 1.0)) if mean > 0 else np.ones(1)
    weights = np.convolve(atoms, photons)
    keep = np.flatnonzero(weights > tol)
    if keep.size == 0:
        raise ValueError(f"tol = {tol:g} leaves out every excitation sector (largest initial weight "
                         f"{weights.max():.3g}): use a smaller tol")
    k_lo = 0 if full_down else int(keep[0])
    return k_lo, int(keep[-1])


def _setup(model, basis, photon, n_photon_max, tol, full_down):
    """Validated inputs: groups, coherent amplitude beta, photon cut-off and sector range."""
    check.instance("model", model, Model)
    x_spins = np.zeros((model.n_atoms, 3))
    x_spins[:, 0] = 1.0
    photon = resolve_photon(photon, model, x_spins)
    tol = check.positive("tol", tol)
    if n_photon_max is None:
        n_max = np.iinfo(np.int64).max // 4
    else:
        n_max = check.integer("n_photon_max", n_photon_max, minimum=0)
    sizes, eps, f, kind = _groups(model, basis)
    beta = photon * np.sqrt(model.n_pairs)  # <a> itself
    k_lo, k_hi = _sector_range(sizes, beta, tol, n_max, full_down)
    return sizes, eps, f, kind, beta, n_max, k_lo, k_hi


def hilbert_dimension(model: Model, basis: str = "auto", photon="vacuum", n_photon_max=None,
                      tol: float = 1e-14) -> int:
    """Number of basis states :func:`exact_quench` keeps for ``model`` (a cost estimate).

    Counted, not built (the histogram of excited atoms convolved over the groups, summed
    over the kept sectors), so it answers at once even where the space could never be
    built, e.g. one Dicke group of 200,000 atoms. The count is exact; full bases beyond
    about 20,000 atoms take seconds, because it then has thousands of digits.
    """
    sizes, _, _, _, _, n_max, k_lo, k_hi = _setup(model, basis, photon, n_photon_max, tol, False)
    return sum(_sector_dimensions(sizes, k_lo, k_hi, n_max))


def sector_spectrum(model: Model, excitations: int, basis: str = "auto") -> np.ndarray:
    r"""Eigenvalues of :math:`H` (units of :math:`\chi N`) in the sector with
    ``excitations`` :math:`= k = \#\{\text{excited atoms}\} + \#\{\text{photons}\}`.

    In the collective basis only the fully symmetric multiplet of each group is
    represented. Example: one excitation, all atoms resonant
    (:math:`2\varepsilon_i = \Delta_c`) and homogeneous couplings gives the
    Tavis–Cummings pair :math:`E_0 + \Delta_c \pm g\sqrt{2N}` (:math:`E_0 = -\sum_i\varepsilon_i`)
    plus, in the full basis, :math:`2N - 1` dark states at :math:`E_0 + \Delta_c`.
    """
    check.instance("model", model, Model)
    k = check.integer("excitations", excitations, minimum=0)
    sizes, eps, f, _ = _groups(model, basis)
    space = _Basis(sizes, k, k, k)
    H = space.hamiltonian(eps, f, model.g, model.delta_c)
    return scipy.linalg.eigvalsh(H.toarray())


# ------------------------------------------------------------- observables
class _Observables:
    def __init__(self, space, eps, f, model):
        self.space = space
        self.model = model
        self.H = space.hamiltonian(eps, f, model.g, model.delta_c).tocsr()
        self.Sp = space.s_plus()
        self.Sm = self.Sp.conj().T.tocsr()
        self.SpSm = (self.Sp @ self.Sm).tocsr()
        self.A = space.annihilate()
        self.n = space.n.astype(float)
        self.excite = (space.k - model.n_pairs).astype(float)

    def pure(self, psi):
        """Observables for the columns of ``psi`` (D x T)."""
        N = self.model.n_pairs
        prob = np.abs(psi) ** 2
        return dict(
            s_plus=np.einsum("it,it->t", psi.conj(), self.Sp @ psi) / N,
            photon=np.einsum("it,it->t", psi.conj(), self.A @ psi) / np.sqrt(N),
            n_photon=self.n @ prob / N,
            excitations=self.excite @ prob / N,
            energy=np.einsum("it,it->t", psi.conj(), self.H @ psi).real / N,
            pair_correlation=np.sum(np.abs(self.Sm @ psi) ** 2, axis=0) / N ** 2,
            norm=prob.sum(axis=0),
        )

    def mixed(self, rho):
        """Observables for a density matrix ``rho`` (D x D)."""
        N = self.model.n_pairs
        d = np.real(np.diag(rho))
        tr = lambda op: np.sum(op.multiply(rho.T)) if sp.issparse(op) else np.sum(op * rho.T)
        return dict(
            s_plus=complex(tr(self.Sp)) / N,
            photon=complex(tr(self.A)) / np.sqrt(N),
            n_photon=float(self.n @ d) / N,
            excitations=float(self.excite @ d) / N,
            energy=float(np.real(tr(self.H))) / N,
            pair_correlation=float(np.real(tr(self.SpSm))) / N ** 2,
            norm=float(d.sum()),
        )


def _collect(rows, t, model, kind, dim, mixed, **budget):
    keys = ("s_plus", "photon", "n_photon", "excitations", "energy", "pair_correlation", "norm")
    data = {key: np.concatenate([np.atleast_1d(r[key]) for r in rows]) for key in keys}
    return ExactResult(t=t, model=model, basis=kind, dimension=dim, mixed=mixed, **budget, **data)


def _check_times(t_final, n_save):
    t_final = check.positive("t_final", t_final)
    n_save = check.integer("n_save", n_save, minimum=2)
    check.memory("the exact observables", 8.0 * 16 * n_save, f"n_save = {n_save} output times of 8 observables")
    return np.linspace(0.0, t_final, n_save)


def exact_quench(model: Model, t_final: float, n_save: int = 201, *, basis: str = "auto",
                 photon="vacuum", n_photon_max=None, tol: float = 1e-14, method: str = "auto",
                 chunk: int = 50, workers=None, step_tol: float = CHEBYSHEV_TOL,
                 cutoff_tol: float = CUTOFF_TOL, progress=None) -> ExactResult:
    r"""Exact unitary evolution (``model.kappa`` etc. ignored) from the quench state.

    The initial state is every spin along :math:`+x` times a coherent photon
    :math:`|\beta\rangle` with :math:`\beta = \langle a\rangle =` ``photon``
    :math:`\cdot\sqrt N` (default: vacuum).

    Parameters
    ----------
    model : Model
        Parameters in units of :math:`\chi N` (:math:`g = \sqrt{\Delta_c/N}`).
    t_final : float
        Final time, units of :math:`1/(\chi N)`; ``> 0``.
    n_save : int
        Number of evenly spaced output times including 0 and ``t_final``; ``>= 2``.
    basis : {"auto", "full", "collective"}
        ``"collective"`` groups atoms with identical :math:`(\varepsilon_i, f_i)` into
        Dicke multiplets (exact for the quench state); ``"auto"`` does so whenever
        some atoms coincide.
    photon : "vacuum", "equilibrium" or complex
        Initial coherent amplitude :math:`\langle a\rangle/\sqrt N`, as in
        :func:`~cavity_bcs.x_polarized` (``"equilibrium"``: the adiabatic photon of the
        x-polarised spins).
    n_photon_max : int, "auto" or None
        Drop basis states with more photons. ``None`` (default) drops none, which is
        exact because each sector is finite. ``"auto"`` (method ``"chebyshev"``) starts
        from the largest mean-field photon number plus a margin, monitors the bound
        ``cutoff_error`` during the run and, if it exceeds ``cutoff_tol``, restarts
        with a larger cut-off. A fixed integer is monitored too (``"chebyshev"``) and
        raises a :class:`TruncationWarning` when the bound exceeds ``cutoff_tol``.
    tol : float
        Excitation sectors whose initial weight is below ``tol`` are left out.
    method : {"auto", "eig", "expm", "chebyshev"}
        ``"eig"``: dense diagonalisation of each sector. ``"expm"``:
        :func:`scipy.sparse.linalg.expm_multiply` on the whole (block-diagonal) space.
        ``"chebyshev"``: each sector is advanced separately between output times by a
        Chebyshev series of :math:`e^{-iH\,\delta t}` on the Gershgorin interval of its
        spectrum, truncated where the Bessel-coefficient tail is below ``step_tol``
        (numba kernels, sectors shared over ``workers`` threads). ``"auto"``
        diagonalises when every sector has at most ``EIG_LIMIT`` states and uses
        ``"chebyshev"`` otherwise.
    chunk : int
        Output times propagated per ``expm_multiply`` call (memory vs overhead).
    workers : int, optional
        Threads for ``"chebyshev"`` (default: one per core); ``>= 1``.
    step_tol : float
        Per-step bound on the Chebyshev truncation (state norm), ``> 0``.
    cutoff_tol : float
        Largest accepted photon cut-off error bound, ``> 0``.
    progress : bool or None
        Progress bar over the output times (``"chebyshev"``; tqdm on stderr): None shows one
        once the run has taken a few seconds (unless ``CAVITY_BCS_PROGRESS=0``). Ctrl-C stops
        the run within one Chebyshev step with ``KeyboardInterrupt``.

    Returns
    -------
    ExactResult
        With the error budget in ``dropped_weight``, ``cutoff_error``,
        ``propagation_error`` and ``error_bound``.
    """
    t = _check_times(t_final, n_save)
    if method not in ("auto", "eig", "expm", "chebyshev"):
        raise ValueError(f"method must be 'auto', 'eig', 'expm' or 'chebyshev', got {method!r}")
    chunk = check.integer("chunk", chunk, minimum=1)
    step_tol = check.positive("step_tol", step_tol)
    cutoff_tol = check.positive("cutoff_tol", cutoff_tol)
    workers = check.workers(workers)
    progress = _engine.progress_enabled(progress)
    auto_cut = isinstance(n_photon_max, str)
    if auto_cut and n_photon_max != "auto":
        raise ValueError(f"n_photon_max must be None, an integer >= 0 or 'auto', got {n_photon_max!r}")
    if auto_cut and method in ("eig", "expm"):
        raise ValueError("n_photon_max='auto' needs method 'chebyshev' (or 'auto'), "
                         f"got method {method!r}")
    sizes, eps, f, kind, beta, n_max, k_lo, k_hi = _setup(model, basis, photon,
                                                          None if auto_cut else n_photon_max, tol, False)
    _check_configurations(sizes)  # before counting: counting a 2^(2N) grid exactly is itself slow
    if method == "auto":
        small = not auto_cut and max(_sector_dimensions(sizes, k_lo, k_hi, n_max)) <= EIG_LIMIT
        method = "eig" if small else "chebyshev"
    if method == "chebyshev":
        return _quench_chebyshev(model, t, sizes, eps, f, kind, beta, k_lo, k_hi,
                                 "auto" if auto_cut else n_photon_max, workers, step_tol, cutoff_tol, progress)

    space = _Basis(sizes, k_lo, k_hi, n_max)
    psi0 = space.amplitudes(beta)
    obs = _Observables(space, eps, f, model)
    cut = n_photon_max is not None and n_photon_max < k_hi
    budget = dict(method=method, photon_cutoff=n_photon_max if cut else None,
                  dropped_weight=max(0.0, 1.0 - float(np.sum(np.abs(psi0) ** 2))),
                  cutoff_error=None if cut else 0.0)
    rows = []
    if method == "eig":
        H = obs.H
        parts = []
        for sl in space.blocks:
            energies, vectors = scipy.linalg.eigh(H[sl, sl].toarray())
            parts.append((sl, energies, vectors, vectors.conj().T @ psi0[sl]))
        for start in range(0, t.size, chunk):
            ts = t[start:start + chunk]
            psi = np.empty((space.dim, ts.size), dtype=complex)
            for sl, energies, vectors, coeff in parts:
                psi[sl] = vectors @ (coeff[:, None] * np.exp(-1j * np.outer(energies, ts)))
            rows.append(obs.pure(psi))
        return _collect(rows, t, model, kind, space.dim, False, **budget)
    # Rotating frame exp(-i omega K t): K is conserved, so this only multiplies
    # sector k by exp(-i omega k t), i.e. S+ by exp(+i omega t) and <a> by
    # exp(-i omega t). omega is chosen to shrink the spread of the diagonal, which
    # sets the number of matrix-vector products expm_multiply needs.
    diag = obs.H.diagonal()
    omegas = np.linspace(-abs(diag).max(), abs(diag).max(), 401) / max(space.k.max(), 1)
    spread = [np.ptp(diag - w * space.k) for w in omegas]
    omega = float(omegas[int(np.argmin(spread))])
    shifted = (obs.H - omega * sp.diags(space.k.astype(float))).tocsr()
    generator = (-1j * shifted).tocsr()
    psi = psi0.astype(complex)
    rows.append(obs.pure(psi[:, None]))
    dt = t[1] - t[0]
    done = 0
    while done < t.size - 1:
        steps = min(chunk, t.size - 1 - done)
        if steps > 1:
            block = expm_multiply(generator, psi, start=dt, stop=dt * steps, num=steps, endpoint=True)
        else:
            block = expm_multiply(generator * dt, psi)[None, :]
        block = np.asarray(block).reshape(steps, -1)
        rows.append(obs.pure(block.T))
        psi = block[-1]
        done += steps
    result = _collect(rows, t, model, kind, space.dim, False, **budget)
    phase = np.exp(1j * omega * t)
    return dataclasses.replace(result, s_plus=result.s_plus * phase, photon=result.photon / phase)


def _quench_chebyshev(model, t, sizes, eps, f, kind, beta, k_lo, k_hi, n_photon_max, workers,
                      step_tol, cutoff_tol, progress=None):
    """Driver of method "chebyshev": build the sector lattice, propagate, check the cut-off."""
    auto = n_photon_max == "auto"
    if auto:
        n_cut = _auto_cutoff(model, float(t[-1]), beta)
    else:
        n_cut = k_hi if n_photon_max is None else int(n_photon_max)
    while True:
        n_cut = min(n_cut, k_hi)  # above k_hi a cut-off removes nothing
        lattice = _Lattice(_Basis(sizes, k_lo, k_hi, n_cut), eps, f, model.g, model.delta_c, beta)
        cut = n_cut < k_hi
        try:
            data, bound, edge, n_steps = _chebyshev_run(lattice, model, t, model.n_pairs, workers, step_tol,
                                                        cutoff_tol, abort=auto and cut, progress=progress)
            break
        except _CutoffExceeded:
            n_cut = int(np.ceil(1.5 * n_cut + 10))  # restart with a larger cut-off
    if cut and bound > cutoff_tol:
        warnings.warn(f"photon cut-off n_photon_max = {n_cut}: error bound {bound:.2e} exceeds "
                      f"cutoff_tol = {cutoff_tol:.1e}; raise n_photon_max or use 'auto'",
                      TruncationWarning, stacklevel=3)
    kept = float(np.sum(np.abs(lattice.psi0) ** 2))
    return ExactResult(t=t, model=model, basis=kind, dimension=lattice.basis.dim, mixed=False,
                       method="chebyshev", photon_cutoff=n_cut if cut else None,
                       dropped_weight=max(0.0, 1.0 - kept), cutoff_error=float(bound) if cut else 0.0,
                       cutoff_population=edge if cut else 0.0,
                       propagation_error=n_steps * step_tol, **data)


# --------------------------------------------- sector-wise Chebyshev propagation
class _Lattice:
    r"""The tables of a :class:`_Basis` with the couplings of :math:`H` filled in, as the numba
    kernels read them: ``nbr``/``amp`` (``2G`` columns) are the off-diagonal elements inside a
    sector, :math:`g f_g J^+_g a` (``hop``) then :math:`g f_g J^-_g a^\dagger` (``drop``);
    ``leak_amp`` the same move out of the kept space; ``psi0`` the quench state."""

    def __init__(self, basis, eps, f, g, delta_c, beta):
        gf = g * np.asarray(f, dtype=float)
        self.basis = basis
        self.diag = basis.diagonal(eps, delta_c)
        self.nbr = np.concatenate([basis.hop, basis.drop], axis=1)
        self.amp = np.concatenate([basis.hop_amp * gf, basis.drop_amp * gf], axis=1)
        self.leak_amp = basis.leak_amp * gf
        self.psi0 = basis.amplitudes(beta)
        # Gershgorin discs bound the spectrum of each sector (tight here: measured within 1 %)
        radius = np.abs(self.amp).sum(axis=1)
        spans = list(zip(basis.offsets[:-1], basis.offsets[1:]))
        self.e_min = np.array([(self.diag - radius)[a:b].min() if b > a else 0.0 for a, b in spans])
        self.e_max = np.array([(self.diag + radius)[a:b].max() if b > a else 0.0 for a, b in spans])


def _chebyshev_coefficients(half_width, dt, tol):
    r"""Coefficients :math:`(2-\delta_{k0})(-i)^k J_k(r\,dt)` of
    :math:`e^{-iH dt} = e^{-ic\,dt}\sum_k c_k T_k((H-c)/r)`, truncated where the tail
    :math:`2\sum_{k>K}|J_k(r\,dt)|` (a bound on the dropped part, :math:`|T_k|\le1`) is below ``tol``."""
    z = half_width * dt
    k = np.arange(int(z + 10.0 * z ** (1.0 / 3.0) + 60))
    bessel = jv(k, z)
    tail = 2.0 * np.cumsum(np.abs(bessel)[::-1])[::-1]  # tail[j] = 2 sum_{k >= j} |J_k|
    n_terms = int(np.argmax(tail < tol)) if np.any(tail < tol) else k.size
    n_terms = max(n_terms, 2)
    coef = (2.0 - (k == 0)) * (-1j) ** k * bessel
    return coef[:n_terms]


@njit
def _apply_h(x, a, d, diag, nbr, amp, i):
    """(H x)_i for the state at local index i of the sector starting at a."""
    acc = diag[a + i] * x[i]
    for q in range(nbr.shape[1]):
        j = nbr[a + i, q]
        if j >= 0:
            acc += amp[a + i, q] * x[j]
    return acc


@njit(inline="always")
def _row_times(sdiag, nbr, samp, a, i, n_nbr, vr, vi):
    """Row ``i`` of the scaled sector matrix times ``vr + i vi`` (sector starting at ``a``)."""
    ar = sdiag[a + i] * vr[i]
    ai = sdiag[a + i] * vi[i]
    for q in range(n_nbr):
        j = nbr[a + i, q]
        w = samp[a + i, q]
        ar += w * vr[j]
        ai += w * vi[j]
    return ar, ai


@njit
def _chebyshev_advance(psi, offsets, sectors, sdiag, nbr, samp, coef, n_terms, phase, work):
    r"""Advance the sectors listed in ``sectors`` by one step.

    ``sdiag``/``samp`` hold :math:`\tilde H = 2(H - c)/r` (twice the Chebyshev variable,
    so the recurrence :math:`T_{k+1} = \tilde H T_k - T_{k-1}` needs no multiplication);
    :math:`T_{k+1}` overwrites :math:`T_{k-1}` in place. Missing neighbours point at a
    zero slot ``d`` (no branch in the inner loop); real and imaginary parts are kept in
    separate rows of ``work`` (6 x (d + 1)). Scaling once outside the loop matters: a
    division per element made the kernel four times slower.
    """
    n_nbr = nbr.shape[1]
    for s in sectors:
        a = offsets[s]
        d = offsets[s + 1] - a
        pr, pi, tr, ti, rr, ri = work[0], work[1], work[2], work[3], work[4], work[5]
        pr[d] = 0.0
        pi[d] = 0.0
        tr[d] = 0.0
        ti[d] = 0.0
        c0r, c0i = coef[s, 0].real, coef[s, 0].imag
        c1r, c1i = coef[s, 1].real, coef[s, 1].imag
        for i in range(d):
            pr[i] = psi[a + i].real
            pi[i] = psi[a + i].imag
            rr[i] = c0r * pr[i] - c0i * pi[i]
            ri[i] = c0r * pi[i] + c0i * pr[i]
        for i in range(d):
            ar, ai = _row_times(sdiag, nbr, samp, a, i, n_nbr, pr, pi)
            tr[i] = 0.5 * ar
            ti[i] = 0.5 * ai
            rr[i] += c1r * tr[i] - c1i * ti[i]
            ri[i] += c1r * ti[i] + c1i * tr[i]
        for k in range(2, n_terms[s]):
            cr, ci = coef[s, k].real, coef[s, k].imag
            for i in range(d):
                ar, ai = _row_times(sdiag, nbr, samp, a, i, n_nbr, tr, ti)
                nr = ar - pr[i]
                ni = ai - pi[i]
                pr[i] = nr
                pi[i] = ni
                rr[i] += cr * nr - ci * ni
                ri[i] += cr * ni + ci * nr
            pr, pi, tr, ti = tr, ti, pr, pi
        ph = phase[s]
        for i in range(d):
            psi[a + i] = ph * (rr[i] + 1j * ri[i])


@njit(inline="always")
def _scatter(x, a, d, target, amp, work, size):
    """work[:size] = M x for the sector vector ``x`` (sector starting at ``a``, ``d`` states),
    with M stored as target indices and amplitudes per state (index -1: no entry)."""
    for i in range(size):
        work[i] = 0.0
    for i in range(d):
        for q in range(target.shape[1]):
            j = target[a + i, q]
            if j >= 0:
                work[j] += amp[a + i, q] * x[i]


@njit
def _observe(psi, offsets, sectors, diag, nbr, amp, n, low, low_amp, a_dn, leak, leak_amp,
             leak_size, n_cut, out, work):
    """Per-sector sums: norm, photons, energy, |S^- psi_k|^2, <psi_{k-1}|S^-|psi_k>,
    <psi_{k-1}|a|psi_k>, ||(1-P) H psi_k||^2, weight at n = n_cut (columns of ``out``)."""
    for s in sectors:
        a = offsets[s]
        d = offsets[s + 1] - a
        x = psi[a:a + d]
        nrm = 0.0
        nph = 0.0
        edge = 0.0
        en = 0j
        for i in range(d):
            w = x[i].real ** 2 + x[i].imag ** 2
            nrm += w
            nph += n[a + i] * w
            if n[a + i] == n_cut:
                edge += w
            en += np.conj(x[i]) * _apply_h(x, a, d, diag, nbr, amp, i)
        pair = 0.0
        s_minus = 0j
        photon = 0j
        if s > 0:
            b = offsets[s - 1]
            dp = a - b
            y = psi[b:a]
            _scatter(x, a, d, low, low_amp, work, dp)
            for i in range(d):
                j = a_dn[a + i]
                if j >= 0:
                    photon += np.conj(y[j]) * math.sqrt(n[a + i]) * x[i]
            for i in range(dp):
                pair += work[i].real ** 2 + work[i].imag ** 2
                s_minus += np.conj(y[i]) * work[i]
        leak2 = 0.0
        if leak_size[s] > 0:
            _scatter(x, a, d, leak, leak_amp, work, leak_size[s])
            for i in range(leak_size[s]):
                leak2 += work[i].real ** 2 + work[i].imag ** 2
        out[s, 0] = nrm
        out[s, 1] = nph
        out[s, 2] = en
        out[s, 3] = pair
        out[s, 4] = s_minus
        out[s, 5] = photon
        out[s, 6] = leak2
        out[s, 7] = edge


def _balance(costs, workers):
    """Split sector indices into ``workers`` lists of similar total cost (largest first)."""
    loads = np.zeros(workers)
    groups = [[] for _ in range(workers)]
    for s in np.argsort(costs)[::-1]:
        w = int(np.argmin(loads))
        groups[w].append(int(s))
        loads[w] += costs[s]
    return [np.array(sorted(g), dtype=np.int64) for g in groups if g]


class _CutoffExceeded(Exception):
    pass


def _chebyshev_run(lattice, model, t, n_pairs, workers, step_tol, cutoff_tol, abort, progress=None):
    """Propagate every sector over the output grid ``t``; return observables, bounds and the step count."""
    L, B = lattice, lattice.basis
    n_sec = B.ks.size
    centre = 0.5 * (L.e_max + L.e_min)
    half_width = np.maximum(0.5 * (L.e_max - L.e_min), 1e-12) * (1.0 + 1e-9)
    # long output intervals are cut into sub-steps of at most MAX_CHEBYSHEV_RANGE (spectral radius x
    # step): the series stays short, and Ctrl-C (seen between kernel calls) stops a run promptly
    n_sub = max(1, int(np.ceil(float(np.max(half_width)) * (t[1] - t[0]) / MAX_CHEBYSHEV_RANGE)))
    dt = (t[1] - t[0]) / n_sub
    coefs = [_chebyshev_coefficients(r, dt, step_tol) for r in half_width]
    n_terms = np.array([c.size for c in coefs], dtype=np.int64)
    coef = np.zeros((n_sec, int(n_terms.max())), dtype=complex)
    for s, c in enumerate(coefs):
        coef[s, :c.size] = c
    phase = np.exp(-1j * centre * dt)
    sector_of = np.repeat(np.arange(n_sec), np.diff(B.offsets))
    scale = 2.0 / half_width[sector_of]
    sdiag = (L.diag - centre[sector_of]) * scale
    samp = L.amp * scale[:, None]
    # missing neighbours -> the zero slot d_s at the end of the kernel's work rows
    nbr = np.where(L.nbr >= 0, L.nbr, np.diff(B.offsets)[sector_of][:, None]).astype(np.int32)
    sector_dim = np.diff(B.offsets)
    groups = _balance(sector_dim * n_terms, workers)
    biggest = int(max(sector_dim.max(), B.leak_size.max(initial=0)))
    buffers = [(np.zeros(biggest, dtype=complex), np.zeros((6, biggest + 1))) for _ in groups]
    psi = L.psi0.astype(complex).copy()
    out = np.zeros((n_sec, 8), dtype=complex)
    rows = np.zeros((t.size, 8), dtype=complex)

    def observe(job):
        group, buf = job
        _observe(psi, B.offsets, group, L.diag, L.nbr, L.amp, B.n, B.low, B.low_amp, B.a_dn,
                 B.leak, L.leak_amp, B.leak_size, B.n_cut, out, buf[0])

    def advance(job):
        group, buf = job
        _chebyshev_advance(psi, B.offsets, group, sdiag, nbr, samp, coef, n_terms, phase, buf[1])

    jobs = list(zip(groups, buffers))
    excite = (B.ks - n_pairs).astype(float)
    leak_rate = np.zeros(t.size)
    bound = 0.0
    with (_engine.Progress(t.size, "exact_quench", progress, unit="time") as bar,
          _engine.interruptible(), ThreadPoolExecutor(max_workers=len(jobs)) as pool):
        # even one job runs on the pool: the calling thread only waits, so Ctrl-C reaches it at once
        def run(f):
            return [future.result() for future in [pool.submit(f, job) for job in jobs]]

        for step in range(t.size):
            if step > 0:
                for _ in range(n_sub):
                    run(advance)
            run(observe)
            bar.advance()
            rows[step] = out.sum(axis=0)
            rows[step, 6] = np.dot(excite, out[:, 0].real)  # K is block diagonal: sum (k - N) |psi_k|^2
            leak_rate[step] = np.sqrt(out[:, 6].real.sum())
            if step > 0:
                bound += 0.5 * dt * (leak_rate[step] + leak_rate[step - 1])
                if abort and bound > cutoff_tol:
                    raise _CutoffExceeded(bound)
    data = dict(
        norm=rows[:, 0].real,
        n_photon=rows[:, 1].real / n_pairs,
        energy=rows[:, 2].real / n_pairs,
        pair_correlation=rows[:, 3].real / n_pairs ** 2,
        s_plus=np.conj(rows[:, 4]) / n_pairs,
        photon=rows[:, 5] / np.sqrt(n_pairs),
        excitations=rows[:, 6].real / n_pairs,
    )
    return data, bound, float(rows[:, 7].real.max()), (t.size - 1) * n_sub


def _auto_cutoff(model, t_final, beta):
    """First photon cut-off to try: the mean-field photon number plus a generous margin."""
    from ..meanfield.quench import quench  # local import: mean field is needed only for "auto"
    closed = model.replace(kappa=0.0, gamma=0.0, dephasing=0.0)  # exact_quench ignores losses
    mf = quench(closed, t_final, n_save=401, initial=None if beta == 0 else _mf_initial(closed, beta))
    n_mf = float(np.max(mf.n_photon)) * model.n_pairs
    n_start = abs(beta) ** 2
    top = max(n_mf, n_start)
    return int(np.ceil(1.25 * top + 8.0 * np.sqrt(top + 1.0) + 10.0))


def _mf_initial(model, beta):
    from ..meanfield.states import x_polarized
    return x_polarized(model, photon=beta / np.sqrt(model.n_pairs))


def exact_master_equation(model: Model, t_final: float, n_save: int = 201, *, basis: str = "auto",
                          photon="vacuum", n_photon_max=None, tol: float = 1e-14) -> ExactResult:
    r"""Lindblad evolution with photon loss ``model.kappa`` (and atomic ``gamma``,
    ``dephasing``) from the quench state, for the smallest systems.

    :math:`\dot\rho = -i[H,\rho] + \sum_L\left(2L\rho L^\dagger - \{L^\dagger L,\rho\}\right)`
    with :math:`L = \sqrt{\kappa/2}\,a`, :math:`\sqrt{\gamma/2}\,\sigma^-_i` and
    :math:`\tfrac12\sqrt{\gamma_\phi}\,\sigma^z_i` (the book's convention: :math:`\langle a\rangle`
    decays at :math:`\kappa/2`). The density matrix is vectorised and propagated with
    :func:`scipy.sparse.linalg.expm_multiply`; the Hilbert dimension must not exceed
    ``MAX_DENSITY_DIMENSION``. Photon loss alone keeps the permutation symmetry, so
    the collective basis is allowed; atomic decay or dephasing need ``basis="full"``
    (chosen automatically). Arguments as in :func:`exact_quench`.
    """
    check.instance("model", model, Model)
    t = _check_times(t_final, n_save)
    atomic = model.gamma > 0 or model.dephasing > 0
    if atomic:
        if basis == "collective":
            raise ValueError("basis must be 'full' (or 'auto') when gamma or dephasing > 0: "
                             "local atomic loss breaks the permutation symmetry")
        basis = "full"
    sizes, eps, f, kind, beta, n_max, k_lo, k_hi = _setup(model, basis, photon, n_photon_max, tol, True)
    _check_configurations(sizes)
    D = sum(_sector_dimensions(sizes, k_lo, k_hi, n_max))  # counted before anything is built
    if D > MAX_DENSITY_DIMENSION:
        raise ValueError(f"Hilbert dimension {D} exceeds MAX_DENSITY_DIMENSION = {MAX_DENSITY_DIMENSION}: "
                         "use fewer atoms (or the collective basis)")
    space = _Basis(sizes, k_lo, k_hi, n_max)
    psi0 = space.amplitudes(beta)
    obs = _Observables(space, eps, f, model)
    eye = sp.identity(D, format="csr")
    # Column stacking: vec(A rho B) = (B^T kron A) vec(rho).
    H = obs.H
    L = -1j * (sp.kron(eye, H) - sp.kron(H.T, eye))
    jumps = []
    if model.kappa > 0:
        jumps.append(np.sqrt(model.kappa / 2.0) * obs.A)
    if model.gamma > 0:
        jumps += [np.sqrt(model.gamma / 2.0) * space.lower(i) for i in range(space.sizes.size)]
    if model.dephasing > 0:
        for i in range(space.sizes.size):
            sz = sp.diags(2.0 * space.m[:, i] - 1.0)
            jumps.append(0.5 * np.sqrt(model.dephasing) * sz)
    for J in jumps:
        JdJ = (J.conj().T @ J).tocsr()
        L = L + 2.0 * sp.kron(J.conj(), J) - sp.kron(eye, JdJ) - sp.kron(JdJ.T, eye)
    L = L.tocsr()
    # expm_multiply needs about t ||L||_1 / theta_m (theta_55 ~ 10) sparse products: refuse runs it cannot finish
    products = t[-1] * float(abs(L).sum(axis=0).max()) / 10.0
    if products > MAX_MASTER_PRODUCTS:
        raise ValueError(f"exact_master_equation to t_final = {t[-1]:.3g} (units of 1/chi N) needs about {products:.3g} "
                         f"sparse products (t_final times the generator's norm {abs(L).sum(axis=0).max():.3g}), more than "
                         f"MAX_MASTER_PRODUCTS = {MAX_MASTER_PRODUCTS:.0e}; shorten t_final")
    rho = np.outer(psi0, psi0.conj())
    vec = rho.reshape(-1, order="F")
    rows = [obs.mixed(rho)]
    dt = t[1] - t[0]
    states = expm_multiply(L, vec, start=dt, stop=t[-1], num=t.size - 1, endpoint=True)
    for v in np.atleast_2d(states):
        rows.append(obs.mixed(v.reshape(D, D, order="F")))
    return _collect(rows, t, model, kind, D, True, method="master")
