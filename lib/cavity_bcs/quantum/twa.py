r"""Truncated Wigner approximation (discrete for the spins) for the quench.

Quantum fluctuations of the initial state are sampled and every sample is
evolved with the *same* mean-field equations as :func:`cavity_bcs.quench`;
symmetrically ordered expectation values are sample means.

Sampling
--------
* **Spins (discrete Wigner / DTWA).** A spin along :math:`+x` is represented by the
  four phase-space points :math:`(\sigma^x,\sigma^y,\sigma^z) = (1, \pm1, \pm1)`, each
  with probability :math:`1/4` (:math:`y` and :math:`z` independent fair signs). Means
  reproduce :math:`\langle\sigma^a\rangle` and the symmetric second moments of the
  state, e.g. :math:`\langle(\sigma^y)^2\rangle = 1`.
* **Photon vacuum.** The Wigner function of :math:`|0\rangle` is a Gaussian with
  :math:`\mathrm{Re}\,a` and :math:`\mathrm{Im}\,a` independent, mean 0, variance
  :math:`1/4` each. In the library's variable :math:`\alpha = a/\sqrt N` the variance is
  :math:`1/(4N)` per quadrature. A coherent initial photon only shifts the mean.

Symmetric ordering
------------------
Spin components and :math:`\sigma^+_i a` (operators of different modes commute) need
no correction, but :math:`a^\dagger a = |a_W|^2 - 1/2`: the photon density and the
energy returned here subtract the vacuum half quantum,
:math:`\langle a^\dagger a\rangle/N = \overline{|\alpha|^2} - 1/(2N)`.

Integration
-----------
Each sample is integrated by the library's mean-field kernel
(:func:`cavity_bcs.meanfield._engine.integrate`, the one behind :func:`cavity_bcs.quench`: the
energy-moment Taylor series for equal couplings without local loss, else DOP853);
samples are shared out over a thread pool (the kernel releases the GIL). Random
numbers are drawn up front from ``numpy.random.default_rng(seed)``, so a result does
not depend on the number of workers.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from .. import _validate as check
from ..meanfield import _engine
from ..meanfield._equations import pack, physics, unpack_spins
from ..meanfield.states import resolve_photon
from ..model import Model
from ..results import PairCoherent

__all__ = ["TWAResult", "twa_quench", "sample_initial"]


@dataclass(frozen=True, eq=False)
class TWAResult(PairCoherent):
    r"""Sample means (and standard errors) of a truncated-Wigner quench.

    Units and normalisation as in :class:`~cavity_bcs.dynamics.QuenchResult`.
    Standard errors are :math:`\mathrm{std}/\sqrt{M}` over the :math:`M` samples.

    Attributes
    ----------
    t : ndarray
        Times, units of :math:`1/(\chi N)`.
    s_plus, s_plus_err : ndarray (complex)
        :math:`\langle S^+\rangle` and the standard errors of its real and
        imaginary parts (stored as ``err_re + 1j*err_im``).
    photon : ndarray (complex)
        :math:`\langle a\rangle/\sqrt N`.
    pair_correlation, pair_correlation_err : ndarray
        :math:`\langle S^+S^-\rangle = (1/N^2)\sum_{ij}\langle\sigma^+_i\sigma^-_j\rangle`, the
        phase-insensitive coherence (mean field: :math:`|S^+|^2`), with the exact Weyl
        symbol of the :math:`i = j` terms, :math:`(1 + \sigma^z_i)/2`.
    n_photon, n_photon_err : ndarray
        :math:`\langle a^\dagger a\rangle/N` (vacuum half quantum subtracted).
    excitations : ndarray
        :math:`(\tfrac12\sum_i\langle\sigma^z_i\rangle + \langle a^\dagger a\rangle)/N`.
    energy : ndarray
        :math:`\langle H\rangle/N`, units of :math:`\chi N`.
    n_samples : int
    seed : int or None
    model : Model
    """

    t: np.ndarray
    s_plus: np.ndarray
    s_plus_err: np.ndarray
    photon: np.ndarray
    pair_correlation: np.ndarray
    pair_correlation_err: np.ndarray
    n_photon: np.ndarray
    n_photon_err: np.ndarray
    excitations: np.ndarray
    energy: np.ndarray
    n_samples: int
    seed: int | None
    model: Model = field(repr=False)

    @property
    def coherence_err(self) -> np.ndarray:
        r"""Standard error of :math:`|\langle S^+\rangle|` (linearised: the error of the
        component of :math:`S^+` along the direction of its mean)."""
        phase = np.exp(1j * np.angle(self.s_plus))
        return np.sqrt((self.s_plus_err.real * phase.real) ** 2 + (self.s_plus_err.imag * phase.imag) ** 2)



def sample_initial(model: Model, n_samples: int, seed=None, photon="vacuum",
                   noise: float = 1.0) -> np.ndarray:
    r"""Initial phase-space samples, packed as the kernel's real vectors.

    Returns an array of shape ``(n_samples, 3 n_atoms + 2)``: rows
    ``[x(n), y(n), z(n), Re alpha, Im alpha]`` with :math:`x_i = 1`,
    :math:`y_i, z_i = \pm1` and :math:`\alpha = ` ``photon`` :math:`+` Gaussian noise of
    variance :math:`1/(4N)` per quadrature (``photon`` as in :func:`~cavity_bcs.x_polarized`:
    ``"vacuum"``, ``"equilibrium"`` or a complex :math:`\alpha`). ``noise`` scales both the spin
    signs' spread (:math:`y, z = \pm` ``noise``) and the photon standard deviation;
    ``noise = 0`` gives the mean-field initial state.
    """
    if not isinstance(model, Model):
        raise ValueError(f"model must be a cavity_bcs.Model, got {type(model).__name__}")
    n_samples = check.integer("n_samples", n_samples, minimum=1)
    noise = check.nonnegative("noise", noise)
    n = model.n_atoms
    x_spins = np.zeros((n, 3))
    x_spins[:, 0] = 1.0
    photon = resolve_photon(photon, model, x_spins)
    rng = np.random.default_rng(seed)
    signs = 2.0 * rng.integers(0, 2, size=(n_samples, 2 * n)) - 1.0
    spins = np.empty((n_samples, n, 3))
    spins[:, :, 0] = 1.0
    spins[:, :, 1] = noise * signs[:, :n]
    spins[:, :, 2] = noise * signs[:, n:]
    sigma = noise * np.sqrt(1.0 / (4.0 * model.n_pairs))
    re = rng.standard_normal(n_samples)
    im = rng.standard_normal(n_samples)
    return pack(spins, photon.real + sigma * re + 1j * (photon.imag + sigma * im))


def _run_chunk(samples, t_save, model, rtol, atol, max_steps):
    r"""Integrate every row of ``samples``; return per sample the kernel's 7 observables
    and, as row 7, the sample estimate of :math:`\langle S^+S^-\rangle` (see :class:`TWAResult`)."""
    N = model.n_pairs
    params = physics(model.eps, model.couplings, np.ones(model.n_atoms), model.g_collective, model.delta_c,
                     model.kappa, model.gamma, model.dephasing, False, 1.0 / N)
    out = np.empty((samples.shape[0], 8, t_save.size))
    for s in range(samples.shape[0]):
        sol = _engine.integrate(samples[s], t_save, params, rtol=rtol, atol=atol, max_steps=max_steps,
                                save_state=True, what=f"TWA sample {s}")
        obs = sol.obs
        out[s, :7] = obs
        # Weyl symbols: sigma^+_i sigma^-_j (i != j) -> s_i^* s_j, sigma^+_i sigma^-_i = (1 + sigma^z_i)/2.
        # So <S+S-> = |S+_W|^2 - sum_i |s_i|^2 / N^2 + sum_i (1 + z_i) / (2 N^2).
        spins = unpack_spins(sol.states)
        x, y, z = spins[..., 0], spins[..., 1], spins[..., 2]
        self_terms = np.sum(0.25 * (x * x + y * y) - 0.5 * (1.0 + z), axis=1) / N ** 2
        out[s, 7] = obs[0] ** 2 + obs[1] ** 2 - self_terms
    return out


def twa_quench(model: Model, t_final: float, n_samples: int = 1000, n_save: int = 201, *,
               seed=None, photon="vacuum", noise: float = 1.0, workers=None,
               rtol: float = 1e-8, atol: float = 1e-10, max_steps: int = 10_000_000) -> TWAResult:
    r"""Truncated-Wigner quench from every spin along :math:`+x` and the photon vacuum.

    Parameters
    ----------
    model : Model
        Parameters in units of :math:`\chi N`; ``kappa`` enters only as the damping
        of :math:`\alpha` (the matching vacuum noise of the loss channel is *not*
        added, so keep ``kappa = 0`` for quantitative TWA), likewise ``gamma`` and
        ``dephasing``.
    t_final : float
        Final time, units of :math:`1/(\chi N)`; ``> 0``.
    n_samples : int
        Number of phase-space samples :math:`M`; ``>= 2``.
    n_save : int
        Number of evenly spaced output times; ``>= 2``.
    seed : int, optional
        Seed of ``numpy.random.default_rng`` (reproducible results).
    photon : "vacuum", "equilibrium" or complex
        Initial coherent amplitude :math:`\langle a\rangle/\sqrt N`, as in
        :func:`~cavity_bcs.x_polarized` (default vacuum).
    noise : float
        Scale of the initial fluctuations (1 = quantum; 0 = mean field).
    workers : int, optional
        Threads; default one per core.
    rtol, atol : float
        Tolerances of the adaptive integrator (looser than :func:`quench`: the
        statistical error dominates).

    Returns
    -------
    TWAResult
    """
    if not isinstance(model, Model):
        raise ValueError(f"model must be a cavity_bcs.Model, got {type(model).__name__}")
    t_final = check.positive("t_final", t_final)
    n_samples = check.integer("n_samples", n_samples, minimum=2)
    n_save = check.integer("n_save", n_save, minimum=2)
    rtol = check.positive("rtol", rtol)
    atol = check.positive("atol", atol)
    max_steps = check.integer("max_steps", max_steps, minimum=1)
    workers = check.workers(workers)
    samples = sample_initial(model, n_samples, seed=seed, photon=photon, noise=noise)
    t_save = np.linspace(0.0, t_final, n_save)
    chunks = np.array_split(samples, min(n_samples, 8 * workers))
    if workers == 1:
        parts = [_run_chunk(c, t_save, model, rtol, atol, max_steps) for c in chunks]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(lambda c: _run_chunk(c, t_save, model, rtol, atol, max_steps), chunks))
    obs = np.concatenate(parts, axis=0)  # (M, 8, n_save)
    M = n_samples
    mean = obs.mean(axis=0)
    err = obs.std(axis=0, ddof=1) / np.sqrt(M)
    half_quantum = 0.5 / model.n_pairs  # symmetric ordering: a^dag a = |a_W|^2 - 1/2
    return TWAResult(
        t=t_save,
        s_plus=mean[0] + 1j * mean[1],
        s_plus_err=err[0] + 1j * err[1],
        photon=mean[2] + 1j * mean[3],
        pair_correlation=mean[7],
        pair_correlation_err=err[7],
        n_photon=mean[4] - noise ** 2 * half_quantum,
        n_photon_err=err[4],
        excitations=mean[5] - noise ** 2 * half_quantum,
        energy=mean[6] - noise ** 2 * model.delta_c * half_quantum,
        n_samples=M,
        seed=seed,
        model=model,
    )
