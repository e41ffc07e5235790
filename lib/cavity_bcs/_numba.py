"""One place that decides how numba compiles the private kernels.

Set ``CAVITY_BCS_NUMBA_CACHE=0`` to switch the on-disk cache off (useful when
debugging a kernel); everything else in the package imports :data:`njit`
from here so that the choice is made once.
"""
import os
from functools import partial

import llvmlite.binding as llvm
import numba

CACHE = os.environ.get("CAVITY_BCS_NUMBA_CACHE", "1") != "0"

# Numba cannot mark array arguments as non-aliasing, so LLVM vectorises a loop
# only after runtime checks that its arrays do not overlap. A fused DOP853 stage
# reads up to eleven arrays and writes one or two, more pairs than LLVM's default
# budget of checks (128 in cost units), and the loop would stay scalar: about 1.7x
# slower per step (measured, tools/generate_dop853.py). Raising the budget only
# allows more loops to vectorise; it changes no result.
llvm.set_option("", "--vectorize-memory-check-threshold=1024")

#: ``numba.njit`` with the package's defaults: cached, GIL released (so a thread
#: pool can run several quenches at once), no fast-math (we need IEEE round-off
#: to test conservation laws to 1e-12).
njit = partial(numba.njit, cache=CACHE, nogil=True)
