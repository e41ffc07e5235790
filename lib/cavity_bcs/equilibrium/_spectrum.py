r"""Spectral averages :math:`\frac{1}{2N}\sum_i F(\varepsilon_i, f_i)` of the equilibrium equations.

Every equation of the stationary states (gap, excitations, energy, :math:`S^+`) is an
average over the atoms of a function of :math:`x_i = \varepsilon_i - \mu` and
:math:`E_i = \sqrt{x_i^2 + f_i^2|\Delta|^2}`. A :class:`Spectrum` evaluates them either
as finite sums over a :class:`~cavity_bcs.Model`'s atoms (``"finite"``) or as integrals
over the two-box density of a :class:`~cavity_bcs.TwoBox` (``"continuum"``; each box of
width :math:`W/2` and weight 1/2, so height :math:`1/W`). At :math:`T = 0` the
continuum integrals of :math:`1/E`, :math:`x/E` and :math:`E` are
:math:`\operatorname{asinh}(x/\Delta)`, :math:`E` and
:math:`\tfrac12(xE + \Delta^2\operatorname{asinh}(x/\Delta))`; with thermal factors
:math:`\tanh(E/T)` they are done by Gauss–Legendre quadrature on each box.

:func:`spectrum_of` turns the ``(model, delta_c, spectrum)`` arguments of the public
functions into a :class:`Spectrum`, so that every function accepts a Model or a TwoBox
in the same way.
"""
from __future__ import annotations

import functools
import math

import numpy as np

from .. import _validate as check
from ..density import TwoBox
from ..model import Model

SPECTRA = ("finite", "continuum")
_TINY = 1e-300  # floor on E, so that a level exactly at mu (x = 0, gap = 0) gives x/E = 0, not NaN


def spectrum_of(model, delta_c=None, spectrum=None) -> Spectrum:
    r"""The :class:`Spectrum` of a public call, validated.

    Parameters
    ----------
    model : Model or TwoBox
        A :class:`~cavity_bcs.Model` (its ``delta_c`` is used; ``delta_c`` must not be
        given) or the two-box density itself, which means the continuum and needs
        ``delta_c``.
    delta_c : float, optional
        Only with a TwoBox: the cavity detuning :math:`\Delta_c`, units of :math:`\chi N`, ``> 0``.
    spectrum : {"finite", "continuum"}, optional
        Default ``"finite"`` for a Model (sums over ``model.eps``) and ``"continuum"``
        for a TwoBox (the only choice there). A Model with ``"continuum"`` needs
        homogeneous couplings and the two-box energies (``energies=None``); its
        ``n_atoms`` then plays no role.
    """
    if spectrum is not None:
        check.choice("spectrum", spectrum, SPECTRA)
    if isinstance(model, TwoBox):
        if spectrum == "finite":
            raise ValueError("spectrum='finite' needs a cavity_bcs.Model (atoms to sum over); "
                             "a TwoBox is the continuum density")
        if delta_c is None:
            raise ValueError("a TwoBox needs delta_c (the cavity detuning, units of chi N, > 0)")
        return Spectrum(model, check.positive("delta_c", delta_c))
    if not isinstance(model, Model):
        raise check.ParameterTypeError(f"model must be a cavity_bcs.Model or a cavity_bcs.TwoBox, "
                                       f"got {type(model).__name__}")
    if delta_c is not None:
        raise ValueError("delta_c is taken from the model; pass it only with a TwoBox")
    if spectrum == "continuum":
        if not model.is_homogeneous or model.energies is not None:
            raise ValueError("spectrum='continuum' needs the two-box density (energies=None) with homogeneous "
                             "couplings; pass the cavity_bcs.TwoBox itself with delta_c")
        return Spectrum(model.density, model.delta_c)
    return Spectrum(model, model.delta_c)


@functools.lru_cache(maxsize=4)
def _legendre(n_points, order=16):
    """Composite Gauss-Legendre rule on [-1, 1]: ``n_points // order`` panels."""
    xg, wg = np.polynomial.legendre.leggauss(order)
    panels = max(n_points // order, 1)
    edges = np.linspace(-1.0, 1.0, panels + 1)
    half = 0.5 * np.diff(edges)
    mid = 0.5 * (edges[1:] + edges[:-1])
    return (mid[:, None] + half[:, None] * xg).ravel(), (half[:, None] * wg).ravel()


class Spectrum:
    r"""Averages :math:`\frac{1}{2N}\sum_i F` over a finite model's atoms or the two-box continuum.

    Attributes
    ----------
    kind : str
        ``"finite"`` or ``"continuum"``.
    delta_c : float
        :math:`\Delta_c`, units of :math:`\chi N`.
    levels : ndarray
        Marks for the scans in :math:`\mu`: the band edges (continuum) or the extreme
        levels of each half of the spectrum (finite).
    max_f2 : float
        Largest :math:`f_i^2` (1 in the continuum), for the upper bracket of the gap.
    """

    def __init__(self, source, delta_c: float):
        self.delta_c = float(delta_c)
        if isinstance(source, TwoBox):
            self.kind = "continuum"
            self.boxes = source.boxes
            self.width = source.W  # box height 1/W (weight 1/2 over width W/2)
            self.levels = np.array([e for box in self.boxes for e in box])
            self.max_f2 = 1.0
            return
        self.kind = "finite"
        self.eps = np.asarray(source.eps, dtype=float)
        self.f = np.asarray(source.couplings, dtype=float)
        self.f2 = self.f ** 2
        self.n_atoms = self.eps.size
        srt = np.sort(self.eps)
        half_n = srt.size // 2
        self.levels = np.unique(srt[[0, max(half_n - 1, 0), half_n, srt.size - 1]])
        self.max_f2 = float(np.max(self.f2, initial=1.0))

    # ------------------------------------------------------------------ superfluid averages
    def averages(self, mu, gap, temperature=0.0):
        r"""``(A, B, C, F)``: the averages of :math:`f^2w/E`, :math:`wx/E`, :math:`wE` and :math:`fw/E`.

        :math:`x = \varepsilon - \mu`, :math:`E = \sqrt{x^2 + f^2\Delta^2}` (``gap`` is
        :math:`|\Delta|`, units of :math:`\chi N`) and :math:`w = \tanh(E/T)`, or 1 at
        :math:`T = 0`. In the continuum :math:`f = 1`, so ``F == A``.
        """
        if self.kind == "finite":
            x = self.eps - mu
            E = np.maximum(np.sqrt(x * x + self.f2 * gap * gap), _TINY)
            w = np.tanh(E / temperature) if temperature > 0 else 1.0
            return (float(np.mean(self.f2 * w / E)), float(np.mean(w * x / E)), float(np.mean(w * E)),
                    float(np.mean(self.f * w / E)))
        if temperature > 0:
            A, B, C = self._thermal_continuum(mu, gap, temperature)
        else:
            A, B, C = self._zero_temperature_continuum(mu, gap)
        return A, B, C, A

    def pairing(self, mu, gap, temperature=0.0):
        r"""``A`` of :meth:`averages` alone (the gap equation's sum, evaluated by every root search)."""
        if self.kind == "finite":
            x = self.eps - mu
            E = np.maximum(np.sqrt(x * x + self.f2 * gap * gap), _TINY)
            w = np.tanh(E / temperature) if temperature > 0 else 1.0
            return float(np.mean(self.f2 * w / E))
        return self.averages(mu, gap, temperature)[0]

    def _zero_temperature_continuum(self, mu, gap):
        A = B = C = 0.0
        for lo, hi in self.boxes:
            a, b = lo - mu, hi - mu
            if self.width == 0:  # W = 0: two delta peaks of weight 1/2
                E = math.hypot(a, gap)
                A += 0.5 / max(E, _TINY)
                B += 0.5 * a / max(E, _TINY)
                C += 0.5 * E
                continue
            Ea, Eb = math.hypot(a, gap), math.hypot(b, gap)
            if gap > 0:
                Ia, Ib = math.asinh(a / gap), math.asinh(b / gap)
            else:
                # gap = 0: 1/|x| integrates to sign(x) log|x| (divergent across x = 0).
                Ia = math.copysign(math.log(abs(a)), a) if a != 0 else -math.inf
                Ib = math.copysign(math.log(abs(b)), b) if b != 0 else math.inf
                if a < 0 < b:
                    Ia, Ib = -math.inf, math.inf
            A += (Ib - Ia) / self.width
            B += (Eb - Ea) / self.width
            Ca = 0.5 * (a * Ea + (gap * gap * Ia if gap > 0 else 0.0))
            Cb = 0.5 * (b * Eb + (gap * gap * Ib if gap > 0 else 0.0))
            C += (Cb - Ca) / self.width
        return A, B, C

    def _thermal_continuum(self, mu, gap, temperature, n_points=4000):
        # No closed form with tanh factors: Gauss-Legendre on each box.
        if self.width == 0:
            A = B = C = 0.0
            for lo, _ in self.boxes:
                x = lo - mu
                E = max(math.hypot(x, gap), _TINY)
                th = math.tanh(E / temperature)
                A, B, C = A + 0.5 * th / E, B + 0.5 * th * x / E, C + 0.5 * th * E
            return A, B, C
        xg, wg = _legendre(n_points)
        A = B = C = 0.0
        for lo, hi in self.boxes:
            eps = 0.5 * (hi - lo) * xg + 0.5 * (hi + lo)
            wq = 0.5 * (hi - lo) * wg / self.width
            x = eps - mu
            E = np.maximum(np.sqrt(x * x + gap * gap), _TINY)
            th = np.tanh(E / temperature)
            A += np.sum(wq * th / E)
            B += np.sum(wq * th * x / E)
            C += np.sum(wq * th * E)
        return float(A), float(B), float(C)

    # ------------------------------------------------------------------ normal state
    def normal_sz(self, mu):
        r""":math:`s_z` of the :math:`T = 0` normal state at :math:`\mu`: levels below :math:`\mu` up."""
        if self.kind == "finite":
            return float(np.mean(np.where(self.eps - mu > 0, -1.0, 1.0)))
        below = 0.0
        for lo, hi in self.boxes:
            if self.width == 0:
                below += 0.5 * (lo < mu)
            else:
                below += np.clip(mu - lo, 0.0, hi - lo) / self.width
        return float(2 * below - 1)

    def normal_energy(self, mu):
        r""":math:`E/N = 2\int p(\varepsilon)\,\varepsilon\,\mathrm{sign}(\mu - \varepsilon)` of the
        continuum normal state at :math:`T = 0` (levels below :math:`\mu` up)."""
        energy = 0.0
        for a, b in self.boxes:
            if self.width == 0:
                energy += 0.5 * a * (1.0 if a < mu else -1.0)
                continue
            m = np.clip(mu, a, b)
            energy += ((m * m - a * a) / 2.0 - (b * b - m * m) / 2.0) / self.width
        return float(2.0 * energy)
