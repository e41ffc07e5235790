r"""Mean-field equilibrium: stationary states, the gap equation, temperature, and the supplement's Eq. 15."""
from .stationary import *  # noqa: F401,F403
from .stationary import __all__  # noqa: F401
