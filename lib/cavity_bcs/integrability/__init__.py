r"""Integrability of the homogeneous model: the Lax vector and what its roots say.

* :mod:`.lax` — the finite-:math:`N` Lax vector :math:`\vec\ell(u)` and its conserved square;
* :mod:`.continuum` — its :math:`N\to\infty` form for the x-polarised quench states;
* :mod:`.roots` — counting (argument principle) and locating the isolated roots,
  and the finite-:math:`N` spectral polynomial;
* :mod:`.phases` — the dynamical phase of a quench and phase diagrams on a grid;
* :mod:`.resonance` — the late-time coherence predicted from the photon root, and the
  detuning where it is largest (the resonance condition).
"""
from .continuum import InitialLaxData, continuum_system, lax_squared_continuum, lax_vector_continuum
from .lax import lax_squared, lax_vector
from .phases import (
    MAX_PAIRS,
    DynamicalPhase,
    PhaseCut,
    PhaseDiagram,
    dynamical_phase,
    phase_cut,
    phase_diagram,
    photon_oscillation,
)
from .resonance import DrivePrediction, resonant_detuning, root_drive_coherence
from .roots import RootCount, count_isolated_roots, finite_n_roots, isolated_roots

__all__ = ["lax_vector", "lax_squared", "InitialLaxData", "continuum_system", "lax_vector_continuum",
           "lax_squared_continuum", "RootCount", "count_isolated_roots", "isolated_roots", "finite_n_roots",
           "MAX_PAIRS", "DynamicalPhase", "dynamical_phase", "photon_oscillation", "PhaseDiagram",
           "phase_diagram", "PhaseCut", "phase_cut", "DrivePrediction", "root_drive_coherence", "resonant_detuning"]
