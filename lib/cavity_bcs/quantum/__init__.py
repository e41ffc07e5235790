r"""Beyond mean field: exact dynamics and the master equation for small systems, truncated-Wigner sampling.

* :mod:`.exact` — exact unitary dynamics in excitation sectors (and Dicke bases), the
  Lindblad master equation for the smallest systems;
* :mod:`.twa` — truncated-Wigner sampling of the quench (photon-loss vacuum noise, atomic
  decay and dephasing, class-collective sampling for large N);
* :mod:`.cumulants` — second-order cumulant equations by (ε, g) class.
"""
from .cumulants import CumulantResult, cumulant_quench
from .exact import (
                    ExactResult,
                    TruncationWarning,
                    exact_master_equation,
                    exact_quench,
                    hilbert_dimension,
                    sector_spectrum,
)
from .twa import TWAResult, sample_initial, twa_quench

__all__ = ["ExactResult", "TruncationWarning", "exact_quench", "exact_master_equation", "hilbert_dimension",
           "sector_spectrum", "TWAResult", "sample_initial", "twa_quench", "CumulantResult", "cumulant_quench"]
