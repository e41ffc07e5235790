r"""The mean-field physics primitives, in one private module: the state layout,
the spin precession, the photon rate, the right-hand side and the observables.

Both integrators (:mod:`._taylor`, :mod:`._dop853`) and every caller of the
engine (:mod:`._engine`) take these from here; nothing here chooses a method.

The state is one real vector ``y`` of length ``3n + 2``: the Bloch components
``x = y[:n]``, ``y[n:2n]``, ``z = y[2n:3n]`` of the ``n`` atoms, then the real and
imaginary parts of :math:`\alpha = \langle a\rangle/\sqrt N`. In units of
:math:`\chi N`, with :math:`G = g\sqrt N = \sqrt{\Delta_c}` and :math:`f_i = g_i/g`,
each spin precesses as :math:`\dot{\vec\sigma}_i = 2\,\vec b_i\times\vec\sigma_i` in
the field :math:`\vec b_i = (G f_i \,\mathrm{Re}\,\alpha,\ -G f_i\,\mathrm{Im}\,\alpha,\ \varepsilon_i)`
— the same thing as :math:`\dot s_i = -2i\varepsilon_i s_i + i g_i a z_i` — and
:math:`\dot\alpha = -i\Delta_c\alpha - iG S_f - (\kappa/2)\alpha` with
:math:`S_f = (1/N)\sum_i f_i s_i`. In the adiabatic (spin-only) model the photon
slots are frozen and :math:`\alpha` is replaced by
:math:`\alpha_{eq} = -G S_f/(\Delta_c - i\kappa/2)` at every evaluation.

The kernels know nothing of :class:`~cavity_bcs.Model`: the physics reaches them
as one :class:`Physics` named tuple (numba compiles it like a struct), built by
:func:`physics`.
"""
import math
from typing import NamedTuple

import numpy as np

from .._numba import njit

# Reassociation lets LLVM vectorise the sums over atoms and fuse multiply-adds;
# it changes round-off only (NaN/inf semantics are kept, so the finiteness checks
# stay valid), and a compiled kernel is still bit-for-bit reproducible.
FAST = {"reassoc", "contract", "nsz", "arcp"}

STATUS_OK = 0
STATUS_MAX_STEPS = 1
STATUS_STEP_UNDERFLOW = 2
STATUS_NONFINITE = 3
STATUS_INTERRUPTED = 4

# Every integrator kernel takes a ``monitor`` array of two floats shared with Python:
# it returns STATUS_INTERRUPTED as soon as monitor[STOP] is set (Ctrl-C), and writes
# the time it has reached into monitor[TIME] after every step (progress bars).
MONITOR_STOP = 0
MONITOR_TIME = 1

# Statistics over a time window, computed by the integrators from their dense output (every
# step's interpolant or series) when the engine is given a ``window``: no saved points involved.
# ``stats`` slots: integrals over the window of |S+|, |alpha|^2 and |alpha|, the integral of
# |alpha|^2 over the whole run, and the largest and smallest |S+| in the window.
STAT_COHERENCE = 0
STAT_N_PHOTON = 1
STAT_PHOTON = 2
STAT_N_PHOTON_RUN = 3
STAT_COHERENCE_MAX = 4
STAT_COHERENCE_MIN = 5
N_STATS = 6

#: Gauss–Legendre nodes and weights on [-1, 1] for the integrals over each step (exact for
#: polynomials of degree 15; the DOP853 interpolant has degree 7, the observables are smooth).
N_GAUSS = 8
GAUSS_X, GAUSS_W = np.polynomial.legendre.leggauss(N_GAUSS)


class Physics(NamedTuple):
    r"""Everything the kernels need to know about the atoms and the cavity (units of :math:`\chi N`).

    ``eps`` :math:`\varepsilon_i`, ``f`` :math:`f_i = g_i/g`, ``w`` class weights (ones for
    individual atoms), ``G`` :math:`g\sqrt N`, ``delta_c``, ``kappa``, ``gamma``,
    ``dephasing``, ``adiabatic`` (photon eliminated) and ``inv_n`` :math:`1/N`.
    """

    eps: np.ndarray
    f: np.ndarray
    w: np.ndarray
    G: float
    delta_c: float
    kappa: float
    gamma: float
    dephasing: float
    adiabatic: bool
    inv_n: float


def _kernel_array(a) -> np.ndarray:
    """``a`` as a contiguous, writable float64 array (copied only when it is not one already)."""
    a = np.ascontiguousarray(a, dtype=float)
    return a if a.flags.writeable else a.copy()


def physics(eps, f, w, G, delta_c, kappa, gamma, dephasing, adiabatic, inv_n) -> Physics:
    """A :class:`Physics` with contiguous, writable float arrays and plain Python scalars (one
    compiled signature whatever the caller passed). Writable because numba types a read-only
    array (a :class:`~cavity_bcs.Model`'s ``eps``) differently: a coarse-grained run, whose
    arrays are writable, used to compile every DOP853 kernel a second time (18 s cold)."""
    return Physics(_kernel_array(eps), _kernel_array(f), _kernel_array(w), float(G), float(delta_c),
                   float(kappa), float(gamma), float(dephasing), bool(adiabatic), float(inv_n))


# ------------------------------------------------------------------ state layout
# One real vector per state: [x_1..x_n, y_1..y_n, z_1..z_n, Re alpha, Im alpha].
def pack(spins, photon=None) -> np.ndarray:
    r"""Bloch vectors ``spins`` (shape ``(..., n, 3)``) and photons :math:`\alpha` (shape ``(...)``)
    as the kernels' real vectors, shape ``(..., 3n + 2)``; ``pack(state)`` packs a
    :class:`~cavity_bcs.State`."""
    if photon is None:  # a State (duck-typed: this module sits below states.py)
        spins, photon = spins.spins, spins.photon
    spins = np.asarray(spins, dtype=float)
    photon = np.asarray(photon, dtype=complex)
    lead = spins.shape[:-2]
    photon = np.broadcast_to(photon, lead)
    return np.concatenate([spins[..., 0], spins[..., 1], spins[..., 2],
                           photon.real[..., None], photon.imag[..., None]], axis=-1)


def unpack_spins(y) -> np.ndarray:
    """Bloch vectors, shape ``(..., n, 3)``, of packed states ``y`` (shape ``(..., 3n + 2)``)."""
    y = np.asarray(y)
    n = (y.shape[-1] - 2) // 3
    return np.stack([y[..., :n], y[..., n:2 * n], y[..., 2 * n:3 * n]], axis=-1)


def unpack_photon(y):
    r""":math:`\alpha` of packed states ``y`` (complex, shape ``y.shape[:-1]``)."""
    y = np.asarray(y)
    return y[..., -2] + 1j * y[..., -1]


@njit
def pack_into(x, y, z, ar, ai, out):
    """The layout inside numba: Bloch components and the photon into ``out``.

    An explicit loop, not ``out[:n] = x``: numba compiles an array-to-array slice
    assignment together with its shape-mismatch error message (string formatting),
    about 2 s of a cold first call for a copy."""
    n = x.size
    for i in range(n):
        out[i] = x[i]
        out[n + i] = y[i]
        out[2 * n + i] = z[i]
    out[3 * n] = ar
    out[3 * n + 1] = ai


@njit(fastmath=FAST)
def eliminated_photon(sr, si, G, delta_c, kappa):
    """The adiabatic photon alpha_eq = -G S_f / (delta_c - i kappa/2) as (re, im)."""
    den = delta_c * delta_c + 0.25 * kappa * kappa
    qr = delta_c / den
    qi = 0.5 * kappa / den
    return -G * (sr * qr - si * qi), -G * (sr * qi + si * qr)


@njit(fastmath=FAST)
def photon_and_sum(y, f, w, G, delta_c, kappa, adiabatic, inv_n):
    """Return (alpha_re, alpha_im, S_f_re, S_f_im) for the state ``y``; spin ``i``
    counts ``w[i]`` times in the cavity's source (a class of identical atoms)."""
    n = f.size
    sr = 0.0
    si = 0.0
    for i in range(n):
        sr += w[i] * f[i] * y[i]
        si -= w[i] * f[i] * y[n + i]
    sr *= 0.5 * inv_n
    si *= 0.5 * inv_n
    if adiabatic:
        ar, ai = eliminated_photon(sr, si, G, delta_c, kappa)
    else:
        ar = y[3 * n]
        ai = y[3 * n + 1]
    return ar, ai, sr, si


@njit(fastmath=FAST, inline="always")
def precession(x, yy, z, bx, by, bz, transverse, gamma):
    """Time derivative of one Bloch vector: 2 b x sigma, with transverse decay at
    ``transverse`` and population decay at ``gamma`` towards z = -1. The one place
    the spin equations are written; the generated integrators inline it."""
    return (2.0 * (by * z - bz * yy) - transverse * x,
            2.0 * (bz * x - bx * z) - transverse * yy,
            2.0 * (bx * yy - by * x) - gamma * (z + 1.0))


@njit(fastmath=FAST, inline="always")
def photon_rate(ar, ai, sr, si, G, delta_c, kappa):
    """d alpha/dt = -i delta_c alpha - i G S_f - (kappa/2) alpha as (re, im)."""
    return delta_c * ai + G * si - 0.5 * kappa * ar, -delta_c * ar - G * sr - 0.5 * kappa * ai


@njit(fastmath=FAST)
def rhs_local(y, eps, f, w, G, delta_c, kappa, gamma, dephasing, adiabatic, inv_n, out):
    """Mean-field time derivative of ``y`` written into ``out``, with local atomic
    loss: spontaneous decay at rate ``gamma`` (jump sqrt(gamma) sigma^-: coherences
    decay at gamma/2, populations at gamma) and pure dephasing at rate
    ``dephasing`` (coherences decay at ``dephasing``)."""
    n = eps.size
    ar, ai, sr, si = photon_and_sum(y, f, w, G, delta_c, kappa, adiabatic, inv_n)
    if adiabatic:
        out[3 * n] = 0.0
        out[3 * n + 1] = 0.0
    else:
        out[3 * n], out[3 * n + 1] = photon_rate(ar, ai, sr, si, G, delta_c, kappa)
    transverse = 0.5 * gamma + dephasing
    for i in range(n):
        out[i], out[n + i], out[2 * n + i] = precession(y[i], y[n + i], y[2 * n + i], G * f[i] * ar,
                                                        -G * f[i] * ai, eps[i], transverse, gamma)


@njit(fastmath=FAST)
def rhs(y, eps, f, G, delta_c, kappa, adiabatic, inv_n, out):
    """Mean-field time derivative without atomic loss (the closed-system equations)."""
    rhs_local(y, eps, f, np.ones(eps.size), G, delta_c, kappa, 0.0, 0.0, adiabatic, inv_n, out)


@njit
def observables(y, eps, f, w, G, delta_c, kappa, adiabatic, inv_n, row, obs):
    """Write S+, alpha, |alpha|^2, excitations and energy (all per N) to ``obs[:, row]``.

    ``obs`` rows: Re S+, Im S+, Re alpha, Im alpha, |alpha|^2, excitations, energy.
    """
    n = eps.size
    ar, ai, sr, si = photon_and_sum(y, f, w, G, delta_c, kappa, adiabatic, inv_n)
    spx = 0.0
    spy = 0.0
    zsum = 0.0
    ez = 0.0
    inter = 0.0
    for i in range(n):
        spx += w[i] * y[i]
        spy += w[i] * y[n + i]
        zsum += w[i] * y[2 * n + i]
        ez += w[i] * eps[i] * y[2 * n + i]
        inter += w[i] * f[i] * (y[i] * ar - y[n + i] * ai)
    write_observables(spx, spy, zsum, ez, G * inter, ar, ai, delta_c, adiabatic, inv_n, obs, row)


@njit
def write_observables(sx, sy, sz, eps_z, coupling, ar, ai, delta_c, adiabatic, inv_n, obs, row):
    """Fill ``obs[:, row]`` from the sums over atoms (class weights included) of x, y, z
    and eps z, the coupling energy G sum f (x Re alpha - y Im alpha), and the photon."""
    nph = ar * ar + ai * ai
    obs[0, row] = 0.5 * sx * inv_n
    obs[1, row] = 0.5 * sy * inv_n
    obs[2, row] = ar
    obs[3, row] = ai
    obs[4, row] = nph
    # The spin model conserves sum(z) alone: its photon is virtual.
    obs[5, row] = 0.5 * sz * inv_n + (0.0 if adiabatic else nph)
    obs[6, row] = (eps_z + coupling) * inv_n + delta_c * nph


# ------------------------------------------------------------------ window statistics
@njit
def stats_reset(window, stats):
    """Zero the integrals, open the extrema; True when ``window`` (t_min, t_max) asks for statistics."""
    for j in range(stats.size):
        stats[j] = 0.0
    stats[STAT_COHERENCE_MAX] = -np.inf
    stats[STAT_COHERENCE_MIN] = np.inf
    return window[0] <= window[1]


@njit
def stats_sample_time(a, b, k):
    """Sample ``k`` of a piece [a, b]: a, then the N_GAUSS Gauss nodes, then b."""
    if k == 0:
        return a
    if k == N_GAUSS + 1:
        return b
    return 0.5 * (a + b) + 0.5 * (b - a) * GAUSS_X[k - 1]


@njit
def stats_window(stats, a, b, coherence, n_photon, integrals):
    """Add the piece [a, b] of the window from |S+| and |alpha|^2 at its samples
    (:func:`stats_sample_time`): the extrema, and with ``integrals`` the integrals; return the
    piece's integral of |alpha|^2."""
    half = 0.5 * (b - a)
    piece = 0.0
    for k in range(N_GAUSS):
        piece += half * GAUSS_W[k] * n_photon[k + 1]
    if integrals:
        for k in range(N_GAUSS):
            wk = half * GAUSS_W[k]
            stats[STAT_COHERENCE] += wk * coherence[k + 1]
            stats[STAT_PHOTON] += wk * math.sqrt(max(n_photon[k + 1], 0.0))
        stats[STAT_N_PHOTON] += piece
    # extrema of the samples; the integrator refines interior ones (stats_extremum_bracket)
    for k in range(N_GAUSS + 2):
        stats[STAT_COHERENCE_MAX] = max(stats[STAT_COHERENCE_MAX], coherence[k])
        stats[STAT_COHERENCE_MIN] = min(stats[STAT_COHERENCE_MIN], coherence[k])
    return piece


@njit
def stats_extremum_bracket(coherence, largest):
    """Middle sample of the three around the largest (or smallest) sample: the bracket in which
    the integrator refines the extremum (at an end of the piece, the extremum may lie between
    that end and the next sample)."""
    best = 0
    for k in range(1, N_GAUSS + 2):
        if (coherence[k] > coherence[best]) if largest else (coherence[k] < coherence[best]):
            best = k
    return min(max(best, 1), N_GAUSS)


@njit
def parabola_vertex(t0, t1, t2, v0, v1, v2):
    """Abscissa of the vertex of the parabola through three points (t1 if they are collinear)."""
    d0 = (v1 - v0) / (t1 - t0)
    d1 = (v2 - v1) / (t2 - t1)
    curv = (d1 - d0) / (t2 - t0)
    if curv == 0.0:
        return t1
    tv = t1 - 0.5 * (d0 + curv * (t1 - t0)) / curv
    return min(max(tv, t0), t2)


@njit
def stats_bracket(a, b, coherence, largest):
    """The three samples of the piece [a, b] around its largest (or smallest) |S+|: times, then values."""
    k = stats_extremum_bracket(coherence, largest)
    return (stats_sample_time(a, b, k - 1), stats_sample_time(a, b, k), stats_sample_time(a, b, k + 1),
            coherence[k - 1], coherence[k], coherence[k + 1])


@njit
def bracket_update(t0, t1, t2, v0, v1, v2, tv, vv, largest):
    """One step of successive parabolic interpolation: the bracket t0 < t1 < t2 of the extremum once
    |S+| = ``vv`` is known at the parabola's vertex ``tv``."""
    better = vv > v1 if largest else vv < v1
    if tv < t1:
        return (t0, tv, t1, v0, vv, v1) if better else (tv, t1, t2, vv, v1, v2)
    return (t1, tv, t2, v1, vv, v2) if better else (t0, t1, tv, v0, v1, vv)


#: Successive parabolic steps that refine an extremum inside a step.
N_REFINE = 4


@njit
def stats_run(stats, h, n_photon):
    """Add a step of length ``h`` to the run's integral of |alpha|^2 (values at its Gauss nodes)."""
    for k in range(N_GAUSS):
        stats[STAT_N_PHOTON_RUN] += 0.5 * h * GAUSS_W[k] * n_photon[k]
