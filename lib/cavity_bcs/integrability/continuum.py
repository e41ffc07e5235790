r"""The Lax vector in the continuum limit, for the x-polarised quench states.

For :math:`N\to\infty` the spin sum of the finite Lax vector
(:func:`cavity_bcs.integrability.lax.lax_vector`) becomes an average over the two
boxes of the density (:class:`~cavity_bcs.TwoBox`), which has a closed form
(:func:`lax_vector_continuum`). The compiled kernels here (``_ell``, ``_l2``) are the
ones the root counting of :mod:`.roots` and the phase diagrams of :mod:`.phases`
evaluate millions of times.
"""
from __future__ import annotations

import cmath
import math
from dataclasses import dataclass

import numpy as np

from .. import _validate as check
from .._numba import njit
from .._validate import ParameterTypeError
from ..density import TwoBox
from ..meanfield.states import PHOTON_CHOICES, resolve_photon
from ..model import Model

__all__ = ["InitialLaxData", "continuum_system", "lax_vector_continuum", "lax_squared_continuum", "SCALE_MAX",
           "PHOTON_MAX"]

#: Largest ``|eps0|``, ``W`` and ``delta_c`` (units of chi N) the continuum root counting accepts: beyond it
#: the contour's box (of size ~delta_c) and the band widths differ by more than double precision
#: resolves. The book's parameters are O(1-100).
SCALE_MAX = 1e6
#: Largest initial photon ``|alpha|`` the Lax analysis accepts (``alpha = <a>/sqrt(N)`` is O(1) in every
#: physical state; the bounding box of the roots grows with it).
PHOTON_MAX = 1e3



@dataclass(frozen=True)
class InitialLaxData:
    r"""Everything the continuum :math:`\vec\ell(u)` needs about model and initial state.

    The initial state is the x-polarised quench state of
    :func:`~cavity_bcs.states.x_polarized`: the upper box at azimuth
    :math:`+\Delta\phi_0/2`, the lower box at :math:`-\Delta\phi_0/2`, photon
    :math:`\alpha = \langle a\rangle/\sqrt N`.

    Attributes
    ----------
    eps0, W, delta_c : float
        Units of :math:`\chi N` (``delta_c`` unused when ``adiabatic``).
    delta_phi0 : float
        Phase offset between the bands, radians.
    photon : complex
        :math:`\alpha(0)`; zero for the spin model.
    adiabatic : bool
        Spin-only model (:math:`\ell_z = -1`).
    """

    eps0: float
    W: float
    delta_c: float
    delta_phi0: float
    photon: complex
    adiabatic: bool

    @property
    def photon_x(self) -> float:
        r"""Constant :math:`x` part of :math:`\vec\ell`: :math:`2\,\mathrm{Re}\,\alpha/\sqrt{\Delta_c}`."""
        return 0.0 if self.adiabatic else 2.0 * self.photon.real / math.sqrt(self.delta_c)

    @property
    def photon_y(self) -> float:
        r"""Constant :math:`y` part: :math:`-2\,\mathrm{Im}\,\alpha/\sqrt{\Delta_c}`."""
        return 0.0 if self.adiabatic else -2.0 * self.photon.imag / math.sqrt(self.delta_c)

    @property
    def density(self) -> TwoBox:
        """The two-box density of the atomic energies."""
        return TwoBox(self.eps0, self.W)

    @property
    def bands(self):
        r"""Support of the :math:`\varepsilon` density: list of disjoint ``(lo, hi)`` intervals."""
        return self.density.bands

    def _params(self):
        return (self.eps0 / 2.0, self.W, self.delta_c, math.cos(self.delta_phi0 / 2.0),
                math.sin(self.delta_phi0 / 2.0), self.photon_x, self.photon_y, self.adiabatic)


def continuum_system(system, delta_c=None, adiabatic=False):
    r"""``(TwoBox, delta_c)`` of a continuum calculation, validated.

    ``system`` is either a :class:`~cavity_bcs.Model` (homogeneous couplings, the
    two-box density, ``kappa = 0``; its ``n_atoms`` plays no role in the continuum
    limit, and ``delta_c`` must not be given) or a :class:`~cavity_bcs.TwoBox` with
    ``delta_c`` (units of :math:`\chi N`, ``> 0``; optional for the spin-only model,
    where it does not enter).
    """
    if isinstance(system, TwoBox):
        _check_scale(system.eps0, system.W)
        if delta_c is None:
            if not adiabatic:
                raise ValueError("a TwoBox needs delta_c (units of chi*N, > 0) for the full model")
            return system, 1.0  # the spin model's ell(u) does not contain delta_c
        return system, check.in_range("delta_c", delta_c, 0.0, SCALE_MAX, lo_open=True)
    if not isinstance(system, Model):
        raise ParameterTypeError(f"model must be a cavity_bcs.Model or a cavity_bcs.TwoBox, "
                                 f"got {type(system).__name__}")
    if delta_c is not None:
        raise ValueError("delta_c is taken from the model; pass it only with a TwoBox")
    if not system.is_homogeneous:
        raise ValueError("model: Lax analysis needs homogeneous couplings (coupling_profile all ones); "
                         "inhomogeneous g_i break integrability")
    if system.energies is not None:
        raise ValueError("model: the continuum Lax vector needs the two-box density (energies=None); "
                         "use finite_n_roots for explicit energies")
    if system.kappa != 0.0:
        raise ValueError(f"model: Lax analysis needs kappa = 0 (photon loss breaks integrability), got {system.kappa!r}")
    _check_scale(system.eps0, system.W)
    check.in_range("model.delta_c", system.delta_c, 0.0, SCALE_MAX, lo_open=True)
    return system.density, system.delta_c


def _check_scale(eps0, W):
    check.in_range("eps0", eps0, -SCALE_MAX, SCALE_MAX)
    check.in_range("W", W, 0.0, SCALE_MAX)


def _initial_data(system, adiabatic, delta_phi0, photon, delta_c=None) -> InitialLaxData:
    """Validate the inputs of the continuum functions and collect the state data."""
    adiabatic = check.boolean("adiabatic", adiabatic)
    density, delta_c = continuum_system(system, delta_c, adiabatic)
    delta_phi0 = check.finite("delta_phi0", delta_phi0)
    if adiabatic:
        alpha = 0j
        if not (isinstance(photon, str) and photon in PHOTON_CHOICES):
            raise ValueError("with adiabatic=True the photon is slaved to the spins: "
                             f"photon must be one of {PHOTON_CHOICES}")
    elif isinstance(photon, str) and photon == "equilibrium":
        # alpha_eq = -(1/sqrt(delta_c)) (1/N) sum_i s_i with s_i = (x_i - i y_i)/2: the y parts
        # of the two bands cancel, the x parts give 2N cos(delta_phi0/2)/2.
        alpha = complex(-math.cos(delta_phi0 / 2.0) / math.sqrt(delta_c))
    else:
        alpha = check.complex_number("photon", resolve_photon(photon), max_abs=PHOTON_MAX)
    return InitialLaxData(density.eps0, density.W, delta_c, delta_phi0, alpha, adiabatic)


@njit
def _box_resolvent(u, c, W):
    r""":math:`F(u) = \frac{1}{2}\langle 1/(u-\varepsilon)\rangle` over a box of width W/2 at c,
    and its derivative.  :math:`F = (2/W)\,\mathrm{artanh}(W/(4(u-c)))`, cut on the box."""
    z = u - c
    if W > 0.0:
        w = 0.25 * W
        val = (2.0 / W) * cmath.atanh(w / z)
        der = -0.5 / (z * z - w * w)
    else:
        val = 0.5 / z
        der = -0.5 / (z * z)
    return val, der


@njit
def _ell(u, e, W, dc, ch, sh, px, py, adiabatic):
    """Continuum ell(u) components and their u-derivatives."""
    fp, dfp = _box_resolvent(u, e, W)
    fm, dfm = _box_resolvent(u, -e, W)
    lx = ch * (fp + fm) + px
    ly = sh * (fp - fm) + py
    dlx = ch * (dfp + dfm)
    dly = sh * (dfp - dfm)
    if adiabatic:
        lz = -1.0 + 0.0j
        dlz = 0.0j
    else:
        lz = (2.0 * u - dc) / dc
        dlz = 2.0 / dc + 0.0j
    return lx, ly, lz, dlx, dly, dlz


@njit
def _l2(u, e, W, dc, ch, sh, px, py, adiabatic):
    lx, ly, lz, _, _, _ = _ell(u, e, W, dc, ch, sh, px, py, adiabatic)
    return lx * lx + ly * ly + lz * lz


@njit
def _l2_and_derivative(u, e, W, dc, ch, sh, px, py, adiabatic):
    lx, ly, lz, dlx, dly, dlz = _ell(u, e, W, dc, ch, sh, px, py, adiabatic)
    return lx * lx + ly * ly + lz * lz, 2.0 * (lx * dlx + ly * dly + lz * dlz)


def lax_vector_continuum(u, model, adiabatic: bool = False, delta_phi0: float = 0.0,
                         photon="vacuum", *, delta_c=None) -> np.ndarray:
    r"""The Lax vector :math:`\vec\ell(u)` of the initial state for :math:`N\to\infty`.

    For the x-polarised state (upper box at azimuth :math:`+\Delta\phi_0/2`,
    lower box at :math:`-\Delta\phi_0/2`, :math:`z_i = 0`) the spin sum of
    :func:`lax_vector` becomes an average over each box,

    .. math::

        \frac{1}{2N}\sum_{i\in\pm}\frac{1}{u-\varepsilon_i}\ \longrightarrow\
        F_\pm(u) = \frac{1}{2}\int\frac{p_\pm(\varepsilon)\,d\varepsilon}{u-\varepsilon},

        F_\pm(u) = \frac{1}{W}\ln\frac{u \mp \varepsilon_0/2 + W/4}{u \mp \varepsilon_0/2 - W/4}
        = \frac{2}{W}\,\mathrm{artanh}\frac{W}{4(u\mp\varepsilon_0/2)},

    (:math:`p_\pm` a box of width :math:`W/2` at :math:`\pm\varepsilon_0/2`; principal
    branches, whose only cuts are the boxes themselves), so that

    .. math::

        \ell_x = \cos\tfrac{\Delta\phi_0}{2}(F_+ + F_-) + \frac{2\,\mathrm{Re}\,\alpha}{\sqrt{\Delta_c}},\quad
        \ell_y = \sin\tfrac{\Delta\phi_0}{2}(F_+ - F_-) - \frac{2\,\mathrm{Im}\,\alpha}{\sqrt{\Delta_c}},

        \ell_z = \frac{2u-\Delta_c}{\Delta_c}

    (spin model: no photon terms and :math:`\ell_z = -1`). ``W = 0`` uses the limit
    :math:`F_\pm = 1/(2(u\mp\varepsilon_0/2))`. The finite-:math:`N` quantile
    sum converges to this as :math:`1/N^2` off the real axis.

    Relation to the supplement's Eq. 7: there :math:`\chi\vec L/2` carries the
    photon term as :math:`s\chi N\cos(\Delta\phi/2)/\Delta_c` and a
    :math:`(1-2u/\Delta_c)` z part; in our normalisation the photon at
    :math:`a(0) = a_{eq}(0)` (:math:`\alpha_{eq} = -\cos(\Delta\phi_0/2)/\sqrt{\Delta_c}`)
    contributes :math:`2\,\mathrm{Re}\,\alpha_{eq}/\sqrt{\Delta_c}
    = -2\cos(\Delta\phi_0/2)/\Delta_c` to :math:`\ell_x` (twice the supplement's term), and the arctanh arguments are
    :math:`W/(4(u\mp\varepsilon_0/2))` rather than :math:`(W\mp2\varepsilon_0)/4u`.

    Parameters
    ----------
    u : complex or array_like
        Spectral parameter(s), units of :math:`\chi N`; off the boxes on the real axis.
    model : Model or TwoBox
        A homogeneous two-box model with ``kappa = 0`` (its ``n_atoms`` plays no role),
        or the :class:`~cavity_bcs.TwoBox` density itself with ``delta_c``
        (see :func:`continuum_system`).
    adiabatic : bool
        Spin-only model.
    delta_phi0 : float
        Phase offset between the bands, radians.
    photon : "vacuum", "equilibrium" or complex
        :math:`\alpha(0)` as in :func:`~cavity_bcs.x_polarized`
        (``"equilibrium"``: :math:`\alpha_{eq}(0) = -\cos(\Delta\phi_0/2)/\sqrt{\Delta_c}`).
    delta_c : float, optional
        Only with a :class:`~cavity_bcs.TwoBox`: the detuning, units of :math:`\chi N`.

    Returns
    -------
    ndarray, shape ``np.shape(u) + (3,)``, complex
    """
    data = _initial_data(model, adiabatic, delta_phi0, photon, delta_c)
    return _vector_from_data(check.numeric_array("u", u), data)


def _vector_from_data(u, data: InitialLaxData) -> np.ndarray:
    e, W, dc, ch, sh, px, py, adiabatic = data._params()
    u = np.asarray(u, dtype=complex)
    flat = u.ravel()
    out = np.empty(flat.shape + (3,), dtype=complex)
    for k, uk in enumerate(flat):
        lx, ly, lz, _, _, _ = _ell(complex(uk), e, W, dc, ch, sh, px, py, adiabatic)
        out[k] = (lx, ly, lz)
    return out.reshape(u.shape + (3,))


def lax_squared_continuum(u, model, adiabatic: bool = False, delta_phi0: float = 0.0,
                          photon="vacuum", *, delta_c=None):
    r""":math:`\ell^2(u)` of :func:`lax_vector_continuum` (no complex conjugation)."""
    vec = lax_vector_continuum(u, model, adiabatic, delta_phi0, photon, delta_c=delta_c)
    out = np.sum(vec * vec, axis=-1)
    return out if out.ndim else complex(out)
