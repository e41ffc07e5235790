"""Benchmark: what the output grid costs the DOP853 path (cosine couplings, or atomic decay).

Reports (it does not test) the steps and time of one 800-atom quench to t = 100/chiN with
cosine couplings at several tolerances for n_save = 11 and 20001, and the time of a 48-point
Fig. 1 sweep on the DOP853 path (a small atomic decay, gamma = 1e-3 chiN, keeps the Taylor
series out) at the sweep's default n_save = 2001.

Run:  python benchmarks/bench_dense_output.py
"""
import os
import time

import numpy as np

import cavity_bcs as cb


def steps_against_n_save():
    m = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=800,
                 coupling_profile=cb.cosine_profile(800))
    cb.quench(m, 1.0, n_save=2)  # compile outside the timing
    for rtol in (1e-5, 1e-7, 1e-9, 1e-10):
        row = []
        for n_save in (11, 2001, 20001):
            best = np.inf
            for _ in range(3):
                t0 = time.perf_counter()
                r = cb.quench(m, 100.0, n_save=n_save, rtol=rtol)
                best = min(best, time.perf_counter() - t0)
            row.append(f"n_save={n_save}: {r.n_steps} steps {best * 1e3:.1f} ms")
        print(f"cosine couplings, 800 atoms, rtol={rtol:.0e}: " + "; ".join(row))


def sweep_time():
    base = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=800, gamma=1e-3)
    detunings = np.geomspace(0.1, 100.0, 48)
    cb.quench(base, 1.0, n_save=2)
    best = np.inf
    for _ in range(2):
        t0 = time.perf_counter()
        res = cb.sweep(base, {"delta_c": detunings}, 100.0, progress=False)
        best = min(best, time.perf_counter() - t0)
    peak = detunings[np.argmax(res["coherence_avg"])]
    print(f"Fig. 1 sweep on the DOP853 path (gamma = 1e-3), 48 quenches x 800 atoms x t=100, n_save = 2001, "
          f"{os.cpu_count()} cores: {best:.2f} s (maximum at Delta_c = {peak:.2f}, "
          f"coherence_avg there {res['coherence_avg'].max():.6f})")


if __name__ == "__main__":
    steps_against_n_save()
    sweep_time()
