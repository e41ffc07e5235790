"""Benchmark: open-system truncated Wigner for the lab model, 10^6 atoms, class-collective.

The headline run: 1000 TWA trajectories of 2N = 10^6 atoms with cosine couplings
g_i = g cos(3.7 i) (cavity_bcs.cosine_profile, peak-normalised), the Fig. 1 bands
(eps0 = 6, W = 8, units of chi*N), Delta_c = 6 and the lab's cavity loss
kappa/(g sqrt N) = 1.4e-2 (LabParameters.at_detuning with the strontium g = 10.8 kHz),
from every spin along +x and the vacuum, to t = 100/(chi N), 201 saved times, with the
exact vacuum noise of the photon loss. Atoms are grouped into 512 energy bins per band
x 4 coupling bins (coarse_grain: 4096 classes, rephasing time 2 pi 512/W ~ 400 > 100;
the energy bins set the error, ~ n_eps^-2, the coupling bins hardly matter for this
state), each class's collective spin sampled from its Gaussian; stochastic splitting
integrator with dt = 0.02. Target: <= 60 s on 2 cores. Besides the wall time the report
gives the process's CPU time: on a loaded machine (other jobs on the two cores) the wall
time exceeds CPU/workers.

Then (unless --quick) the checks that make the number meaningful, on 200 trajectories:
halving dt, doubling the energy or the coupling bins, and the statistical error against
the number of samples. --gamma adds the strontium linewidth (gamma/2pi = 7.5 kHz,
atomic-loss step 0.5); --fig1 the closed-system benchmark (1000 x 200 atoms x T = 20).

Run:  python benchmarks/bench_twa.py [workers] [--quick] [--gamma] [--fig1]
This is a report, not a test: timings depend on the machine and its load (printed).
"""
import os
import sys
import time

import numpy as np

import cavity_bcs as cb
from cavity_bcs.quantum.twa import twa_quench

N_ATOMS = 10 ** 6
DELTA_C = 6.0
T_FINAL = 100.0
N_SAVE = 201
N_SAMPLES = 1000
BINS = (512, 4)
DT = 0.02


def lab_model(gamma=False):
    g = cb.STRONTIUM["g_khz"]
    collective = g * np.sqrt(N_ATOMS // 2)
    lab = cb.LabParameters.at_detuning(g_khz=g, kappa_khz=1.4e-2 * collective, n_atoms=N_ATOMS, delta_c=DELTA_C,
                                       eps0=6.0, W=8.0, gamma_khz=cb.STRONTIUM["gamma_khz"] if gamma else 0.0)
    return lab, lab.to_model(coupling_profile=cb.cosine_profile(N_ATOMS))


def classes(model, bins):
    return cb.coarse_grain(model, *bins, initial=cb.x_polarized(model))


def timed(fn, cpu=False):
    start = time.perf_counter()
    cpu0 = time.process_time()
    out = fn()
    wall = time.perf_counter() - start
    return (out, wall, time.process_time() - cpu0) if cpu else (out, wall)


def late_mean(r, what="coherence"):
    late = r.t >= 50.0
    return float(np.mean(getattr(r, what)[late]))


def headline(workers, gamma):
    lab, model = lab_model(gamma)
    coarse, t_coarse = timed(lambda: classes(model, BINS))
    kwargs = dict(classes=coarse, dt=DT, dt_loss=0.5 if gamma else None, workers=workers)
    twa_quench(model, 1.0, n_samples=2, n_save=3, seed=0, **kwargs)  # compile / load the numba cache
    result, elapsed, cpu = timed(lambda: twa_quench(model, T_FINAL, n_samples=N_SAMPLES, n_save=N_SAVE, seed=1,
                                                    **kwargs), cpu=True)
    print(f"lab model: {model}")
    print(f"  kappa/(g sqrt N) = {lab.kappa_per_g:.3g}, kappa = {model.kappa:.4g} chi N, gamma = {model.gamma:.3g} chi N, "
          f"chi N/2pi = {lab.chi_n_khz:.0f} kHz, T = {T_FINAL:g}/chi N = {lab.time_to_ms(T_FINAL):.3f} ms")
    print(f"  {coarse.n_classes} classes ({BINS[0]} energy bins per band x {BINS[1]} coupling bins, "
          f"{N_ATOMS / coarse.n_classes:.0f} atoms per class on average; coarse_grain {t_coarse:.2f} s)")
    print(f"  {N_SAMPLES} trajectories x {result.n_steps} steps of dt = {result.dt:g}"
          + (f" (atomic loss every {0.5:g})" if gamma else "") + f", {workers} worker(s): "
          f"{elapsed:.1f} s ({1e3 * elapsed / N_SAMPLES:.1f} ms per trajectory, "
          f"{1e9 * cpu / (N_SAMPLES * result.n_steps * coarse.n_classes):.2f} ns of CPU per class-step); "
          f"CPU time {cpu:.1f} s = {cpu / workers:.1f} s per worker")
    print(f"  target <= 60 s: {'met' if elapsed <= 60.0 else 'MISSED'} (wall); "
          f"{'met' if cpu / workers <= 60.0 else 'MISSED'} on idle cores (CPU/workers); load average now "
          f"{os.getloadavg()[0]:.2f}")
    print(f"  |S+| averaged over t in [50, 100]: {late_mean(result):.3e} +- {late_mean(result, 'coherence_err'):.1e}; "
          f"pair coherence {late_mean(result, 'pair_coherence'):.3e}; photon density at t = 100: "
          f"{result.n_photon[-1]:.3e} +- {result.n_photon_err[-1]:.1e}; mean inversion {result.spin_z[-1]:.4f}")
    return model, result


def checks(model, reference, workers):
    m = 200
    base = twa_quench(model, T_FINAL, n_samples=m, n_save=N_SAVE, seed=2, classes=classes(model, BINS), dt=DT,
                      workers=workers)
    se = np.abs(base.s_plus_err).max()
    half = twa_quench(model, T_FINAL, n_samples=m, n_save=N_SAVE, seed=2, classes=classes(model, BINS),
                      dt=DT / 2, workers=workers)
    print(f"checks on {m} trajectories (largest standard error of S+: {se:.1e}):")
    print(f"  dt {DT:g} -> {DT / 2:g}: max |dS+| = {np.abs(half.s_plus - base.s_plus).max():.1e}, "
          f"max |dn| = {np.abs(half.n_photon - base.n_photon).max():.1e}")
    for bins in ((256, 4), (1024, 4), (512, 8)):
        other = twa_quench(model, T_FINAL, n_samples=m, n_save=N_SAVE, seed=2, classes=classes(model, bins), dt=DT,
                           workers=workers)
        early = other.t <= 50.0
        print(f"  classes {BINS} -> {bins} ({other.n_spins} classes): max |dS+| = "
              f"{np.abs(other.s_plus - base.s_plus).max():.1e} (t <= 50: {np.abs(other.s_plus - base.s_plus)[early].max():.1e}); "
              f"late |S+| {late_mean(other):.3e} vs {late_mean(base):.3e}")
    ref = twa_quench(model, T_FINAL, n_samples=2, n_save=N_SAVE, noise=0.0, classes=classes(model, (2048, 8)), dt=DT,
                     workers=workers)
    errors = []
    for bins in ((128, 4), (256, 4), BINS, (1024, 4), (512, 8)):
        mf = twa_quench(model, T_FINAL, n_samples=2, n_save=N_SAVE, noise=0.0, classes=classes(model, bins), dt=DT,
                        workers=workers)
        errors.append(f"{bins}: {np.abs(mf.s_plus - ref.s_plus).max():.1e}")
    print("  noise-free class convergence, max |S+ - S+(2048 x 8 bins)| over t <= 100: " + ", ".join(errors))
    print(f"  samples {m} -> {reference.n_samples}: largest standard error of S+ {se:.2e} -> "
          f"{np.abs(reference.s_plus_err).max():.2e} (1/sqrt(M) predicts {se * np.sqrt(m / reference.n_samples):.2e}); "
          f"max |S+(M={m}) - S+(M={reference.n_samples})| = {np.abs(base.s_plus - reference.s_plus).max():.1e}")


def fig1(workers):
    model = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=200)
    twa_quench(model, 0.1, n_samples=2, n_save=2, seed=0)
    result, elapsed = timed(lambda: twa_quench(model, 20.0, n_samples=1000, n_save=201, seed=1, workers=workers))
    print(f"closed Fig. 1 model, 1000 TWA trajectories x 200 atoms x T = 20/chiN (adaptive ODE engine): "
          f"{elapsed:.2f} s ({1e3 * elapsed / 1000:.2f} ms per trajectory); "
          f"late |S+| = {result.coherence[result.t >= 10].mean():.4f}")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    workers = int(args[0]) if args else 2
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{os.cpu_count()} cores, load average {load:.2f} at the start")
    model, result = headline(workers, gamma=False)
    if "--quick" not in sys.argv:
        checks(model, result, workers)
    if "--gamma" in sys.argv:
        headline(workers, gamma=True)
    if "--fig1" in sys.argv:
        fig1(workers)


if __name__ == "__main__":
    main()
