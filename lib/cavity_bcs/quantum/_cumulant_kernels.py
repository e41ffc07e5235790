r"""Numba kernels of the cumulant expansion: state layout, right-hand side, observables, integrator.

Private to :mod:`cavity_bcs.quantum.cumulants`, whose docstring states the equations.
The tests prove (:func:`cavity_bcs.symbolic.cumulants.derived_cumulant_rhs`) that
:func:`rhs` equals the sympy-derived equations.

Scaled variables (``K`` classes, weights :math:`w_c`, :math:`N` = half the number of atoms)
------------------------------------------------------------------------------------------
``s[c]`` :math:`=\langle\sigma^-_i\rangle`, ``z[c]`` :math:`=\langle\sigma^z_i\rangle` (atom
:math:`i` in class :math:`c`), ``alpha`` :math:`=\langle a\rangle/\sqrt N`; every second-order
cumulant is multiplied by :math:`N` and divided by :math:`\sqrt N` per photon factor, so all of
them are :math:`O(1)` for :math:`N \to \infty`:

* ``P[c, d]`` :math:`= N\,C(\sigma^+_i,\sigma^-_j)`, ``Q[c, d]`` :math:`= N\,C(\sigma^-_i,\sigma^-_j)`,
  ``R[c, d]`` :math:`= N\,C(\sigma^z_i,\sigma^-_j)`, ``Z[c, d]`` :math:`= N\,C(\sigma^z_i,\sigma^z_j)`
  for atoms :math:`i \in c`, :math:`j \in d`, :math:`i \ne j` (``c == d``: two different atoms of
  one class);
* ``Am[c]``, ``Ap[c]``, ``Az[c]`` :math:`= \sqrt N\,C(\sigma^{-,+,z}_i, a)`;
* ``n`` :math:`= C(a^\dagger, a)`, ``m`` :math:`= C(a, a)`.

Packed real vector ``y`` (structure of arrays, so the loops over class pairs vectorise):
``[Re alpha, Im alpha, n, Re m, Im m]``, then the class vectors ``Re s, Im s, z, Re Am, Im Am,
Re Ap, Im Ap, Re Az, Im Az`` (``K`` each), then nine upper-triangle blocks (``T = K(K+1)/2``
entries each, row-major over ``c <= d``): ``Re P, Im P, Re Q, Im Q, Re Ru, Im Ru, Re Rl, Im Rl, Z``
with ``Ru[c, d] = R[c, d]`` and ``Rl[c, d] = R[d, c]`` (the diagonal is held twice). ``P`` is
Hermitian, ``Q`` and ``Z`` symmetric. ``order=1`` keeps ``[Re alpha, Im alpha, Re s, Im s, z]``:
the mean-field equations. The diagonal (same-class) entries of a class of one atom describe
no pair and are held at zero.
"""
from __future__ import annotations

import numpy as np
from scipy.integrate._ivp import dop853_coefficients as _dop

from .._numba import njit

FAST = {"reassoc", "contract", "nsz", "arcp"}

STATUS_OK = 0
STATUS_MAX_STEPS = 1
STATUS_STEP_UNDERFLOW = 2
STATUS_NONFINITE = 3

#: Observables rows written by :func:`observables`.
OBS_ROWS = ("s_plus_re", "s_plus_im", "alpha_re", "alpha_im", "n_photon", "excitations", "energy",
            "pair_correlation")


# ------------------------------------------------------------------ layout
@njit(inline="always")
def n_triangle(K):
    return K * (K + 1) // 2


@njit(inline="always")
def vector_offset(order):
    """Index of the first class vector (``Re s``) after the scalars."""
    return 5 if order == 2 else 2


@njit
def size_of(K, order):
    if order == 1:
        return 2 + 3 * K
    return 5 + 9 * K + 9 * n_triangle(K)


def size(K: int, order: int) -> int:
    """Length of the packed real vector."""
    return int(size_of(K, order))


@njit(inline="always")
def tri(c, d, K):
    """Row-major index of the upper-triangle entry (c, d), c <= d."""
    return c * K - (c * (c - 1)) // 2 + (d - c)


_VECTORS = ("sr", "si", "z", "amr", "ami", "apr", "api", "azr", "azi")
_TRIANGLES = ("Pr", "Pi", "Qr", "Qi", "Rur", "Rui", "Rlr", "Rli", "Z")


def _blocks(y, K, order):
    """Named views of the packed vector ``y``."""
    v = int(vector_offset(order))
    names = _VECTORS if order == 2 else _VECTORS[:3]
    out = {name: y[v + k * K:v + (k + 1) * K] for k, name in enumerate(names)}
    if order == 2:
        T = K * (K + 1) // 2
        b = v + 9 * K
        out.update({name: y[b + k * T:b + (k + 1) * T] for k, name in enumerate(_TRIANGLES)})
    return out


def pack(d: dict, K: int, order: int) -> np.ndarray:
    """The packed real vector of a dict of class arrays (full ``K x K`` matrices for the pairs)."""
    y = np.zeros(size(K, order))
    b = _blocks(y, K, order)
    y[0], y[1] = np.real(d["alpha"]), np.imag(d["alpha"])
    s = np.asarray(d["s"], dtype=complex)
    b["sr"][:], b["si"][:], b["z"][:] = s.real, s.imag, np.real(d["z"])
    if order == 2:
        y[2] = np.real(d["n"])
        y[3], y[4] = np.real(d["m"]), np.imag(d["m"])
        for key in ("am", "ap", "az"):
            v = np.asarray(d[key[0].upper() + key[1:]], dtype=complex)
            b[key + "r"][:], b[key + "i"][:] = v.real, v.imag
        iu = np.triu_indices(K)
        for key, (re, im) in (("P", ("Pr", "Pi")), ("Q", ("Qr", "Qi"))):
            v = np.asarray(d[key], dtype=complex)[iu]
            b[re][:], b[im][:] = v.real, v.imag
        R = np.asarray(d["R"], dtype=complex)
        b["Rur"][:], b["Rui"][:] = R[iu].real, R[iu].imag
        b["Rlr"][:], b["Rli"][:] = R.T[iu].real, R.T[iu].imag
        b["Z"][:] = np.real(np.asarray(d["Z"]))[iu]
    return y


def unpack(y, K: int, order: int) -> dict:
    r"""Class arrays of a packed vector; pair cumulants as full ``K x K`` matrices
    (``P`` Hermitian, ``Q`` and ``Z`` symmetric, ``R[c, d]`` = :math:`N C(\sigma^z_c, \sigma^-_d)`)."""
    y = np.asarray(y, dtype=float)
    b = _blocks(y, K, order)
    out = {"alpha": complex(y[0], y[1]), "s": b["sr"] + 1j * b["si"], "z": b["z"].copy()}
    if order == 2:
        out["n"] = float(y[2])
        out["m"] = complex(y[3], y[4])
        for key in ("Am", "Ap", "Az"):
            low = key.lower()
            out[key] = b[low + "r"] + 1j * b[low + "i"]
        iu = np.triu_indices(K)
        il = np.tril_indices(K, -1)

        def full(values, hermitian):
            M = np.zeros((K, K), dtype=values.dtype)
            M[iu] = values
            M[il] = (np.conj(M.T) if hermitian else M.T)[il]
            return M

        out["P"] = full(b["Pr"] + 1j * b["Pi"], True)
        out["Q"] = full(b["Qr"] + 1j * b["Qi"], False)
        out["Z"] = full(b["Z"].copy(), False)
        R = np.zeros((K, K), dtype=complex)
        R[iu] = b["Rur"] + 1j * b["Rui"]
        strict = iu[0] != iu[1]
        R[iu[1][strict], iu[0][strict]] = (b["Rlr"] + 1j * b["Rli"])[strict]
        out["R"] = R
    return out


# ------------------------------------------------------------------ right-hand side
@njit(fastmath=FAST)
def _pair_rates_row(n, Pr_, Pi_, Qr_, Qi_, Rur_, Rui_, Rlr_, Rli_, Z_,
                    dPr, dPi, dQr, dQi, dRur, dRui, dRlr, dRli, dZt,
                    sr, sim, zz, amr, ami_, apr, api_, azr, azi_, eps, f, G, ar, ai, pd, rd, gamma):
    r"""Rates of the pairs (i, j = i + q), q = 0 .. n - 1, of one row i: every array starts at
    entry (i, i) of the triangle or at class i.

    In real arithmetic (so the loop over j vectorises), with :math:`\Delta = \varepsilon_i - \varepsilon_j`,
    :math:`p = \gamma + 2\gamma_\phi`, :math:`r = \tfrac32\gamma + \gamma_\phi`, ``Ru`` :math:`= R_{cd}`,
    ``Rl`` :math:`= R_{dc}`::

        dP  = (2i Delta - p) P + i (g_j z_j A+_i - g_i z_i A+_j^*) + i (g_j alpha Rl^* - g_i alpha^* Ru)
        dQ  = (-2i(e_i + e_j) - p) Q + i (g_j z_j A-_i + g_i z_i A-_j) + i alpha (g_i Ru + g_j Rl)
        dRu = (-2i e_j - r) Ru + 2i g_i (s_i A+_j^* - s_i^* A-_j + alpha^* Q - alpha P) + i g_j (z_j Az_i + alpha Z)
        dRl = (-2i e_i - r) Rl + 2i g_j (s_j A+_i^* - s_j^* A-_i + alpha^* Q - alpha P^*) + i g_i (z_i Az_j + alpha Z)
        dZ  = -2 gamma Z + 4 g_j Im(s_j^* Az_i - alpha^* Ru) + 4 g_i Im(s_i^* Az_j - alpha^* Rl)

    q = 0 is the same-class pair (two different atoms of class i); the caller keeps it only
    for a class of at least two atoms.
    """
    # Every array is an argument (not a slice made here) and is indexed by the loop counter
    # itself, so LLVM sees distinct, contiguous, non-negative accesses and vectorises the loop
    # behind runtime overlap checks.
    sir = sr[0]
    sii = sim[0]
    zi = zz[0]
    gi = G * f[0]
    amir = amr[0]
    amii = ami_[0]
    apir = apr[0]
    apii = api_[0]
    azir = azr[0]
    azii = azi_[0]
    ei = eps[0]
    for t in range(n):
        j = t
        Pr = Pr_[t]
        Pi = Pi_[t]
        Qr = Qr_[t]
        Qi = Qi_[t]
        Rur = Rur_[t]
        Rui = Rui_[t]
        Rlr = Rlr_[t]
        Rli = Rli_[t]
        Z = Z_[t]
        sjr = sr[j]
        sji = sim[j]
        zj = zz[j]
        gj = G * f[j]
        amjr = amr[j]
        amji = ami_[j]
        apjr = apr[j]
        apji = api_[j]
        azjr = azr[j]
        azji = azi_[j]
        ej = eps[j]
        # P
        xr = gj * zj * apir - gi * zi * apjr
        xi = gj * zj * apii + gi * zi * apji
        yr = gj * (ar * Rlr + ai * Rli) - gi * (ar * Rur + ai * Rui)
        yi = gj * (ai * Rlr - ar * Rli) - gi * (ar * Rui - ai * Rur)
        d2 = 2.0 * (ei - ej)
        dPr[t] = -pd * Pr - d2 * Pi - xi - yi
        dPi[t] = -pd * Pi + d2 * Pr + xr + yr
        # Q
        ur = gj * zj * amir + gi * zi * amjr
        ui = gj * zj * amii + gi * zi * amji
        tr = gi * Rur + gj * Rlr
        ti = gi * Rui + gj * Rli
        s2 = 2.0 * (ei + ej)
        dQr[t] = -pd * Qr + s2 * Qi - ui - (ar * ti + ai * tr)
        dQi[t] = -pd * Qi - s2 * Qr + ur + (ar * tr - ai * ti)
        # R_cd and R_dc
        q_r = ar * Qr + ai * Qi  # alpha^* Q
        q_i = ar * Qi - ai * Qr
        p_r = ar * Pr - ai * Pi  # alpha P
        p_i = ar * Pi + ai * Pr
        pc_r = ar * Pr + ai * Pi  # alpha P^*
        pc_i = ai * Pr - ar * Pi
        a1r = sir * apjr + sii * apji - sir * amjr - sii * amji
        a1i = sii * apjr - sir * apji - sir * amji + sii * amjr
        br = 2.0 * gi * (a1r + q_r - p_r) + gj * (zj * azir + Z * ar)
        bi = 2.0 * gi * (a1i + q_i - p_i) + gj * (zj * azii + Z * ai)
        dRur[t] = -rd * Rur + 2.0 * ej * Rui - bi
        dRui[t] = -rd * Rui - 2.0 * ej * Rur + br
        c1r = sjr * apir + sji * apii - sjr * amir - sji * amii
        c1i = sji * apir - sjr * apii - sjr * amii + sji * amir
        er = 2.0 * gj * (c1r + q_r - pc_r) + gi * (zi * azjr + Z * ar)
        ex = 2.0 * gj * (c1i + q_i - pc_i) + gi * (zi * azji + Z * ai)
        dRlr[t] = -rd * Rlr + 2.0 * ei * Rli - ex
        dRli[t] = -rd * Rli - 2.0 * ei * Rlr + er
        # Z
        dZt[t] = (-2.0 * gamma * Z + 4.0 * gj * (sjr * azii - sji * azir - ar * Rui + ai * Rur)
                  + 4.0 * gi * (sir * azji - sii * azjr - ar * Rli + ai * Rlr))


@njit(fastmath=FAST)
def _pair_sums_row(n, wfi, w, f, Pr_, Pi_, Qr_, Qi_, Rur_, Rui_, Rlr_, Rli_, c0, c1, c2, c3, c4, c5):
    """Sums of row i over its partners j = i + 1 + q, q = 0 .. n - 1 (arrays start at (i, i + 1)
    and class i + 1), returned as (P re, P im, Q re, Q im, R re, R im); row i's share of the rows
    j (conj(P_ij), Q_ij and R_ji, times ``wfi``) is added to ``c0..c5``."""
    sp_r = 0.0
    sp_i = 0.0
    sq_r = 0.0
    sq_i = 0.0
    sr_r = 0.0
    sr_i = 0.0
    for t in range(n):
        wfj = w[t] * f[t]
        sp_r += wfj * Pr_[t]
        sp_i += wfj * Pi_[t]
        sq_r += wfj * Qr_[t]
        sq_i += wfj * Qi_[t]
        sr_r += wfj * Rur_[t]
        sr_i += wfj * Rui_[t]
    for t in range(n):
        c0[t] += wfi * Pr_[t]
        c1[t] -= wfi * Pi_[t]
        c2[t] += wfi * Qr_[t]
        c3[t] += wfi * Qi_[t]
        c4[t] += wfi * Rlr_[t]
        c5[t] += wfi * Rli_[t]
    return sp_r, sp_i, sq_r, sq_i, sr_r, sr_i


@njit(fastmath=FAST)
def _pair_rows(y, out, eps, f, w, G, gamma, dephasing, rows, cols):
    r"""Rates of all pairs (i, j >= i); the rows' sums over partners go to ``rows[:, i]`` and
    their contributions to later rows to ``cols[:, j]``.
    The same-class pair (j = i, two different atoms of class i) exists when the class holds at
    least two atoms; its P is real. A class of one atom has no such pair (held at zero)."""
    K = eps.size
    T = n_triangle(K)
    v = 5
    b = v + 9 * K
    sr, sim, zz = y[v:v + K], y[v + K:v + 2 * K], y[v + 2 * K:v + 3 * K]
    amr, ami_, apr = y[v + 3 * K:v + 4 * K], y[v + 4 * K:v + 5 * K], y[v + 5 * K:v + 6 * K]
    api_, azr, azi_ = y[v + 6 * K:v + 7 * K], y[v + 7 * K:v + 8 * K], y[v + 8 * K:v + 9 * K]
    Pr_, Pi_, Qr_, Qi_ = y[b:b + T], y[b + T:b + 2 * T], y[b + 2 * T:b + 3 * T], y[b + 3 * T:b + 4 * T]
    Rur_, Rui_ = y[b + 4 * T:b + 5 * T], y[b + 5 * T:b + 6 * T]
    Rlr_, Rli_ = y[b + 6 * T:b + 7 * T], y[b + 7 * T:b + 8 * T]
    Z_ = y[b + 8 * T:b + 9 * T]
    dPr, dPi, dQr, dQi = out[b:b + T], out[b + T:b + 2 * T], out[b + 2 * T:b + 3 * T], out[b + 3 * T:b + 4 * T]
    dRur, dRui = out[b + 4 * T:b + 5 * T], out[b + 5 * T:b + 6 * T]
    dRlr, dRli = out[b + 6 * T:b + 7 * T], out[b + 7 * T:b + 8 * T]
    dZt = out[b + 8 * T:b + 9 * T]
    c0, c1, c2, c3, c4, c5 = cols[0], cols[1], cols[2], cols[3], cols[4], cols[5]
    ar = y[0]
    ai = y[1]
    pd = gamma + 2.0 * dephasing
    rd = 1.5 * gamma + dephasing
    for i in range(K):
        base = tri(i, i, K)
        end = base + K - i
        pair = w[i] >= 2.0
        _pair_rates_row(K - i, Pr_[base:end], Pi_[base:end], Qr_[base:end], Qi_[base:end], Rur_[base:end],
                        Rui_[base:end], Rlr_[base:end], Rli_[base:end], Z_[base:end],
                        dPr[base:end], dPi[base:end], dQr[base:end], dQi[base:end], dRur[base:end],
                        dRui[base:end], dRlr[base:end], dRli[base:end], dZt[base:end],
                        sr[i:], sim[i:], zz[i:], amr[i:], ami_[i:], apr[i:], api_[i:], azr[i:], azi_[i:],
                        eps[i:], f[i:], G, ar, ai, pd, rd, gamma)
        if pair:
            dPi[base] = 0.0  # a same-class P is real (Hermitian diagonal)
            own = (w[i] - 1.0) * f[i]
            rows[0, i] = own * Pr_[base]
            rows[1, i] = 0.0
            rows[2, i] = own * Qr_[base]
            rows[3, i] = own * Qi_[base]
            rows[4, i] = own * Rur_[base]
            rows[5, i] = own * Rui_[base]
        else:
            dPr[base] = 0.0
            dPi[base] = 0.0
            dQr[base] = 0.0
            dQi[base] = 0.0
            dRur[base] = 0.0
            dRui[base] = 0.0
            dRlr[base] = 0.0
            dRli[base] = 0.0
            dZt[base] = 0.0
            for k in range(6):
                rows[k, i] = 0.0
        lo = base + 1
        sums = _pair_sums_row(K - i - 1, w[i] * f[i], w[i + 1:], f[i + 1:], Pr_[lo:end], Pi_[lo:end], Qr_[lo:end],
                              Qi_[lo:end], Rur_[lo:end], Rui_[lo:end], Rlr_[lo:end], Rli_[lo:end],
                              c0[i + 1:], c1[i + 1:], c2[i + 1:], c3[i + 1:], c4[i + 1:], c5[i + 1:])
        for k in range(6):
            rows[k, i] += sums[k]


@njit(fastmath=FAST)
def rhs(y, out, eps, f, w, G, delta_c, kappa, gamma, dephasing, inv_n, order, work):
    """Time derivative of the packed state ``y`` written into ``out`` (equations in the
    docstring of :mod:`cavity_bcs.quantum.cumulants`). ``work`` is scratch of shape
    ``(2, 6, K)`` (see :func:`workspace`)."""
    K = eps.size
    v = vector_offset(order)
    alpha = complex(y[0], y[1])
    alpha_c = np.conj(alpha)
    trans = 0.5 * gamma + dephasing
    src = 0j
    for k in range(K):
        src += w[k] * f[k] * complex(y[v + k], y[v + K + k])
    da = -(1j * delta_c + 0.5 * kappa) * alpha - 1j * G * inv_n * src
    out[0] = da.real
    out[1] = da.imag
    if order == 1:
        for k in range(K):
            s = complex(y[v + k], y[v + K + k])
            z = y[v + 2 * K + k]
            gf = G * f[k]
            ds = (-2j * eps[k] - trans) * s + 1j * gf * alpha * z
            out[v + k] = ds.real
            out[v + K + k] = ds.imag
            out[v + 2 * K + k] = -gamma * (z + 1.0) + 4.0 * gf * (np.conj(s) * alpha).imag
        return
    n = y[2]
    m = complex(y[3], y[4])
    rows = work[0]
    cols = work[1]
    cols[:] = 0.0
    _pair_rows(y, out, eps, f, w, G, gamma, dephasing, rows, cols)
    sum_ap = 0.0
    sum_am = 0j
    photon_decay = 1j * delta_c + 0.5 * kappa
    for i in range(K):
        s = complex(y[v + i], y[v + K + i])
        sc = np.conj(s)
        z = y[v + 2 * K + i]
        am = complex(y[v + 3 * K + i], y[v + 4 * K + i])
        ap = complex(y[v + 5 * K + i], y[v + 6 * K + i])
        az = complex(y[v + 7 * K + i], y[v + 8 * K + i])
        gf = G * f[i]
        ds = (-2j * eps[i] - trans) * s + 1j * gf * (alpha * z + inv_n * az)
        out[v + i] = ds.real
        out[v + K + i] = ds.imag
        out[v + 2 * K + i] = -gamma * (z + 1.0) + 4.0 * gf * ((sc * alpha).imag + inv_n * ap.imag)
        sum_ap += w[i] * f[i] * ap.imag
        sum_am += w[i] * f[i] * am
        sp = complex(rows[0, i] + cols[0, i], rows[1, i] + cols[1, i])
        sq = complex(rows[2, i] + cols[2, i], rows[3, i] + cols[3, i])
        sr = complex(rows[4, i] + cols[4, i], rows[5, i] + cols[5, i])
        dam = ((-photon_decay - trans - 2j * eps[i]) * am
               + 1j * gf * (alpha * az + z * m + s * s) - 1j * G * inv_n * sq)
        dap = ((-photon_decay - trans + 2j * eps[i]) * ap
               + 1j * gf * (-alpha_c * az - z * n + (s * sc).real - 0.5 * (1.0 + z)) - 1j * G * inv_n * sp)
        daz = ((-photon_decay - gamma) * az
               + 1j * gf * (-2.0 * alpha * ap + 2.0 * alpha_c * am - 2.0 * m * sc + 2.0 * n * s + s * (z + 1.0))
               - 1j * G * inv_n * sr)
        out[v + 3 * K + i] = dam.real
        out[v + 4 * K + i] = dam.imag
        out[v + 5 * K + i] = dap.real
        out[v + 6 * K + i] = dap.imag
        out[v + 7 * K + i] = daz.real
        out[v + 8 * K + i] = daz.imag
    out[2] = -kappa * n - 2.0 * G * inv_n * sum_ap
    dm = -(2j * delta_c + kappa) * m - 2j * G * inv_n * sum_am
    out[3] = dm.real
    out[4] = dm.imag


def workspace(K: int) -> np.ndarray:
    """Scratch for :func:`rhs`: the rows' sums over their partners and the later rows' share."""
    return np.zeros((2, 6, K))


# ------------------------------------------------------------------ observables
@njit
def observables(y, eps, f, w, G, delta_c, inv_n, order, obs, row):
    """Write the observables (rows :data:`OBS_ROWS`, all per N) of ``y`` to ``obs[:, row]``."""
    K = eps.size
    v = vector_offset(order)
    alpha = complex(y[0], y[1])
    n_fluct = y[2] if order == 2 else 0.0
    nph = (alpha * np.conj(alpha)).real + inv_n * n_fluct
    sp = 0j
    zsum = 0.0
    energy = 0.0
    self_pairs = 0.0
    for k in range(K):
        s = complex(y[v + k], y[v + K + k])
        z = y[v + 2 * K + k]
        sp += w[k] * np.conj(s)
        zsum += w[k] * z
        coupling = np.conj(s) * alpha
        if order == 2:
            coupling += inv_n * complex(y[v + 5 * K + k], y[v + 6 * K + k])  # sqrt(N) C(sigma^+, a)
        energy += w[k] * (eps[k] * z + 2.0 * G * f[k] * coupling.real)
        self_pairs += w[k] * (0.5 * (1.0 + z) - (s * np.conj(s)).real)
    pairs = (sp * np.conj(sp)).real + self_pairs
    if order == 2:
        b = v + 9 * K
        cum = 0.0
        for i in range(K):
            base = tri(i, i, K)
            cum += w[i] * (w[i] - 1.0) * y[b + base]
            for j in range(i + 1, K):
                cum += 2.0 * w[i] * w[j] * y[b + base + j - i]
        pairs += inv_n * cum
    obs[0, row] = inv_n * sp.real
    obs[1, row] = inv_n * sp.imag
    obs[2, row] = alpha.real
    obs[3, row] = alpha.imag
    obs[4, row] = nph
    obs[5, row] = 0.5 * inv_n * zsum + nph
    obs[6, row] = inv_n * energy + delta_c * nph
    obs[7, row] = inv_n * inv_n * pairs


# ------------------------------------------------------------------ integrator (Dormand-Prince 8(5,3))
_A = np.ascontiguousarray(_dop.A[:_dop.N_STAGES, :_dop.N_STAGES])
_B = np.ascontiguousarray(_dop.B)
_E3 = np.ascontiguousarray(_dop.E3)
_E5 = np.ascontiguousarray(_dop.E5)
# the nonzero coefficients of each stage, padded into arrays numba can index
_A_IDX = np.zeros((_dop.N_STAGES, _dop.N_STAGES), dtype=np.int64)
_A_VAL = np.zeros((_dop.N_STAGES, _dop.N_STAGES))
_A_NNZ = np.zeros(_dop.N_STAGES, dtype=np.int64)
for _s in range(_dop.N_STAGES):
    _nz = np.flatnonzero(_A[_s])
    _A_NNZ[_s] = _nz.size
    _A_IDX[_s, :_nz.size] = _nz
    _A_VAL[_s, :_nz.size] = _A[_s, _nz]
_B_IDX = np.flatnonzero(_B).astype(np.int64)
_B_VAL = np.ascontiguousarray(_B[_B_IDX])
_E_IDX = np.flatnonzero((_E3 != 0) | (_E5 != 0)).astype(np.int64)
assert _A_NNZ.max() <= 9 and _B_IDX.size <= 9 and _E_IDX.size == 8  # the shapes _combine/_error_norm unroll
# the nonzero coefficients of each stage, padded into arrays numba can index
_A_IDX = np.zeros((_dop.N_STAGES, _dop.N_STAGES), dtype=np.int64)
_A_VAL = np.zeros((_dop.N_STAGES, _dop.N_STAGES))
_A_NNZ = np.zeros(_dop.N_STAGES, dtype=np.int64)
for _s in range(_dop.N_STAGES):
    _nz = np.flatnonzero(_A[_s])
    _A_NNZ[_s] = _nz.size
    _A_IDX[_s, :_nz.size] = _nz
    _A_VAL[_s, :_nz.size] = _A[_s, _nz]
_B_IDX = np.flatnonzero(_B).astype(np.int64)
_B_VAL = np.ascontiguousarray(_B[_B_IDX])
_E_IDX = np.flatnonzero((_E3 != 0) | (_E5 != 0)).astype(np.int64)
_SAFETY = 0.9
_MIN_FACTOR = 0.2
_MAX_FACTOR = 10.0


@njit(fastmath=FAST)
def _combine(y, stages, coef, idx, h, out):
    """out = y + h * sum_q coef[q] stages[idx[q]] (at most 9 terms) in one vectorised pass.

    Unused slots get a zero coefficient and repeat the last row, so three loop shapes
    (3, 6, 9 terms) cover every stage of the tableau."""
    nq = idx.size
    c = np.zeros(9)
    for q in range(nq):
        c[q] = h * coef[q]
    last = nq - 1
    r0 = stages[idx[0]]
    r1 = stages[idx[min(1, last)]]
    r2 = stages[idx[min(2, last)]]
    if nq <= 3:
        for i in range(y.size):
            out[i] = y[i] + c[0] * r0[i] + c[1] * r1[i] + c[2] * r2[i]
        return
    r3 = stages[idx[3]]
    r4 = stages[idx[min(4, last)]]
    r5 = stages[idx[min(5, last)]]
    if nq <= 6:
        for i in range(y.size):
            out[i] = y[i] + c[0] * r0[i] + c[1] * r1[i] + c[2] * r2[i] + c[3] * r3[i] + c[4] * r4[i] + c[5] * r5[i]
        return
    r6 = stages[idx[6]]
    r7 = stages[idx[min(7, last)]]
    r8 = stages[idx[min(8, last)]]
    for i in range(y.size):
        out[i] = (y[i] + c[0] * r0[i] + c[1] * r1[i] + c[2] * r2[i] + c[3] * r3[i] + c[4] * r4[i] + c[5] * r5[i]
                  + c[6] * r6[i] + c[7] * r7[i] + c[8] * r8[i])


@njit(fastmath=FAST)
def _error_norm(stages, y, y_new, h, rtol, atol, idx, E3, E5):
    """scipy's DOP853 error norm from the 5th- and 3rd-order estimates (eight nonzero stages ``idx``)."""
    n = y.size
    k0, k1, k2, k3 = stages[idx[0]], stages[idx[1]], stages[idx[2]], stages[idx[3]]
    k4, k5, k6, k7 = stages[idx[4]], stages[idx[5]], stages[idx[6]], stages[idx[7]]
    a0, a1, a2, a3, a4, a5, a6, a7 = (E5[idx[0]], E5[idx[1]], E5[idx[2]], E5[idx[3]], E5[idx[4]], E5[idx[5]],
                                      E5[idx[6]], E5[idx[7]])
    b0, b1, b2, b3, b4, b5, b6, b7 = (E3[idx[0]], E3[idx[1]], E3[idx[2]], E3[idx[3]], E3[idx[4]], E3[idx[5]],
                                      E3[idx[6]], E3[idx[7]])
    e5 = 0.0
    e3 = 0.0
    for i in range(n):
        sc = 1.0 / (atol + rtol * max(abs(y[i]), abs(y_new[i])))
        x5 = (a0 * k0[i] + a1 * k1[i] + a2 * k2[i] + a3 * k3[i] + a4 * k4[i] + a5 * k5[i] + a6 * k6[i]
              + a7 * k7[i]) * sc
        x3 = (b0 * k0[i] + b1 * k1[i] + b2 * k2[i] + b3 * k3[i] + b4 * k4[i] + b5 * k5[i] + b6 * k6[i]
              + b7 * k7[i]) * sc
        e5 += x5 * x5
        e3 += x3 * x3
    if e5 == 0.0 and e3 == 0.0:
        return 0.0
    return abs(h) * e5 / np.sqrt((e5 + 0.01 * e3) * n)


@njit
def integrate(y0, t_save, eps, f, w, G, delta_c, kappa, gamma, dephasing, inv_n, order, rtol, atol, max_steps,
              a_idx, a_val, a_nnz, b_idx, b_val, e_idx, E3, E5, obs):
    """Adaptive DOP853 from ``t_save[0]`` landing on every saved time; observables into ``obs``.

    Returns ``(status, t_reached, n_steps, n_rejected, y)``.
    """
    n = y0.size
    n_stages = a_nnz.size
    stages = np.zeros((n_stages + 1, n))
    work = np.zeros((2, 6, eps.size))
    y = y0.copy()
    y_new = np.empty(n)
    tmp = np.empty(n)
    rhs(y, stages[0], eps, f, w, G, delta_c, kappa, gamma, dephasing, inv_n, order, work)
    observables(y, eps, f, w, G, delta_c, inv_n, order, obs, 0)
    # initial step (Hairer's rule, as scipy's select_initial_step)
    d0 = 0.0
    d1 = 0.0
    for i in range(n):
        sc = atol + rtol * abs(y[i])
        d0 += (y[i] / sc) ** 2
        d1 += (stages[0, i] / sc) ** 2
    d0 = np.sqrt(d0 / n)
    d1 = np.sqrt(d1 / n)
    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    for i in range(n):
        tmp[i] = y[i] + h0 * stages[0, i]
    rhs(tmp, stages[1], eps, f, w, G, delta_c, kappa, gamma, dephasing, inv_n, order, work)
    d2 = 0.0
    for i in range(n):
        sc = atol + rtol * abs(y[i])
        d2 += ((stages[1, i] - stages[0, i]) / sc) ** 2
    d2 = np.sqrt(d2 / n) / h0
    if d1 <= 1e-15 and d2 <= 1e-15:
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / max(d1, d2)) ** (1.0 / 8.0)
    h = min(100.0 * h0, h1)
    t = t_save[0]
    n_steps = 0
    n_rejected = 0
    for k in range(1, t_save.size):
        target = t_save[k]
        while t < target:
            if n_steps >= max_steps:
                return STATUS_MAX_STEPS, t, n_steps, n_rejected, y
            landing = t + h >= target
            h_try = target - t if landing else h
            if h_try < 1e-14 * max(1.0, abs(t)):
                return STATUS_STEP_UNDERFLOW, t, n_steps, n_rejected, y
            rejected_once = False
            while True:
                for s in range(1, n_stages):
                    _combine(y, stages, a_val[s, :a_nnz[s]], a_idx[s, :a_nnz[s]], h_try, tmp)
                    rhs(tmp, stages[s], eps, f, w, G, delta_c, kappa, gamma, dephasing, inv_n, order, work)
                _combine(y, stages, b_val, b_idx, h_try, y_new)
                rhs(y_new, stages[n_stages], eps, f, w, G, delta_c, kappa, gamma, dephasing, inv_n, order, work)
                err = _error_norm(stages, y, y_new, h_try, rtol, atol, e_idx, E3, E5)
                if not np.isfinite(err):
                    return STATUS_NONFINITE, t, n_steps, n_rejected, y
                if err < 1.0:
                    if err == 0.0:
                        factor = _MAX_FACTOR
                    else:
                        factor = min(_MAX_FACTOR, _SAFETY * err ** (-1.0 / 8.0))
                    if rejected_once:
                        factor = min(1.0, factor)
                    break
                factor = max(_MIN_FACTOR, _SAFETY * err ** (-1.0 / 8.0))
                h_try *= factor
                landing = False
                rejected_once = True
                n_rejected += 1
                if h_try < 1e-14 * max(1.0, abs(t)):
                    return STATUS_STEP_UNDERFLOW, t, n_steps, n_rejected, y
            n_steps += 1
            t = target if landing else t + h_try
            # a step shortened to land keeps the step size it interrupted
            h = max(h, h_try * factor) if landing else h_try * factor
            y[:] = y_new
            stages[0, :] = stages[n_stages]
        observables(y, eps, f, w, G, delta_c, inv_n, order, obs, k)
    return STATUS_OK, t, n_steps, n_rejected, y


def run(y0, t_save, eps, f, w, G, delta_c, kappa, gamma, dephasing, inv_n, order, rtol, atol, max_steps):
    """Call :func:`integrate` with contiguous arguments; returns ``(status, t, n_steps, n_rejected, y, obs)``."""
    c = np.ascontiguousarray
    obs = np.zeros((len(OBS_ROWS), t_save.size))
    status, t, n_steps, n_rejected, y = integrate(
        c(y0, dtype=float), c(t_save, dtype=float), c(eps, dtype=float), c(f, dtype=float), c(w, dtype=float),
        float(G), float(delta_c), float(kappa), float(gamma), float(dephasing), float(inv_n), int(order),
        float(rtol), float(atol), int(max_steps), _A_IDX, _A_VAL, _A_NNZ, _B_IDX,
        _B_VAL, _E_IDX, _E3, _E5, obs)
    return status, t, n_steps, n_rejected, y, obs
