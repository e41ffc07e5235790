r"""Coherent-drive preparation: the state a drive through the cavity leaves behind, built or simulated.

The paper starts Fig. 3 (bottom) from the state a coherent drive through the
cavity leaves behind: every spin in the equator with
:math:`\mathrm{sgn}\langle\sigma^x_i\rangle = \mathrm{sgn}\,g_i` (so that all atoms
radiate into the cavity in phase) and photons in the cavity whose number scales
as :math:`1/\Delta_c`. :func:`drive_state` builds it directly: spins
:math:`\vec\sigma_i = \mathrm{sgn}(f_i)\hat x` and the cavity field in equilibrium
with them, :math:`\alpha = \alpha_{eq} = -\sqrt{\Delta_c}\,\overline{|f|}/(\Delta_c -
i\kappa/2)` per :math:`\sqrt N` (with :math:`\overline{|f|} = (1/2N)\sum|f_i|`),
hence :math:`\langle a^\dagger a\rangle/N = \overline{|f|}^2\Delta_c/(\Delta_c^2 +
\kappa^2/4)\approx\overline{|f|}^2/\Delta_c` in units of :math:`\chi N`.

:func:`simulate_drive` produces that state from the atomic ground state and an
empty cavity by an explicit mean-field simulation of a chirped drive through the
cavity, with the engineered fields :math:`\varepsilon_i` still off (they are
switched on by the quench). In the frame of the drive, whose frequency sits
:math:`\delta(t)` above the atomic one, the equations are those of the model with
:math:`\varepsilon_i\to-\delta/2`, :math:`\Delta_c\to\Delta_c-\delta` and a drive
term :math:`\dot\alpha \mathrel{+}= -i\eta(t)`. The drive is switched on
far below the atoms (:math:`\delta = -\delta_0`, where the ground state is the
spins' low-energy state in their field), brought to resonance
(:math:`\delta\to0`) and switched off. Each spin follows its field adiabatically
into the equator, on the side :math:`\mathrm{sgn}\,g_i` whatever :math:`|g_i|`,
and as the drive fades the cavity field turns into the field the atoms
themselves radiate, :math:`\alpha_{eq}`. Atoms with :math:`|f_i|` so small that
their Rabi frequency is below the sweep rate do not follow; they hardly couple to
the cavity either.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import _validate as check
from ..meanfield import _engine
from ..meanfield._equations import pack, physics, unpack_photon, unpack_spins
from ..meanfield.states import State, photon_equilibrium
from ..model import Model

__all__ = ["drive_state", "DrivePreparation", "simulate_drive"]


def drive_state(model: Model) -> State:
    r"""The state a coherent drive through the cavity prepares (built directly).

    Spins :math:`\vec\sigma_i = \mathrm{sgn}(f_i)\,\hat x` (atoms with :math:`f_i = 0`
    along :math:`+\hat x`), photon :math:`\alpha_{eq}` of these spins
    (:func:`~cavity_bcs.photon_equilibrium`), so
    :math:`\langle a^\dagger a\rangle/N = \overline{|f|}^2\Delta_c/(\Delta_c^2+\kappa^2/4)`.
    For homogeneous couplings this is ``x_polarized(model, photon="equilibrium")``.
    """
    check.instance("model", model, Model)
    spins = np.zeros((model.n_atoms, 3))
    spins[:, 0] = np.where(model.couplings < 0, -1.0, 1.0)
    return State(spins, photon_equilibrium(model, spins))


@dataclass(frozen=True, eq=False)
class DrivePreparation:
    r"""Result of :func:`simulate_drive`.

    Attributes
    ----------
    state : State
        The prepared state at the end of the drive, rotated about :math:`z` so that
        the photon phase matches :func:`drive_state` (a global phase carries no
        physics), ready for :func:`~cavity_bcs.quench`.
    t : ndarray
        Sample times of the protocol, units of :math:`1/\chi N`.
    n_photon : ndarray
        :math:`|\alpha(t)|^2 = \langle a^\dagger a\rangle/N` during the drive.
    detuning, drive : ndarray
        :math:`\delta(t)` and :math:`\eta(t)` (units of :math:`\chi N`).
    duration : float
    """

    state: State
    t: np.ndarray
    n_photon: np.ndarray
    detuning: np.ndarray
    drive: np.ndarray
    duration: float


def _ramp(s):
    # Smooth 0 -> 1 on s in [0, 1] with zero slope at both ends.
    s = np.clip(s, 0.0, 1.0)
    return np.sin(0.5 * np.pi * s) ** 2


def simulate_drive(model: Model, duration: float = 200.0, detuning_start: float = 4.0,
                   drive_peak: float | None = None, n_save: int = 801, rtol: float = 1e-8,
                   atol: float = 1e-10, max_steps: int = 1_000_000) -> DrivePreparation:
    r"""Prepare the drive state by simulating a chirped drive through the cavity.

    Protocol (drive frame, module docstring), for :math:`0\le t\le T` = ``duration``
    and :math:`s = t/T`:

    * drive detuning :math:`\delta(t) = -\delta_0\,[1 - r(\min(2s,1))]`, from
      :math:`-\delta_0` (``detuning_start``) to resonance at :math:`t = T/2`;
    * drive amplitude :math:`\eta(t) = \eta_0\,\sin^2(\pi s)`: on, then off;

    where :math:`r` is a smooth ramp. Atoms start in the ground state
    (:math:`\langle\sigma^z_i\rangle = -1`), the cavity empty, the fields
    :math:`\varepsilon_i` off. The model's :math:`\kappa`, :math:`\gamma` and
    dephasing act throughout.

    Parameters
    ----------
    model : Model
        Supplies :math:`\Delta_c`, :math:`f_i`, :math:`\kappa`, :math:`\gamma` (units
        of :math:`\chi N`); its :math:`\varepsilon_i` are not used here.
    duration : float
        :math:`T`, units of :math:`1/\chi N`; longer is more adiabatic.
    detuning_start : float
        :math:`\delta_0 > 0`, units of :math:`\chi N`.
    drive_peak : float, optional
        :math:`\eta_0` (units of :math:`\chi N`); default
        :math:`\Delta_c\,|\alpha_{eq}|` of the target state, i.e. a drive that alone
        would hold the cavity near the target field.
    n_save : int
        Saved times of the protocol (``>= 2``).
    rtol, atol : float
        Tolerances of the DOP853 integration (at most ``1e-2``).
    max_steps : int
        Limit on integrator steps; beyond it an :class:`~cavity_bcs.IntegrationError` says so.
    """
    check.instance("model", model, Model)
    duration = check.positive("duration", duration)
    detuning_start = check.positive("detuning_start", detuning_start)
    target = drive_state(model)
    if drive_peak is None:
        drive_peak = model.delta_c * abs(target.photon)
    drive_peak = check.positive("drive_peak", drive_peak)
    max_steps = check.integer("max_steps", max_steps, minimum=1)
    n_save = check.integer("n_save", n_save, minimum=2)
    rtol = check.rtol(rtol)
    atol = check.atol(atol)
    n = model.n_atoms
    check.memory("simulate_drive", 8.0 * n_save * (3 * n + 10), f"n_save = {n_save} saved times x n_atoms = {n}")
    # the fields eps_i are off; the cavity, the losses, the chirp and the Rabi frequency of the drive set the pace
    g_max = model.g_collective * float(np.max(np.abs(model.couplings)))
    omega = max(model.delta_c, g_max, model.kappa, model.gamma, model.dephasing, detuning_start,
                g_max * drive_peak / model.delta_c)
    check.steps("drive simulation", duration, omega, max_steps, " (delta_c, the couplings, detuning_start or "
                "drive_peak)", time_name="duration")

    def detuning(t):
        return -detuning_start * (1.0 - _ramp(2.0 * t / duration))

    def drive(t):
        return drive_peak * np.sin(np.pi * np.clip(t / duration, 0.0, 1.0)) ** 2

    spins0 = np.zeros((n, 3))
    spins0[:, 2] = -1.0
    t = np.linspace(0.0, duration, n_save)
    # The fields eps_i are off during the preparation: zeros, shifted by -delta/2 in the drive frame.
    sol = _engine.integrate(
        pack(spins0, 0j), t,
        physics(np.zeros(n), model.couplings, np.ones(n), model.g_collective, model.delta_c, model.kappa,
                model.gamma, model.dephasing, False, 1.0 / model.n_pairs),
        rtol=rtol, atol=atol, max_steps=max_steps, save_state=False, what="drive simulation",
        drive=_engine.Drive(detuning, drive))
    alpha = complex(unpack_photon(sol.y_final))
    spins = unpack_spins(sol.y_final)
    # Rotate about z so that alpha has the phase of the target photon.
    phi = np.angle(target.photon) - np.angle(alpha) if alpha != 0 else 0.0
    # alpha -> alpha e^{i phi} corresponds to s_i -> s_i e^{i phi}, i.e. (x - i y) rotated by +phi,
    # which is a rotation of (x, y) by -phi.
    c, s = np.cos(phi), np.sin(phi)
    x = c * spins[:, 0] + s * spins[:, 1]
    yy = -s * spins[:, 0] + c * spins[:, 1]
    spins = np.stack([x, yy, spins[:, 2]], axis=1)
    state = State._integrated(spins, alpha * np.exp(1j * phi))
    return DrivePreparation(state=state, t=t, n_photon=sol.obs[4].copy(), detuning=detuning(t), drive=drive(t),
                            duration=duration)
