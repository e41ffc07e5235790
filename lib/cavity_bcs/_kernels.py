r"""Private numba kernels: the mean-field right-hand side, the observables, and
the entry point :func:`run` of the two integrators: the energy-moment Taylor
series of :mod:`cavity_bcs._taylor` (equal couplings, no local atomic loss) and
the adaptive Dormand–Prince 8(5,3) of :mod:`cavity_bcs._dop853` (generated, fused
stages) for everything.

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
import threading

import numba
import numpy as np

from ._numba import njit

# Reassociation lets LLVM vectorise the sums over atoms and fuse multiply-adds;
# it changes round-off only (NaN/inf semantics are kept, so the finiteness checks
# stay valid), and a compiled kernel is still bit-for-bit reproducible.
FAST = {"reassoc", "contract", "nsz", "arcp"}

STATUS_OK = 0
STATUS_MAX_STEPS = 1
STATUS_STEP_UNDERFLOW = 2
STATUS_NONFINITE = 3


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


#: From this many atoms on, a DOP853 quench uses the streaming variant of the
#: integrator (:func:`cavity_bcs._dop853.integrate_streaming`): its twelve stage
#: vectors no longer fit in the caches, and a few register-resident sweeps over the
#: state per step beat moving ~100 vectors through memory (measured per step at
#: 10^5 atoms: fused 7.8 ms, streaming 8.1 ms on one thread, 4.3 ms on two;
#: benchmarks/bench_large_n.py). From here on both integrators split the atoms over
#: numba's threads when there are several.
STREAMING_MIN_ATOMS = 100_000

# Numba's default "workqueue" threading layer aborts the process when two Python
# threads launch parallel kernels at once (a sweep on a thread pool could do
# that), so large quenches take turns.
_PARALLEL_LOCK = threading.Lock()


#: The integrators :func:`run` knows.
METHODS = ("auto", "taylor", "dop853")


def taylor_obstacle(f, gamma, dephasing):
    """Why the moment-Taylor integrator cannot take these atoms, or ``None`` if it can.

    It needs one common coupling (it expands in the atoms' energies alone) and no
    local atomic loss (it propagates Bloch vectors linearly without a source term).
    """
    f = np.asarray(f, dtype=float)
    if f.size and not np.all(f == f[0]):
        return "the couplings g_i differ between atoms"
    if gamma != 0.0:
        return "gamma > 0 (spontaneous emission)"
    if dephasing != 0.0:
        return "dephasing > 0"
    return None


def resolve_method(method, f, gamma, dephasing):
    """``"taylor"`` or ``"dop853"`` for ``method`` in :data:`METHODS`; ``"auto"`` takes
    the Taylor integrator whenever :func:`taylor_obstacle` allows it."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    obstacle = taylor_obstacle(f, gamma, dephasing)
    if method == "taylor" and obstacle is not None:
        raise ValueError(f"method='taylor' needs equal couplings and no local atomic loss, but {obstacle}; "
                         "use method='dop853' or 'auto'")
    if method == "auto":
        return "dop853" if obstacle is not None else "taylor"
    return method


def run(y0, t_save, eps, f, w, G, delta_c, kappa, gamma, dephasing, adiabatic, inv_n,
        rtol, atol, max_steps, save_state, method="auto"):
    """Integrate from ``t_save[0]`` through every time in ``t_save``; ``w`` are the
    class weights (ones for individual atoms).

    ``method`` (see :func:`resolve_method`): ``"taylor"`` is the energy-moment
    Taylor series of :mod:`cavity_bcs._taylor` (equal couplings, no local loss;
    ``rtol`` bounds the last terms of the series, ``atol`` is not used);
    ``"dop853"`` the Dormand–Prince 8(5,3) of :mod:`cavity_bcs._dop853`, with fused
    stages, or streaming sweeps from ``STREAMING_MIN_ATOMS`` atoms on.

    Returns ``(obs, states, y_final, status, n_steps, n_rejected)``: ``obs`` rows as
    in :func:`observables`, ``states`` the full state at each save time when
    ``save_state`` is true (else zero rows).
    """
    from . import _dop853, _taylor

    c = np.ascontiguousarray
    if resolve_method(method, f, gamma, dephasing) == "taylor":
        f0 = float(f[0]) if np.size(f) else 1.0
        args = (c(y0, dtype=float), c(t_save, dtype=float), c(eps, dtype=float), f0, c(w, dtype=float),
                float(G), float(delta_c), float(kappa), bool(adiabatic), float(inv_n), float(rtol),
                int(max_steps), bool(save_state))
        if np.size(eps) < STREAMING_MIN_ATOMS or numba.get_num_threads() == 1:
            return _taylor.integrate(*args, False)
        with _PARALLEL_LOCK:
            return _taylor.integrate(*args, True)
    args = (c(y0, dtype=float), c(t_save, dtype=float), c(eps, dtype=float), c(f, dtype=float),
            c(w, dtype=float), float(G), float(delta_c), float(kappa), float(gamma),
            float(dephasing), bool(adiabatic), float(inv_n), float(rtol), float(atol),
            int(max_steps), bool(save_state))
    if np.size(eps) < STREAMING_MIN_ATOMS:
        return _dop853.integrate(*args)
    if numba.get_num_threads() > 1:
        with _PARALLEL_LOCK:
            return _dop853.integrate_streaming(*args, True)
    return _dop853.integrate_streaming(*args, False)
