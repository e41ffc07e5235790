r"""Symbolic derivations with sympy: operators, Heisenberg–Lindblad equations, mean field,
adiabatic elimination, conservation laws and the Lax vector.

Not imported by ``import cavity_bcs`` (sympy is slow to import); ``cavity_bcs.derivation``
and ``cavity_bcs.symbolic`` load it on first use. The tests prove that every numba
kernel integrates the equations derived here.
"""
from .derivation import *  # noqa: F401,F403
from .derivation import __all__  # noqa: F401
