"""cavity_bcs: mean-field, integrability, equilibrium and beyond-mean-field tools for the
cavity-QED simulator of BCS superfluidity with dynamical photons.

Units throughout: energies and rates in chi*N, times in 1/(chi*N), with
chi = g^2/Delta_c and N half the number of atoms. See :mod:`cavity_bcs.model`.

The public API is flat (every name below imports from ``cavity_bcs``); the package
tree is ordered by the physics: ``meanfield``, ``integrability``, ``equilibrium``,
``experiment``, ``quantum``, ``symbolic`` (sympy) and ``paper`` (the claims registry).
The last two are loaded on first use only: ``import cavity_bcs`` imports neither
sympy nor the claims.
"""
import importlib
from importlib.metadata import PackageNotFoundError, version

from . import analytic, equilibrium, experiment, integrability, meanfield, quantum, results
from .density import TwoBox, two_box_density, two_box_energies
from .equilibrium import Equilibrium, critical_temperature, ground_state, stationary_states, thermal_state
from .experiment import (
    STRONTIUM,
    CoarseModel,
    CoarseResult,
    DrivePreparation,
    LabParameters,
    coarse_grain,
    coarse_quench,
    cosine_profile,
    coupling_profile,
    drive_state,
    pairs_for_kappa_ratio,
    simulate_drive,
    units,
)
from .integrability import (
    DrivePrediction,
    DynamicalPhase,
    PhaseCut,
    PhaseDiagram,
    dynamical_phase,
    lax_squared,
    lax_squared_continuum,
    lax_vector,
    phase_cut,
    phase_diagram,
    resonant_detuning,
    root_drive_coherence,
)
from .meanfield import (
    IntegrationError,
    PhotonDrive,
    QuenchResult,
    State,
    SweepResult,
    drive_coherence,
    drive_frame,
    photon_drive,
    photon_equilibrium,
    quench,
    sweep,
    x_polarized,
)
from .model import Model
from .quantum import (
    CumulantResult,
    ExactResult,
    TruncationWarning,
    TWAResult,
    cumulant_quench,
    exact,
    exact_master_equation,
    exact_quench,
    hilbert_dimension,
    sample_initial,
    sector_spectrum,
    twa,
    twa_quench,
)
from .results import time_average

#: Module names kept from the flat layout, now subpackages (same functions, same meaning).
lax = integrability

# Loaded on first attribute access: sympy takes a second to import, matplotlib half
# a second, and the claims registry is for the book and the tests, not for a
# physicist's script.
_LAZY = {"claims": "cavity_bcs.paper", "paper": "cavity_bcs.paper", "plotting": "cavity_bcs.plotting",
         "derivation": "cavity_bcs.symbolic", "symbolic": "cavity_bcs.symbolic"}


#: The optional dependency each lazy module needs, and the extra of ``pip install`` that brings it.
_EXTRAS = {"matplotlib": "plot", "sympy": "symbolic"}


def __getattr__(name):
    if name in _LAZY:
        try:
            module = importlib.import_module(_LAZY[name])
        except ModuleNotFoundError as exc:
            if exc.name not in _EXTRAS:
                raise
            raise ModuleNotFoundError(f"cavity_bcs.{name} needs {exc.name}, which is not installed: "
                                      f"pip install 'cavity-bcs[{_EXTRAS[exc.name]}]'", name=exc.name) from exc
        globals()[name] = module
        return module
    raise AttributeError(f"module 'cavity_bcs' has no attribute {name!r}")


__all__ = [
    "Model", "TwoBox", "two_box_density", "two_box_energies",
    "State", "photon_equilibrium", "x_polarized",
    "IntegrationError", "QuenchResult", "quench", "time_average",
    "SweepResult", "sweep",
    "PhotonDrive", "drive_coherence", "drive_frame", "photon_drive",
    "Equilibrium", "ground_state", "stationary_states", "thermal_state", "critical_temperature",
    "DynamicalPhase", "PhaseDiagram", "dynamical_phase", "lax_squared", "lax_squared_continuum",
    "lax_vector", "phase_diagram", "PhaseCut", "phase_cut", "DrivePrediction", "root_drive_coherence", "resonant_detuning",
    "ExactResult", "TruncationWarning", "exact_master_equation", "exact_quench", "hilbert_dimension",
    "sector_spectrum",
    "TWAResult", "sample_initial", "twa_quench", "CumulantResult", "cumulant_quench",
    "STRONTIUM", "LabParameters", "pairs_for_kappa_ratio",
    "CoarseModel", "CoarseResult", "DrivePreparation", "coarse_grain", "coarse_quench",
    "cosine_profile", "coupling_profile", "drive_state", "simulate_drive",
    "analytic", "claims", "derivation", "equilibrium", "exact", "experiment", "lax", "plotting", "twa", "units",
    "meanfield", "integrability", "quantum", "results", "symbolic", "paper",
]

try:
    __version__ = version("cavity-bcs")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"
