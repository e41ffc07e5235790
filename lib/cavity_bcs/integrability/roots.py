r"""Isolated roots of the continuum :math:`\ell^2(u)`: counted, located, and at finite :math:`N`.

:math:`\ell^2` is analytic in the upper half plane away from the band cuts, so the
argument principle counts its isolated roots (:func:`count_isolated_roots`) without
finding them; Newton's method then locates them (:func:`isolated_roots`).
:func:`finite_n_roots` gives every root of the finite-:math:`N` spectral polynomial,
as an independent check.
"""
from __future__ import annotations

import cmath
import math
from dataclasses import dataclass

import numpy as np

from .. import _validate as check
from .._numba import njit
from ..meanfield.states import State, x_polarized
from ..model import Model
from .continuum import InitialLaxData, _initial_data, _l2, _l2_and_derivative

__all__ = ["RootCount", "count_isolated_roots", "isolated_roots", "finite_n_roots"]


# ----------------------------------------------------------------------------- winding
_THETA_MAX = 0.5          # largest accepted change of arg(ell^2) between two samples (rad)
_MAX_LEVEL = 48           # bisection depth limit per initial segment
_N_INITIAL = 24           # initial segments per straight piece of contour
_STACK = 4 * _MAX_LEVEL + 8


@njit
def _segment_winding(p0, p1, e, W, dc, ch, sh, px, py, adiabatic):
    """Change of arg(ell^2) along the straight segment p0 -> p1, by adaptive bisection.

    A sub-segment is accepted only when the phase change across it and across
    both of its halves is below _THETA_MAX and the halves add up to the whole:
    a zero passing between two samples would show up as a large or inconsistent
    phase step and force refinement.  Returns (angle, n_evaluations, min |ell^2|
    relative to the typical |ell^2|, ok) where ok is False when the depth limit
    was reached (a root sits on or extremely close to the contour).
    """
    total = 0.0
    n_eval = 0
    ok = True
    min_abs = np.inf
    ta = np.empty(_STACK)
    tb = np.empty(_STACK)
    fa_s = np.empty(_STACK, dtype=np.complex128)
    fb_s = np.empty(_STACK, dtype=np.complex128)
    lev = np.empty(_STACK, dtype=np.int64)
    d = p1 - p0
    f_prev = _l2(p0, e, W, dc, ch, sh, px, py, adiabatic)
    n_eval += 1
    min_abs = min(min_abs, abs(f_prev))
    for k in range(_N_INITIAL):
        t0 = k / _N_INITIAL
        t1 = (k + 1) / _N_INITIAL
        f1 = _l2(p0 + t1 * d, e, W, dc, ch, sh, px, py, adiabatic)
        n_eval += 1
        min_abs = min(min_abs, abs(f1))
        top = 0
        ta[0] = t0
        tb[0] = t1
        fa_s[0] = f_prev
        fb_s[0] = f1
        lev[0] = 0
        top = 1
        while top > 0:
            top -= 1
            a = ta[top]
            b = tb[top]
            fa = fa_s[top]
            fb = fb_s[top]
            level = lev[top]
            m = 0.5 * (a + b)
            fm = _l2(p0 + m * d, e, W, dc, ch, sh, px, py, adiabatic)
            n_eval += 1
            min_abs = min(min_abs, abs(fm))
            whole = cmath.phase(fb / fa)
            left = cmath.phase(fm / fa)
            right = cmath.phase(fb / fm)
            good = (abs(whole) < _THETA_MAX and abs(left) < _THETA_MAX and abs(right) < _THETA_MAX
                    and abs(left + right - whole) < 1e-9)
            if good or level >= _MAX_LEVEL:
                if not good:
                    ok = False
                total += left + right
            else:
                # push right half first so the left half is processed next
                ta[top] = m
                tb[top] = b
                fa_s[top] = fm
                fb_s[top] = fb
                lev[top] = level + 1
                top += 1
                ta[top] = a
                tb[top] = m
                fa_s[top] = fa
                fb_s[top] = fm
                lev[top] = level + 1
                top += 1
        f_prev = f1
    return total, n_eval, min_abs, ok


@njit
def _path_winding(vertices, e, W, dc, ch, sh, px, py, adiabatic):
    total = 0.0
    n_eval = 0
    ok = True
    min_abs = np.inf
    for k in range(vertices.size - 1):
        ang, ne, ma, good = _segment_winding(vertices[k], vertices[k + 1], e, W, dc, ch, sh, px, py,
                                             adiabatic)
        total += ang
        n_eval += ne
        min_abs = min(min_abs, ma)
        ok = ok and good
    return total, n_eval, min_abs, ok


@njit
def _outer_radius(e, W, dc, px, py, adiabatic):
    r"""Half-size R of a box [-R, R] x [0, R] that provably holds every root.

    A root needs :math:`|\ell_z| = |\ell_x^2+\ell_y^2|^{1/2} \le 1/d + |p|`, with d the
    distance from u to the energy support [-b, b] and p the photon part
    (because :math:`|F_\pm| \le 1/(2d)`).  Outside the box |u| >= R, so it is enough that
    :math:`(2R-\Delta_c)/\Delta_c > 1/(R-b) + |p|` (full model) or :math:`1 > 1/(R-b)` (spin model).
    """
    b = abs(e) + 0.25 * W
    p = math.sqrt(px * px + py * py)
    if adiabatic:
        return b + 1.5
    R = max(b, 0.5 * dc) + 1.0
    while (2.0 * R - dc) / dc <= 1.0 / (R - b) + p + 0.05:
        R *= 1.25
    return R * 1.1


@njit
def _count_kernel(e, W, dc, ch, sh, px, py, adiabatic, heights, bands_lo, bands_hi):
    """Winding of ell^2 around {Im u > 0, inside the outer box} minus a strip of each
    height in `heights` (width +height beyond the band edges) above the continuum.

    Returns (windings per height, n_eval, min |ell^2| seen, ok)."""
    R = _outer_radius(e, W, dc, px, py, adiabatic)
    outer = np.empty(4, dtype=np.complex128)
    outer[0] = complex(R, 0.0)
    outer[1] = complex(R, R)
    outer[2] = complex(-R, R)
    outer[3] = complex(-R, 0.0)
    w_out, n_eval, min_abs, ok = _path_winding(outer, e, W, dc, ch, sh, px, py, adiabatic)
    out = np.empty(heights.size)
    detour = np.empty(4, dtype=np.complex128)
    for j in range(heights.size):
        h = heights[j]
        total = w_out
        for k in range(bands_lo.size):
            lo = bands_lo[k] - h
            hi = bands_hi[k] + h
            # bottom of the contour runs left to right: up, across, down
            detour[0] = complex(lo, 0.0)
            detour[1] = complex(lo, h)
            detour[2] = complex(hi, h)
            detour[3] = complex(hi, 0.0)
            w, ne, ma, good = _path_winding(detour, e, W, dc, ch, sh, px, py, adiabatic)
            total += w
            n_eval += ne
            min_abs = min(min_abs, ma)
            ok = ok and good
        # On the real axis in the gaps every component is real, so ell^2 >= 0 there and
        # those pieces add no winding: the pieces above start and end at positive reals.
        out[j] = total / (2.0 * math.pi)
    return out, n_eval, min_abs, ok


@dataclass(frozen=True)
class RootCount:
    r"""Number of isolated root pairs of :math:`\ell^2(u)` from the argument principle.

    Attributes
    ----------
    n_pairs : int
        Root pairs :math:`u, u^*` further than ``tol`` from the continuum
        (the band intervals on the real axis).
    n_near_axis : int
        Pairs with :math:`\mathrm{strip} < \mathrm{Im}\,u \le \mathrm{tol}` above the
        continuum: the state is within tolerance of a phase boundary.
    winding_error : float
        Largest distance of the measured winding numbers from integers.
    ok : bool
        False if the adaptive contour sampling hit its depth limit (a root on the
        contour) or the windings were not integers.
    n_evaluations : int
        Evaluations of :math:`\ell^2`.
    """

    n_pairs: int
    n_near_axis: int
    winding_error: float
    ok: bool
    n_evaluations: int

    @property
    def unsure(self) -> bool:
        """True when a root lies within tolerance of the continuum or the count failed."""
        return self.n_near_axis != 0 or not self.ok


def _bands_arrays(data):
    bands = data.bands
    return (np.array([b[0] for b in bands], dtype=float), np.array([b[1] for b in bands], dtype=float))


def _count_from_data(data: InitialLaxData, tol: float, strip: float) -> RootCount:
    lo, hi = _bands_arrays(data)
    e, W, dc, ch, sh, px, py, adiabatic = data._params()
    if W == 0.0:
        # no continuum: the strips only step over the two poles, every root counts
        heights = np.array([strip, strip])
    else:
        heights = np.array([tol, strip])
    windings, n_eval, _, ok = _count_kernel(e, W, dc, ch, sh, px, py, adiabatic, heights, lo, hi)
    rounded = np.rint(windings)
    err = float(np.max(np.abs(windings - rounded)))
    ok = bool(ok) and err < 0.05
    n_sure, n_all = int(rounded[0]), int(rounded[1])
    return RootCount(n_sure, n_all - n_sure, err, ok, int(n_eval))


def _check_tolerances(tol, strip):
    # distances from the continuum in units of chi N: beyond 1 they no longer mean "near the cut"
    tol = check.in_range("tol", tol, 0.0, 1.0, lo_open=True)
    strip = check.in_range("strip", strip, 1e-14, 1.0)
    if strip >= tol:
        raise ValueError(f"strip must be smaller than tol, got strip={strip!r}, tol={tol!r}")
    return tol, strip


def count_isolated_roots(model, adiabatic: bool = False, delta_phi0: float = 0.0,
                         photon="vacuum", tol: float = 1e-3, strip: float = 1e-7, *,
                         delta_c=None) -> RootCount:
    r"""Count the isolated root pairs of the continuum :math:`\ell^2(u)` (argument principle).

    :math:`\ell^2` is analytic in the upper half plane (its only singularities are
    the cuts on the band intervals), real and non-negative on the real axis in
    the gaps, and :math:`\ell^2(u^*) = \ell^2(u)^*`; roots therefore come in
    conjugate pairs and we count those with :math:`\mathrm{Im}\,u > 0`. The winding
    number of :math:`\ell^2` is measured along the boundary of a box that provably
    holds every root (see ``_outer_radius``) with a thin strip of height ``h``
    cut out above each band. With ``h = tol`` this counts the pairs safely away
    from the continuum; with ``h = strip`` also those close to it. A difference
    means a root within ``tol`` of the continuum, i.e. a phase boundary.

    Parameters
    ----------
    model, adiabatic, delta_phi0, photon
        As in :func:`lax_vector_continuum`.
    tol : float
        Distance (units of :math:`\chi N`) from the continuum below which a root
        makes the classification unsure; ``> strip``.
    strip : float
        Height of the excluded strip; roots closer to the cut than this are
        treated as part of the continuum; ``> 0``.
    """
    tol, strip = _check_tolerances(tol, strip)
    data = _initial_data(model, adiabatic, delta_phi0, photon, delta_c)
    return _count_from_data(data, tol, strip)


# ----------------------------------------------------------------------------- locating
@njit
def _newton(u0, e, W, dc, ch, sh, px, py, adiabatic, max_iter):
    u = u0
    for _ in range(max_iter):
        f, df = _l2_and_derivative(u, e, W, dc, ch, sh, px, py, adiabatic)
        if df == 0:
            return u, False
        step = f / df
        # damp long jumps so the iteration does not hop across the cut
        if abs(step) > 1.0:
            step = step / abs(step)
        u = u - step
        # stay in the upper half plane (roots come in conjugate pairs) and off the cut
        floor = 1e-13 * (1.0 + abs(u.real))
        if abs(u.imag) < floor:
            u = complex(u.real, floor)
        elif u.imag < 0.0:
            u = complex(u.real, -u.imag)
        if abs(step) < 1e-14 * (1.0 + abs(u)):
            return u, True
    return u, False


def _in_region(u, data, h):
    """True if u (Im u > 0) lies outside the strips of height h above the bands."""
    if u.imag <= 0:
        return False
    if u.imag > h:
        return True
    return not any(lo - h <= u.real <= hi + h for lo, hi in data.bands)


def _locate(data: InitialLaxData, n_expected: int, h: float, seeds) -> np.ndarray:
    e, W, dc, ch, sh, px, py, adiabatic = data._params()
    found = []
    for s in seeds:
        if s.imag <= h:
            continue
        u, conv = _newton(complex(s), e, W, dc, ch, sh, px, py, adiabatic, 200)
        if not conv or not _in_region(u, data, h):
            continue
        if all(abs(u - v) > 1e-8 * (1 + abs(u)) for v in found):
            found.append(u)
        if len(found) > n_expected:
            break
    return np.array(sorted(found, key=lambda z: (z.real, z.imag)), dtype=complex)


@njit
def _newton_many(seeds, e, W, dc, ch, sh, px, py, adiabatic, max_iter):
    out = np.empty(seeds.size, dtype=np.complex128)
    conv = np.zeros(seeds.size, dtype=np.bool_)
    for k in range(seeds.size):
        out[k], conv[k] = _newton(seeds[k], e, W, dc, ch, sh, px, py, adiabatic, max_iter)
    return out, conv


def _locate_grid(data: InitialLaxData, n_expected: int, h: float) -> np.ndarray:
    """Newton from a grid of seeds over the whole root box (compiled loop), deduplicated."""
    e, W, dc, ch, sh, px, py, adiabatic = data._params()
    seeds = _seed_grid(data)
    out, conv = _newton_many(seeds, e, W, dc, ch, sh, px, py, adiabatic, 100)
    found = []
    for u in out[conv]:
        u = complex(u)
        if _in_region(u, data, h) and all(abs(u - v) > 1e-8 * (1 + abs(u)) for v in found):
            found.append(u)
    return np.array(sorted(found, key=lambda z: (z.real, z.imag)), dtype=complex)


def _seed_grid(data: InitialLaxData):
    e, W, dc, ch, sh, px, py, adiabatic = data._params()
    R = _outer_radius(e, W, dc, px, py, adiabatic)
    xs = np.linspace(-R, R, 41)
    ys = np.geomspace(1e-4, R, 25)
    grid = (xs[:, None] + 1j * ys[None, :]).ravel()
    return grid[np.argsort(np.abs(grid.imag - 0.5))]


def isolated_roots(model, adiabatic: bool = False, delta_phi0: float = 0.0, photon="vacuum",
                   tol: float = 1e-3, strip: float = 1e-7, n_seed_atoms: int = 80, *,
                   delta_c=None) -> np.ndarray:
    r"""The isolated roots of the continuum :math:`\ell^2(u)` with :math:`\mathrm{Im}\,u > 0`.

    Counts first (:func:`count_isolated_roots`, including roots near the
    continuum), then locates: Newton iterations on the continuum
    :math:`\ell^2` from a grid of seeds covering the box that holds every root
    and, if that finds fewer than counted, from the finite-:math:`N` roots
    (``n_seed_atoms`` atoms, :func:`finite_n_roots`). Raises ``RuntimeError`` if
    the located roots do not match the count.

    Returns
    -------
    ndarray (complex)
        Roots sorted by real part; their conjugates are roots too.
    """
    tol, strip = _check_tolerances(tol, strip)
    n_seed_atoms = check.atom_number("n_seed_atoms", n_seed_atoms, maximum=4000)
    data = _initial_data(model, adiabatic, delta_phi0, photon, delta_c)
    count = _count_from_data(data, tol, strip)
    return _roots_for_count(data, count, strip, n_seed_atoms)


def _roots_for_count(data, count: RootCount, strip, n_seed_atoms=80):
    n = count.n_pairs + count.n_near_axis
    if n == 0:
        return np.zeros(0, dtype=complex)
    roots = _locate_grid(data, n, strip)
    if len(roots) != n:
        # second chance: seeds at the finite-N roots (they converge to the isolated ones)
        # a finite model of the same density and detuning, only to seed Newton's method
        seed_model = Model(eps0=data.eps0, W=data.W, delta_c=data.delta_c, n_atoms=int(n_seed_atoms))
        state = x_polarized(seed_model, data.delta_phi0, data.photon if not data.adiabatic else "vacuum")
        seeds = finite_n_roots(seed_model, state, data.adiabatic)
        seeds = seeds[seeds.imag > 0]
        seeds = seeds[np.argsort(-seeds.imag)]
        roots = _locate(data, n, strip, np.concatenate([seeds, roots]))
    if len(roots) != n:
        raise RuntimeError(f"located {len(roots)} isolated roots but the argument principle counts {n} "
                           f"(eps0={data.eps0}, W={data.W}, delta_c={data.delta_c}, adiabatic={data.adiabatic}, "
                           f"delta_phi0={data.delta_phi0})")
    return roots


# ----------------------------------------------------------------------------- finite N
def finite_n_roots(model: Model, state: State, adiabatic: bool = False) -> np.ndarray:
    r"""All roots of the finite-:math:`N` :math:`\ell^2(u)` (spectral polynomial).

    :math:`\ell^2(u)\prod_i(u-\varepsilon_i)^2` is a polynomial of degree
    :math:`4N+2` (full model) or :math:`4N` (spin model). Rather than expanding
    it (hopelessly ill-conditioned), we use that :math:`\ell^2 = -\det L(u)` for
    the :math:`2\times2` Lax matrix :math:`L = \vec\ell\cdot\vec\tau`
    (:math:`\vec\tau` the Pauli matrices) and write
    :math:`L(u) = D + uE + \sum_i (u-\varepsilon_i)^{-1} S_i` with
    :math:`S_i = \vec\sigma_i\cdot\vec\tau/2N`. The roots are then the eigenvalues
    of the block linearisation (Schur complement)
    :math:`\det\begin{pmatrix} u - A & -B\\ C & D + uE\end{pmatrix}
    = \det(u - A)\det L(u)` with :math:`A = \mathrm{diag}(\varepsilon_i)\otimes 1_2`,
    :math:`B` the stacked :math:`S_i` and :math:`C = (1_2, \dots, 1_2)`: a
    :math:`(4N+2)`-dimensional eigenvalue problem.

    Returns
    -------
    ndarray (complex)
        All roots (both halves of each conjugate pair), unsorted.
    """
    check.instance("model", model, Model)
    check.instance("state", state, State)
    adiabatic = check.boolean("adiabatic", adiabatic)
    if not model.is_homogeneous:
        raise ValueError("model: the Lax vector exists only for homogeneous couplings (coupling_profile all ones)")
    n = model.n_atoms
    check.memory("finite_n_roots", 16.0 * 9 * (2 * n + 2) ** 2, f"a dense eigenproblem of size 2 n_atoms + 2 = {2 * n + 2}")
    sig = np.asarray(state.spins, dtype=float)
    if sig.shape != (n, 3):
        raise ValueError(f"state has {sig.shape[0]} spins but model.n_atoms = {n}")
    S = np.empty((n, 2, 2), dtype=complex)
    S[:, 0, 0] = sig[:, 2]
    S[:, 1, 1] = -sig[:, 2]
    S[:, 0, 1] = sig[:, 0] - 1j * sig[:, 1]
    S[:, 1, 0] = sig[:, 0] + 1j * sig[:, 1]
    S /= 2.0 * model.n_pairs
    A = np.kron(np.diag(model.eps), np.eye(2))
    B = S.reshape(2 * n, 2)
    C = np.tile(np.eye(2), (1, n))
    if adiabatic:
        # D = -tau_z is invertible: det L = det D det(1 + D^-1 C (u-A)^-1 B)
        #   = det D det(u - A + B D^-1 C) / det(u - A)
        D = np.diag([-1.0, 1.0]).astype(complex)
        return np.linalg.eigvals(A - B @ np.linalg.solve(D, C))
    dc = model.delta_c
    alpha = state.photon
    px = 2.0 * model.g_collective / dc * alpha.real
    py = -2.0 * model.g_collective / dc * alpha.imag
    D = np.array([[-1.0, px - 1j * py], [px + 1j * py, 1.0]], dtype=complex)
    E_inv = np.diag([dc / 2.0, -dc / 2.0]).astype(complex)
    # pencil u M1 + M0 with M1 = diag(1, E), M0 = [[-A, -B], [C, D]]
    M0 = np.block([[-A, -B], [C, D]])
    M0[2 * n:, :] = E_inv @ M0[2 * n:, :]
    return np.linalg.eigvals(-M0)
