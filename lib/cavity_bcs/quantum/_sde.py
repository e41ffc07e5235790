r"""Stochastic kernels of the open-system truncated-Wigner quench (private).

One trajectory is one phase-space sample of the spins (per atom, or per class of
identical atoms) and of the photon :math:`\alpha = a/\sqrt N`, evolved by the stochastic
equations of :mod:`cavity_bcs.quantum.twa` (see its docstring for the physics and
the citations). State layout and observables are those of the mean-field kernels
(:mod:`cavity_bcs.meanfield._equations`): one real vector
``[x_1..x_n, y_1..y_n, z_1..z_n, Re alpha, Im alpha]`` per sample, with class spins
stored as the class *mean* Bloch vector :math:`\vec m_c = \vec S_c/n_c` and counted
:math:`w_c = n_c` times in the cavity's source.

Integrator
----------
A symmetric (Strang) splitting of the generator into sub-flows that are each
integrated exactly, or nearly so (units of :math:`1/\chi N`). With the step :math:`h`
and the atomic-loss step :math:`\tau = Kh` (:math:`K \ge 1` coherent steps per loss step),

.. math::

    \Phi_\tau = D_{\tau/2}\,\big[B_{h/2}\,Z_{h/2}\,R_h\,Z_{h/2}\,B_{h/2}\big]^K\,D_{\tau/2},

* :math:`B_t` — the photon with the spins frozen, an Ornstein–Uhlenbeck process
  solved exactly: :math:`\alpha \to e^{-\lambda t}\alpha - iG S_f(1-e^{-\lambda t})/\lambda
  + \sigma_t(\xi_1 + i\xi_2)`, :math:`\lambda = \kappa/2 + i\Delta_c`,
  :math:`\sigma_t^2 = (1-e^{-\kappa t})/(4N)`, :math:`\xi` standard normals (the
  exact transition law of the damped mode with its vacuum noise);
* :math:`Z_t` — each spin's precession about :math:`\hat z` at :math:`2\varepsilon_i`,
  an exact rotation (angles precomputed once);
* :math:`R_t` — precession about the transverse field
  :math:`(Gf_i\,\mathrm{Re}\,\alpha, -Gf_i\,\mathrm{Im}\,\alpha, 0)` with :math:`\alpha` frozen,
  an exact rotation (Rodrigues; the two trigonometric factors as series in the angle,
  truncated after the eighth power: error below 2e-13 for angles under 0.3 rad, the
  library's functions above);
* :math:`D_t` — local atomic dephasing and decay with their noise (absent when
  :math:`\gamma = \gamma_\phi = 0`).

Adjacent half steps of the same sub-flow are merged (:math:`B_{h/2}B_{h/2} = B_h`,
:math:`D_{\tau/2}D_{\tau/2} \to D_\tau`) except at the output times, where every sub-flow
has reached the same time. The composition is symmetric, so with exact sub-flows it is
of weak order 2 in :math:`h` and :math:`\tau` (the photon noise is additive and its
sub-flow exact). :math:`D_t` is exact in law for dephasing; its decay part has the exact
mean (the linear drift exponentiated) and Euler–Maruyama noise, whose local covariance
error is :math:`O((\gamma t)^2)`, so that part alone is of weak order 1 (global error
:math:`O(\gamma^2\tau)`). The loss step may be much longer than the coherent one when the
atomic rates are slow (the lab's :math:`\gamma \sim 10^{-3}\chi N`).

Random numbers
--------------
Each sample owns a xoshiro256** generator (Blackman & Vigna) seeded with four 64-bit
words from its own :class:`numpy.random.SeedSequence` child; normals by the ziggurat method.
A sample's noise depends on its seed only, so results do not depend on how the
samples are shared out over threads.
"""
import math

import numpy as np

from .._numba import njit
from ..meanfield._equations import FAST, MONITOR_STOP, STATUS_INTERRUPTED, STATUS_NONFINITE, STATUS_OK, observables

#: Rows of a sample's output (the first seven are those of ``_equations.observables``):
#: Re S+, Im S+, Re alpha, Im alpha, |alpha|^2, excitations, energy, the estimator of
#: <S+S->, and |alpha|^4.
N_ROWS = 9
ROW_PAIR = 7
ROW_ALPHA4 = 8

#: Rotation angles below this use the series of sin(t)/t and (1 - cos t)/t^2 (error < 2e-13).
SERIES_MAX_ANGLE = 0.3

_U11 = np.uint64(11)
_TWO53_INV = 1.0 / 9007199254740992.0
_TWO_PI = 2.0 * math.pi


# ------------------------------------------------------------------ random numbers
@njit(inline="always")
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(inline="always")
def next_u64(s):
    """xoshiro256**: advance the state ``s`` (four uint64) and return 64 random bits."""
    result = _rotl(s[1] * np.uint64(5), 7) * np.uint64(9)
    t = s[1] << np.uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return result


@njit
def uniform(s):
    """A double uniform on [0, 1) (53 random bits)."""
    return float(next_u64(s) >> _U11) * _TWO53_INV


def _ziggurat_tables(layers=128, r=3.442619855899):
    """Layer edges x[0..layers] and f(x) = exp(-x^2/2) of the normal ziggurat (Marsaglia & Tsang,
    J. Stat. Softw. 5 (2000); layout of Doornik's ZIGNOR, index and value from disjoint bits)."""
    f = lambda x: np.exp(-0.5 * x * x)  # noqa: E731
    # area of each layer: the base rectangle below f(r) plus the tail beyond r
    v = r * f(r) + math.sqrt(0.5 * math.pi) * math.erfc(r / math.sqrt(2.0))
    x = np.empty(layers + 1)
    x[0] = v / f(r)
    x[1] = r
    for i in range(2, layers):
        x[i] = np.sqrt(-2.0 * np.log(v / x[i - 1] + f(x[i - 1])))
    x[layers] = 0.0
    return x, f(x)


_ZIG_X, _ZIG_F = _ziggurat_tables()
_ZIG_R = float(_ZIG_X[1])


@njit
def _normal_slow(s, i, x, sign):
    """The ziggurat's rare branches: the wedge test of layer ``i`` for the point ``x``, the
    tail beyond r (Marsaglia's method), and new draws until one is accepted."""
    zx = _ZIG_X
    zf = _ZIG_F
    while True:
        if i == 0:
            while True:
                a = -math.log(1.0 - uniform(s)) / _ZIG_R
                b = -math.log(1.0 - uniform(s))
                if b + b >= a * a:
                    return sign * (_ZIG_R + a)
        if zf[i + 1] + uniform(s) * (zf[i] - zf[i + 1]) < math.exp(-0.5 * x * x):
            return sign * x
        bits = next_u64(s)
        i = int(bits & np.uint64(127))
        sign = 1.0 if (bits >> np.uint64(7)) & np.uint64(1) else -1.0
        x = float(bits >> _U11) * _TWO53_INV * zx[i]
        if x < zx[i + 1]:
            return sign * x


@njit(inline="always")
def normal(s):
    """One standard normal (ziggurat, 128 layers: layer from bits 0-6, sign from bit 7, the
    abscissa from bits 11-63; about 98.8% of draws take this fast path)."""
    bits = next_u64(s)
    i = int(bits & np.uint64(127))
    sign = 1.0 if (bits >> np.uint64(7)) & np.uint64(1) else -1.0
    x = float(bits >> _U11) * _TWO53_INV * _ZIG_X[i]
    if x < _ZIG_X[i + 1]:
        return sign * x
    return _normal_slow(s, i, x, sign)


@njit
def normal_pair(s):
    """Two independent standard normals."""
    a = normal(s)
    return a, normal(s)


# ------------------------------------------------------------------ sub-flows
@njit(fastmath=FAST)
def _source(y, wf, n):
    """sum_i w_i f_i (x_i, -y_i) of the packed state y (the source S_f times 2N)."""
    sr = 0.0
    si = 0.0
    for i in range(n):
        sr += wf[i] * y[i]
        si -= wf[i] * y[n + i]
    return sr, si


@njit
def _photon_step(y, n, sr, si, er, ei, cr, ci, sigma, rng):
    """B_tau: alpha <- E alpha + C S_f + sigma (xi_1 + i xi_2) with E = exp(-lambda tau),
    C = -iG (1 - E)/lambda precomputed (complex, as re/im parts)."""
    ar = y[3 * n]
    ai = y[3 * n + 1]
    nr = er * ar - ei * ai + cr * sr - ci * si
    ni = er * ai + ei * ar + cr * si + ci * sr
    if sigma != 0.0:
        xi1, xi2 = normal_pair(rng)
        nr += sigma * xi1
        ni += sigma * xi2
    y[3 * n] = nr
    y[3 * n + 1] = ni


@njit(inline="always")
def _rotation_factors(theta2, series):
    """(cos t, sin(t)/t, (1 - cos t)/t^2) for t^2 = theta2."""
    if series:
        a = 1.0 - theta2 / 6.0 * (1.0 - theta2 / 20.0 * (1.0 - theta2 / 42.0 * (1.0 - theta2 / 72.0)))
        b = 0.5 * (1.0 - theta2 / 12.0 * (1.0 - theta2 / 30.0 * (1.0 - theta2 / 56.0 * (1.0 - theta2 / 90.0))))
        return 1.0 - theta2 * b, a, b
    t = math.sqrt(theta2)
    if t == 0.0:
        return 1.0, 1.0, 0.5
    c = math.cos(t)
    return c, math.sin(t) / t, (1.0 - c) / theta2


@njit(inline="always")
def _rotate_transverse(x, yy, z, ux, uy, series):
    """Rotate (x, y, z) by the rotation vector (ux, uy, 0) (angle its length)."""
    c, a, b = _rotation_factors(ux * ux + uy * uy, series)
    d = b * (ux * x + uy * yy)
    return (c * x + a * uy * z + d * ux,
            c * yy - a * ux * z + d * uy,
            c * z + a * (ux * yy - uy * x))


#: Columns of the loss constants (one row per sub-step length: tau/2, tau).
_L_DEPH_DECAY, _L_DEPH_AMP, _L_PHI_AMP, _L_DECAY_HALF, _L_DECAY_FULL, _L_DECAY_AMP = range(6)


def loss_constants(tau, gamma, dephasing, noise):
    """The factors of D over tau/2 (row 0) and tau (row 1); amplitudes are per 1/sqrt(n_c)."""
    out = np.zeros((2, 6))
    for k, t in enumerate((0.5 * tau, tau)):
        out[k, _L_DEPH_DECAY] = math.exp(-dephasing * t)
        out[k, _L_DEPH_AMP] = noise * math.sqrt(-math.expm1(-2.0 * dephasing * t))
        out[k, _L_PHI_AMP] = noise * math.sqrt(2.0 * dephasing * t)
        out[k, _L_DECAY_HALF] = math.exp(-0.5 * gamma * t)
        out[k, _L_DECAY_FULL] = math.exp(-gamma * t)
        out[k, _L_DECAY_AMP] = noise * math.sqrt(gamma * t)
    return out


@njit(fastmath=FAST)
def _loss_pass(y, n, wf, inv_sqrt_w, lc, row, gamma, dephasing, noise, collective, rng):
    r"""D_tau for every spin (mean Bloch vector of a class of n_c atoms; n_c = 1 for one atom),
    factors ``lc[row]`` (:func:`loss_constants`); returns sum_i w_i f_i (x_i, -y_i) afterwards.

    Dephasing: a single atom (``collective`` False) turns about z by a random angle of
    variance 2 gamma_phi tau (exact in law); a class spin relaxes as the exact
    Ornstein-Uhlenbeck process m_perp -> e^{-gamma_phi tau} m_perp + sqrt((1 - e^{-2 gamma_phi tau})/n_c) xi.
    Decay (both): exact mean, m_perp -> e^{-gamma tau/2} m_perp, m_z -> -1 + e^{-gamma tau}(m_z + 1),
    and Gaussian noise of covariance (gamma tau/n_c) [[1, 0, m_x], [0, 1, m_y], [m_x, m_y, 2(1 + m_z)]]
    (Cholesky factor, its last pivot clipped at zero where the matrix is not positive).
    """
    e_phi = lc[row, _L_DEPH_DECAY]
    q_phi = lc[row, _L_DEPH_AMP]
    a_phi = lc[row, _L_PHI_AMP]
    e_half = lc[row, _L_DECAY_HALF]
    e_full = lc[row, _L_DECAY_FULL]
    a_dec = lc[row, _L_DECAY_AMP]
    rotate = dephasing > 0.0 and noise != 0.0 and not collective
    sr = 0.0
    si = 0.0
    for i in range(n):
        x = y[i]
        yy = y[n + i]
        z = y[2 * n + i]
        if dephasing > 0.0:
            if rotate:
                phi = a_phi * normal(rng)
                p2 = phi * phi
                if p2 < SERIES_MAX_ANGLE * SERIES_MAX_ANGLE:
                    c, a, _ = _rotation_factors(p2, True)
                    sn = a * phi
                else:
                    c = math.cos(phi)
                    sn = math.sin(phi)
                x, yy = c * x - sn * yy, sn * x + c * yy
            else:
                x *= e_phi
                yy *= e_phi
                if noise != 0.0:
                    q = q_phi * inv_sqrt_w[i]
                    x += q * normal(rng)
                    yy += q * normal(rng)
        if gamma > 0.0:
            zn = -1.0 + e_full * (z + 1.0)
            xn = e_half * x
            yn = e_half * yy
            if noise != 0.0:
                amp = a_dec * inv_sqrt_w[i]
                xi1 = normal(rng)
                xi2 = normal(rng)
                xi3 = normal(rng)
                pivot = 2.0 * (1.0 + z) - x * x - yy * yy
                xn += amp * xi1
                yn += amp * xi2
                zn += amp * (x * xi1 + yy * xi2 + (math.sqrt(pivot) * xi3 if pivot > 0.0 else 0.0))
            x = xn
            yy = yn
            z = zn
        y[i] = x
        y[n + i] = yy
        y[2 * n + i] = z
        sr += wf[i] * x
        si -= wf[i] * yy
    return sr, si


@njit(fastmath=FAST)
def _spin_pass_series(y, n, cz, sz, f, wf, ux, uy):
    """Z_{h/2} R_h Z_{h/2} for every spin, rotation factors by their series (angles below
    ``SERIES_MAX_ANGLE``); returns sum_i w_i f_i (x_i, -y_i) of the new spins. Written out so
    that LLVM vectorises it."""
    sr = 0.0
    si = 0.0
    for i in range(n):
        x = y[i]
        yy = y[n + i]
        z = y[2 * n + i]
        c = cz[i]
        s = sz[i]
        x, yy = c * x - s * yy, s * x + c * yy
        fx = f[i] * ux
        fy = f[i] * uy
        t2 = fx * fx + fy * fy
        a = 1.0 - t2 / 6.0 * (1.0 - t2 / 20.0 * (1.0 - t2 / 42.0 * (1.0 - t2 / 72.0)))
        b = 0.5 * (1.0 - t2 / 12.0 * (1.0 - t2 / 30.0 * (1.0 - t2 / 56.0 * (1.0 - t2 / 90.0))))
        cs = 1.0 - t2 * b
        d = b * (fx * x + fy * yy)
        xr = cs * x + a * fy * z + d * fx
        yr = cs * yy - a * fx * z + d * fy
        z = cs * z + a * (fx * yy - fy * x)
        x = c * xr - s * yr
        yy = s * xr + c * yr
        y[i] = x
        y[n + i] = yy
        y[2 * n + i] = z
        sr += wf[i] * x
        si -= wf[i] * yy
    return sr, si


@njit(fastmath=FAST)
def _spin_pass(y, n, cz, sz, f, wf, ux, uy, series):
    """Z_{h/2} R_h Z_{h/2} for every spin; returns sum_i w_i f_i (x_i, -y_i) of the new spins
    (the source the next photon step needs)."""
    if series:
        return _spin_pass_series(y, n, cz, sz, f, wf, ux, uy)
    sr = 0.0
    si = 0.0
    for i in range(n):
        x = y[i]
        yy = y[n + i]
        z = y[2 * n + i]
        c = cz[i]
        s = sz[i]
        x, yy = c * x - s * yy, s * x + c * yy
        x, yy, z = _rotate_transverse(x, yy, z, f[i] * ux, f[i] * uy, False)
        x, yy = c * x - s * yy, s * x + c * yy
        y[i] = x
        y[n + i] = yy
        y[2 * n + i] = z
        sr += wf[i] * x
        si -= wf[i] * yy
    return sr, si


@njit
def _sample_rows(y, n, eps, f, w, G, delta_c, kappa, inv_n, collective, row, out):
    """Observables of one sample at output ``row``: the seven of ``_equations.observables``,
    the estimator of <S+S-> and |alpha|^4."""
    observables(y, eps, f, w, G, delta_c, kappa, False, inv_n, row, out)
    self_terms = 0.0
    for i in range(n):
        if collective:
            # Weyl symbols of the i = j terms: (1 + sigma^z_i)/2 replaces |s_i|^2, whose symbol is 1/2.
            self_terms -= 0.5 * w[i] * y[2 * n + i]
        else:
            x = y[i]
            yy = y[n + i]
            self_terms += 0.25 * (x * x + yy * yy) - 0.5 * (1.0 + y[2 * n + i])
    out[ROW_PAIR, row] = out[0, row] ** 2 + out[1, row] ** 2 - self_terms * inv_n * inv_n
    out[ROW_ALPHA4, row] = out[4, row] ** 2


# ------------------------------------------------------------------ driver
@njit
def integrate_samples(y0s, seeds, t_save, n_sub, k_loss, eps, f, w, G, delta_c, kappa, gamma, dephasing, inv_n,
                      collective, noise, loss, monitor, out):
    """Integrate every row of ``y0s`` (packed initial samples) through the evenly spaced
    ``t_save`` with ``n_sub`` splitting steps per output interval, the atomic loss applied
    every ``k_loss`` steps (``k_loss`` divides ``n_sub``; ``loss`` from :func:`loss_constants`
    for tau = ``k_loss`` steps). Sample ``s`` draws its noise from xoshiro256** seeded with
    ``seeds[s]`` (four uint64). Writes ``out[s]`` (``N_ROWS`` x ``t_save.size``). Returns
    (status, index of the failing sample or -1)."""
    n = eps.size
    n_save = t_save.size
    h = (t_save[1] - t_save[0]) / n_sub
    lossy = gamma > 0.0 or dephasing > 0.0
    # Z_{h/2}: rotation of (x, y) by 2 eps h/2 = eps h
    cz = np.empty(n)
    sz = np.empty(n)
    for i in range(n):
        cz[i] = math.cos(eps[i] * h)
        sz[i] = math.sin(eps[i] * h)
    # Photon sub-flows over h/2 and h: E = exp(-lambda tau), C = -iG (1 - E)/lambda, sigma
    lam_r = 0.5 * kappa
    lam_i = delta_c
    lam2 = lam_r * lam_r + lam_i * lam_i
    coef = np.empty((2, 5))
    for k in range(2):
        tau = 0.5 * h if k == 0 else h
        decay = math.exp(-lam_r * tau)
        er = decay * math.cos(lam_i * tau)
        ei = -decay * math.sin(lam_i * tau)
        # (1 - E)/lambda = (1 - E) conj(lambda)/|lambda|^2, then times -iG
        qr = ((1.0 - er) * lam_r - ei * lam_i) / lam2
        qi = (-ei * lam_r - (1.0 - er) * lam_i) / lam2
        coef[k, 0] = er
        coef[k, 1] = ei
        coef[k, 2] = G * qi
        coef[k, 3] = -G * qr
        coef[k, 4] = noise * math.sqrt(-math.expm1(-kappa * tau) * 0.25 * inv_n)
    f_max = 0.0
    wf = np.empty(n)
    inv_sqrt_w = np.empty(n)
    for i in range(n):
        f_max = max(f_max, abs(f[i]))
        wf[i] = w[i] * f[i]
        inv_sqrt_w[i] = 1.0 / math.sqrt(w[i])
    scale = 0.5 * inv_n
    rng = np.empty(4, dtype=np.uint64)
    y = np.empty(y0s.shape[1])
    for s in range(y0s.shape[0]):
        rng[:] = seeds[s]
        y[:] = y0s[s]
        res = out[s]
        _sample_rows(y, n, eps, f, w, G, delta_c, kappa, inv_n, collective, 0, res)
        for k in range(1, n_save):
            if monitor[MONITOR_STOP] != 0.0:
                return STATUS_INTERRUPTED, s
            if lossy:  # D_{tau/2} opens the output interval
                sr, si = _loss_pass(y, n, wf, inv_sqrt_w, loss, 0, gamma, dephasing, noise, collective, rng)
            else:
                sr, si = _source(y, wf, n)
            _photon_step(y, n, scale * sr, scale * si, coef[0, 0], coef[0, 1], coef[0, 2], coef[0, 3], coef[0, 4],
                         rng)
            for j in range(n_sub):
                if (j & 1023) == 1023 and monitor[MONITOR_STOP] != 0.0:  # Ctrl-C inside a long output interval
                    return STATUS_INTERRUPTED, s
                ux = 2.0 * G * h * y[3 * n]
                uy = -2.0 * G * h * y[3 * n + 1]
                series = f_max * math.sqrt(ux * ux + uy * uy) < SERIES_MAX_ANGLE
                sr, si = _spin_pass(y, n, cz, sz, f, wf, ux, uy, series)
                last = j == n_sub - 1
                if lossy and (j + 1) % k_loss == 0:
                    # B_{h/2} D_tau B_{h/2} between loss blocks, B_{h/2} D_{tau/2} at the end
                    _photon_step(y, n, scale * sr, scale * si, coef[0, 0], coef[0, 1], coef[0, 2], coef[0, 3],
                                 coef[0, 4], rng)
                    sr, si = _loss_pass(y, n, wf, inv_sqrt_w, loss, 0 if last else 1, gamma, dephasing, noise,
                                        collective, rng)
                    if not last:
                        _photon_step(y, n, scale * sr, scale * si, coef[0, 0], coef[0, 1], coef[0, 2], coef[0, 3],
                                     coef[0, 4], rng)
                else:
                    c = 0 if last else 1
                    _photon_step(y, n, scale * sr, scale * si, coef[c, 0], coef[c, 1], coef[c, 2], coef[c, 3],
                                 coef[c, 4], rng)
            if not (math.isfinite(y[3 * n]) and math.isfinite(y[3 * n + 1])):
                return STATUS_NONFINITE, s
            _sample_rows(y, n, eps, f, w, G, delta_c, kappa, inv_n, collective, k, res)
    return STATUS_OK, -1
