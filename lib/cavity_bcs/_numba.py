"""One place that decides how numba compiles the private kernels.

Set ``CAVITY_BCS_NUMBA_CACHE=0`` to switch the on-disk cache off (useful when
debugging a kernel); everything else in the package imports :data:`njit`
from here so that the choice is made once.

Where the cache goes. numba stores compiled kernels beside the source (a
``__pycache__`` in the package) or, when that is read-only, in the user's cache
directory (``~/.cache/numba``); with neither writable it refuses to import at all
("no locator available"). A read-only install without a writable home (a container,
a shared cluster image) therefore falls back to a directory of its own under the
system's temporary directory, and says so; if even that fails the cache is off, and
every new process compiles the kernels again (about 15 s).
"""
import os
import tempfile
import warnings
from functools import partial
from pathlib import Path

import llvmlite.binding as llvm
import numba

_PACKAGE = Path(__file__).resolve().parent


def _writable(directory: Path) -> bool:
    """True when ``directory`` exists (or can be made) and accepts a new file."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
        return True
    except OSError:
        return False


def _choose_cache() -> bool:
    if os.environ.get("CAVITY_BCS_NUMBA_CACHE", "1") == "0":
        return False
    if os.environ.get("NUMBA_CACHE_DIR"):
        return True  # the user chose; numba reports it if it is unusable
    kernel_dirs = [_PACKAGE / sub for sub in ("meanfield", "integrability", "quantum")]
    if all(_writable(d / "__pycache__") for d in kernel_dirs):
        return True
    home_cache = Path(os.path.expanduser("~")) / ".cache" / "numba"
    if _writable(home_cache):
        return True
    fallback = Path(tempfile.gettempdir()) / f"cavity_bcs-numba-cache-{os.getuid() if hasattr(os, 'getuid') else 0}"
    if _writable(fallback):
        numba.config.CACHE_DIR = str(fallback)
        warnings.warn(f"cavity_bcs: neither the package nor ~/.cache is writable; numba caches compiled kernels in "
                      f"{fallback} (set NUMBA_CACHE_DIR to choose another place)", RuntimeWarning, stacklevel=2)
        return True
    warnings.warn("cavity_bcs: no writable place for numba's cache; it is off, so every new process compiles the "
                  "kernels again (set NUMBA_CACHE_DIR to a writable directory)", RuntimeWarning, stacklevel=2)
    return False


def _drop_stale_caches() -> None:
    """numba checks only a kernel's own source file before reusing its cache, but our kernels
    inline functions from other modules (the DOP853 stages inline ``_equations.precession``):
    an edit there would leave stale machine code behind (seen as wrong results or a crash).
    So the in-package caches are keyed on all kernel sources together, and dropped when any
    of them changes."""
    dirs = [_PACKAGE / sub for sub in ("meanfield", "integrability", "quantum")]
    sources = sorted(p for d in dirs for p in d.glob("*.py")) + [Path(__file__).resolve()]
    stamp = "\n".join(f"{p.relative_to(_PACKAGE)} {p.stat().st_mtime_ns} {p.stat().st_size}" for p in sources)
    record = _PACKAGE / "__pycache__" / "numba-sources.txt"
    try:
        if record.exists() and record.read_text() == stamp:
            return
        for d in dirs:
            for cached in list((d / "__pycache__").glob("*.nb[ic]")):
                cached.unlink(missing_ok=True)
        record.parent.mkdir(exist_ok=True)
        record.write_text(stamp)
    except OSError:  # a read-only install is never edited in place
        pass


CACHE = _choose_cache()
if CACHE:
    _drop_stale_caches()

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
