"""Benchmark: truncated-Wigner sampling, 1000 trajectories x 200 atoms x T = 20/(chi*N).

Fig. 1 parameters at resonance: eps0 = 6, W = 8, Delta_c = 6 (units of chi*N).
Every trajectory is integrated by the library's mean-field kernel (here the
energy-moment Taylor series) at the TWA default tolerance (rtol = 1e-8), 201 saved times; the
trajectories are shared over a thread pool. Target: <= 60 s on 2 cores.

Run:  python benchmarks/bench_twa.py [workers]
This is a report, not a test: timings depend on the machine and its load.
"""
import sys
import time

import cavity_bcs as cb
from cavity_bcs.quantum.twa import twa_quench

MODEL = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=200)
T_FINAL = 20.0
N_SAMPLES = 1000


def main():
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    twa_quench(MODEL, 0.1, n_samples=2, n_save=2, seed=0)  # compile / load the numba cache
    start = time.perf_counter()
    result = twa_quench(MODEL, T_FINAL, n_samples=N_SAMPLES, n_save=201, seed=1, workers=workers)
    elapsed = time.perf_counter() - start
    start = time.perf_counter()
    cb.quench(MODEL, T_FINAL, n_save=201)
    single = time.perf_counter() - start
    print(f"{N_SAMPLES} TWA trajectories x {MODEL.n_atoms} atoms x T = {T_FINAL:g}/chiN "
          f"on {workers} worker(s): {elapsed:.2f} s ({1e3 * elapsed / N_SAMPLES:.2f} ms per trajectory)")
    print(f"one mean-field quench (rtol 1e-10) for comparison: {1e3 * single:.1f} ms")
    late = result.t >= 10.0
    print(f"time-averaged |S+| over t in [10, 20]: {result.coherence[late].mean():.4f} "
          f"+- {result.coherence_err[late].mean():.4f} (statistical)")
    print("target <= 60 s:", "met" if elapsed <= 60.0 else "MISSED")


if __name__ == "__main__":
    main()
