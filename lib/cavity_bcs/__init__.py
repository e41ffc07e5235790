"""cavity_bcs: mean-field, integrability and equilibrium tools for the cavity-QED
simulator of BCS superfluidity with dynamical photons.

Units throughout: energies and rates in chi*N, times in 1/(chi*N), with
chi = g^2/Delta_c and N half the number of atoms. See :mod:`cavity_bcs.model`.
"""
from .model import Model, two_box_density, two_box_energies
from .states import State, photon_equilibrium, x_polarized
from .dynamics import IntegrationError, QuenchResult, quench, time_average
from .sweep import SweepResult, sweep
from .drive import PhotonDrive, drive_coherence, photon_drive
from .equilibrium import Equilibrium, ground_state, stationary_states, thermal_state, critical_temperature
from .lax import (DynamicalPhase, PhaseDiagram, dynamical_phase, lax_squared, lax_squared_continuum,
                  lax_vector, phase_diagram)
from .exact import (ExactResult, TruncationWarning, exact_master_equation, exact_quench, hilbert_dimension,
                    sector_spectrum)
from .twa import TWAResult, sample_initial, twa_quench
from .units import STRONTIUM, LabParameters, pairs_for_kappa_ratio
from .experiment import (CoarseModel, CoarseResult, DrivePreparation, coarse_grain, coarse_quench,
                         cosine_profile, coupling_profile, drive_state, simulate_drive)
from . import analytic, claims, derivation, equilibrium, exact, experiment, lax, plotting, twa, units

__all__ = [
    "Model", "two_box_density", "two_box_energies",
    "State", "photon_equilibrium", "x_polarized",
    "IntegrationError", "QuenchResult", "quench", "time_average",
    "SweepResult", "sweep",
    "PhotonDrive", "drive_coherence", "photon_drive",
    "Equilibrium", "ground_state", "stationary_states", "thermal_state", "critical_temperature",
    "DynamicalPhase", "PhaseDiagram", "dynamical_phase", "lax_squared", "lax_squared_continuum",
    "lax_vector", "phase_diagram",
    "ExactResult", "TruncationWarning", "exact_master_equation", "exact_quench", "hilbert_dimension",
    "sector_spectrum",
    "TWAResult", "sample_initial", "twa_quench",
    "STRONTIUM", "LabParameters", "pairs_for_kappa_ratio",
    "CoarseModel", "CoarseResult", "DrivePreparation", "coarse_grain", "coarse_quench",
    "cosine_profile", "coupling_profile", "drive_state", "simulate_drive",
    "analytic", "claims", "derivation", "equilibrium", "exact", "experiment", "lax", "plotting", "twa", "units",
]

__version__ = "0.1.0"
