"""Benchmark: exact collective (Dicke) dynamics for hundreds of atoms.

For W = 0 and homogeneous couplings every band is one collective spin j = N/2, and a basis
state is |m_up, m_down; n> inside an excitation sector k = m_up + m_down + n. The method
"chebyshev" of cavity_bcs.exact.exact_quench advances each sector on its own by a Chebyshev
series (error per step below 1e-14, a priori) with the photon cut-off chosen from mean field
and verified during the run (n_photon_max="auto", bound on ||psi - psi_cut|| below 1e-6).

Runs eps0 = 6, W = 0 at the resonance Delta_c = 6 and far detuned at Delta_c = 40 (units of chi*N),
to t = --t-final (default 5/chiN) with 101 output times, for 2N = 100, 200, 400 (--sizes), and
prints: kept basis states, photon cut-off, wall time, drift of norm and excitation number, the
error bound, and for 2N = 100 the largest difference of S+ from the sparse expm_multiply
reference (an independent propagator on the same basis).

Run by hand:  python benchmarks/bench_exact.py [--sizes 100 200 400] [--t-final 5] [--workers 2]
It is a report, not a test; 2N = 400 at resonance takes several minutes on two shared cores.
"""
import argparse
import time

import numpy as np

import cavity_bcs as cb
from cavity_bcs.quantum.exact import exact_quench


def run(n_atoms, delta_c, t_final, n_save, workers, method="chebyshev", cut="auto"):
    model = cb.Model(eps0=6.0, W=0.0, delta_c=delta_c, n_atoms=n_atoms)
    start = time.perf_counter()
    result = exact_quench(model, t_final, n_save, basis="collective", method=method,
                          n_photon_max=cut, workers=workers)
    return time.perf_counter() - start, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 200, 400])
    parser.add_argument("--detunings", type=float, nargs="+", default=[6.0, 40.0])
    parser.add_argument("--t-final", type=float, default=5.0, help="units of 1/(chi N)")
    parser.add_argument("--n-save", type=int, default=101)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reference", action="store_true",
                        help="also time the sparse expm_multiply path at the smallest size")
    args = parser.parse_args()

    run(8, 6.0, 0.1, 3, 1)  # compile or load the numba cache outside the timings
    print(f"exact collective dynamics, eps0 = 6, W = 0, t = {args.t_final:g}/chiN, "
          f"{args.n_save} output times, {args.workers} worker thread(s)")
    header = ("  2N   Delta_c   states      cut   wall [s]   norm drift   K drift    error bound   "
              "max|S+ - MF| (t<=1)")
    print(header)
    print("-" * len(header))
    for n_atoms in args.sizes:
        for delta_c in args.detunings:
            seconds, r = run(n_atoms, delta_c, args.t_final, args.n_save, args.workers)
            mf = cb.quench(r.model, args.t_final, n_save=args.n_save)
            early = r.t <= 1.0
            gap = np.max(np.abs(r.s_plus - mf.s_plus)[early])
            cut = "-" if r.photon_cutoff is None else str(r.photon_cutoff)
            print(f"{n_atoms:5d}   {delta_c:6.1f}  {r.dimension:8d}  {cut:>6s}   {seconds:8.1f}   "
                  f"{np.ptp(r.norm):10.1e}   {np.ptp(r.excitations):8.1e}   {r.error_bound:10.1e}   "
                  f"{gap:.4f}", flush=True)
    if args.reference:
        n_atoms = min(args.sizes)
        for delta_c in args.detunings:
            fast_s, fast = run(n_atoms, delta_c, args.t_final, args.n_save, args.workers, cut=None)
            ref_s, ref = run(n_atoms, delta_c, args.t_final, args.n_save, args.workers, method="expm", cut=None)
            print(f"2N = {n_atoms}, Delta_c = {delta_c:g}: chebyshev {fast_s:.1f} s, expm_multiply {ref_s:.1f} s, "
                  f"max |S+ difference| = {np.max(np.abs(fast.s_plus - ref.s_plus)):.1e}")


if __name__ == "__main__":
    main()
