r"""Private numba kernels: the mean-field right-hand side and an adaptive
Dormand–Prince 8(5,3) integrator that records observables on the fly.

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

The kernels know nothing of :class:`~cavity_bcs.Model`; :mod:`cavity_bcs.dynamics`
prepares their arrays.
"""
import math

import numpy as np
from scipy.integrate._ivp import dop853_coefficients as _dop

from ._numba import njit

# Reassociation lets LLVM vectorise the sums over atoms and fuse multiply-adds;
# it changes round-off only (NaN/inf semantics are kept, so the finiteness checks
# stay valid), and a compiled kernel is still bit-for-bit reproducible.
FAST = {"reassoc", "contract", "nsz", "arcp"}

# The Butcher tableau and error weights of Hairer's DOP853, as published and as
# scipy's DOP853 uses them: taking them from there guarantees the numba
# integrator and the solve_ivp benchmark run the same method.
N_STAGES = _dop.N_STAGES
A = np.ascontiguousarray(_dop.A[:N_STAGES, :N_STAGES])
B = np.ascontiguousarray(_dop.B)
C = np.ascontiguousarray(_dop.C[:N_STAGES])
E3 = np.ascontiguousarray(_dop.E3)
E5 = np.ascontiguousarray(_dop.E5)

STATUS_OK = 0
STATUS_MAX_STEPS = 1
STATUS_STEP_UNDERFLOW = 2
STATUS_NONFINITE = 3


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
        den = delta_c * delta_c + 0.25 * kappa * kappa
        qr = delta_c / den
        qi = 0.5 * kappa / den
        ar = -G * (sr * qr - si * qi)
        ai = -G * (sr * qi + si * qr)
    else:
        ar = y[3 * n]
        ai = y[3 * n + 1]
    return ar, ai, sr, si


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
        out[3 * n] = delta_c * ai + G * si - 0.5 * kappa * ar
        out[3 * n + 1] = -delta_c * ar - G * sr - 0.5 * kappa * ai
    transverse = 0.5 * gamma + dephasing
    for i in range(n):
        bx = G * f[i] * ar
        by = -G * f[i] * ai
        bz = eps[i]
        x = y[i]
        yy = y[n + i]
        z = y[2 * n + i]
        out[i] = 2.0 * (by * z - bz * yy) - transverse * x
        out[n + i] = 2.0 * (bz * x - bx * z) - transverse * yy
        out[2 * n + i] = 2.0 * (bx * yy - by * x) - gamma * (z + 1.0)


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
    nph = ar * ar + ai * ai
    obs[0, row] = 0.5 * spx * inv_n
    obs[1, row] = 0.5 * spy * inv_n
    obs[2, row] = ar
    obs[3, row] = ai
    obs[4, row] = nph
    # The spin model conserves sum(z) alone: its photon is virtual.
    obs[5, row] = 0.5 * zsum * inv_n + (0.0 if adiabatic else nph)
    obs[6, row] = (ez + G * inter) * inv_n + delta_c * nph


def sparse_rows(matrix):
    """Row pointers, column indices and values of the nonzeros of ``matrix``.

    Two thirds of the DOP853 tableau are zeros; skipping them saves a third of
    the memory traffic of a step.
    """
    starts = [0]
    cols = []
    vals = []
    for row in matrix:
        nz = np.flatnonzero(row)
        cols.extend(nz)
        vals.extend(row[nz])
        starts.append(len(cols))
    return (np.array(starts, dtype=np.int64), np.array(cols, dtype=np.int64),
            np.array(vals, dtype=np.float64))


A_START, A_COL, A_VAL = sparse_rows(A)
_, B_COL, B_VAL = sparse_rows(B[None, :])
_, E3_COL, E3_VAL = sparse_rows(E3[None, :])
_, E5_COL, E5_VAL = sparse_rows(E5[None, :])


@njit(fastmath=FAST)
def _combine(out, base, h, K, cols, vals, lo, hi):
    """out = base + h * sum_k vals[k] * K[cols[k]] over k in [lo, hi).

    Rows are taken four at a time so that ``out`` is written once per four
    stages: the loop is bound by cache traffic, not arithmetic.
    """
    m = out.size
    if out is not base:
        for j in range(m):
            out[j] = base[j]
    k = lo
    while hi - k >= 4:
        c0 = h * vals[k]
        c1 = h * vals[k + 1]
        c2 = h * vals[k + 2]
        c3 = h * vals[k + 3]
        r0 = K[cols[k]]
        r1 = K[cols[k + 1]]
        r2 = K[cols[k + 2]]
        r3 = K[cols[k + 3]]
        for j in range(m):
            out[j] += c0 * r0[j] + c1 * r1[j] + c2 * r2[j] + c3 * r3[j]
        k += 4
    while k < hi:
        c = h * vals[k]
        row = K[cols[k]]
        for j in range(m):
            out[j] += c * row[j]
        k += 1


@njit(fastmath=FAST)
def _weighted(out, K, cols, vals):
    """out = sum_k vals[k] * K[cols[k]]."""
    m = out.size
    for j in range(m):
        out[j] = 0.0
    _combine(out, out, 1.0, K, cols, vals, 0, cols.size)


@njit
def integrate(y0, t_save, eps, f, w, G, delta_c, kappa, gamma, dephasing, adiabatic, inv_n,
              rtol, atol, max_steps, save_state,
              a_start, a_col, a_val, c_nodes, b_col, b_val, e3_col, e3_val, e5_col, e5_val):
    """Integrate from ``t_save[0]`` through every time in ``t_save`` (adaptive DOP853).

    The tableau comes in sparse-row form (see :func:`sparse_rows`). Returns
    ``(obs, states, y_final, status, n_steps, n_rejected)``; ``states`` holds the
    full state at each save time when ``save_state`` is true (else it has zero
    rows).
    """
    m = y0.size
    n_save = t_save.size
    n_stages = a_start.size - 1
    obs = np.zeros((7, n_save))
    states = np.zeros((n_save if save_state else 0, m))
    y = y0.copy()
    y_new = np.empty(m)
    y_stage = np.empty(m)
    err3 = np.empty(m)
    err5 = np.empty(m)
    K = np.empty((n_stages + 1, m))
    rhs_local(y, eps, f, w, G, delta_c, kappa, gamma, dephasing, adiabatic, inv_n, K[0])
    observables(y, eps, f, w, G, delta_c, kappa, adiabatic, inv_n, 0, obs)
    if save_state:
        states[0] = y

    # Initial step: resolve the fastest frequency in the problem.
    fmax = 0.0
    for i in range(f.size):
        fmax = max(fmax, abs(f[i]))
    emax = 0.0
    for i in range(eps.size):
        emax = max(emax, abs(eps[i]))
    omega = max(2.0 * emax, delta_c, 2.0 * G * fmax, kappa, gamma, dephasing, 1.0)
    h = 0.05 / omega

    t = t_save[0]
    n_steps = 0
    n_rejected = 0
    for k in range(1, n_save):
        t_target = t_save[k]
        while t < t_target:
            if n_steps >= max_steps:
                return obs, states, y, STATUS_MAX_STEPS, n_steps, n_rejected
            # Spread the remaining interval evenly so that no sliver step is left.
            n_sub = math.ceil((t_target - t) / h * (1.0 - 1e-12))
            h_use = (t_target - t) / max(n_sub, 1)
            rejected_once = False
            while True:
                # --- one DOP853 step of size h_use (K[0] holds f(t, y)) ---
                for s in range(1, n_stages):
                    _combine(y_stage, y, h_use, K, a_col, a_val, a_start[s], a_start[s + 1])
                    rhs_local(y_stage, eps, f, w, G, delta_c, kappa, gamma, dephasing, adiabatic, inv_n, K[s])
                _combine(y_new, y, h_use, K, b_col, b_val, 0, b_col.size)
                rhs_local(y_new, eps, f, w, G, delta_c, kappa, gamma, dephasing, adiabatic, inv_n, K[n_stages])
                # --- Hairer's error estimate (as in scipy's DOP853) ---
                _weighted(err5, K, e5_col, e5_val)
                _weighted(err3, K, e3_col, e3_val)
                e5 = 0.0
                e3 = 0.0
                for j in range(m):
                    scale = atol + rtol * max(abs(y[j]), abs(y_new[j]))
                    e5 += (err5[j] / scale) ** 2
                    e3 += (err3[j] / scale) ** 2
                if e5 == 0.0 and e3 == 0.0:
                    err = 0.0
                else:
                    err = h_use * e5 / math.sqrt((e5 + 0.01 * e3) * m)
                if not math.isfinite(err):
                    err = 1e300
                if err < 1.0:
                    factor = 10.0 if err == 0.0 else min(10.0, 0.9 * err ** (-1.0 / 8.0))
                    if rejected_once:
                        factor = min(1.0, factor)
                    break
                n_rejected += 1
                rejected_once = True
                h_use *= max(0.2, 0.9 * err ** (-1.0 / 8.0))
                if h_use < 1e-14 * max(1.0, abs(t)):
                    return obs, states, y, STATUS_STEP_UNDERFLOW, n_steps, n_rejected
            n_steps += 1
            t_next = t + h_use
            if t_target - t_next <= 1e-12 * max(1.0, abs(t_target)):
                t_next = t_target
            t = t_next
            h = h_use * factor
            for j in range(m):
                y[j] = y_new[j]
                K[0, j] = K[n_stages, j]
        for j in range(m):
            if not math.isfinite(y[j]):
                return obs, states, y, STATUS_NONFINITE, n_steps, n_rejected
        observables(y, eps, f, w, G, delta_c, kappa, adiabatic, inv_n, k, obs)
        if save_state:
            states[k] = y
    return obs, states, y, STATUS_OK, n_steps, n_rejected


def run(y0, t_save, eps, f, w, G, delta_c, kappa, gamma, dephasing, adiabatic, inv_n,
        rtol, atol, max_steps, save_state):
    """:func:`integrate` with the DOP853 tableau filled in (all arrays contiguous).

    ``w`` are the class weights (ones for individual atoms). Returns
    ``(obs, states, y_final, status, n_steps, n_rejected)``.
    """
    c = np.ascontiguousarray
    return integrate(c(y0, dtype=float), c(t_save, dtype=float), c(eps, dtype=float), c(f, dtype=float),
                     c(w, dtype=float), float(G), float(delta_c), float(kappa), float(gamma),
                     float(dephasing), bool(adiabatic), float(inv_n), float(rtol), float(atol),
                     int(max_steps), bool(save_state),
                     A_START, A_COL, A_VAL, C, B_COL, B_VAL, E3_COL, E3_VAL, E5_COL, E5_VAL)
