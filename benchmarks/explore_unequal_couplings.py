r"""Exploration: structure-exploiting integrators for unequal couplings, measured against DOP853.

For equal couplings the library integrates with an order-16 Taylor series built on energy moments
(``meanfield/_taylor.py``). The experiment's couplings ``f_i = cos(k0a0 (i + 1))`` take continuous
values, and ``quench`` runs DOP853 with dense output. This script prototypes three ways to keep the
structure (given the photon, each Bloch vector rotates, ``d sigma_i/dt = 2 b_i x sigma_i`` with
``b_i = (G f_i Re alpha, -G f_i Im alpha, eps_i)``) and measures them against ``cb.quench`` (DOP853):

(a) ``classes``: moments per coupling class. With M distinct coupling values the equal-coupling
    recursion runs once per class (O(M 16^3) per step, independent of N) and every atom keeps one
    Horner pass. Exact only for M-valued couplings: the cosine profile is quantised to M levels
    (equal-width bins in f, each class at the mean f of its atoms) and the quantisation error of
    S+(t) is reported separately from the integrator error.
(b) ``bivariate``: the k-th Taylor coefficient of each atom's trajectory is a 3x3 matrix polynomial of
    degree k in (u_i, v_i) = (eps_i / max|eps|, f_i / max|f|); the cavity's source needs the moments
    m_pq = sum_i u_i^p v_i^q sigma_i. Exact for any couplings. Each power of v comes with one
    rotation about an in-plane axis, so a coefficient with even q only maps xy -> xy and z -> z and one
    with odd q only xy <-> z (5 or 4 of 9 entries; checked at run time); the Horner pass uses this.
    The per-atom work grows like K^2 / 2 monomials instead of K.
(c) ``splitting``: the mean-field Hamiltonian splits into three exactly solvable flows, each a
    rotation of every atom about a fixed axis: A (eps_i z-rotations, the cavity's phase), B
    (rotation about x by 2 G f_i Re(alpha) t, Im(alpha) moves linearly), C (the same about y).
    Strang's symmetric composition and Yoshida's/Suzuki's compositions of order 4, 6 and 8, fixed
    step; |sigma_i| is conserved to round-off by construction, no photon iteration is needed.

Accuracy is the one measure of the README: the largest error of S+(t) at 2001 times to
t = 100/chi N (Fig. 1 parameters: eps0 = 6, W = 8, delta_c = 7, spins along +x, empty cavity) against
``cb.quench(model, 100, n_save=2001, rtol=1e-13)``. Every method runs at its loosest tolerance (or
fewest fixed steps) with error <= TARGET, best of 3 after compilation, interleaved with DOP853
because the 2 cores are shared.

From +x with an empty cavity the cosine's source sum_i f_i s_i nearly cancels (one class at the mean
coupling reproduces S+ to 1e-4 at 800 atoms, 1e-8 at 80,000), so the photon stays weak; the run
therefore repeats at 800 atoms (and with --initial drive at any size) from the experiment's drive
state, spins along sgn(f_i) x with the photon in equilibrium. The results are in README.md,
"## Performance".

Run:  python benchmarks/explore_unequal_couplings.py [--atoms 800 80000] [--initial x|drive] [--repeats 3]
      [--cache DIR]
It reports, it does not test. With 80,000 atoms it takes 10-20 minutes on the shared machine (the
rtol 1e-13 reference alone is ~1 min; --cache keeps it).
"""
import argparse
import math
import time

import numpy as np
from numba import njit

import cavity_bcs as cb
from cavity_bcs.experiment import drive_state
from cavity_bcs.meanfield._equations import FAST, photon_rate, write_observables
from cavity_bcs.meanfield._taylor import BLOCK, _advance_block, _polyval, _step_size, _sum_series

EPS0, W, DELTA_C, T_FINAL, N_SAVE = 6.0, 8.0, 7.0, 100.0, 2001
TARGET = 1e-8
ORDER = 16


def model(n_atoms, profile=None):
    return cb.Model(eps0=EPS0, W=W, delta_c=DELTA_C, n_atoms=n_atoms,
                    coupling_profile=cb.cosine_profile(n_atoms) if profile is None else profile)


# ======================================================================== (b) bivariate moment Taylor
@njit(fastmath=FAST)
def _biv_series(mom, ar0, ai0, E, GF, delta_c, kappa, inv_n, P, AR, AI, SUM):
    """P[k, r, c, p, q]: coefficient of h^k u^p v^q (row r, column c); photon series AR + i AI;
    SUM[k] = series of sum_i (x, y, z, u z, v x, v y). Returns the Jorba-Zou bounds (c_{K-1}, c_K)."""
    K = P.shape[0] - 1
    for r in range(3):
        for c in range(3):
            P[0, r, c, 0, 0] = 1.0 if r == c else 0.0
    for k in range(K + 1):
        X = 0.0
        Y = 0.0
        Z = 0.0
        UZ = 0.0
        XF = 0.0
        YF = 0.0
        for c in range(3):
            for p in range(k + 1):
                for q in range(k + 1 - p):
                    a0 = P[k, 0, c, p, q]
                    a1 = P[k, 1, c, p, q]
                    a2 = P[k, 2, c, p, q]
                    X += a0 * mom[p, q, c]
                    Y += a1 * mom[p, q, c]
                    Z += a2 * mom[p, q, c]
                    UZ += a2 * mom[p + 1, q, c]
                    XF += a0 * mom[p, q + 1, c]
                    YF += a1 * mom[p, q + 1, c]
        SUM[k, 0] = X
        SUM[k, 1] = Y
        SUM[k, 2] = Z
        SUM[k, 3] = UZ
        SUM[k, 4] = XF
        SUM[k, 5] = YF
        gsr = 0.5 * inv_n * GF * XF
        gsi = -0.5 * inv_n * GF * YF
        if k == 0:
            AR[0] = ar0
            AI[0] = ai0
        if k == K:
            break
        rr, ri = photon_rate(AR[k], AI[k], gsr, gsi, 1.0, delta_c, kappa)
        AR[k + 1] = rr / (k + 1)
        AI[k + 1] = ri / (k + 1)
        for r in range(3):
            for c in range(3):
                for p in range(k + 2):
                    for q in range(k + 2 - p):
                        P[k + 1, r, c, p, q] = 0.0
        # (k+1) P_{k+1} = 2 [E u z x P_k + v sum_j beta_j x P_{k-j}]: u shifts p, v shifts q
        for c in range(3):
            for p in range(k + 1):
                for q in range(k + 1 - p):
                    P[k + 1, 0, c, p + 1, q] -= E * P[k, 1, c, p, q]
                    P[k + 1, 1, c, p + 1, q] += E * P[k, 0, c, p, q]
        for j in range(k + 1):
            bx = GF * AR[j]
            by = -GF * AI[j]
            m = k - j
            for c in range(3):
                for p in range(m + 1):
                    for q in range(m + 1 - p):
                        qx = P[m, 0, c, p, q]
                        qy = P[m, 1, c, p, q]
                        qz = P[m, 2, c, p, q]
                        P[k + 1, 0, c, p, q + 1] += by * qz
                        P[k + 1, 1, c, p, q + 1] -= bx * qz
                        P[k + 1, 2, c, p, q + 1] += bx * qy - by * qx
        scale = 2.0 / (k + 1)
        for r in range(3):
            for c in range(3):
                for p in range(k + 2):
                    for q in range(k + 2 - p):
                        P[k + 1, r, c, p, q] *= scale
    bounds = np.zeros(2)
    for slot in range(2):
        k = K - 1 + slot
        bound = math.hypot(AR[k], AI[k])
        for r in range(3):
            row = 0.0
            for c in range(3):
                for p in range(k + 1):
                    for q in range(k + 1 - p):
                        row += abs(P[k, r, c, p, q])
            bound = max(bound, row)
        bounds[slot] = bound
    return bounds[0], bounds[1]


@njit
def _biv_parity_violation(P):
    """Largest |entry| that the parity rule says is zero (even q: xy<->z blocks; odd q: xy-xy, zz)."""
    K = P.shape[0] - 1
    worst = 0.0
    for k in range(K + 1):
        for p in range(k + 1):
            for q in range(k + 1 - p):
                for r in range(3):
                    for c in range(3):
                        crosses = (r == 2) != (c == 2)
                        if crosses == (q % 2 == 0):
                            worst = max(worst, abs(P[k, r, c, p, q]))
    return worst


@njit(fastmath=FAST)
def _biv_sum_series(P, h, Ms):
    """Ms[p, q, r, c] = sum_k h^k P[k, r, c, p, q]."""
    K = P.shape[0] - 1
    Ms[:] = 0.0
    hk = 1.0
    for k in range(K + 1):
        for p in range(k + 1):
            for q in range(k + 1 - p):
                for r in range(3):
                    for c in range(3):
                        Ms[p, q, r, c] += hk * P[k, r, c, p, q]
        hk *= h


@njit(fastmath=FAST)
def _biv_advance_block(x, y, z, u, v, Ms, mom, S):
    """sigma <- M(u, v) sigma with M(u, v) = sum_pq u^p v^q Ms[p, q], then the block's moments
    sum u^p v^q sigma (p + q <= K + 1) into ``mom``. Every atom's matrix is built by Horner in u
    inside Horner in v^2, separately for the two parity groups: even q fills (00, 01, 10, 11, 22),
    odd q (02, 12, 20, 21), so a monomial costs 5 or 4 multiply-adds per atom. ``S``: 14 scratch rows."""
    nb = x.size
    K = Ms.shape[0] - 1
    e00 = S[0]; e01 = S[1]; e10 = S[2]; e11 = S[3]; e22 = S[4]  # noqa: E702
    o02 = S[5]; o12 = S[6]; o20 = S[7]; o21 = S[8]  # noqa: E702
    t0 = S[9]; t1 = S[10]; t2 = S[11]; t3 = S[12]; t4 = S[13]  # noqa: E702
    for j in range(nb):
        e00[j] = 0.0; e01[j] = 0.0; e10[j] = 0.0; e11[j] = 0.0; e22[j] = 0.0  # noqa: E702
        o02[j] = 0.0; o12[j] = 0.0; o20[j] = 0.0; o21[j] = 0.0  # noqa: E702
    for q in range(K, -1, -1):
        top = K - q
        if q % 2 == 0:
            c0 = Ms[top, q, 0, 0]; c1 = Ms[top, q, 0, 1]; c2 = Ms[top, q, 1, 0]; c3 = Ms[top, q, 1, 1]  # noqa: E702
            c4 = Ms[top, q, 2, 2]
            for j in range(nb):
                t0[j] = c0; t1[j] = c1; t2[j] = c2; t3[j] = c3; t4[j] = c4  # noqa: E702
            for p in range(top - 1, -1, -1):
                c0 = Ms[p, q, 0, 0]; c1 = Ms[p, q, 0, 1]; c2 = Ms[p, q, 1, 0]; c3 = Ms[p, q, 1, 1]  # noqa: E702
                c4 = Ms[p, q, 2, 2]
                for j in range(nb):
                    uj = u[j]
                    t0[j] = uj * t0[j] + c0
                    t1[j] = uj * t1[j] + c1
                    t2[j] = uj * t2[j] + c2
                    t3[j] = uj * t3[j] + c3
                    t4[j] = uj * t4[j] + c4
            for j in range(nb):
                w2 = v[j] * v[j]
                e00[j] = w2 * e00[j] + t0[j]
                e01[j] = w2 * e01[j] + t1[j]
                e10[j] = w2 * e10[j] + t2[j]
                e11[j] = w2 * e11[j] + t3[j]
                e22[j] = w2 * e22[j] + t4[j]
        else:
            c0 = Ms[top, q, 0, 2]; c1 = Ms[top, q, 1, 2]; c2 = Ms[top, q, 2, 0]; c3 = Ms[top, q, 2, 1]  # noqa: E702
            for j in range(nb):
                t0[j] = c0; t1[j] = c1; t2[j] = c2; t3[j] = c3  # noqa: E702
            for p in range(top - 1, -1, -1):
                c0 = Ms[p, q, 0, 2]; c1 = Ms[p, q, 1, 2]; c2 = Ms[p, q, 2, 0]; c3 = Ms[p, q, 2, 1]  # noqa: E702
                for j in range(nb):
                    uj = u[j]
                    t0[j] = uj * t0[j] + c0
                    t1[j] = uj * t1[j] + c1
                    t2[j] = uj * t2[j] + c2
                    t3[j] = uj * t3[j] + c3
            for j in range(nb):
                w2 = v[j] * v[j]
                o02[j] = w2 * o02[j] + t0[j]
                o12[j] = w2 * o12[j] + t1[j]
                o20[j] = w2 * o20[j] + t2[j]
                o21[j] = w2 * o21[j] + t3[j]
    for j in range(nb):
        vj = v[j]
        xj = x[j]
        yj = y[j]
        zj = z[j]
        x[j] = e00[j] * xj + e01[j] * yj + vj * o02[j] * zj
        y[j] = e10[j] * xj + e11[j] * yj + vj * o12[j] * zj
        z[j] = e22[j] * zj + vj * (o20[j] * xj + o21[j] * yj)
        t4[j] = 1.0  # v^q
    for q in range(K + 2):
        for j in range(nb):
            t3[j] = t4[j]  # u^p v^q
        for p in range(K + 2 - q):
            sx = 0.0
            sy = 0.0
            sz = 0.0
            for j in range(nb):
                wp = t3[j]
                sx += wp * x[j]
                sy += wp * y[j]
                sz += wp * z[j]
                t3[j] = wp * u[j]
            mom[p, q, 0] += sx
            mom[p, q, 1] += sy
            mom[p, q, 2] += sz
        for j in range(nb):
            t4[j] *= v[j]


@njit(fastmath=FAST)
def _biv_advance(x, y, z, u, v, Ms, mom, scratch):
    mom[:] = 0.0
    n = x.size
    for lo in range(0, n, BLOCK):
        hi = min(n, lo + BLOCK)
        _biv_advance_block(x[lo:hi], y[lo:hi], z[lo:hi], u[lo:hi], v[lo:hi], Ms, mom, scratch)


@njit
def _biv_observe(SUM, AR, AI, tau, E, GF, delta_c, inv_n, obs, row):
    X = _polyval(SUM[:, 0], tau)
    Y = _polyval(SUM[:, 1], tau)
    Z = _polyval(SUM[:, 2], tau)
    UZ = _polyval(SUM[:, 3], tau)
    XF = _polyval(SUM[:, 4], tau)
    YF = _polyval(SUM[:, 5], tau)
    ar = _polyval(AR, tau)
    ai = _polyval(AI, tau)
    write_observables(X, Y, Z, E * UZ, GF * (XF * ar - YF * ai), ar, ai, delta_c, False, inv_n, obs, row)


@njit
def integrate_bivariate(x, y, z, ar, ai, eps, f, G, delta_c, kappa, inv_n, t_save, tol, K):
    """Bivariate moment Taylor series of order K, dense output of the observables at ``t_save``.
    Returns (obs, n_steps, worst parity violation relative to the largest coefficient)."""
    E = max(np.max(np.abs(eps)), 1e-300)
    F = max(np.max(np.abs(f)), 1e-300)
    u = eps / E
    v = f / F
    GF = G * F
    x = x.copy()
    y = y.copy()
    z = z.copy()
    P = np.zeros((K + 1, 3, 3, K + 1, K + 1))
    Ms = np.zeros((K + 1, K + 1, 3, 3))
    AR = np.zeros(K + 1)
    AI = np.zeros(K + 1)
    SUM = np.zeros((K + 1, 6))
    mom = np.zeros((K + 2, K + 2, 3))
    scratch = np.empty((14, BLOCK))
    Ms[0, 0, 0, 0] = 1.0
    Ms[0, 0, 1, 1] = 1.0
    Ms[0, 0, 2, 2] = 1.0
    _biv_advance(x, y, z, u, v, Ms, mom, scratch)  # the first moments (identity map)
    obs = np.zeros((7, t_save.size))
    t = t_save[0]
    t_final = t_save[-1]
    s = 0
    n_steps = 0
    parity = 0.0
    while True:
        c_prev, c_last = _biv_series(mom, ar, ai, E, GF, delta_c, kappa, inv_n, P, AR, AI, SUM)
        if n_steps % 64 == 0:
            parity = max(parity, _biv_parity_violation(P) / max(1e-300, np.max(np.abs(P))))
        h = _step_size(c_prev, c_last, K, tol)
        last = t + h >= t_final - 1e-12 * t_final
        if last:
            h = t_final - t
        while s < t_save.size and t_save[s] <= t + h * (1.0 + 1e-14):
            _biv_observe(SUM, AR, AI, t_save[s] - t, E, GF, delta_c, inv_n, obs, s)
            s += 1
        _biv_sum_series(P, h, Ms)
        _biv_advance(x, y, z, u, v, Ms, mom, scratch)
        ar = _polyval(AR, h)
        ai = _polyval(AI, h)
        n_steps += 1
        if last:
            break
        t += h
    return obs, n_steps, parity


# ======================================================================== (a) moments per coupling class
def quantised_profile(f, n_classes):
    """The couplings on ``n_classes`` levels: equal-width bins over [min f, max f], each atom at the
    mean f of its bin. Returns (per-atom quantised f, class index per atom, class values)."""
    lo, hi = float(np.min(f)), float(np.max(f))
    idx = np.minimum(((f - lo) / max(hi - lo, 1e-300) * n_classes).astype(np.int64), n_classes - 1)
    used = np.unique(idx)
    remap = -np.ones(n_classes, dtype=np.int64)
    remap[used] = np.arange(used.size)
    idx = remap[idx]
    values = np.array([f[idx == c].mean() for c in range(used.size)])
    return values[idx], idx, values


@njit(fastmath=FAST)
def _class_series(mom, ar0, ai0, E, G, fc, delta_c, kappa, inv_n, P, AR, AI, SUM):
    """The equal-coupling recursion of ``_taylor._series`` once per class (P[cls]), the photon fed by
    the coupling-weighted sum over classes. Returns the largest class bounds (c_{K-1}, c_K)."""
    n_cls = fc.size
    K = P.shape[1] - 1
    P[:] = 0.0
    for cl in range(n_cls):
        for r in range(3):
            P[cl, 0, r, r, 0] = 1.0
    for k in range(K + 1):
        X = 0.0
        Y = 0.0
        Z = 0.0
        UZ = 0.0
        XF = 0.0
        YF = 0.0
        for cl in range(n_cls):
            sx = 0.0
            sy = 0.0
            for c in range(3):
                for p in range(k + 1):
                    m = mom[cl, p, c]
                    sx += P[cl, k, 0, c, p] * m
                    sy += P[cl, k, 1, c, p] * m
                    Z += P[cl, k, 2, c, p] * m
                    UZ += P[cl, k, 2, c, p] * mom[cl, p + 1, c]
            X += sx
            Y += sy
            XF += fc[cl] * sx
            YF += fc[cl] * sy
        SUM[k, 0] = X
        SUM[k, 1] = Y
        SUM[k, 2] = Z
        SUM[k, 3] = UZ
        SUM[k, 4] = XF
        SUM[k, 5] = YF
        if k == 0:
            AR[0] = ar0
            AI[0] = ai0
        if k == K:
            break
        rr, ri = photon_rate(AR[k], AI[k], 0.5 * inv_n * G * XF, -0.5 * inv_n * G * YF, 1.0, delta_c, kappa)
        AR[k + 1] = rr / (k + 1)
        AI[k + 1] = ri / (k + 1)
        for cl in range(n_cls):
            Gf = G * fc[cl]
            for c in range(3):
                for p in range(k + 1):
                    P[cl, k + 1, 0, c, p + 1] -= E * P[cl, k, 1, c, p]
                    P[cl, k + 1, 1, c, p + 1] += E * P[cl, k, 0, c, p]
            for j in range(k + 1):
                bx = Gf * AR[j]
                by = -Gf * AI[j]
                q = k - j
                for c in range(3):
                    for p in range(q + 1):
                        qx = P[cl, q, 0, c, p]
                        qy = P[cl, q, 1, c, p]
                        qz = P[cl, q, 2, c, p]
                        P[cl, k + 1, 0, c, p] += by * qz
                        P[cl, k + 1, 1, c, p] -= bx * qz
                        P[cl, k + 1, 2, c, p] += bx * qy - by * qx
            scale = 2.0 / (k + 1)
            for r in range(3):
                for c in range(3):
                    for p in range(k + 2):
                        P[cl, k + 1, r, c, p] *= scale
    c_prev = 0.0
    c_last = 0.0
    for cl in range(n_cls):
        for slot in range(2):
            k = K - 1 + slot
            bound = math.hypot(AR[k], AI[k])
            for r in range(3):
                row = 0.0
                for c in range(3):
                    for p in range(k + 1):
                        row += abs(P[cl, k, r, c, p])
                bound = max(bound, row)
            if slot == 0:
                c_prev = max(c_prev, bound)
            else:
                c_last = max(c_last, bound)
    return c_prev, c_last


@njit(fastmath=FAST)
def _class_advance(x, y, z, u, w, starts, Mc, mom, part, scratch):
    """Every class's atoms (``starts[c] .. starts[c+1]-1``) by the library's Horner block pass."""
    mom[:] = 0.0
    for cl in range(starts.size - 1):
        for lo in range(starts[cl], starts[cl + 1], BLOCK):
            hi = min(starts[cl + 1], lo + BLOCK)
            _advance_block(x[lo:hi], y[lo:hi], z[lo:hi], u[lo:hi], w[lo:hi], Mc[cl], part,
                           scratch[0], scratch[1], scratch[2], scratch[3])
            for p in range(part.shape[0]):
                for c in range(3):
                    mom[cl, p, c] += part[p, c]


@njit
def integrate_classes(x, y, z, ar, ai, eps, starts, fc, G, delta_c, kappa, inv_n, t_save, tol):
    """Per-class moment Taylor series (order ORDER); atoms sorted by class, ``starts`` the offsets."""
    K = ORDER
    n_cls = fc.size
    E = max(np.max(np.abs(eps)), 1e-300)
    u = eps / E
    w = np.ones(eps.size)
    x = x.copy()
    y = y.copy()
    z = z.copy()
    P = np.zeros((n_cls, K + 1, 3, 3, K + 1))
    Mc = np.zeros((n_cls, K + 1, 3, 3))
    AR = np.zeros(K + 1)
    AI = np.zeros(K + 1)
    SUM = np.zeros((K + 1, 6))
    mom = np.zeros((n_cls, K + 2, 3))
    part = np.zeros((K + 2, 3))
    scratch = np.empty((4, BLOCK))
    for cl in range(n_cls):
        for r in range(3):
            Mc[cl, 0, r, r] = 1.0
    _class_advance(x, y, z, u, w, starts, Mc, mom, part, scratch)
    obs = np.zeros((7, t_save.size))
    t = t_save[0]
    t_final = t_save[-1]
    s = 0
    n_steps = 0
    while True:
        c_prev, c_last = _class_series(mom, ar, ai, E, G, fc, delta_c, kappa, inv_n, P, AR, AI, SUM)
        h = _step_size(c_prev, c_last, K, tol)
        last = t + h >= t_final - 1e-12 * t_final
        if last:
            h = t_final - t
        while s < t_save.size and t_save[s] <= t + h * (1.0 + 1e-14):
            _biv_observe(SUM, AR, AI, t_save[s] - t, E, G, delta_c, inv_n, obs, s)
            s += 1
        for cl in range(n_cls):
            _sum_series(P[cl], h, Mc[cl])
        _class_advance(x, y, z, u, w, starts, Mc, mom, part, scratch)
        ar = _polyval(AR, h)
        ai = _polyval(AI, h)
        n_steps += 1
        if last:
            break
        t += h
    return obs, n_steps


# ======================================================================== (c) splitting into exact rotations
def _symmetric(half):
    """A symmetric composition (w_k, ..., w_1, w_0, w_1, ..., w_k) from (w_1, ..., w_k), w_0 = 1 - 2 sum."""
    half = list(half)
    return np.array(half[::-1] + [1.0 - 2.0 * sum(half)] + half)


_P4 = 1.0 / (4.0 - 4.0 ** (1.0 / 3.0))
COMPOSITIONS = {
    # name: (order, coefficients gamma_j of the Strang steps)
    "Strang": (2, np.array([1.0])),
    "Suzuki 4 (5 stages)": (4, np.array([_P4, _P4, 1.0 - 4.0 * _P4, _P4, _P4])),
    "Yoshida 6 (7 stages)": (6, _symmetric([-1.17767998417887, 0.235573213359357, 0.784513610477560])),
    "Yoshida 8 (15 stages)": (8, _symmetric([0.102799849391985, -1.96061023297549, 1.93813913762276,
                                             -0.158240635368243, -1.44485223686048, 0.253693336566229,
                                             0.914844246229740])),
}


@njit(fastmath=FAST, inline="always")
def _cos_sin(a):
    """cos and sin of |a| <= 0.5 by their Taylor polynomials (round-off accurate there)."""
    a2 = a * a
    c = 1.0 + a2 * (-1.0 / 2 + a2 * (1.0 / 24 + a2 * (-1.0 / 720 + a2 * (1.0 / 40320 + a2 * (
        -1.0 / 3628800 + a2 * (1.0 / 479001600 + a2 * (-1.0 / 87178291200)))))))
    s = a * (1.0 + a2 * (-1.0 / 6 + a2 * (1.0 / 120 + a2 * (-1.0 / 5040 + a2 * (1.0 / 362880 + a2 * (
        -1.0 / 39916800 + a2 * (1.0 / 6227020800)))))))
    return c, s


@njit(fastmath=FAST)
def _pass_ab(x, y, z, eps, f, ta, tb, ar, a_first):
    """A(ta) then B(tb) (a_first) or B(tb) then A(ta); returns sum f x at B (x is constant under B).
    A: (x, y) rotate by 2 eps ta about z; B: (y, z) rotate by 2 G f Re(alpha) tb about x (G in ``ar``)."""
    n = x.size
    sfx = 0.0
    for i in range(n):
        ca, sa = _cos_sin(2.0 * eps[i] * ta)
        cb, sb = _cos_sin(2.0 * f[i] * ar * tb)
        xi = x[i]
        yi = y[i]
        zi = z[i]
        if a_first:
            xi, yi = ca * xi - sa * yi, sa * xi + ca * yi
        sfx += f[i] * xi
        yi, zi = cb * yi - sb * zi, sb * yi + cb * zi
        if not a_first:
            xi, yi = ca * xi - sa * yi, sa * xi + ca * yi
        x[i] = xi
        y[i] = yi
        z[i] = zi
    return sfx


@njit(fastmath=FAST)
def _pass_c(x, y, z, f, by_t):
    """C: (z, x) rotate about y by 2 (-G f Im alpha) t (``by_t`` = -G Im(alpha) t); returns sum f y."""
    n = x.size
    sfy = 0.0
    for i in range(n):
        c, s = _cos_sin(2.0 * f[i] * by_t)
        xi = x[i]
        zi = z[i]
        sfy += f[i] * y[i]
        x[i] = c * xi + s * zi
        z[i] = -s * xi + c * zi
    return sfy


@njit
def _phase(ar, ai, phi):
    c = math.cos(phi)
    s = math.sin(phi)
    return ar * c + ai * s, ai * c - ar * s


@njit
def integrate_splitting(x, y, z, ar, ai, eps, f, G, delta_c, inv_n, t_final, n_steps, gamma, every):
    """Fixed step h = t_final / n_steps of the symmetric composition ``gamma`` of Strang steps
    A(h/2) B(h/2) C(h) B(h/2) A(h/2); S+ and the excitations after every ``every`` steps.
    Returns (obs rows Re S+, Im S+, excitations; largest rotation angle)."""
    x = x.copy()
    y = y.copy()
    z = z.copy()
    h = t_final / n_steps
    n_out = n_steps // every + 1
    obs = np.zeros((3, n_out))
    obs[0, 0] = 0.5 * inv_n * np.sum(x)
    obs[1, 0] = 0.5 * inv_n * np.sum(y)
    obs[2, 0] = 0.5 * inv_n * np.sum(z) + ar * ar + ai * ai
    E = np.max(np.abs(eps))
    F = np.max(np.abs(f))
    s_count = gamma.size
    worst = 0.0
    g = 0.5 * inv_n * G
    for step in range(n_steps):
        for j in range(s_count):
            tau = gamma[j] * h
            # A(tau/2) B(tau/2) | C(tau) | B(tau/2) A(tau/2): three passes over the atoms
            ar, ai = _phase(ar, ai, delta_c * 0.5 * tau)
            worst = max(worst, abs(E * tau), abs(2.0 * G * F * ar * 0.5 * tau))
            sfx = _pass_ab(x, y, z, eps, f, 0.5 * tau, G * 0.5 * tau, ar, True)
            ai -= g * sfx * 0.5 * tau
            worst = max(worst, abs(2.0 * G * F * ai * tau))
            sfy = _pass_c(x, y, z, f, -G * ai * tau)
            ar -= g * sfy * tau
            worst = max(worst, abs(2.0 * G * F * ar * 0.5 * tau))
            sfx = _pass_ab(x, y, z, eps, f, 0.5 * tau, G * 0.5 * tau, ar, False)
            ai -= g * sfx * 0.5 * tau
            ar, ai = _phase(ar, ai, delta_c * 0.5 * tau)
        if (step + 1) % every == 0:
            k = (step + 1) // every
            obs[0, k] = 0.5 * inv_n * np.sum(x)
            obs[1, k] = 0.5 * inv_n * np.sum(y)
            obs[2, k] = 0.5 * inv_n * np.sum(z) + ar * ar + ai * ai
    return obs, worst


# ======================================================================== measurement
def dop853_streaming(m, initial, rtol):
    """The library's streaming DOP853 on one thread (cb.quench uses it from 10^5 atoms on)."""
    from cavity_bcs.meanfield import _dop853
    from cavity_bcs.meanfield._equations import N_STATS, pack, physics
    p = physics(m.eps, m.couplings, np.ones(m.n_atoms), m.g_collective, m.delta_c, m.kappa, 0.0, 0.0, False,
                1.0 / m.n_pairs)
    obs, _, _, status, n_steps, _, _ = _dop853.integrate_streaming(
        pack(initial.spins, initial.photon), np.linspace(0.0, T_FINAL, N_SAVE), p, rtol, 1e-12, 10_000_000, False,
        False, np.zeros(2), np.array([np.inf, -np.inf]), np.zeros(N_STATS))
    assert status == 0
    return obs[0] + 1j * obs[1], n_steps


class Case:
    """One model and initial state, its rtol = 1e-13 reference, and runners for every method."""

    def __init__(self, n_atoms, initial="x", cache=None):
        self.n = n_atoms
        self.m = model(n_atoms)
        self.initial = cb.x_polarized(self.m) if initial == "x" else drive_state(self.m)
        spins = self.initial.spins
        self.xyz = [np.ascontiguousarray(spins[:, c]) for c in range(3)]
        self.photon = complex(self.initial.photon)
        self.t = np.linspace(0.0, T_FINAL, N_SAVE)
        path = None if cache is None else f"{cache}/reference_{n_atoms}_{initial}.npy"
        try:
            self.ref = np.load(path)
            print(f"  reference from {path}")
        except (TypeError, OSError):
            t0 = time.perf_counter()
            r = self.quench(1e-13)
            self.ref = r[0]
            print(f"  reference: DOP853 rtol 1e-13, {r[1]} steps, {time.perf_counter() - t0:.1f} s")
            if path is not None:
                np.save(path, self.ref)

    def quench(self, rtol, profile=None):
        m = self.m if profile is None else model(self.n, profile)
        r = cb.quench(m, T_FINAL, n_save=N_SAVE, rtol=rtol, initial=self.initial, progress=False)
        return r.s_plus, r.n_steps

    def streaming(self, rtol):
        return dop853_streaming(self.m, self.initial, rtol)

    def bivariate(self, tol, order=ORDER):
        m = self.m
        obs, steps, parity = integrate_bivariate(*self.xyz, self.photon.real, self.photon.imag, m.eps, m.couplings,
                                                 m.g_collective, m.delta_c, m.kappa, 1.0 / m.n_pairs, self.t, tol,
                                                 order)
        assert parity == 0.0, parity
        return obs[0] + 1j * obs[1], steps

    def classes_setup(self, n_classes):
        fq, idx, values = quantised_profile(self.m.couplings, n_classes)
        order = np.argsort(idx, kind="stable")
        starts = np.searchsorted(idx[order], np.arange(values.size + 1))
        return fq, order, starts, values

    def classes(self, tol, setup):
        _, order, starts, values = setup
        m = self.m
        x, y, z = (a[order] for a in self.xyz)
        obs, steps = integrate_classes(x, y, z, self.photon.real, self.photon.imag, m.eps[order], starts, values,
                                       m.g_collective, m.delta_c, m.kappa, 1.0 / m.n_pairs, self.t, tol)
        return obs[0] + 1j * obs[1], steps

    def splitting(self, n_steps, name):
        m = self.m
        every = n_steps // (N_SAVE - 1)
        obs, worst = integrate_splitting(*self.xyz, self.photon.real, self.photon.imag, m.eps, m.couplings,
                                         m.g_collective, m.delta_c, 1.0 / m.n_pairs, T_FINAL, n_steps,
                                         COMPOSITIONS[name][1], every)
        assert worst <= 0.5, worst  # the polynomial cos/sin hold to round-off there
        return obs[0] + 1j * obs[1], n_steps

    def error(self, s_plus):
        return float(np.max(np.abs(s_plus - self.ref)))


def loosest(run, settings, label):
    """The first (loosest) setting whose S+ error meets TARGET: (setting, steps, error)."""
    for setting in settings:
        s_plus, steps = run(setting)
        err = float(np.max(np.abs(s_plus - loosest.case.ref)))
        print(f"    {label} {setting:g}: {steps} steps, error {err:.2e}", flush=True)
        if err <= TARGET:
            return setting, steps, err
    return None


def timed(runs, repeats):
    """Every run of ``runs`` (name -> callable) once per round, ``repeats`` rounds: the competing
    methods interleaved on the shared cores. Returns name -> list of wall times."""
    times = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            t0 = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t0)
    return times


def operation_count(K=ORDER):
    """Multiply-adds per atom and step: the bivariate series against the equal-coupling series."""
    mono = (K + 1) * (K + 2) // 2
    even = sum(K - q + 1 for q in range(0, K + 1, 2))
    horner = 5 * even + 4 * (mono - even) + 5 * (K + 1) + 12
    moments = 4 * (K + 2) * (K + 3) // 2
    equal = 12 * (K + 1) + 4 * (K + 2)
    print(f"  operation count per atom and step, order {K}: bivariate {horner} (Horner over {mono} monomials, "
          f"parity-reduced) + {moments} (moments) = {horner + moments}; equal-coupling series {equal} "
          f"({(horner + moments) / equal:.1f}x); DOP853 ~400 (12 stages of stage sums and right-hand side)")


def explore(n_atoms, repeats, cache, initial="x", classes=(1, 4, 16, 64, 256), splitting_names=None):
    print(f"\n=== {n_atoms} atoms, cosine couplings, initial state {initial!r}, t = {T_FINAL:g}/chiN, "
          f"S+ error target {TARGET:g}")
    case = Case(n_atoms, initial, cache)
    loosest.case = case
    found = {}
    print("  loosest settings meeting the target:")
    found["DOP853"] = ("rtol", *loosest(case.quench, (3e-7, 1e-7, 3e-8, 1e-8, 3e-9, 1e-9, 3e-10), "DOP853 rtol"))
    runs = {"DOP853": lambda: case.quench(found["DOP853"][1])}
    if n_atoms >= 20_000:
        found["DOP853 streaming"] = ("rtol", *loosest(case.streaming, (1e-7, 3e-8, 1e-8, 3e-9, 1e-9),
                                                      "DOP853 streaming rtol"))
        runs["DOP853 streaming"] = lambda: case.streaming(found["DOP853 streaming"][1])
    found["bivariate"] = ("tol", *loosest(case.bivariate, (1e-4, 3e-5, 1e-5, 3e-6, 1e-6, 1e-7), "bivariate tol"))
    runs["bivariate"] = lambda: case.bivariate(found["bivariate"][1])
    names = list(COMPOSITIONS) if splitting_names is None else splitting_names
    for name in names:
        hit = loosest(lambda k, name=name: case.splitting(int(k), name), (2000, 4000, 8000, 16000), name)
        if hit is not None:
            found[name] = ("steps", *hit)
            runs[name] = lambda name=name: case.splitting(int(found[name][1]), name)
    setups = {}
    for n_classes in classes:
        setup = case.classes_setup(n_classes)
        setups[n_classes] = setup
        s_plus, steps = case.classes(1e-6, setup)
        label = f"classes M={n_classes}"
        quantisation = ""
        if n_atoms <= 20_000:  # the quantised model's own reference: integrator and quantisation errors apart
            q_ref = case.quench(1e-13, profile=setup[0])[0]
            quantisation = (f", integrator error {np.max(np.abs(s_plus - q_ref)):.1e}, "
                            f"quantisation error {np.max(np.abs(q_ref - case.ref)):.1e}")
        found[label] = ("tol", 1e-6, steps, case.error(s_plus))
        print(f"    {label} tol 1e-6: {steps} steps, error against the cosine profile {case.error(s_plus):.1e}"
              + quantisation, flush=True)
        runs[label] = lambda setup=setup: case.classes(1e-6, setup)
    for run in runs.values():
        run()  # compiled and warm
    times = timed(runs, repeats)
    base = times["DOP853"]
    if "DOP853 streaming" in times and min(times["DOP853 streaming"]) < min(base):
        base = times["DOP853 streaming"]
    print(f"  times, best of {repeats} interleaved (range), ratio against the faster DOP853 (per round):")
    for name, ts in times.items():
        kind, setting, steps, err = found[name]
        ratios = [t / b for t, b in zip(ts, base)]
        print(f"    {name:24s} {kind} {setting:<8g} {steps:6d} steps  error {err:.1e}  {min(ts):8.3f} s "
              f"({min(ts):.3f}-{max(ts):.3f})  ratio {min(ts) / min(base):6.2f} ({min(ratios):.2f}-{max(ratios):.2f})",
              flush=True)
    return times, found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atoms", type=int, nargs="+", default=[800, 80_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cache", default=None, help="directory for the rtol 1e-13 references (reused if present)")
    parser.add_argument("--initial", choices=("x", "drive"), default="x",
                        help="x: spins along +x, empty cavity (the brief's case; with cosine couplings the cavity "
                             "source nearly cancels); drive: the experiment's start, spins along sgn(f_i) x")
    parser.add_argument("--no-drive", action="store_true", help="skip the drive-state check at 800 atoms")
    args = parser.parse_args()
    operation_count()
    for n in args.atoms:
        large = n > 20_000
        explore(n, args.repeats, args.cache, initial=args.initial, classes=(1, 4, 16, 64, 256) if args.initial == "x" else (256,),
                splitting_names=None if not large else ["Suzuki 4 (5 stages)", "Yoshida 6 (7 stages)",
                                                         "Yoshida 8 (15 stages)"])
    if args.initial == "x" and not args.no_drive:
        # the experiment's own start: spins along sgn(f_i) x, photon in equilibrium (a strong photon)
        explore(800, args.repeats, args.cache, initial="drive", classes=(256,))


if __name__ == "__main__":
    main()
