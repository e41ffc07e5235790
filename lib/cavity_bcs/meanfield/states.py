r"""Initial mean-field states for quenches.

A mean-field state is a Bloch vector :math:`(\langle\sigma^x_i\rangle,
\langle\sigma^y_i\rangle, \langle\sigma^z_i\rangle)` per atom plus the coherent
photon amplitude, stored per atom as :math:`\alpha = \langle a\rangle/\sqrt N`.
With :math:`s_i = \langle\sigma^-_i\rangle = (x_i - i y_i)/2`, the coherence is
:math:`S^+ = (1/N)\sum_i \langle\sigma^+_i\rangle`, equal to 1 when every spin
points along :math:`+x`.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .. import _validate as check
from ..model import Model

__all__ = ["State", "x_polarized", "photon_equilibrium", "resolve_photon", "PHOTON_CHOICES"]

#: The named initial photons every function with a ``photon=`` argument accepts
#: (besides a complex :math:`\langle a\rangle/\sqrt N`).
PHOTON_CHOICES = ("vacuum", "equilibrium")

#: Largest initial photon amplitude |<a>|/sqrt(N) accepted anywhere.
PHOTON_MAX = 1e100

#: Allowance above unit length for Bloch vectors given to :class:`State` (round-off
#: of a state computed elsewhere, e.g. a normalised product of trigonometric functions).
BLOCH_SLACK = 1e-9


@dataclass(frozen=True, eq=False)
class State:
    r"""A mean-field state: Bloch vectors and the photon amplitude.

    Attributes
    ----------
    spins : ndarray, shape (n_atoms, 3)
        :math:`(\langle\sigma^x_i\rangle, \langle\sigma^y_i\rangle, \langle\sigma^z_i\rangle)`;
        pure states have unit length, mixed ones shorter; a longer Bloch vector is
        unphysical and refused (beyond a round-off allowance of ``BLOCH_SLACK``).
    photon : complex
        :math:`\langle a\rangle/\sqrt N` (dimensionless).
    """

    spins: np.ndarray
    photon: complex = 0.0

    def __post_init__(self):
        spins = check.finite_array("spins", self.spins)
        if spins.ndim != 2 or spins.shape[1] != 3 or spins.shape[0] < 1:
            raise ValueError(f"spins must have shape (n_atoms, 3), got {spins.shape}")
        length = np.sqrt(np.max(np.sum(spins * spins, axis=1)))
        if length > 1.0 + BLOCH_SLACK:
            raise ValueError(f"spins must be Bloch vectors of length <= 1, got one of length {length:.6g}")
        object.__setattr__(self, "spins", spins)
        object.__setattr__(self, "photon", resolve_photon(self.photon))

    @classmethod
    def _integrated(cls, spins, photon) -> State:
        """A state produced by an integration: lengths drift by the tolerance (at most rtol), so
        only finiteness is required — the result of a loose-tolerance run can still be continued."""
        state = object.__new__(cls)
        spins = check.finite_array("spins", spins)
        object.__setattr__(state, "spins", spins)
        object.__setattr__(state, "photon", resolve_photon(photon))
        return state

    @property
    def s_minus(self) -> np.ndarray:
        r""":math:`s_i = \langle\sigma^-_i\rangle = (x_i - i y_i)/2`."""
        return 0.5 * (self.spins[:, 0] - 1j * self.spins[:, 1])

    @property
    def s_plus(self) -> complex:
        r""":math:`S^+ = (1/N)\sum_i\langle\sigma^+_i\rangle`."""
        n_pairs = self.spins.shape[0] // 2
        return complex(np.sum(np.conj(self.s_minus)) / n_pairs)


def photon_equilibrium(model: Model, spins) -> complex:
    r"""The adiabatic photon :math:`\alpha_{eq} = \langle a\rangle_{eq}/\sqrt N`.

    Setting :math:`\dot a = 0` in :math:`\dot a = -i\Delta_c a - i\sum_i g_i s_i
    - (\kappa/2) a` gives :math:`a_{eq} = -\sum_i g_i s_i/(\Delta_c - i\kappa/2)`;
    per :math:`\sqrt N` and in units of :math:`\chi N`,
    :math:`\alpha_{eq} = -\sqrt{\Delta_c}\,(1/N)\sum_i f_i s_i/(\Delta_c - i\kappa/2)`.
    For all spins along :math:`+x` this is :math:`-1/\sqrt{\Delta_c}`, i.e.
    :math:`a_{eq} = -gN/\Delta_c`.
    """
    check.instance("model", model, Model)
    spins = check.finite_array("spins", spins, shape=(model.n_atoms, 3))
    s = 0.5 * (spins[:, 0] - 1j * spins[:, 1])
    s_f = np.sum(model.couplings * s) / model.n_pairs
    return complex(-model.g_collective * s_f / (model.delta_c - 0.5j * model.kappa))


def resolve_photon(photon, model: Model | None = None, spins=None) -> complex:
    r"""The one reading of a ``photon=`` argument, shared by every public function.

    ``"vacuum"`` is :math:`\langle a\rangle = 0`; ``"equilibrium"`` the adiabatic photon
    :math:`\alpha_{eq}` of ``spins`` (:func:`photon_equilibrium`; needs ``model`` and
    ``spins``); a real or complex number is :math:`\alpha = \langle a\rangle/\sqrt N`
    itself (finite). Anything else raises ``TypeError`` (wrong type) or ``ValueError``.
    """
    if isinstance(photon, str):
        if photon == "vacuum":
            return 0j
        if photon == "equilibrium":
            if model is None or spins is None:
                raise ValueError("photon='equilibrium' needs the spins it is in equilibrium with")
            return photon_equilibrium(model, spins)
        raise ValueError(f"photon must be one of {PHOTON_CHOICES} or a complex number, got {photon!r}")
    if isinstance(photon, bool) or not isinstance(photon, numbers.Number):
        raise TypeError(f"photon must be one of {PHOTON_CHOICES} or a complex number, "
                        f"got {type(photon).__name__} {photon!r}")
    # |alpha|^2 is the photon number per N: beyond this its square overflows the energy
    return check.complex_number("photon", photon, max_abs=PHOTON_MAX)


def x_polarized(model: Model, delta_phi0: float = 0.0, photon="vacuum") -> State:
    r"""Every spin in the equator, the two bands at azimuths :math:`\pm\Delta\phi_0/2`.

    Atoms :math:`1\dots N` (upper band) point along
    :math:`\hat x\cos(\Delta\phi_0/2) + \hat y\sin(\Delta\phi_0/2)`, atoms
    :math:`N+1\dots 2N` along :math:`\hat x\cos(\Delta\phi_0/2) - \hat y\sin(\Delta\phi_0/2)`.
    ``delta_phi0 = 0`` is the quench state of Figs 1, 2 and 5.

    Parameters
    ----------
    model : Model
    delta_phi0 : float
        Phase offset :math:`\Delta\phi_0` between the bands, radians.
    photon : "vacuum", "equilibrium" or complex
        ``"vacuum"``: :math:`\langle a\rangle = 0`; ``"equilibrium"``:
        :math:`\langle a\rangle = a_{eq}(0)` (Fig. 4); a number: that value of
        :math:`\langle a\rangle/\sqrt N`.
    """
    check.instance("model", model, Model)
    delta_phi0 = check.finite("delta_phi0", delta_phi0)
    n_pairs = model.n_pairs
    half = 0.5 * delta_phi0
    spins = np.zeros((model.n_atoms, 3))
    spins[:, 0] = np.cos(half)
    spins[:n_pairs, 1] = np.sin(half)
    spins[n_pairs:, 1] = -np.sin(half)
    return State(spins, resolve_photon(photon, model, spins))
