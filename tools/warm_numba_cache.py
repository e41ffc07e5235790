"""Compile the library's numba kernels once, so that numba's on-disk cache holds them.

A fresh process with an empty cache compiles every kernel it meets (the first default
``quench`` takes about 5 s on the 2-core development machine, the first with cosine
couplings about 15 s, against 0.14 s with a warm cache; ``benchmarks/bench_cold_start.py``).
Binder's ``postBuild`` runs this script while the image is built, so a reader's first call
in a launched notebook does not compile; run it by hand after installing the library
anywhere the first call should be fast:

    python tools/warm_numba_cache.py            # every kernel the chapters use
    python tools/warm_numba_cache.py --quick    # only the default quench (Taylor integrator)

Each call is the smallest that reaches the same compiled code as the chapters' calls
(numba compiles per argument type, not per size; a run with window statistics, as in
``sweep``, is a specialisation of its own), and the script prints how long each took. The
cache goes wherever ``cavity_bcs._numba`` decides (beside the package's sources when they
are writable, else ``~/.cache/numba``, or ``NUMBA_CACHE_DIR``).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("CAVITY_BCS_PROGRESS", "0")

import numpy as np  # noqa: E402

import cavity_bcs as cb  # noqa: E402


def _calls(quick: bool):
    model = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=200)
    yield "quench (Taylor, the default)", lambda: cb.quench(model, 20.0)
    if quick:
        return
    lossy = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=200, kappa=0.5)
    cosine = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=200, coupling_profile=cb.cosine_profile(200))
    yield "quench with cavity loss", lambda: cb.quench(lossy, 5.0)
    yield "quench, adiabatic (spin model)", lambda: cb.quench(model, 5.0, adiabatic=True)
    yield "quench, DOP853 (cosine couplings)", lambda: cb.quench(cosine, 5.0)
    yield "quench, DOP853 on request", lambda: cb.quench(model, 5.0, method="dop853")
    yield "sweep (threads)", lambda: cb.sweep(model, {"delta_c": [5.0, 7.0]}, 5.0, workers=1, progress=False)
    yield "dynamical phase (continuum Lax roots)", lambda: cb.dynamical_phase(cb.TwoBox(6.0, 8.0), delta_c=7.0)
    yield "phase diagram", lambda: cb.phase_diagram(np.array([5.0, 9.0]), np.array([4.0, 8.0]), 6.0, workers=1)
    yield "coarse-grained quench", lambda: cb.coarse_quench(cb.coarse_grain(cosine, 16, 4), 5.0)
    yield "drive preparation", lambda: cb.simulate_drive(cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=50),
                                                          duration=5.0)
    small = cb.Model(eps0=6.0, W=0.0, delta_c=7.0, n_atoms=8)
    yield "exact quench", lambda: cb.exact_quench(small, 1.0, n_save=5)
    yield "truncated Wigner", lambda: cb.twa_quench(cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=20), 1.0,
                                                    n_samples=8, n_save=5, seed=1, workers=1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="compile only what the default quench needs")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    failed = []
    for name, call in _calls(args.quick):
        t0 = time.perf_counter()
        try:
            call()
        except Exception as exc:  # keep warming the rest; say what failed and fail at the end
            failed.append(name)
            print(f"  {name}: FAILED ({type(exc).__name__}: {exc})", flush=True)
            continue
        print(f"  {name}: {time.perf_counter() - t0:.1f} s", flush=True)
    print(f"numba cache warmed in {time.perf_counter() - start:.1f} s" + (f"; failed: {failed}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
