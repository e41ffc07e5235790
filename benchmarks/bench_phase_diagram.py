"""Time a 200 x 200 dynamical phase diagram (Fig. 2 top parameters).

Not a test: prints the wall time of `cavity_bcs.lax.phase_diagram` on a grid of
200 detunings Delta_c/chi N in [0.1, 100] (log) x 200 bandwidths W/chi N in [0, 10],
eps0 = 6 chi N, Delta_phi0 = 0, photon in vacuum. Target: <= 60 s on 2 cores.
The first call (numba compilation, or loading the on-disk cache) is timed separately.

    python benchmarks/bench_phase_diagram.py
"""
import os
import time

import numpy as np

from cavity_bcs import lax


def main():
    t0 = time.perf_counter()
    lax.phase_diagram([1.0], [1.0], 6.0)
    t_compile = time.perf_counter() - t0
    delta_c = np.geomspace(0.1, 100.0, 200)
    W = np.linspace(0.0, 10.0, 200)
    t0 = time.perf_counter()
    diagram = lax.phase_diagram(delta_c, W, 6.0)
    elapsed = time.perf_counter() - t0
    names, counts = np.unique(diagram.phases, return_counts=True)
    print(f"cores: {os.cpu_count()}")
    print(f"first call (compile/cache load): {t_compile:.2f} s")
    print(f"200 x 200 phase diagram: {elapsed:.2f} s ({1e3 * elapsed / diagram.n_pairs.size:.3f} ms per point)")
    print("phases:", dict(zip(names.tolist(), counts.tolist())))
    print(f"all contours converged: {bool(diagram.ok.all())}")


if __name__ == "__main__":
    main()
