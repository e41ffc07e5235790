"""One place that decides how numba compiles the private kernels.

Set ``CAVITY_BCS_NUMBA_CACHE=0`` to switch the on-disk cache off (useful when
debugging a kernel); everything else in the package imports :data:`njit`
from here so that the choice is made once.
"""
from functools import partial
import os

import numba

CACHE = os.environ.get("CAVITY_BCS_NUMBA_CACHE", "1") != "0"

#: ``numba.njit`` with the package's defaults: cached, GIL released (so a thread
#: pool can run several quenches at once), no fast-math (we need IEEE round-off
#: to test conservation laws to 1e-12).
njit = partial(numba.njit, cache=CACHE, nogil=True)
