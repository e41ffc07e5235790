"""Benchmark: the Fig. 1 sweep (48 detunings from 0.1 to 100 chiN, 800 atoms,
t = 100/chiN, W = 8, eps0 = 6) on every core, and the throughput of both
integrators in atom-steps per second against a bare numba right-hand-side
evaluation (the memory-bandwidth-bound floor of any explicit Runge–Kutta stage).

Run:  python benchmarks/bench_sweep.py
"""
import os
import time

import numpy as np

import cavity_bcs as cb
from cavity_bcs.meanfield import _equations as _kernels


def sweep_time():
    base = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=800)
    detunings = np.geomspace(0.1, 100.0, 48)
    cb.quench(base, 1.0, n_save=2)  # compile outside the timing
    t0 = time.perf_counter()
    res = cb.sweep(base, {"delta_c": detunings}, 100.0, progress=False)
    elapsed = time.perf_counter() - t0
    peak = detunings[np.argmax(res["coherence_avg"])]
    print(f"Fig. 1 sweep, 48 quenches x 800 atoms x t=100, {os.cpu_count()} cores: {elapsed:.1f} s "
          f"(maximum at Delta_c = {peak:.2f})")


def bare_rhs_time(m):
    y = np.random.default_rng(0).normal(size=3 * m.n_atoms + 2)
    out = np.empty_like(y)
    reps = max(1, int(2e7 / m.n_atoms))
    _kernels.rhs(y, m.eps, m.couplings, 2.6, 7.0, 0.0, False, 1.0 / m.n_pairs, out)
    t1 = time.perf_counter()
    for _ in range(reps):
        _kernels.rhs(y, m.eps, m.couplings, 2.6, 7.0, 0.0, False, 1.0 / m.n_pairs, out)
    return (time.perf_counter() - t1) / reps


def throughput(n_atoms=800):
    m = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=n_atoms)
    bare = bare_rhs_time(m)
    print(f"{n_atoms:>8} atoms: a bare right-hand side takes {1e6 * bare:.1f} us "
          f"({n_atoms / bare:.3g} atom-RHS-evaluations/s)")
    for method in ("taylor", "dop853"):
        cb.quench(m, 1.0, n_save=2, method=method)
        t0 = time.perf_counter()
        r = cb.quench(m, 100.0, n_save=101, method=method)
        elapsed = time.perf_counter() - t0
        line = (f"          {method:<6}: {r.n_steps} steps in {elapsed:.3f} s = {n_atoms * r.n_steps / elapsed:.3g} "
                f"atom-steps/s, one step = {elapsed / r.n_steps / bare:.1f} bare right-hand sides")
        if method == "dop853":
            evals = 12 * r.n_steps + 12 * r.n_rejected
            line += f" ({(evals * bare) / elapsed:.0%} of its time would be its 12 evaluations per step)"
        print(line)


if __name__ == "__main__":
    sweep_time()
    for n in (800, 8000, 80000):
        throughput(n)
