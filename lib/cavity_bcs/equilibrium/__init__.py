r"""Mean-field equilibrium: stationary states, the gap equation, temperature, and the supplement's Eq. 15.

Modules:

* ``_spectrum``: averages :math:`\frac{1}{2N}\sum_i F(\varepsilon_i)` over a finite model or the two-box continuum
* ``stationary``: the solver (one :class:`SpinRule` at a time), :class:`Equilibrium`, ground, normal and thermal
  states, :math:`T_c`
* ``erratum``: the supplement's printed Eq. 15 as a spin rule, :func:`paper_branch`
* ``extremum``: brute-force constrained extremisation of :math:`\langle H\rangle/N` (independent check)
* ``scans``: band structure, the :math:`\mu = 0` phase diagram, branches against :math:`\Delta_c`
"""
from .erratum import *  # noqa: F403
from .erratum import __all__ as _erratum_all
from .extremum import *  # noqa: F403
from .extremum import __all__ as _extremum_all
from .scans import *  # noqa: F403
from .scans import __all__ as _scans_all
from .stationary import *  # noqa: F403
from .stationary import __all__ as _stationary_all

__all__ = [*_stationary_all, *_erratum_all, *_extremum_all, *_scans_all]
