r"""Private numba kernels: a Taylor-series integrator built on energy moments, for
atoms with one common coupling and no local atomic loss.

Why it exists. Given the photon, each Bloch vector obeys a *linear* equation,
:math:`\dot{\vec\sigma}_i = 2\,\vec b_i(t)\times\vec\sigma_i` with
:math:`\vec b_i = (G f\,\mathrm{Re}\,\alpha,\,-G f\,\mathrm{Im}\,\alpha,\,\varepsilon_i)`.
With a common coupling :math:`f` the atoms differ only through
:math:`\varepsilon_i`, so the :math:`k`-th Taylor coefficient of every atom's
trajectory is one :math:`3\times3` matrix polynomial in :math:`\varepsilon_i`
applied to its present Bloch vector:

.. math:: \vec\sigma_i^{(k)} = P_k(u_i)\,\vec\sigma_i, \qquad
          P_k(u) = \sum_{p\le k} u^p P_{k,p},\quad u_i = \varepsilon_i/E,

with :math:`E = \max_i|\varepsilon_i|` so that :math:`|u_i|\le 1`. The cavity's
source, :math:`S_f`, is a sum over atoms, so its Taylor coefficients need only the
*moments* :math:`\vec m_p = \sum_i w_i u_i^p\vec\sigma_i`:
:math:`\sum_i w_i\vec\sigma_i^{(k)} = \sum_p P_{k,p}\vec m_p`. One step therefore

1. builds the coefficients :math:`P_{k,p}` and the photon's Taylor coefficients
   :math:`\alpha^{(k)}` together, by the recursion
   :math:`(k+1)P_{k+1} = 2\,[E u\,\hat z\times P_k + G f\sum_j\vec\beta_j\times P_{k-j}]`
   with :math:`\vec\beta_j = (\mathrm{Re}\,\alpha^{(j)}, -\mathrm{Im}\,\alpha^{(j)}, 0)`
   and the photon equation applied order by order — work independent of the
   number of atoms;
2. sums the series at the step :math:`h`, :math:`M(u) = \sum_k h^k P_k(u)`, and
   moves every atom with one Horner evaluation, :math:`\vec\sigma_i \leftarrow
   M(u_i)\vec\sigma_i`, accumulating the new moments on the way.

Per atom and step this costs about 13 multiply-adds per order, in vectorised
passes over cache-sized blocks, and no stage vectors are stored. The step size
follows Jorba & Zou (Experimental Mathematics 14, 99 (2005)): the last two terms of
the series, bounded over all :math:`|u|\le1` (one bound for every atom at once),
must stay below ``tol``; there are no rejected steps. At the Fig. 1 parameters an
order-16 step is 2.4 times longer than a DOP853 step at the same tolerance, with a
smaller error. The collective observables (:math:`S^+`, excitations, energy) are
sums over atoms, so their own series give them anywhere inside a step (dense
output) without a pass over the atoms; only saved Bloch vectors make a step land
on an output time.
"""
import math

import numpy as np
from numba import prange

from .._numba import njit
from ._equations import (
    FAST,
    GAUSS_X,
    MONITOR_STOP,
    MONITOR_TIME,
    N_GAUSS,
    N_REFINE,
    STATUS_INTERRUPTED,
    STATUS_MAX_STEPS,
    STATUS_NONFINITE,
    STATUS_OK,
    STATUS_STEP_UNDERFLOW,
    bracket_update,
    eliminated_photon,
    pack_into,
    parabola_vertex,
    photon_rate,
    stats_bracket,
    stats_reset,
    stats_run,
    stats_sample_time,
    stats_window,
    write_observables,
)

#: Order of the Taylor series (terms ``h**0 .. h**ORDER``).
ORDER = 16

#: Atoms per block of the vectorised passes: the block's nine working arrays
#: (~18 kB) stay in the level-1 cache across the ``2 * ORDER`` passes of a step.
BLOCK = 256

#: Chunks of blocks per pass; a fixed number, so that results do not depend on
#: how many threads run them.
CHUNKS = 16


@njit(fastmath=FAST)
def _series(mom, ar0, ai0, E, Gf, delta_c, kappa, adiabatic, inv_n, P, AR, AI, SUM):
    r"""Fill ``P[k, r, c, p]`` (row ``r``, column ``c`` of :math:`P_{k,p}`) and the photon
    coefficients ``AR[k] + i AI[k]`` for ``k = 0 .. K``; return bounds ``(c_{K-1}, c_K)``
    on the last two terms of the series, valid for every atom (``|u| <= 1``).

    ``SUM[k]`` receives coefficient ``k`` of the collective sums
    :math:`\sum_i w_i(x_i, y_i, z_i, u_i z_i)`, from which :func:`_observe_series`
    evaluates the observables anywhere inside the step."""
    K = P.shape[0] - 1
    P[:] = 0.0
    P[0, 0, 0, 0] = 1.0
    P[0, 1, 1, 0] = 1.0
    P[0, 2, 2, 0] = 1.0
    for k in range(K + 1):
        # Coefficient k of sum_i w_i (x_i, y_i, z_i): sum_p P_{k,p} m_p; of sum_i w_i u_i z_i:
        # the z row against the next moment.
        X = 0.0
        Y = 0.0
        Z = 0.0
        UZ = 0.0
        for c in range(3):
            for p in range(k + 1):
                X += P[k, 0, c, p] * mom[p, c]
                Y += P[k, 1, c, p] * mom[p, c]
                Z += P[k, 2, c, p] * mom[p, c]
                UZ += P[k, 2, c, p] * mom[p + 1, c]
        SUM[k, 0] = X
        SUM[k, 1] = Y
        SUM[k, 2] = Z
        SUM[k, 3] = UZ
        # G S_f with S_f = f (X - iY) / 2N; Gf carries G f.
        gsr = 0.5 * inv_n * Gf * X
        gsi = -0.5 * inv_n * Gf * Y
        if adiabatic:
            AR[k], AI[k] = eliminated_photon(gsr, gsi, 1.0, delta_c, kappa)
        else:
            if k == 0:
                AR[0] = ar0
                AI[0] = ai0
            if k < K:
                rr, ri = photon_rate(AR[k], AI[k], gsr, gsi, 1.0, delta_c, kappa)
                AR[k + 1] = rr / (k + 1)
                AI[k + 1] = ri / (k + 1)
        if k == K:
            break
        # (k+1) P_{k+1} = 2 [E u z-hat x P_k + G f sum_j beta_j x P_{k-j}]; the u shifts p.
        for c in range(3):
            for p in range(k + 1):
                P[k + 1, 0, c, p + 1] -= E * P[k, 1, c, p]
                P[k + 1, 1, c, p + 1] += E * P[k, 0, c, p]
        for j in range(k + 1):
            bx = Gf * AR[j]
            by = -Gf * AI[j]
            q = k - j
            for c in range(3):
                for p in range(q + 1):
                    qx = P[q, 0, c, p]
                    qy = P[q, 1, c, p]
                    qz = P[q, 2, c, p]
                    P[k + 1, 0, c, p] += by * qz
                    P[k + 1, 1, c, p] -= bx * qz
                    P[k + 1, 2, c, p] += bx * qy - by * qx
        scale = 2.0 / (k + 1)
        for r in range(3):
            for c in range(3):
                for p in range(k + 2):
                    P[k + 1, r, c, p] *= scale
    c_prev = 0.0
    c_last = 0.0
    for slot in range(2):
        k = K - 1 + slot
        bound = math.hypot(AR[k], AI[k])
        for r in range(3):
            row = 0.0
            for c in range(3):
                for p in range(k + 1):
                    row += abs(P[k, r, c, p])
            bound = max(bound, row)
        if slot == 0:
            c_prev = bound
        else:
            c_last = bound
    return c_prev, c_last


@njit(fastmath=FAST)
def _step_size(c_prev, c_last, K, tol):
    """Jorba–Zou: both trailing terms of the series below ``tol`` (safety 0.9)."""
    h = 1e300
    if c_prev > 0.0:
        h = min(h, (tol / c_prev) ** (1.0 / (K - 1)))
    if c_last > 0.0:
        h = min(h, (tol / c_last) ** (1.0 / K))
    return 0.9 * h


@njit(fastmath=FAST)
def _sum_series(P, h, M):
    """M[p, r, c] = sum_k h^k P[k, r, c, p]."""
    K = P.shape[0] - 1
    M[:] = 0.0
    hk = 1.0
    for k in range(K + 1):
        for r in range(3):
            for c in range(3):
                for p in range(k + 1):
                    M[p, r, c] += hk * P[k, r, c, p]
        hk *= h


@njit(fastmath=FAST)
def _advance_range(x, y, z, u, w, M, parts, first, last, scratch):
    """Blocks ``first .. last-1``: every atom to sigma <- M(u) sigma; block ``b``
    writes its share of the new moments to ``parts[b]``."""
    n = x.size
    for b in range(first, last):
        lo = b * BLOCK
        hi = min(n, lo + BLOCK)
        # Views of one block, indexed from zero: offset indices would keep
        # numba's negative-index checks in the loops and stop vectorisation.
        _advance_block(x[lo:hi], y[lo:hi], z[lo:hi], u[lo:hi], w[lo:hi], M, parts[b],
                       scratch[0], scratch[1], scratch[2], scratch[3])


@njit(fastmath=FAST, parallel=True)
def _advance_threaded(x, y, z, u, w, M, parts):
    """:func:`_advance_range` over all blocks, in a fixed number of chunks on threads.
    Each block's arithmetic does not depend on who runs it, so the result is the
    same bit for bit as one thread's."""
    n_blocks = parts.shape[0]
    for c in prange(CHUNKS):
        scratch = np.empty((4, BLOCK))
        _advance_range(x, y, z, u, w, M, parts, c * n_blocks // CHUNKS, (c + 1) * n_blocks // CHUNKS, scratch)


@njit(fastmath=FAST)
def _advance(x, y, z, u, w, M, mom, parts, scratch, threaded):
    """Move every atom; ``mom`` gets the new moments, summed over blocks in order.

    ``threaded`` is ``True`` on numba's threads, ``None`` (or ``False``) on this one. The
    engine passes ``None``: numba removes a branch on ``argument is None`` before compiling
    when the argument's type is ``None``, so a one-thread run never compiles the parallel
    pass (a quarter of a cold first call); with a bool both branches are compiled."""
    if threaded is None or not threaded:
        _advance_range(x, y, z, u, w, M, parts, 0, parts.shape[0], scratch)
    else:
        _advance_threaded(x, y, z, u, w, M, parts)
    mom[:] = 0.0
    for b in range(parts.shape[0]):
        for p in range(mom.shape[0]):
            for c in range(3):
                mom[p, c] += parts[b, p, c]


@njit(fastmath=FAST)
def _advance_block(x, y, z, u, w, M, mom, vx, vy, vz, up):
    nb = x.size
    K = M.shape[0] - 1
    m00 = M[K, 0, 0]; m01 = M[K, 0, 1]; m02 = M[K, 0, 2]
    m10 = M[K, 1, 0]; m11 = M[K, 1, 1]; m12 = M[K, 1, 2]
    m20 = M[K, 2, 0]; m21 = M[K, 2, 1]; m22 = M[K, 2, 2]
    for j in range(nb):
        vx[j] = m00 * x[j] + m01 * y[j] + m02 * z[j]
        vy[j] = m10 * x[j] + m11 * y[j] + m12 * z[j]
        vz[j] = m20 * x[j] + m21 * y[j] + m22 * z[j]
    for p in range(K - 1, -1, -1):
        m00 = M[p, 0, 0]; m01 = M[p, 0, 1]; m02 = M[p, 0, 2]
        m10 = M[p, 1, 0]; m11 = M[p, 1, 1]; m12 = M[p, 1, 2]
        m20 = M[p, 2, 0]; m21 = M[p, 2, 1]; m22 = M[p, 2, 2]
        for j in range(nb):
            uj = u[j]
            xj = x[j]
            yj = y[j]
            zj = z[j]
            vx[j] = uj * vx[j] + (m00 * xj + m01 * yj + m02 * zj)
            vy[j] = uj * vy[j] + (m10 * xj + m11 * yj + m12 * zj)
            vz[j] = uj * vz[j] + (m20 * xj + m21 * yj + m22 * zj)
    for j in range(nb):
        x[j] = vx[j]
        y[j] = vy[j]
        z[j] = vz[j]
        up[j] = w[j]
    for p in range(mom.shape[0]):
        sx = 0.0
        sy = 0.0
        sz = 0.0
        for j in range(nb):
            wp = up[j]
            sx += wp * x[j]
            sy += wp * y[j]
            sz += wp * z[j]
            up[j] = wp * u[j]
        mom[p, 0] = sx
        mom[p, 1] = sy
        mom[p, 2] = sz


def _aligned(a, align: int = 64) -> np.ndarray:
    """A copy of ``a`` whose data start on an ``align``-byte boundary: with numpy's 16-byte
    alignment the passes of :func:`_advance_block` over the atoms ran 5-7 % slower (measured)."""
    buf = np.empty(a.size + align // 8)
    start = (-buf.ctypes.data % align) // 8
    out = buf[start:start + a.size].reshape(a.shape)
    out[...] = a
    return out


def integrate(y0, t_save, physics, tol, max_steps, save_state, threaded, monitor, window, stats):
    """Taylor integration from ``t_save[0]`` through every time in ``t_save``.

    ``physics`` is a :class:`~cavity_bcs.meanfield._equations.Physics` whose couplings
    are all equal (``f[0]`` is used; its ``gamma`` and ``dephasing`` must be zero, which
    :func:`cavity_bcs.meanfield._engine.resolve_method` guarantees); ``threaded=True``
    splits the passes over the atoms across numba's threads, ``None`` runs them on this
    one (and compiles no parallel code, see :func:`_advance`); ``monitor`` is the
    stop flag and progress slot of :mod:`._equations`; with ``window[0] <= window[1]`` every
    step's series adds to the window statistics ``stats`` (slots ``STAT_*``); ``window=None``
    asks for none and compiles no statistics code. Returns
    ``(obs, states, y_final, status, n_steps, n_rejected, t)`` (never a rejected step).

    The arrays are allocated here, in numpy (the atoms' ones 64-byte aligned; numba aligns its
    own to 32 bytes, numpy to 16 only), and the loop runs in the kernel :func:`_run`: numba would compile an
    allocator for every array rank it meets (a tenth of a cold first call), and numpy's
    copies and IEEE division give the same bits.
    """
    eps = physics.eps
    n = eps.size
    K = ORDER
    E = float(np.max(np.abs(eps))) if n else 0.0
    if E == 0.0:
        E = 1.0
    n_save = t_save.size
    obs = np.zeros((7, n_save))
    states = np.zeros((n_save if save_state else 0, 3 * n + 2))
    x = _aligned(y0[:n])
    y = _aligned(y0[n:2 * n])
    z = _aligned(y0[2 * n:3 * n])
    work = (_aligned(eps / E), np.zeros((K + 1, 3, 3, K + 1)), np.zeros((K + 1, 3, 3)), np.zeros(K + 1),
            np.zeros(K + 1), np.zeros((K + 2, 3)), np.zeros((K + 1, 4)), np.zeros(((n + BLOCK - 1) // BLOCK, K + 2, 3)),
            _aligned(np.zeros((4, BLOCK))), np.zeros((7, 1)), np.zeros(N_GAUSS + 2), np.zeros(N_GAUSS + 2))
    status, n_steps, t, ar, ai = _run(x, y, z, float(y0[3 * n]), float(y0[3 * n + 1]), E, t_save, physics, tol,
                                      max_steps, save_state, threaded, monitor, window, stats, obs, states, *work)
    return obs, states, np.concatenate((x, y, z, np.array([ar, ai]))), status, n_steps, 0, t


@njit
def _run(x, y, z, ar, ai, E, t_save, physics, tol, max_steps, save_state, threaded, monitor, window, stats,
         obs, states, u, P, M, AR, AI, mom, SUM, parts, scratch, col, coherence, n_photon):
    """The loop of :func:`integrate` on its arrays: moves the Bloch components ``x, y, z`` in
    place, fills ``obs`` (and ``states``), returns ``(status, n_steps, t, Re alpha, Im alpha)``."""
    _, f, w, G, delta_c, kappa, _, _, adiabatic, inv_n = physics
    f0 = f[0] if f.size else 1.0
    K = ORDER
    Gf = G * f0
    # The first moments by the same pass as every later step, with M = identity.
    for r in range(3):
        M[0, r, r] = 1.0
    _advance(x, y, z, u, w, M, mom, parts, scratch, threaded)
    if adiabatic:
        ar, ai = _slaved(mom, Gf, delta_c, kappa, inv_n)
    n_save = t_save.size
    # Rows and counters are np.int64, not literals: numba compiles a callee once more for
    # every literal integer argument it meets (Literal[int](0), Literal[int](1), int64).
    _observe(mom, ar, ai, E, Gf, delta_c, adiabatic, inv_n, obs, np.int64(0))
    if save_state:
        pack_into(x, y, z, ar, ai, states[0])
    # ``window=None`` (what the engine passes without a window): numba then drops every
    # statistics branch before compiling (tested on the argument's type, as for ``threaded``)
    want_stats = False
    if window is not None:
        want_stats = stats_reset(window, stats)
    t = t_save[0]
    t_final = t_save[n_save - 1]
    n_steps = 0
    s = np.int64(1)
    status = STATUS_OK
    while s < n_save:
        if monitor[MONITOR_STOP] != 0.0:
            status = STATUS_INTERRUPTED
            break
        if n_steps >= max_steps:
            status = STATUS_MAX_STEPS
            break
        c_prev, c_last = _series(mom, ar, ai, E, Gf, delta_c, kappa, adiabatic, inv_n, P, AR, AI, SUM)
        h = _step_size(c_prev, c_last, K, tol)
        if not math.isfinite(h):
            status = STATUS_NONFINITE
            break
        if h < 1e-14 * max(1.0, abs(t)):
            status = STATUS_STEP_UNDERFLOW
            break
        # Saved states need the atoms at the output time, so land on it; the
        # observables are sums, evaluated from the series anywhere in the step.
        t_stop = t_save[s] if save_state else t_final
        lands = t + h >= t_stop - 1e-12 * max(1.0, abs(t_stop))
        if lands:
            h = t_stop - t
        if not save_state:
            while s < n_save - 1 and t_save[s] < t + h:
                _observe_series(SUM, AR, AI, t_save[s] - t, E, Gf, delta_c, kappa, adiabatic, inv_n, obs, s)
                if not _finite_column(obs, s):
                    status = STATUS_NONFINITE
                    break
                s += 1
            if status != STATUS_OK:
                break
        if window is not None and want_stats:
            _step_stats(SUM, AR, AI, t, h, window, stats, E, Gf, delta_c, kappa, adiabatic, inv_n, col, coherence,
                        n_photon)
        _sum_series(P, h, M)
        _advance(x, y, z, u, w, M, mom, parts, scratch, threaded)
        if adiabatic:
            ar, ai = _slaved(mom, Gf, delta_c, kappa, inv_n)
        else:
            ar = _polyval(AR, h)
            ai = _polyval(AI, h)
        n_steps += 1
        monitor[MONITOR_TIME] = t + h
        if lands:
            t = t_stop
            _observe(mom, ar, ai, E, Gf, delta_c, adiabatic, inv_n, obs, s)
            if save_state:
                pack_into(x, y, z, ar, ai, states[s])
            if not _finite_column(obs, s):
                status = STATUS_NONFINITE
                break
            s += 1
        else:
            t += h
    return status, n_steps, t, ar, ai


@njit
def _polyval(coefficients, tau):
    """sum_k coefficients[k] tau^k (Horner)."""
    total = 0.0
    for k in range(coefficients.size - 1, -1, -1):
        total = total * tau + coefficients[k]
    return total


@njit
def _finite_column(obs, s):
    for r in range(obs.shape[0]):
        if not math.isfinite(obs[r, s]):
            return False
    return True


@njit
def _observe_series(SUM, AR, AI, tau, E, Gf, delta_c, kappa, adiabatic, inv_n, obs, row):
    """The observables at ``tau`` into the step, from the series of the collective sums."""
    # Horner on each column, as _polyval does (not _polyval(SUM[:, 0], ...): a strided column
    # would compile a second _polyval for non-contiguous arrays)
    X = 0.0
    Y = 0.0
    Z = 0.0
    UZ = 0.0
    for k in range(SUM.shape[0] - 1, -1, -1):
        X = X * tau + SUM[k, 0]
        Y = Y * tau + SUM[k, 1]
        Z = Z * tau + SUM[k, 2]
        UZ = UZ * tau + SUM[k, 3]
    ar = _polyval(AR, tau)
    ai = _polyval(AI, tau)
    if adiabatic:
        ar, ai = eliminated_photon(0.5 * inv_n * Gf * X, -0.5 * inv_n * Gf * Y, 1.0, delta_c, kappa)
    _observe_sums(X, Y, Z, UZ, ar, ai, E, Gf, delta_c, adiabatic, inv_n, obs, row)


@njit
def _step_stats(SUM, AR, AI, t, h, window, stats, E, Gf, delta_c, kappa, adiabatic, inv_n, col, coherence, n_photon):
    """Window statistics of the step [t, t + h] from its series (see :func:`._equations.stats_window`)."""
    row = np.int64(0)  # the one column of ``col``; not a literal (see integrate)
    a = max(t, window[0])
    b = min(t + h, window[1])
    piece = -1.0
    if a < b:
        for k in range(N_GAUSS + 2):
            _observe_series(SUM, AR, AI, stats_sample_time(a, b, k) - t, E, Gf, delta_c, kappa, adiabatic, inv_n,
                            col, row)
            coherence[k] = math.hypot(col[0, 0], col[1, 0])
            n_photon[k] = col[4, 0]
        piece = stats_window(stats, a, b, coherence, n_photon, True)
        for which in range(2):  # 0: the largest |S+|, 1: the smallest
            t0, t1, t2, v0, v1, v2 = stats_bracket(a, b, coherence, which == 0)
            for _ in range(N_REFINE):  # successive parabolic interpolation inside the bracket
                tv = parabola_vertex(t0, t1, t2, v0, v1, v2)
                if tv == t1 or tv == t0 or tv == t2:
                    break
                _observe_series(SUM, AR, AI, tv - t, E, Gf, delta_c, kappa, adiabatic, inv_n, col, row)
                vv = math.hypot(col[0, 0], col[1, 0])
                t0, t1, t2, v0, v1, v2 = bracket_update(t0, t1, t2, v0, v1, v2, tv, vv, which == 0)
            if which == 0:
                stats[4] = max(stats[4], v1)
            else:
                stats[5] = min(stats[5], v1)
    if a == t and b == t + h:  # the window holds the whole step: its nodes serve the run's integral
        stats[3] += piece
        return
    for k in range(N_GAUSS):
        _observe_series(SUM, AR, AI, 0.5 * h * (1.0 + GAUSS_X[k]), E, Gf, delta_c, kappa, adiabatic, inv_n, col, row)
        n_photon[k] = col[4, 0]
    stats_run(stats, h, n_photon)


@njit
def _slaved(mom, Gf, delta_c, kappa, inv_n):
    """The adiabatic photon -G S_f / (delta_c - i kappa/2) from the zeroth moment."""
    return eliminated_photon(0.5 * inv_n * Gf * mom[0, 0], -0.5 * inv_n * Gf * mom[0, 1],
                             1.0, delta_c, kappa)


@njit
def _observe(mom, ar, ai, E, Gf, delta_c, adiabatic, inv_n, obs, row):
    """The rows of :func:`cavity_bcs.meanfield._equations.observables`, from the moments alone."""
    _observe_sums(mom[0, 0], mom[0, 1], mom[0, 2], mom[1, 2], ar, ai, E, Gf, delta_c, adiabatic, inv_n, obs, row)


@njit
def _observe_sums(X, Y, Z, UZ, ar, ai, E, Gf, delta_c, adiabatic, inv_n, obs, row):
    """Observables from the sums over atoms of w (x, y, z) and of w u z (u = eps/E)."""
    write_observables(X, Y, Z, E * UZ, Gf * (X * ar - Y * ai), ar, ai, delta_c, adiabatic, inv_n, obs, row)
