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
* **Photon loss.** The master equation in the book's form
  :math:`\partial_t O = i[H,O] + \sum_L (2L^\dagger O L - \{L^\dagger L, O\})`, with
  :math:`L = \sqrt{\kappa/2}\,a`, becomes for the density matrix
  :math:`\dot\rho = -i[H,\rho] + \kappa\,a\rho a^\dagger - \tfrac\kappa2\{a^\dagger a,\rho\}`;
  atomic decay (:math:`\sqrt{\gamma/2}\,\sigma^-_i`) and dephasing
  (:math:`\tfrac12\sqrt{\gamma_\phi}\,\sigma^z_i`) are added in the same form.
  Loss only lowers :math:`K`, so the space of sectors :math:`0\dots k_{max}` is closed.

Observables are normalised as in :class:`~cavity_bcs.dynamics.QuenchResult`:
:math:`S^+ = (1/N)\sum_i\langle\sigma^+_i\rangle`, photon :math:`\langle a\rangle/\sqrt N`,
photon density :math:`\langle a^\dagger a\rangle/N`, excitations
:math:`(\tfrac12\sum_i\langle\sigma^z_i\rangle + \langle a^\dagger a\rangle)/N` and
energy :math:`\langle H\rangle/N`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy.sparse.linalg import expm_multiply
from scipy.special import gammaln

from . import _validate as check
from .dynamics import TimeSeries
from .model import Model

__all__ = ["ExactResult", "exact_quench", "exact_master_equation", "sector_spectrum",
           "hilbert_dimension"]

#: Largest number of collective configurations (product of group sizes + 1) we enumerate.
MAX_CONFIGURATIONS = 2 ** 18
#: Largest Hilbert-space dimension for the (vectorised) master equation.
MAX_DENSITY_DIMENSION = 1500
#: Sectors up to this dimension are diagonalised densely (method "eig").
EIG_LIMIT = 400


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


@dataclass(frozen=True, eq=False)
class ExactResult(PairCoherent):
    r"""Observables of an exact quantum evolution, sampled at the times ``t``.

    Same normalisation as :class:`~cavity_bcs.dynamics.QuenchResult` (everything per
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



# --------------------------------------------------------------------- groups
def _groups(model: Model, basis: str):
    """Group sizes, energies and couplings for the requested basis."""
    eps = np.asarray(model.eps, dtype=float)
    f = np.asarray(model.couplings, dtype=float)
    if basis == "full":
        return np.ones(eps.size, dtype=np.int64), eps.copy(), f.copy(), "full"
    if basis not in ("auto", "collective"):
        raise ValueError(f"basis must be 'auto', 'full' or 'collective', got {basis!r}")
    keys, inverse, counts = np.unique(np.stack([eps, f], axis=1), axis=0,
                                      return_inverse=True, return_counts=True)
    if basis == "auto" and counts.size == eps.size:
        return np.ones(eps.size, dtype=np.int64), eps.copy(), f.copy(), "full"
    return counts.astype(np.int64), keys[:, 0].copy(), keys[:, 1].copy(), "collective"


def _log_binomial(n, m):
    return gammaln(n + 1.0) - gammaln(m + 1.0) - gammaln(n - m + 1.0)


class _Space:
    """Basis |m_1..m_G; n> restricted to excitation sectors k_lo..k_hi (and n <= n_max)."""

    def __init__(self, sizes, k_lo, k_hi, n_max):
        self.sizes = sizes
        n_config = int(np.prod(sizes + 1, dtype=float))
        if n_config > MAX_CONFIGURATIONS:
            raise ValueError(
                f"the atomic basis would need {n_config} configurations (limit {MAX_CONFIGURATIONS}): "
                "use fewer atoms, or W = 0 with homogeneous couplings for the collective basis")
        grids = np.indices(tuple(sizes + 1)).reshape(sizes.size, -1).T  # (n_config, G)
        self.strides = np.array([int(np.prod(sizes[g + 1:] + 1)) for g in range(sizes.size)],
                                dtype=np.int64)
        m_total = grids.sum(axis=1)
        configs, photons, sectors = [], [], []
        for k in range(k_lo, k_hi + 1):
            n = k - m_total
            ok = (n >= 0) & (n <= n_max)
            configs.append(np.flatnonzero(ok))
            photons.append(n[ok])
            sectors.append(np.full(ok.sum(), k))
        self.config = np.concatenate(configs)
        self.n = np.concatenate(photons).astype(np.int64)
        self.k = np.concatenate(sectors).astype(np.int64)
        self.m = grids[self.config]  # (D, G) excited atoms per group
        self.dim = self.config.size
        self.n_top = int(self.n.max()) if self.dim else 0
        self.lookup = -np.ones((n_config, self.n_top + 2), dtype=np.int64)
        self.lookup[self.config, self.n] = np.arange(self.dim)
        bounds = np.flatnonzero(np.diff(self.k)) + 1
        self.blocks = np.split(np.arange(self.dim), bounds)

    def index(self, config, n):
        """Index of (config, n); -1 when outside the kept space."""
        out = -np.ones(config.shape, dtype=np.int64)
        ok = (n >= 0) & (n <= self.n_top + 1)
        out[ok] = self.lookup[config[ok], n[ok]]
        return out

    def _raise(self, g, photon_change):
        """Source, target and sqrt((m+1)(n_g - m)) for J^+_g combined with n -> n + photon_change."""
        m = self.m[:, g]
        src = np.flatnonzero(m < self.sizes[g])
        tgt = self.index(self.config[src] + self.strides[g], self.n[src] + photon_change)
        keep = tgt >= 0
        src, tgt = src[keep], tgt[keep]
        amp = np.sqrt((m[src] + 1.0) * (self.sizes[g] - m[src]))
        return src, tgt, amp

    def s_plus(self):
        r""":math:`\sum_g J^+_g` (maps sector k to k + 1)."""
        rows, cols, vals = [], [], []
        for g in range(self.sizes.size):
            src, tgt, amp = self._raise(g, 0)
            rows.append(tgt), cols.append(src), vals.append(amp)
        return _csr(rows, cols, vals, self.dim)

    def lower_atom(self, g):
        r""":math:`J^-_g` (for one-atom groups, :math:`\sigma^-_i`)."""
        src, tgt, amp = self._raise(g, 0)
        return sp.csr_matrix((amp, (src, tgt)), shape=(self.dim, self.dim))

    def annihilate(self):
        """The photon annihilation operator a (maps sector k to k - 1)."""
        src = np.flatnonzero(self.n > 0)
        tgt = self.index(self.config[src], self.n[src] - 1)
        keep = tgt >= 0
        src, tgt = src[keep], tgt[keep]
        return sp.csr_matrix((np.sqrt(self.n[src].astype(float)), (tgt, src)),
                             shape=(self.dim, self.dim))

    def diagonal(self, eps, delta_c):
        return self.m @ (2.0 * eps) - float(np.dot(eps, self.sizes)) + delta_c * self.n

    def hamiltonian(self, eps, f, g, delta_c):
        """H in units of chi N (block diagonal in the sectors)."""
        rows, cols, vals = [np.arange(self.dim)], [np.arange(self.dim)], [self.diagonal(eps, delta_c)]
        for grp in range(self.sizes.size):
            if f[grp] == 0.0:
                continue
            # g f J^+ a: (m, n) -> (m + 1, n - 1) with amplitude sqrt(n)
            m = self.m[:, grp]
            src = np.flatnonzero((m < self.sizes[grp]) & (self.n > 0))
            tgt = self.index(self.config[src] + self.strides[grp], self.n[src] - 1)
            keep = tgt >= 0
            src, tgt = src[keep], tgt[keep]
            amp = g * f[grp] * np.sqrt((m[src] + 1.0) * (self.sizes[grp] - m[src]) * self.n[src])
            rows += [tgt, src]
            cols += [src, tgt]
            vals += [amp, amp]
        return _csr(rows, cols, vals, self.dim)


def _csr(rows, cols, vals, dim):
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(dim, dim))


# ------------------------------------------------------------- initial state
def _initial_amplitudes(space: _Space, beta: complex):
    r"""Amplitudes of :math:`\bigotimes_g|j_g, +x\rangle\otimes|\beta\rangle` on the basis.

    A spin along +x is :math:`(|{\downarrow}\rangle + |{\uparrow}\rangle)/\sqrt2`; the
    symmetric group state has amplitude :math:`\sqrt{\binom{n_g}{m_g}}/2^{n_g/2}` on
    :math:`m_g` excitations. The coherent photon has :math:`e^{-|\beta|^2/2}\beta^n/\sqrt{n!}`.
    """
    log_amp = 0.5 * (_log_binomial(space.sizes[None, :], space.m) - space.sizes[None, :] * np.log(2.0)).sum(axis=1)
    n = space.n.astype(float)
    if beta == 0:
        photon = (space.n == 0).astype(complex)
    else:
        photon = np.exp(-0.5 * abs(beta) ** 2 + n * np.log(abs(beta)) - 0.5 * gammaln(n + 1.0)
                        + 1j * n * np.angle(beta))
    return np.exp(log_amp) * photon


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
    k_lo = 0 if full_down else int(keep[0])
    return k_lo, int(keep[-1])


def _prepare(model, basis, photon, n_photon_max, tol, full_down):
    if not isinstance(model, Model):
        raise ValueError(f"model must be a cavity_bcs.Model, got {type(model).__name__}")
    photon = complex(photon)
    if not np.isfinite(photon):
        raise ValueError(f"photon must be a finite complex number, got {photon!r}")
    tol = check.positive("tol", tol)
    if n_photon_max is None:
        n_max = np.iinfo(np.int64).max // 4
    else:
        n_max = check.integer("n_photon_max", n_photon_max, minimum=0)
    sizes, eps, f, kind = _groups(model, basis)
    beta = photon * np.sqrt(model.n_pairs)  # <a> itself
    k_lo, k_hi = _sector_range(sizes, beta, tol, n_max, full_down)
    space = _Space(sizes, k_lo, k_hi, n_max)
    psi0 = _initial_amplitudes(space, beta)
    return space, psi0, eps, f, kind


def hilbert_dimension(model: Model, basis: str = "auto", photon=0.0, n_photon_max=None,
                      tol: float = 1e-14) -> int:
    """Number of basis states :func:`exact_quench` keeps for ``model`` (a cost estimate)."""
    return _prepare(model, basis, photon, n_photon_max, tol, False)[0].dim


def sector_spectrum(model: Model, excitations: int, basis: str = "auto") -> np.ndarray:
    r"""Eigenvalues of :math:`H` (units of :math:`\chi N`) in the sector with
    ``excitations`` :math:`= k = \#\{\text{excited atoms}\} + \#\{\text{photons}\}`.

    In the collective basis only the fully symmetric multiplet of each group is
    represented. Example: one excitation, all atoms resonant
    (:math:`2\varepsilon_i = \Delta_c`) and homogeneous couplings gives the
    Tavis–Cummings pair :math:`E_0 + \Delta_c \pm g\sqrt{2N}` (:math:`E_0 = -\sum_i\varepsilon_i`)
    plus, in the full basis, :math:`2N - 1` dark states at :math:`E_0 + \Delta_c`.
    """
    k = check.integer("excitations", excitations, minimum=0)
    sizes, eps, f, _ = _groups(model, basis)
    space = _Space(sizes, k, k, k)
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


def _collect(rows, t, model, kind, dim, mixed):
    keys = ("s_plus", "photon", "n_photon", "excitations", "energy", "pair_correlation", "norm")
    data = {key: np.concatenate([np.atleast_1d(r[key]) for r in rows]) for key in keys}
    return ExactResult(t=t, model=model, basis=kind, dimension=dim, mixed=mixed, **data)


def _check_times(t_final, n_save):
    t_final = check.positive("t_final", t_final)
    n_save = check.integer("n_save", n_save, minimum=2)
    return np.linspace(0.0, t_final, n_save)


def exact_quench(model: Model, t_final: float, n_save: int = 201, *, basis: str = "auto",
                 photon=0.0, n_photon_max=None, tol: float = 1e-14, method: str = "auto",
                 chunk: int = 50) -> ExactResult:
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
    photon : complex
        Initial coherent amplitude :math:`\langle a\rangle/\sqrt N`.
    n_photon_max : int, optional
        Drop basis states with more photons (an approximation; default: none
        dropped, which is exact because each sector is finite).
    tol : float
        Excitation sectors whose initial weight is below ``tol`` are left out.
    method : {"auto", "eig", "expm"}
        Dense diagonalisation of each sector, or
        :func:`scipy.sparse.linalg.expm_multiply` on the whole (block-diagonal) space.
        ``"auto"`` diagonalises when every sector has at most ``EIG_LIMIT`` states.
    chunk : int
        Output times propagated per ``expm_multiply`` call (memory vs overhead).

    Returns
    -------
    ExactResult
    """
    t = _check_times(t_final, n_save)
    if method not in ("auto", "eig", "expm"):
        raise ValueError(f"method must be 'auto', 'eig' or 'expm', got {method!r}")
    chunk = check.integer("chunk", chunk, minimum=1)
    space, psi0, eps, f, kind = _prepare(model, basis, photon, n_photon_max, tol, False)
    obs = _Observables(space, eps, f, model)
    largest = max(b.size for b in space.blocks)
    if method == "auto":
        method = "eig" if largest <= EIG_LIMIT else "expm"
    rows = []
    if method == "eig":
        H = obs.H
        parts = []
        for block in space.blocks:
            sl = slice(block[0], block[-1] + 1)
            energies, vectors = scipy.linalg.eigh(H[sl, sl].toarray())
            parts.append((sl, energies, vectors, vectors.conj().T @ psi0[sl]))
        for start in range(0, t.size, chunk):
            ts = t[start:start + chunk]
            psi = np.empty((space.dim, ts.size), dtype=complex)
            for sl, energies, vectors, coeff in parts:
                psi[sl] = vectors @ (coeff[:, None] * np.exp(-1j * np.outer(energies, ts)))
            rows.append(obs.pure(psi))
    else:
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
        result = _collect(rows, t, model, kind, space.dim, False)
        phase = np.exp(1j * omega * t)
        return ExactResult(t=t, s_plus=result.s_plus * phase, photon=result.photon / phase,
                           n_photon=result.n_photon, excitations=result.excitations,
                           energy=result.energy, pair_correlation=result.pair_correlation,
                           norm=result.norm, model=model, basis=kind,
                           dimension=space.dim, mixed=False)
    return _collect(rows, t, model, kind, space.dim, False)


def exact_master_equation(model: Model, t_final: float, n_save: int = 201, *, basis: str = "auto",
                          photon=0.0, n_photon_max=None, tol: float = 1e-14) -> ExactResult:
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
    t = _check_times(t_final, n_save)
    atomic = model.gamma > 0 or model.dephasing > 0
    if atomic:
        if basis == "collective":
            raise ValueError("basis must be 'full' (or 'auto') when gamma or dephasing > 0: "
                             "local atomic loss breaks the permutation symmetry")
        basis = "full"
    space, psi0, eps, f, kind = _prepare(model, basis, photon, n_photon_max, tol, True)
    D = space.dim
    if D > MAX_DENSITY_DIMENSION:
        raise ValueError(f"Hilbert dimension {D} exceeds MAX_DENSITY_DIMENSION = {MAX_DENSITY_DIMENSION}: "
                         "use fewer atoms (or the collective basis)")
    obs = _Observables(space, eps, f, model)
    eye = sp.identity(D, format="csr")
    # Column stacking: vec(A rho B) = (B^T kron A) vec(rho).
    H = obs.H
    L = -1j * (sp.kron(eye, H) - sp.kron(H.T, eye))
    jumps = []
    if model.kappa > 0:
        jumps.append(np.sqrt(model.kappa / 2.0) * obs.A)
    if model.gamma > 0:
        jumps += [np.sqrt(model.gamma / 2.0) * space.lower_atom(i) for i in range(space.sizes.size)]
    if model.dephasing > 0:
        for i in range(space.sizes.size):
            sz = sp.diags(2.0 * space.m[:, i] - 1.0)
            jumps.append(0.5 * np.sqrt(model.dephasing) * sz)
    for J in jumps:
        JdJ = (J.conj().T @ J).tocsr()
        L = L + 2.0 * sp.kron(J.conj(), J) - sp.kron(eye, JdJ) - sp.kron(JdJ.T, eye)
    L = L.tocsr()
    rho = np.outer(psi0, psi0.conj())
    vec = rho.reshape(-1, order="F")
    rows = [obs.mixed(rho)]
    dt = t[1] - t[0]
    states = expm_multiply(L, vec, start=dt, stop=t[-1], num=t.size - 1, endpoint=True)
    for v in np.atleast_2d(states):
        rows.append(obs.mixed(v.reshape(D, D, order="F")))
    return _collect(rows, t, model, kind, D, True)
