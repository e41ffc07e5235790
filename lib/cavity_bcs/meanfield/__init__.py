r"""Mean-field dynamics: states, the equations and their integrators, quenches, sweeps, the photon drive.

* :mod:`.states` — Bloch vectors and the photon (:class:`State`, :func:`x_polarized`);
* :mod:`._equations` — the physics primitives the kernels share (private), and
  :mod:`.equations` — the right-hand side as a public function;
* :mod:`._engine` — the one entry point that chooses and runs an integrator (private),
  :mod:`._taylor` and :mod:`._dop853` — the two integrators (private);
* :mod:`.quench` — :func:`quench` and its :class:`QuenchResult`;
* :mod:`.sweep` — many quenches on a parameter grid;
* :mod:`.drive` — the late-time photon read as a drive (the mechanism of the resonance);
* :mod:`.diagnostics` — the late-time signature and spectral lines of a quench.
"""
from ._engine import IntegrationError
from .diagnostics import EXPECTED_SIGNATURE, quench_signature, spectral_lines
from .drive import PhotonDrive, drive_coherence, drive_frame, photon_drive
from .equations import pack_state, time_derivative, unpack_state
from .quench import QuenchResult, quench
from .states import PHOTON_CHOICES, State, photon_equilibrium, resolve_photon, x_polarized
from .sweep import OBSERVABLES, SweepResult, quench_observables, sweep

__all__ = ["State", "x_polarized", "photon_equilibrium", "resolve_photon", "PHOTON_CHOICES",
           "IntegrationError", "QuenchResult", "quench", "SweepResult", "sweep", "OBSERVABLES",
           "quench_observables", "PhotonDrive", "photon_drive", "drive_coherence", "drive_frame", "EXPECTED_SIGNATURE",
           "quench_signature", "spectral_lines", "pack_state", "unpack_state", "time_derivative"]
