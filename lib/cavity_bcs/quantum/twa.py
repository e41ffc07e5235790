r"""Truncated Wigner approximation (discrete for the spins) for the quench, closed or open.

Quantum fluctuations of the initial state are sampled, every sample is evolved with
classical equations, and symmetrically ordered expectation values are sample means.
Without loss (:math:`\kappa = \gamma = \gamma_\phi = 0`) the equations are the mean-field
ones of :func:`cavity_bcs.quench`; with loss each sample also gets the noise of its
loss channels (stochastic TWA).

Units: energies and rates in :math:`\chi N`, times in :math:`1/(\chi N)`,
:math:`G = g\sqrt N = \sqrt{\Delta_c}`, :math:`f_i = g_i/g`, :math:`\alpha = a/\sqrt N`.

Sampling
--------
* **Spins, one atom at a time (DTWA).** A spin along :math:`+x` is represented by the
  four phase-space points :math:`(\sigma^x,\sigma^y,\sigma^z) = (1, \pm1, \pm1)`, each
  with probability :math:`1/4` (:math:`y` and :math:`z` independent fair signs). Means
  reproduce :math:`\langle\sigma^a\rangle` and the symmetric second moments of the
  state, e.g. :math:`\langle(\sigma^y)^2\rangle = 1`.
* **Spins, one class at a time (large N).** Atoms grouped into classes of (nearly)
  equal :math:`(\varepsilon_i, g_i)` (:func:`cavity_bcs.coarse_grain`); a class of
  :math:`n_c` atoms along :math:`+x` has the collective spin
  :math:`\vec S_c = \sum_{i\in c}\vec\sigma_i`. Summing the DTWA's independent signs,
  :math:`S^x_c = n_c` exactly and :math:`S^y_c, S^z_c` are sums of :math:`n_c`
  independent :math:`\pm1`: mean 0, variance :math:`n_c` each, uncorrelated — in the
  kernel's variable :math:`\vec m_c = \vec S_c/n_c` (weight :math:`n_c`),
  :math:`m^x_c = 1` and :math:`m^{y,z}_c` of variance :math:`1/n_c`. ``class_sampling``
  ``"gaussian"`` draws them from the Gaussian of these moments (the central-limit form),
  ``"binomial"`` from their exact law :math:`(2\,\mathrm{Bin}(n_c, 1/2) - n_c)/n_c`, which
  makes a class of identical atoms *equal in law* to its atoms sampled one by one
  (the precession is linear in each spin).
* **Photon vacuum.** The Wigner function of :math:`|0\rangle` is a Gaussian with
  :math:`\mathrm{Re}\,a` and :math:`\mathrm{Im}\,a` independent, mean 0, variance
  :math:`1/4` each: :math:`1/(4N)` per quadrature of :math:`\alpha`. A coherent initial
  photon only shifts the mean.

Loss (open system)
------------------
The model's channels (:class:`~cavity_bcs.Model`): photon loss :math:`\kappa`
(textbook jump :math:`\sqrt\kappa\,a`), spontaneous decay :math:`\gamma`
(:math:`\sqrt\gamma\,\sigma^-_i`) and dephasing :math:`\gamma_\phi`
(:math:`\sqrt{\gamma_\phi/2}\,\sigma^z_i`, coherences decay at :math:`\gamma_\phi`).

* **Photon loss** — exact. The Wigner function of a mode damped into a zero-temperature
  bath obeys :math:`\partial_tW = \tfrac\kappa2[\partial_a a + \partial_{a^*}a^*]W
  + \tfrac\kappa2\partial_a\partial_{a^*}W` (e.g. Walls & Milburn, *Quantum Optics*,
  ch. 6; Gardiner & Zoller, *Quantum Noise*), i.e. the Itô equation

  .. math::

      d\alpha = \left[-i\Delta_c\alpha - iG S_f - \tfrac\kappa2\alpha\right]dt
                + \sqrt{\frac{\kappa}{4N}}\,(dW_1 + i\,dW_2),
      \qquad S_f = \frac1N\sum_i f_i s_i ,

  with independent Wiener processes :math:`W_{1,2}`. Its stationary variance per
  quadrature is :math:`(\kappa/4N)/\kappa = 1/(4N)`, the vacuum's, so an empty lossy
  cavity stays in the vacuum; a coherent photon decays at :math:`\kappa/2` and keeps
  its Poissonian number statistics.
* **Dephasing** — a random field along :math:`\hat z`: per atom, a rotation about
  :math:`\hat z` by :math:`d\phi = \sqrt{2\gamma_\phi}\,dW` (Stratonovich), the random-field
  treatment of dephasing in phase-space methods for spins (Huber, Kirton & Rabl, SciPost
  Phys. 10, 045 (2021); Mink, Petrosyan & Fleischhauer, Phys. Rev. Research 4, 043136
  (2022) — we worked from their abstracts and checked the formula ourselves). For one
  spin it is *exact in law* (the unravelled evolution is a random unitary:
  :math:`H = \eta(t)\sigma^z` with white noise of intensity :math:`\gamma_\phi/2`), so
  :math:`\langle\sigma^\pm\rangle\propto e^{-\gamma_\phi t}` exactly. For a class spin the
  :math:`n_c` atoms dephase independently, which a common rotation would not describe;
  the class spin gets the Ornstein–Uhlenbeck form below, exact in the first and second
  moments of :math:`\vec S_c`.
* **Decay** (and the class form of dephasing) — a Gaussian (second-order) truncation
  derived here, exact in the first two moments. The adjoint dissipator
  :math:`\mathcal D^\dagger O = \gamma\sum_i(\sigma^+_iO\sigma^-_i - \tfrac12\{\sigma^+_i\sigma^-_i, O\})`
  maps the Pauli operators linearly, :math:`\mathcal D^\dagger\sigma^{x,y} = -\tfrac\gamma2
  \sigma^{x,y}`, :math:`\mathcal D^\dagger\sigma^z = -\gamma(\sigma^z + 1)`, and products as
  :math:`\mathcal D^\dagger(AB) = \mathcal D^\dagger(A)B + A\mathcal D^\dagger(B)
  + \gamma\sum_i[\sigma^+_i, A][B, \sigma^-_i]`. The last term, symmetrised, is the
  diffusion matrix of the Itô equation with the linear drift; for the class spin
  (:math:`n_c = 1`: one atom)

  .. math::

      dS^{x,y} = -\tfrac\gamma2 S^{x,y}dt + \ldots,\quad dS^z = -\gamma(S^z + n_c)dt + \ldots,

      \frac{\langle dS^a dS^b\rangle}{dt} = \gamma\begin{pmatrix} n_c & 0 & S^x\\
      0 & n_c & S^y\\ S^x & S^y & 2(n_c + S^z)\end{pmatrix}.

  Dephasing likewise: drift :math:`-\gamma_\phi S^{x,y}`, diffusion :math:`2\gamma_\phi n_c`
  on :math:`x` and :math:`y`. With these, the first moments of every spin and all
  symmetric second moments (of one spin, or products over distinct spins) evolve under the
  dissipator exactly as in the master equation wherever the matrix is positive; the
  first moments always (the drift is linear and the noise has zero mean).
  *Validity:* the matrix is positive only where :math:`2n_c(n_c + S^z)\ge(S^x)^2+(S^y)^2`.
  That holds inside the Bloch ball and for a large class everywhere but within its
  :math:`\sqrt{n_c}` fluctuations of the south pole; the DTWA's single-atom points
  (length :math:`\sqrt3`) often violate it (e.g. :math:`z = -1`). There the Cholesky
  factor's last pivot is clipped at 0, which over-estimates the noise of :math:`S^z`
  (first moments stay exact). A length-conserving alternative, the Stratonovich equation
  :math:`d\vec s = \tfrac\gamma2\vec s\times(\vec s\times\hat z)dt` plus rotations about
  :math:`\hat x, \hat y` of variance :math:`\gamma\,dt` (the form of Hosseinabadi,
  Chelpanova & Marino, PRX Quantum 6, 030344 (2025), as we read it), has exact rates at
  :math:`t = 0` but relaxes one spin to :math:`\langle\sigma^z\rangle = -\sqrt3\,
  \mathcal L(\sqrt3)\approx -0.85` instead of :math:`-1` (:math:`\mathcal L` the
  Langevin function), and followed the master equation less closely in our tests.
* **Class-collective loss** — each atom of a class decays and dephases locally and
  independently; the class spin carries the sum of the atoms' moment equations, so its
  first and second moments are exact under the dissipator, but correlations *within* a
  class beyond the collective second moments are not represented (the class is a
  Gaussian of the two moments). The coherent part stays exact for identical atoms.

The coherent part is truncated as always in TWA: exact to first order in the quantum
fluctuations, errors at :math:`O(1/N)` at fixed time, growing with time.

Symmetric ordering
------------------
Spin components and :math:`\sigma^+_i a` need no correction, but
:math:`a^\dagger a = |a_W|^2 - 1/2` and :math:`(a^\dagger a)^2 = |a_W|^4 - |a_W|^2`: the photon
density and the energy returned subtract the vacuum half quantum,
:math:`\langle a^\dagger a\rangle/N = \overline{|\alpha|^2} - 1/(2N)`.

Integration
-----------
``method="ode"`` (default without loss): each sample is integrated by the library's
mean-field kernel (:func:`cavity_bcs.meanfield._engine.integrate`, the one behind
:func:`cavity_bcs.quench`: the energy-moment Taylor series for equal couplings, else
DOP853). With loss it only damps (no loss noise), a mean-field treatment of the loss.
``method="sde"`` (default with loss): the stochastic splitting integrator of
:mod:`cavity_bcs.quantum._sde` with fixed step ``dt`` — a symmetric (Strang) composition
of exactly solved sub-flows (the photon's Ornstein–Uhlenbeck step with its noise, the
spin rotations, the local atomic loss every ``dt_loss``): weak order 2 for the drift and
the additive photon noise, weak order 1 in the decay noise (error
:math:`O(\gamma^2\,dt_{loss})`). Measured: without noise it converges to the adaptive
mean-field quench as :math:`dt^2`; at the default ``dt = 0.02`` the error of :math:`S^+` is
:math:`6\times10^{-4}` by :math:`t = 4` for the strongly coupled homogeneous Fig. 1 model
(20 atoms, :math:`\Delta_c = 6`), and :math:`< 10^{-4}` by :math:`t = 100` for the lab model
with cosine couplings. Check a result by halving ``dt``.

Samples are shared out over a thread pool (the kernels release the GIL). The initial
samples come from ``numpy.random.default_rng(SeedSequence(seed))`` and the noise of
sample :math:`k` from its own generator seeded by the :math:`k`-th child of the same
:class:`~numpy.random.SeedSequence`, so a result depends on the seed only, bit for bit,
whatever the number of workers.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from .. import _validate as check
from ..experiment.coarse import CoarseModel, coarse_grain
from ..meanfield import _engine
from ..meanfield._equations import STATUS_INTERRUPTED, STATUS_OK, pack, physics, unpack_spins
from ..meanfield.states import State, resolve_photon, x_polarized
from ..model import Model
from ..results import PairCoherent
from . import _sde

__all__ = ["TWAResult", "twa_quench", "sample_initial", "METHODS", "CLASS_SAMPLINGS"]

#: Integrators of :func:`twa_quench`.
METHODS = ("auto", "ode", "sde")
#: Laws of a class spin's initial transverse components.
CLASS_SAMPLINGS = ("gaussian", "binomial")
#: Default largest step of the stochastic integrator, units of 1/chi N (halve it to check).
DEFAULT_DT = 0.02


@dataclass(frozen=True, eq=False)
class TWAResult(PairCoherent):
    r"""Sample means (and standard errors) of a truncated-Wigner quench.

    Units and normalisation as in :class:`~cavity_bcs.QuenchResult`.
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
        The seed given; for ``seed=None`` the entropy drawn (pass it as ``seed`` to repeat the run).
    model : Model
    spin_z, spin_z_err : ndarray
        :math:`(1/2N)\sum_i\langle\sigma^z_i\rangle`, the mean inversion, and its standard error.
    n_photon_var : ndarray
        :math:`\mathrm{Var}(a^\dagger a)/N` from :math:`(a^\dagger a)^2 = |a_W|^4 - |a_W|^2`; equal to
        ``n_photon`` for a coherent state (Poissonian), 0 for the vacuum.
    method : str
        ``"ode"`` or ``"sde"`` (see :func:`twa_quench`).
    dt : float or None
        Step of the stochastic integrator (``None`` for ``"ode"``).
    n_steps : int or None
        Steps per sample of the stochastic integrator.
    n_spins : int
        Spins integrated per sample: atoms, or classes.
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
    n_photon_var: np.ndarray | None = field(default=None, repr=False)
    spin_z: np.ndarray | None = field(default=None, repr=False)
    spin_z_err: np.ndarray | None = field(default=None, repr=False)
    method: str = "ode"
    dt: float | None = None
    n_steps: int | None = None
    n_spins: int | None = None

    def to_xarray(self):
        """These sample means as an :class:`xarray.Dataset` over ``time``, standard errors beside them.

        Needs xarray; :mod:`cavity_bcs.labelled` describes the layout.
        """
        from ..labelled import time_series_dataset
        return time_series_dataset(self, derived=("coherence", "coherence_err", "pair_coherence"))

    @property
    def coherence_err(self) -> np.ndarray:
        r"""Standard error of :math:`|\langle S^+\rangle|` (linearised: the error of the
        component of :math:`S^+` along the direction of its mean)."""
        phase = np.exp(1j * np.angle(self.s_plus))
        return np.sqrt((self.s_plus_err.real * phase.real) ** 2 + (self.s_plus_err.imag * phase.imag) ** 2)


# ------------------------------------------------------------------ sampling
def _seed_sequence(seed) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if seed is not None:
        seed = check.integer("seed", seed, minimum=0)
    return np.random.SeedSequence(seed)


def _start(model: Model, initial, photon):
    """The mean-field start: ``initial`` (a product of spin-coherent states) or every spin along +x with ``photon``."""
    if initial is None:
        return None
    initial = check.instance("initial", initial, State)
    if not (isinstance(photon, str) and photon == "vacuum"):
        raise ValueError("photon must be left at its default when initial is given: the start's photon is "
                         "initial.photon")
    spins = np.asarray(initial.spins, dtype=float)
    if spins.shape != (model.n_atoms, 3):
        raise ValueError(f"initial must hold one Bloch vector per atom, shape ({model.n_atoms}, 3), got {spins.shape}")
    length = np.linalg.norm(spins, axis=1)
    if np.max(np.abs(length - 1.0)) > 1e-6:
        raise ValueError("initial must be a product of spin-coherent states (every Bloch vector of length 1), got "
                         f"lengths from {length.min():.6g} to {length.max():.6g}")
    return initial


def _classes(model: Model, classes, start=None) -> CoarseModel | None:
    """``None`` (atoms one by one), or the class model of ``classes`` for the start (default: every spin along +x)."""
    if classes is None:
        return None
    if isinstance(classes, CoarseModel):
        if classes.model is not model:
            raise ValueError("classes must be coarse_grain(model, ...) of this very model")
        if start is None and not np.allclose(classes.spins, [1.0, 0.0, 0.0], atol=1e-12):
            raise ValueError("classes must hold the quench state (every spin along +x): "
                             "build them with coarse_grain(model, n_eps, n_g, initial=x_polarized(model)), "
                             "or pass the start they were built from as initial=")
        if start is not None and abs(classes.photon - start.photon) > 1e-12:
            raise ValueError("classes must be built from initial: coarse_grain(model, n_eps, n_g, initial=initial)")
        coarse = classes
    elif isinstance(classes, tuple) and len(classes) == 2:
        n_eps, n_g = (check.integer("classes[0] (energy bins per band)", classes[0], minimum=1),
                      check.integer("classes[1] (coupling bins)", classes[1], minimum=1))
        coarse = coarse_grain(model, n_eps, n_g, initial=x_polarized(model) if start is None else start)
    else:
        raise ValueError(f"classes must be None, a CoarseModel or (n_eps_bins, n_g_bins), got {classes!r}")
    length = np.linalg.norm(coarse.spins, axis=1)
    if np.min(length) < MIN_CLASS_ALIGNMENT:
        raise ValueError(f"classes mix atoms whose Bloch vectors point apart (a class mean of length {length.min():.3f} "
                         f"< {MIN_CLASS_ALIGNMENT}): use more bins, so that each class is one collective spin")
    return coarse


#: Shortest accepted class-mean Bloch vector: a class must hold (nearly) parallel spins to be one
#: collective spin-coherent state.
MIN_CLASS_ALIGNMENT = 0.99


def _frames(directions: np.ndarray):
    r"""Two unit vectors perpendicular to each row of ``directions`` (unit vectors): :math:`\hat e_1 \propto \hat z\times\hat n`
    (or :math:`\hat y` when :math:`\hat n = \pm\hat z`) and :math:`\hat e_2 = \hat n\times\hat e_1`; for :math:`\hat n = \hat x`
    exactly :math:`\hat y` and :math:`\hat z`."""
    e1 = np.cross([0.0, 0.0, 1.0], directions)
    norm = np.linalg.norm(e1, axis=1)
    polar = norm < 1e-12
    e1[polar] = [0.0, 1.0, 0.0]
    norm[polar] = 1.0
    e1 /= norm[:, None]
    return e1, np.cross(directions, e1)


#: Largest accepted ``noise`` scale (1 is the quantum noise; larger values only exaggerate it, and
#: beyond about 10 the spins' signs are no longer a small perturbation of the Bloch sphere).
MAX_NOISE = 10.0


def sample_initial(model: Model, n_samples: int, seed=None, photon="vacuum",
                   noise: float = 1.0, classes=None, class_sampling: str = "gaussian",
                   initial: State | None = None) -> np.ndarray:
    r"""Initial phase-space samples, packed as the kernel's real vectors.

    Atoms one by one (``classes=None``): an array of shape ``(n_samples, 3 n_atoms + 2)``,
    rows ``[x(n), y(n), z(n), Re alpha, Im alpha]`` with :math:`x_i = 1`,
    :math:`y_i, z_i = \pm1` and :math:`\alpha = ` ``photon`` :math:`+` Gaussian noise of
    variance :math:`1/(4N)` per quadrature (``photon`` as in :func:`~cavity_bcs.x_polarized`:
    ``"vacuum"``, ``"equilibrium"`` or a complex :math:`\alpha`). ``noise`` scales both the spin
    signs' spread (:math:`y, z = \pm` ``noise``) and the photon standard deviation;
    ``noise = 0`` gives the mean-field initial state.

    By classes (``classes`` a :class:`~cavity_bcs.CoarseModel` of the quench state or
    ``(n_eps_bins, n_g_bins)``, see :func:`twa_quench`): shape ``(n_samples, 3 n_classes + 2)``,
    each class's mean Bloch vector :math:`m^x = 1`, :math:`m^{y,z}` of variance
    ``noise**2`` :math:`/n_c`, drawn by ``class_sampling`` (``"gaussian"`` or ``"binomial"``).
    ``seed``: an integer, ``None`` or a :class:`numpy.random.SeedSequence`.

    ``initial`` (a :class:`~cavity_bcs.State` whose Bloch vectors all have length 1, e.g. the
    drive-prepared :func:`~cavity_bcs.drive_state`) replaces the +x start: each atom (or class)
    is sampled as above in the frame of its own direction :math:`\hat n` — the fluctuations lie
    along the two directions perpendicular to :math:`\hat n` — and the photon noise is added to
    ``initial.photon``.
    """
    check.instance("model", model, Model)
    n_samples = check.integer("n_samples", n_samples, minimum=1)
    noise = check.in_range("noise", noise, 0.0, MAX_NOISE)
    class_sampling = check.choice("class_sampling", class_sampling, CLASS_SAMPLINGS)
    start = _start(model, initial, photon)
    coarse = _classes(model, classes, start)
    n_spins = model.n_atoms if coarse is None else coarse.eps.size
    check.memory("sample_initial", 8.0 * n_samples * (3 * n_spins + 2) * (1 if coarse is None else 2),
                 f"n_samples = {n_samples} samples of {n_spins} spins")
    rng = np.random.default_rng(_seed_sequence(seed))
    if coarse is None:
        n = model.n_atoms
        if start is None:
            directions = np.zeros((n, 3))
            directions[:, 0] = 1.0
            photon = resolve_photon(photon, model, directions)
        else:
            directions, photon = np.asarray(start.spins, dtype=float), start.photon
        signs = 2.0 * rng.integers(0, 2, size=(n_samples, 2 * n)) - 1.0
        noise_1, noise_2 = noise * signs[:, :n], noise * signs[:, n:]
        lengths = np.ones(n)
    else:
        photon = (resolve_photon(photon, model, x_polarized(model).spins) if start is None else coarse.photon)
        n_c = coarse.weights
        n = n_c.size
        lengths = np.linalg.norm(coarse.spins, axis=1)
        directions = coarse.spins / lengths[:, None]
        draws = []
        for _ in (1, 2):
            if class_sampling == "gaussian":
                draw = rng.standard_normal((n_samples, n)) / np.sqrt(n_c)
            else:
                counts = n_c.astype(np.int64)
                draw = (2.0 * rng.binomial(counts, 0.5, size=(n_samples, n)) - counts) / n_c
            draws.append(noise * draw)
        noise_1, noise_2 = draws
    e1, e2 = _frames(directions)
    # the mean along n, the fluctuations along e1 and e2 (for n = +x: exactly y and z)
    spins = ((lengths[:, None] * directions)[None, :, :] + noise_1[:, :, None] * e1[None, :, :]
             + noise_2[:, :, None] * e2[None, :, :])
    sigma = noise * np.sqrt(1.0 / (4.0 * model.n_pairs))
    re = rng.standard_normal(n_samples)
    im = rng.standard_normal(n_samples)
    return pack(spins, photon.real + sigma * re + 1j * (photon.imag + sigma * im))


# ------------------------------------------------------------------ the two integrators
def _run_chunk(samples, t_save, p, rtol, atol, max_steps, collective, offset):
    r"""Integrate every row of ``samples`` with the mean-field engine; return per sample the
    kernel's 7 observables, as row 7 the sample estimate of :math:`\langle S^+S^-\rangle`
    (see :class:`TWAResult`) and as row 8 :math:`|\alpha|^4`."""
    N = 1.0 / p.inv_n
    out = np.empty((samples.shape[0], _sde.N_ROWS, t_save.size))
    for s in range(samples.shape[0]):
        sol = _engine.integrate(samples[s], t_save, p, rtol=rtol, atol=atol, max_steps=max_steps,
                                save_state=True, what=f"TWA sample {offset + s}", progress=False)
        obs = sol.obs
        out[s, :7] = obs
        # Weyl symbols: sigma^+_i sigma^-_j (i != j) -> s_i^* s_j, sigma^+_i sigma^-_i = (1 + sigma^z_i)/2.
        # So <S+S-> = |S+_W|^2 - sum_i |s_i|^2 / N^2 + sum_i (1 + z_i) / (2 N^2).
        spins = unpack_spins(sol.states)
        x, y, z = spins[..., 0], spins[..., 1], spins[..., 2]
        if collective:  # a class's |s|^2 symbol is 1/2 per atom (operator identity)
            self_terms = -0.5 * (z @ p.w) / N ** 2
        else:
            self_terms = np.sum(0.25 * (x * x + y * y) - 0.5 * (1.0 + z), axis=1) / N ** 2
        out[s, 7] = obs[0] ** 2 + obs[1] ** 2 - self_terms
        out[s, 8] = obs[4] ** 2
    return out


def _run_sde_chunk(samples, seeds, t_save, n_sub, k_loss, p, collective, noise, offset, monitor):
    out = np.empty((samples.shape[0], _sde.N_ROWS, t_save.size))
    h = (t_save[1] - t_save[0]) / n_sub
    loss = _sde.loss_constants(k_loss * h, p.gamma, p.dephasing, noise)
    status, failed = _sde.integrate_samples(samples, seeds, t_save, n_sub, k_loss, p.eps, p.f, p.w, p.G,
                                            p.delta_c, p.kappa, p.gamma, p.dephasing, p.inv_n, collective, noise,
                                            loss, monitor, out)
    if status == STATUS_INTERRUPTED:
        raise KeyboardInterrupt("TWA interrupted")
    if status != STATUS_OK:
        raise _engine.IntegrationError(
            f"TWA sample {offset + failed} became NaN or infinite (stochastic integrator, dt = "
            f"{(t_save[1] - t_save[0]) / n_sub:.4g}): lower dt, or check that the parameters are finite")
    return out


def _map(fn, chunks, workers, progress):
    """``fn`` over the sample chunks on a pool (even of one thread: the calling thread then only
    waits, so Ctrl-C reaches it at once and stops the kernels through their monitors), in order."""
    with (_engine.Progress(sum(len(c) for c in chunks), "twa_quench", progress, unit="sample") as bar,
          ThreadPoolExecutor(max_workers=min(workers, len(chunks))) as pool):
        futures = [pool.submit(fn, c) for c in chunks]
        try:
            for c, future in zip(chunks, futures):
                future.result()
                bar.advance(len(c))
        except BaseException as exc:
            for future in futures:
                future.cancel()
            if isinstance(exc, KeyboardInterrupt):  # before the pool waits for its running kernels
                _engine.stop_all_runs()
                raise KeyboardInterrupt(f"twa_quench interrupted after {bar.done} of {bar.total} samples") from None
            raise
        return [f.result() for f in futures]


def twa_quench(model: Model, t_final: float, n_samples: int = 1000, n_save: int = 201, *,
               seed=None, photon="vacuum", noise: float = 1.0, workers=None,
               classes=None, class_sampling: str = "gaussian", method: str = "auto", dt: float | None = None,
               dt_loss: float | None = None,
               rtol: float = 1e-8, atol: float = 1e-10, max_steps: int = 10_000_000, progress=None,
               initial: State | None = None) -> TWAResult:
    r"""Truncated-Wigner quench from every spin along :math:`+x` and the photon vacuum,
    with the quantum noise of the model's loss channels.

    The equations, the sampling, the loss prescriptions with their validity and the
    integrators are described in :mod:`cavity_bcs.quantum.twa`. Per sample, between
    the loss terms, the spins precess as :math:`\dot{\vec\sigma}_i = 2\vec b_i\times\vec\sigma_i`,
    :math:`\vec b_i = (Gf_i\,\mathrm{Re}\,\alpha, -Gf_i\,\mathrm{Im}\,\alpha, \varepsilon_i)`,
    and :math:`d\alpha = [-i\Delta_c\alpha - iG S_f - \tfrac\kappa2\alpha]dt +
    \sqrt{\kappa/4N}\,(dW_1 + i\,dW_2)`.

    Parameters
    ----------
    model : Model
        Parameters in units of :math:`\chi N`, including the loss rates ``kappa``,
        ``gamma`` and ``dephasing``.
    t_final : float
        Final time, units of :math:`1/(\chi N)`; ``> 0``.
    n_samples : int
        Number of phase-space samples :math:`M`; ``>= 2``.
    n_save : int
        Number of evenly spaced output times; ``>= 2``.
    seed : int, SeedSequence or None
        Seed of everything random (reproducible results, independent of ``workers``).
    photon : "vacuum", "equilibrium" or complex
        Initial coherent amplitude :math:`\langle a\rangle/\sqrt N`, as in
        :func:`~cavity_bcs.x_polarized` (default vacuum).
    noise : float
        Scale of the fluctuations, initial and of the loss noise (1 = quantum; 0 = mean field;
        at most ``MAX_NOISE`` = 10).
    workers : int, optional
        Threads; default one per core.
    classes : None, CoarseModel or (int, int)
        ``None``: every atom is its own spin (DTWA). Otherwise atoms are grouped into
        classes of (nearly) equal :math:`(\varepsilon_i, g_i)` and each class's collective spin
        is sampled (module docstring): a :class:`~cavity_bcs.CoarseModel` built by
        ``coarse_grain(model, n_eps, n_g, initial=x_polarized(model))``, or the pair
        ``(n_eps_bins, n_g_bins)`` to build it. Exact for classes of identical atoms;
        otherwise check convergence by doubling the bins (and keep ``t_final`` below the
        class model's rephasing time :math:`\approx 2\pi n_\varepsilon/W`).
    class_sampling : {"gaussian", "binomial"}
        Law of a class spin's initial transverse components (same mean and variance).
    method : {"auto", "ode", "sde"}
        ``"sde"``: stochastic integrator with the loss noise (default when any loss rate
        is positive); ``"ode"``: the adaptive mean-field engine, no loss noise (default
        without loss — the previous behaviour, unchanged; with loss it is mean field for
        the loss channels).
    dt : float, optional
        Largest step of the stochastic integrator, units of :math:`1/(\chi N)` (default
        ``DEFAULT_DT``); each output interval is cut into equal steps no longer than ``dt``.
    dt_loss : float, optional
        Largest step of the atomic-loss sub-flow (default ``dt``), rounded down to a whole
        number of steps. Atomic rates far below the coherent ones allow a much longer step
        (splitting error :math:`O(\gamma\omega\,dt_{loss}^2)`); check by halving.
    rtol, atol : float
        Tolerances of the adaptive integrator (``"ode"``; looser than :func:`quench`:
        the statistical error dominates).
    max_steps : int
        Limit on the steps of one sample.
    initial : State, optional
        The mean-field start whose quantum noise is sampled, instead of every spin along
        :math:`+x` with ``photon``: a product of spin-coherent states (every Bloch vector of
        length 1), e.g. the drive-prepared :func:`~cavity_bcs.drive_state` of the experiment;
        its photon is ``initial.photon`` (leave ``photon`` at its default). With classes, the
        class means of this start are sampled.
    progress : bool or None
        Progress bar over the samples (tqdm, on stderr): None shows one once the run has taken
        a few seconds (unless ``CAVITY_BCS_PROGRESS=0``). Ctrl-C stops every sample at its
        next step with ``KeyboardInterrupt``.

    Returns
    -------
    TWAResult

    Raises
    ------
    IntegrationError
        When a sample cannot be integrated (step limit, non-finite state).
    """
    check.instance("model", model, Model)
    t_final = check.positive("t_final", t_final)
    n_samples = check.integer("n_samples", n_samples, minimum=2)
    n_save = check.integer("n_save", n_save, minimum=2)
    rtol = check.positive("rtol", rtol)
    atol = check.positive("atol", atol)
    max_steps = check.integer("max_steps", max_steps, minimum=1)
    workers = check.workers(workers)
    _engine.progress_enabled(progress)  # validated before any work
    noise = check.in_range("noise", noise, 0.0, MAX_NOISE)
    method = check.choice("method", method, METHODS)
    class_sampling = check.choice("class_sampling", class_sampling, CLASS_SAMPLINGS)
    dt = DEFAULT_DT if dt is None else check.positive("dt", dt)
    dt_loss = dt if dt_loss is None else check.positive("dt_loss", dt_loss)
    lossy = model.kappa > 0 or model.gamma > 0 or model.dephasing > 0
    if method == "auto":
        method = "sde" if lossy else "ode"
    start = _start(model, initial, photon)
    coarse = _classes(model, classes, start)
    collective = coarse is not None
    if collective:
        eps, f, w = coarse.eps, coarse.couplings, coarse.weights
    else:
        eps, f, w = model.eps, model.couplings, np.ones(model.n_atoms)
    n_spins = eps.size
    check.memory("twa_quench", 8.0 * n_samples * ((3 * n_spins + 2) + _sde.N_ROWS * n_save),
                 f"n_samples = {n_samples} samples of {n_spins} spins and n_save = {n_save} output times")
    if method == "ode":  # the adaptive engine: refuse what cannot finish before sampling anything
        check.steps("twa_quench", t_final, model.fastest_frequency, max_steps, model.frequency_source())
    t_save = np.linspace(0.0, t_final, n_save)
    ss = _seed_sequence(seed)
    samples = sample_initial(model, n_samples, seed=ss, photon=photon, noise=noise, classes=coarse,
                             class_sampling=class_sampling, initial=start)
    N = model.n_pairs
    p = physics(eps, f, w, model.g_collective, model.delta_c, model.kappa, model.gamma, model.dephasing,
                False, 1.0 / N)
    index = np.array_split(np.arange(n_samples), min(n_samples, 8 * workers))
    h = n_sub = n_steps = None
    if method == "ode":
        parts = _map(lambda k: _run_chunk(samples[k], t_save, p, rtol, atol, max_steps, collective, k[0]),
                     index, workers, progress)
    else:
        interval = t_save[1] - t_save[0]
        n_loss = int(np.ceil(interval / dt_loss * (1.0 - 1e-12)))  # loss steps per output interval
        n_sub = n_loss * int(np.ceil(interval / (n_loss * dt) * (1.0 - 1e-12)))
        k_loss = n_sub // n_loss
        h = float(interval / n_sub)
        n_steps = n_sub * (n_save - 1)
        if n_steps > max_steps:
            raise _engine.IntegrationError(
                f"TWA sample 0 stopped at t = {max_steps * h:.6g} of t_final = {t_final:.6g} (units of 1/chi N): "
                f"the stochastic integrator's {n_steps} steps of dt = {h:.4g} exceed max_steps = {max_steps}. "
                "Raise max_steps or dt, or shorten t_final.")
        # Sample k's noise: child k of the seed sequence (what SeedSequence.spawn would give, without
        # mutating the caller's sequence).
        seeds = np.array([np.random.SeedSequence(ss.entropy, spawn_key=ss.spawn_key + (k,),
                                                 pool_size=ss.pool_size).generate_state(4, np.uint64)
                          for k in range(n_samples)])
        seeds[~seeds.any(axis=1), 0] = 1  # xoshiro's state must not be all zero
        monitor = np.zeros(2)

        def run(k):
            return _run_sde_chunk(samples[k], seeds[k], t_save, n_sub, k_loss, p, collective, noise, k[0], monitor)

        with _engine._registered(monitor):
            parts = _map(run, index, workers, progress)
    obs = np.concatenate(parts, axis=0)  # (M, 9, n_save)
    M = n_samples
    mean = obs.mean(axis=0)
    err = obs.std(axis=0, ddof=1) / np.sqrt(M)
    inversion = obs[:, 5] - obs[:, 4]  # excitations minus |alpha|^2: (1/2N) sum_i z_i
    half_quantum = 0.5 / N  # symmetric ordering: a^dag a = |a_W|^2 - 1/2
    vacuum = noise ** 2 * half_quantum
    # Var(a^dag a)/N with (a^dag a)^2 = |a_W|^4 - |a_W|^2, a_W = sqrt(N) alpha
    n_var = (N * mean[8] - mean[4]) - N * (mean[4] - vacuum) ** 2
    return TWAResult(
        t=t_save,
        s_plus=mean[0] + 1j * mean[1],
        s_plus_err=err[0] + 1j * err[1],
        photon=mean[2] + 1j * mean[3],
        pair_correlation=mean[7],
        pair_correlation_err=err[7],
        n_photon=mean[4] - vacuum,
        n_photon_err=err[4],
        excitations=mean[5] - vacuum,
        energy=mean[6] - model.delta_c * vacuum,
        n_samples=M,
        seed=seed if seed is not None else ss.entropy,
        model=model,
        n_photon_var=n_var,
        spin_z=inversion.mean(axis=0),
        spin_z_err=inversion.std(axis=0, ddof=1) / np.sqrt(M),
        method=method,
        dt=h,
        n_steps=n_steps,
        n_spins=n_spins,
    )
