r"""The photon as a drive: the mechanism of the resonance (the paper's Eq. 3).

In phase I\ :sup:`+1` the late-time photon is a rotating field,
:math:`\langle a\rangle \approx A\,e^{-i\mu t}` with :math:`A` extensive (book convention: a
free photon rotates as :math:`e^{-i\Delta_c t}`, so :math:`\mu\approx\Delta_c`). In
the frame rotating with it (:func:`drive_frame`), atom :math:`i` sees the static field

.. math:: \vec h_i = (\varepsilon_i - \mu/2)\,\hat z + f_i gA\,\hat x
          \quad(\text{Pauli units: } H_i = \vec h_i\cdot\vec\sigma_i),

because its transition energy is :math:`2\varepsilon_i`: resonance is
:math:`2\varepsilon_i = \mu`. Writing :math:`\Omega = gA = G|\alpha|`
(units of :math:`\chi N`; :math:`\alpha = \langle a\rangle/\sqrt N`), two steady-state pictures follow:

* **aligned** (the paper's Eq. 3, corrected to this convention): every spin
  points along its field, :math:`\langle\sigma^x_i\rangle = \Omega/|h_i|`, so
  :math:`S^+ = \frac{1}{2N}\sum_i \Omega/\sqrt{(\varepsilon_i-\mu/2)^2+\Omega^2}`;
* **projected** (what a sudden quench produces): a spin that starts along
  :math:`+x` precesses about :math:`\vec h_i`; the precessing part dephases
  across atoms and only the projection on the field survives,
  :math:`\langle\sigma^x_i\rangle = \Omega^2/|h_i|^2`, so
  :math:`S^+ = \frac{1}{2N}\sum_i \Omega^2/[(\varepsilon_i-\mu/2)^2+\Omega^2]`.

The factor :math:`\tfrac12` is :math:`\langle\sigma^+\rangle = \langle\sigma^x\rangle/2`
in the drive frame; the source text's Eq. 3 has neither it nor the
:math:`\mu/2`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validate as check
from ..model import Model
from .quench import QuenchResult

__all__ = ["PhotonDrive", "photon_drive", "drive_coherence", "drive_frame"]


@dataclass(frozen=True)
class PhotonDrive:
    r"""Late-time photon of a quench read as a drive :math:`\langle a\rangle = A e^{-i\mu t}`.

    :math:`A = |\langle a\rangle|` is extensive (the book's notation page); the fields below
    quote it per atom, :math:`A/\sqrt N`, the photon variable of the book's units.

    Attributes
    ----------
    mu : float
        Rotation frequency :math:`\mu`, units of :math:`\chi N` (positive for
        the :math:`e^{-i\mu t}` sense of a free photon).
    amplitude : float
        :math:`A/\sqrt N = |\langle a\rangle|/\sqrt N` averaged over the window.
    rabi : float
        :math:`\Omega = gA = g\sqrt N\,(A/\sqrt N)`, units of :math:`\chi N`.
    amplitude_spread : float
        Standard deviation of :math:`|\langle a\rangle|/\sqrt N` over the window,
        relative to ``amplitude``: small when the photon really is a steady drive
        (phase I\ :sup:`+1`), large when it beats (phase II\ :sup:`+1`).
    """

    mu: float
    amplitude: float
    rabi: float
    amplitude_spread: float


def photon_drive(result: QuenchResult, t_min: float | None = None) -> PhotonDrive:
    """Fit :math:`\\mu` (mean phase-winding rate) and :math:`A` over ``t >= t_min``
    (default: the second half of the run). The saved times must resolve the
    rotation (spacing below :math:`\\pi/\\mu`)."""
    check.instance("result", result, QuenchResult)
    if result.adiabatic:
        raise ValueError("photon_drive needs a full-model quench result (adiabatic=False)")
    t_min = 0.5 * result.t[-1] if t_min is None else check.finite("t_min", t_min)
    sel = result.t >= t_min
    if np.count_nonzero(sel) < 3:
        raise ValueError(f"t_min={t_min} leaves fewer than three saved times")
    t, alpha = result.t[sel], result.photon[sel]
    phase = np.unwrap(np.angle(alpha))
    mu = -(phase[-1] - phase[0]) / (t[-1] - t[0])
    modulus = np.abs(alpha)
    amplitude = float(modulus.mean())
    spread = float(modulus.std() / amplitude) if amplitude > 0 else np.inf
    return PhotonDrive(mu=float(mu), amplitude=amplitude,
                       rabi=float(result.model.g_collective * amplitude), amplitude_spread=spread)


def drive_coherence(model: Model, mu: float, rabi: float, picture: str = "projected") -> float:
    """:math:`|S^+|` of the atoms in the static drive-frame field (module docstring).

    Parameters
    ----------
    model : Model
        Supplies :math:`\\varepsilon_i` and :math:`f_i` (each atom sees :math:`f_i\\Omega`).
    mu, rabi : float
        Drive frequency :math:`\\mu` and :math:`\\Omega = g\\sqrt N A`, units of :math:`\\chi N`.
    picture : {"projected", "aligned"}
        Quench-like dephased precession, or spins aligned with their fields
        (the paper's Eq. 3).
    """
    check.instance("model", model, Model)
    mu = check.finite("mu", mu)
    rabi = check.finite("rabi", rabi)
    picture = check.choice("picture", picture, ("projected", "aligned"))
    omega = model.couplings * rabi
    detuning = model.eps - 0.5 * mu
    # |h_i| by hypot, so that huge fields cannot overflow: cos of the field's angle to the equator
    norm = np.hypot(detuning, omega)
    cos = np.divide(np.abs(omega), norm, out=np.zeros_like(norm), where=norm > 0)
    sx = cos if picture == "aligned" else cos * cos
    return float(np.sum(sx) / (2 * model.n_pairs))


def drive_frame(result: QuenchResult) -> np.ndarray:
    r"""The saved Bloch vectors seen from the frame that turns with the photon.

    Each :math:`(\sigma^x_i, \sigma^y_i)` is rotated about :math:`z` by the angle of the
    transverse field :math:`G f_i(\mathrm{Re}\,\alpha, -\mathrm{Im}\,\alpha)` at that time
    (for :math:`f_i > 0`), so in this frame the photon's field on every atom points along
    :math:`+x`. While the photon rotates steadily at :math:`\mu` (phase I\ :sup:`+1`) the field
    is the static :math:`(f_i\Omega, 0, \varepsilon_i - \mu/2)` of the module docstring and each
    spin precesses on a cone about it; :math:`\sigma^z_i` and :math:`|\vec\sigma_i|` are unchanged.

    Parameters
    ----------
    result : QuenchResult
        A full-model quench run with ``save_states=True``.

    Returns
    -------
    ndarray, shape ``(len(result.t), n_atoms, 3)``
        Bloch vectors in the drive frame. Where the photon vanishes the angle is 0 (the lab frame).
    """
    check.instance("result", result, QuenchResult)
    if result.adiabatic:
        raise ValueError("drive_frame needs a full-model quench result (adiabatic=False)")
    if result.states is None:
        raise ValueError("drive_frame needs the saved states: run quench(..., save_states=True)")
    angle = np.arctan2(-result.photon.imag, result.photon.real)[:, None]
    c, s = np.cos(angle), np.sin(angle)
    x, y = result.states[..., 0], result.states[..., 1]
    return np.stack([c * x + s * y, -s * x + c * y, result.states[..., 2]], axis=-1)
