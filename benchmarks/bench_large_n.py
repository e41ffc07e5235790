"""Benchmark: one quench of the experiment's atom number with inhomogeneous couplings.

A mean-field quench of n_atoms = 10^6 atoms with the lattice couplings g_i = g cos(3.7 i)
(peak-normalised), started from the coherent-drive state (spins along sgn(g_i) x, photon in
equilibrium), at the resonance Delta_c = eps0 = 6 chiN, W = 8 chiN, and the strontium cavity loss
kappa/(g sqrt N) = 1.4e-2. Reports

* wall time and integrator steps of the big run (to --t-final, default 100/chiN), the cost per step
  and per atom-step, and the peak resident memory of the process;
* how the cost grows with N (fixed t) and with t (fixed N), from smaller runs;
* for a shorter --t-final, an extrapolation to t = 100/chiN: steps(t = 100) are measured at small N
  (the step size is set by the frequencies of the problem, which do not depend on N for the quantile
  sampling), multiplied by the measured cost per step at 10^6 atoms. Stated as an extrapolation.

With --equal-couplings every atom has the same coupling instead (the other parameters unchanged),
and cavity_bcs.quench runs its energy-moment Taylor integrator instead of DOP853.

With --coarse it also runs coarse-grained class models (cavity_bcs.experiment.coarse_grain) of the
same atoms and prints their deviation from the full run: the convergence test at 10^6 atoms.

Run by hand:  python benchmarks/bench_large_n.py [--n-atoms 1000000] [--t-final 5] [--rtol 1e-10] [--coarse]
It is a report, not a test; with --t-final 100 it takes about two minutes and 0.4 GB for 10^6 atoms.
"""
import argparse
import resource
import time

import numba
import numpy as np

import cavity_bcs as cb
from cavity_bcs import experiment as ex
from cavity_bcs.meanfield._engine import STREAMING_MIN_ATOMS

EPS0, W, DELTA_C, KAPPA_PER_G = 6.0, 8.0, 6.0, 1.4e-2
EQUAL_COUPLINGS = False  # --equal-couplings: g_i = g, which the Taylor integrator takes


def model(n_atoms):
    profile = None if EQUAL_COUPLINGS else ex.cosine_profile(n_atoms)
    return cb.Model(eps0=EPS0, W=W, delta_c=DELTA_C, n_atoms=n_atoms, kappa=KAPPA_PER_G * np.sqrt(DELTA_C),
                    coupling_profile=profile)


def timed_quench(n_atoms, t_final, n_save=201, rtol=1e-10, atol=1e-12):
    m = model(n_atoms)
    initial = ex.drive_state(m)
    t0 = time.perf_counter()
    r = cb.quench(m, t_final, n_save=n_save, initial=initial, rtol=rtol, atol=atol)
    return time.perf_counter() - t0, r


def accuracy_at(n_atoms, t_final, rtol):
    """Largest error of the photon amplitude at ``rtol`` against an rtol = 1e-13 run (same atoms)."""
    _, ref = timed_quench(n_atoms, t_final, rtol=1e-13, atol=1e-15)
    _, run = timed_quench(n_atoms, t_final, rtol=rtol)
    return np.max(np.abs(run.photon - ref.photon)), np.max(np.abs(ref.photon))


def peak_rss_mb():
    # ru_maxrss is in kB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-atoms", type=int, default=1_000_000)
    parser.add_argument("--t-final", type=float, default=100.0, help="units of 1/(chi N)")
    parser.add_argument("--rtol", type=float, default=1e-10, help="relative tolerance of the big run")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--coarse", action="store_true", help="also compare coarse-grained class models")
    parser.add_argument("--equal-couplings", action="store_true", help="g_i = g (the Taylor integrator)")
    args = parser.parse_args()
    global EQUAL_COUPLINGS
    EQUAL_COUPLINGS = args.equal_couplings

    timed_quench(100, 0.1)  # compile or load the numba cache outside the timings
    print(f"baseline peak RSS (interpreter + numba + numpy): {peak_rss_mb():.0f} MB")

    if not args.skip_scaling:
        print("\ncost against N at t = 2/chiN:")
        print("   n_atoms     wall [s]   steps   ns per atom-step")
        for n in (10_000, 100_000):
            wall, r = timed_quench(n, 2.0)
            print(f"  {n:9d}   {wall:8.2f}   {r.n_steps:5d}   {1e9 * wall / (r.n_steps * n):8.1f}")
        print("\ncost against t at n_atoms = 10^4:")
        print("   t [1/chiN]   wall [s]   steps")
        for t in (10.0, 25.0, 50.0, 100.0):
            wall, r = timed_quench(10_000, t)
            print(f"  {t:9.0f}    {wall:8.2f}   {r.n_steps:6d}")
        steps_100 = r.n_steps
    else:
        steps_100 = None

    print(f"\nbig run: n_atoms = {args.n_atoms}, t_final = {args.t_final}/chiN, rtol = {args.rtol:.0e}, "
          f"{'equal couplings' if EQUAL_COUPLINGS else 'cosine couplings'}, passes over the atoms on "
          f"{numba.get_num_threads()} threads from {STREAMING_MIN_ATOMS} atoms on")
    err, scale = accuracy_at(10_000, args.t_final, args.rtol)
    print(f"  accuracy of rtol = {args.rtol:.0e} (checked at 10^4 atoms, same t_final): "
          f"max |alpha - alpha_ref| = {err:.1e} (max |alpha| = {scale:.3f})")
    wall, r = timed_quench(args.n_atoms, args.t_final, rtol=args.rtol)
    per_step = wall / r.n_steps
    print(f"  method {r.method}: wall time {wall:.1f} s, {r.n_steps} steps ({r.n_rejected} rejected), "
          f"{per_step:.3f} s per step, "
          f"{1e9 * per_step / args.n_atoms:.1f} ns per atom-step")
    print(f"  peak RSS {peak_rss_mb():.0f} MB "
          f"(state vector {8 * (3 * args.n_atoms + 2) / 2**20:.0f} MB; the streaming integrator keeps two "
          f"of them, the fused one thirteen stage vectors as well)")
    print(f"  photon density {r.n_photon[0]:.4f} -> {r.n_photon[-1]:.4f}; coupling-weighted coherence is what "
          f"the cavity sees (|S+| itself starts near 0: the signs of g_i cancel in it)")
    if args.coarse:
        m = model(args.n_atoms)
        print("\ncoarse-grained (eps, g) classes against the full run (same t_final):")
        print("   classes   wall [s]   max |alpha_coarse - alpha_full|")
        for n_eps, n_g in ((40, 16), (80, 32), (160, 64)):
            t0 = time.perf_counter()
            coarse = ex.coarse_grain(m, n_eps, n_g)
            cg = ex.coarse_quench(coarse, args.t_final, n_save=r.t.size)
            wall_cg = time.perf_counter() - t0
            print(f"   {coarse.n_classes:7d}   {wall_cg:8.2f}   {np.max(np.abs(cg.photon - r.photon)):.2e}")
    if steps_100 is not None and args.t_final < 100.0:
        print(f"\nextrapolation to t = 100/chiN: {steps_100} steps (measured at 10^4 atoms) x {per_step:.3f} s "
              f"= {steps_100 * per_step / 60:.1f} min at {args.n_atoms} atoms (not run)")


if __name__ == "__main__":
    main()
