"""Benchmark: the first quench in a fresh process with an empty numba cache (compile time).

Each measurement is a new Python process with ``NUMBA_CACHE_DIR`` pointing at a new,
empty temporary directory, so numba finds nothing to load and compiles every kernel the
call reaches. The child times ``import cavity_bcs`` and the first call separately, then a
second identical call (the run itself, compiled code only). Cases:

* ``taylor``: ``cb.quench(cb.Model(eps0=6, W=8, delta_c=7, n_atoms=800), 100.0)``, the
  default (equal couplings: the energy-moment Taylor series);
* ``dop853``: the same with ``coupling_profile=cb.cosine_profile(800)`` (DOP853).

With ``--warm`` the same children run a second time on the cache the first one filled
(what every later process pays). Reports the best and the range over ``--repeats`` cold
runs (default 3), as wall-clock time and as the child's CPU time (compilation runs on one
thread, so on a machine shared with other work the CPU time is the steadier number).

Run:  python benchmarks/bench_cold_start.py [--repeats 3] [--case taylor|dop853] [--warm]
This is a report, not a test: timings depend on the machine and on its load.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

CHILD = r"""
import json, os, sys, time
c0, t0 = time.process_time(), time.perf_counter()
import cavity_bcs as cb
c1, t1 = time.process_time(), time.perf_counter()
case = sys.argv[1]
profile = cb.cosine_profile(800) if case == "dop853" else None
model = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=800, coupling_profile=profile)
c2, t2 = time.process_time(), time.perf_counter()
r = cb.quench(model, 100.0)
c3, t3 = time.process_time(), time.perf_counter()
cb.quench(model, 100.0)
t4 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first": t3 - t2, "first_cpu": c3 - c2, "import_cpu": c1 - c0, "second": t4 - t3, "method": r.method,
                  "n_steps": r.n_steps, "s_plus_end": [r.s_plus[-1].real, r.s_plus[-1].imag]}))
"""


def run_child(case: str, cache_dir: str) -> dict:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir, CAVITY_BCS_PROGRESS="0")
    env.pop("CAVITY_BCS_NUMBA_CACHE", None)
    out = subprocess.run([sys.executable, "-c", CHILD, case], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="cold runs per case (default 3)")
    parser.add_argument("--case", choices=("taylor", "dop853"), action="append",
                        help="which first call to time (default: both)")
    parser.add_argument("--warm", action="store_true", help="also time a process that finds the cache filled")
    args = parser.parse_args(argv)
    for case in args.case or ["taylor", "dop853"]:
        cold, warm = [], []
        for _ in range(args.repeats):
            with tempfile.TemporaryDirectory(prefix="numba-cold-") as cache:
                cold.append(run_child(case, cache))
                if args.warm:
                    warm.append(run_child(case, cache))
        for label, runs in (("cold cache", cold), ("warm cache", warm)):
            if not runs:
                continue
            first = sorted(r["first"] for r in runs)
            imp = sorted(r["import"] for r in runs)
            cpu = sorted(r["first_cpu"] for r in runs)
            second = sorted(r["second"] for r in runs)
            print(f"{case:7s} ({runs[0]['method']}, {runs[0]['n_steps']} steps), {label}, {len(runs)} processes: "
                  f"first quench best {first[0]:.2f} s wall (range {first[0]:.2f}-{first[-1]:.2f}; "
                  f"CPU {cpu[0]:.2f}-{cpu[-1]:.2f} s); import {imp[0]:.2f}-{imp[-1]:.2f} s; "
                  f"the run itself {second[0]:.3f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
