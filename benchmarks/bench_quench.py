"""Benchmark: one mean-field quench, cavity_bcs (its default energy-moment Taylor
series, and its numba DOP853) against scipy.integrate.solve_ivp (DOP853) with a
vectorised numpy right-hand side.

Fig. 1 parameters: W = 8, eps0 = 6, Delta_c = 7 (units of chi*N), 800 atoms,
t = 100/(chi*N). Both runs save the observables at 101 times. Accuracy is
measured the same way for both: the drift of the excitation number and the
largest error of S+(t) against a reference run (cavity_bcs DOP853 at rtol = 1e-13).

Run:  python benchmarks/bench_quench.py      (takes about a minute)
The speed-up is reported twice: at the issue's criterion (each integrator at its loosest tolerance with an
excitation drift <= 1e-8) and at equal error of S+(t) against the reference.
This is a report, not a test: timings depend on the machine.
"""
import time

import numpy as np
from scipy.integrate import solve_ivp

import cavity_bcs as cb

MODEL = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=800)
T_FINAL = 100.0
T_SAVE = np.linspace(0.0, T_FINAL, 101)


def numpy_rhs(model):
    n, eps, f = model.n_atoms, model.eps, model.couplings
    G, delta_c, kappa, inv_n = model.g_collective, model.delta_c, model.kappa, 1.0 / model.n_pairs

    def rhs(_t, y):
        x, yy, z = y[:n], y[n:2 * n], y[2 * n:3 * n]
        ar, ai = y[3 * n], y[3 * n + 1]
        sr = 0.5 * inv_n * np.dot(f, x)
        si = -0.5 * inv_n * np.dot(f, yy)
        bx, by = G * f * ar, -G * f * ai
        out = np.empty_like(y)
        out[:n] = 2 * (by * z - eps * yy)
        out[n:2 * n] = 2 * (eps * x - bx * z)
        out[2 * n:3 * n] = 2 * (bx * yy - by * x)
        out[3 * n] = delta_c * ai + G * si - 0.5 * kappa * ar
        out[3 * n + 1] = -delta_c * ar - G * sr - 0.5 * kappa * ai
        return out

    return rhs


def scipy_quench(rtol, atol=1e-12):
    n = MODEL.n_atoms
    y0 = np.concatenate([np.ones(n), np.zeros(2 * n), [0.0, 0.0]])
    t0 = time.perf_counter()
    sol = solve_ivp(numpy_rhs(MODEL), (0, T_FINAL), y0, method="DOP853", rtol=rtol, atol=atol, t_eval=T_SAVE)
    elapsed = time.perf_counter() - t0
    Y = sol.y
    s_plus = 0.5 / MODEL.n_pairs * (Y[:n].sum(0) + 1j * Y[n:2 * n].sum(0))
    exc = 0.5 / MODEL.n_pairs * Y[2 * n:3 * n].sum(0) + Y[3 * n] ** 2 + Y[3 * n + 1] ** 2
    return elapsed, s_plus, exc


def best_time(fn, repeats=5):
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def run_ours(method, rtols):
    rows = []
    for rtol in rtols:
        t, r = best_time(lambda rtol=rtol: cb.quench(MODEL, T_FINAL, n_save=T_SAVE.size, rtol=rtol, method=method))
        row = (rtol, t, np.max(np.abs(r.s_plus - REFERENCE[0])), np.max(np.abs(r.excitations - r.excitations[0])),
               r.n_steps)
        rows.append(row)
        print(f"cavity_bcs {method:<6}  rtol={rtol:.0e}  {t:8.3f} s   {row[2]:.1e}          {row[3]:.1e}"
              f"          {r.n_steps}")
    return rows


def compare(name, rows, scipy_rows):
    # The criterion: each method at its loosest tolerance with drift <= 1e-8.
    scipy_ok = max((r for r in scipy_rows if r[3] <= 1e-8), key=lambda r: r[0])
    ours_ok = max((r for r in rows if r[3] <= 1e-8), key=lambda r: r[0])
    print(f"\n{name}: excitation drift <= 1e-8: scipy rtol={scipy_ok[0]:.0e} {scipy_ok[1]:.3f} s, "
          f"ours rtol={ours_ok[0]:.0e} {ours_ok[1]:.4f} s -> speed-up {scipy_ok[1] / ours_ok[1]:.1f}x")
    # A stricter reading: no larger an error of S+(t) along the whole trajectory.
    for srow in scipy_rows:
        same = [r for r in rows if r[2] <= srow[2]]
        if same:
            best = min(same, key=lambda r: r[1])
            print(f"{name}: S+ error <= scipy's at rtol={srow[0]:.0e} ({srow[2]:.1e}): ours rtol={best[0]:.0e} "
                  f"({best[2]:.1e}) -> speed-up {srow[1] / best[1]:.1f}x")


REFERENCE = []


def main():
    cb.quench(MODEL, 1.0, n_save=2)  # compile (or load the numba cache) outside the timing
    cb.quench(MODEL, 1.0, n_save=2, method="dop853")
    # The reference comes from the integrator that is *not* the one mainly measured.
    REFERENCE.append(cb.quench(MODEL, T_FINAL, n_save=T_SAVE.size, rtol=1e-13, atol=1e-15, method="dop853").s_plus)
    check = cb.quench(MODEL, T_FINAL, n_save=T_SAVE.size, rtol=1e-13, method="taylor").s_plus
    print(f"reference (DOP853, rtol 1e-13) vs Taylor at rtol 1e-13: max |dS+| = {np.max(np.abs(check - REFERENCE[0])):.1e}\n")

    print("method                      time      max|S+ - ref|   excitation drift   steps")
    scipy_rows = []
    for rtol in (1e-7, 1e-8, 1e-9):
        runs = [scipy_quench(rtol=rtol) for _ in range(3)]
        elapsed = min(run[0] for run in runs)
        _, s_plus, exc = runs[0]
        row = (rtol, elapsed, np.max(np.abs(s_plus - REFERENCE[0])), np.max(np.abs(exc - exc[0])))
        scipy_rows.append(row)
        print(f"scipy DOP853      rtol={rtol:.0e}  {elapsed:8.3f} s   {row[2]:.1e}          {row[3]:.1e}")
    taylor = run_ours("taylor", (1e-5, 1e-6, 1e-7, 1e-8, 1e-10))
    dop = run_ours("dop853", (1e-7, 1e-8, 1e-9, 1e-10))
    compare("Taylor (the default here)", taylor, scipy_rows)
    compare("DOP853", dop, scipy_rows)

    # How close this comes to the bare right-hand side: benchmarks/bench_sweep.py.
    for name, rows in (("Taylor", taylor), ("DOP853", dop)):
        print(f"{name} at rtol=1e-10: {rows[-1][4]} steps, {1e6 * rows[-1][1] / rows[-1][4]:.1f} us per step, "
              f"{MODEL.n_atoms * rows[-1][4] / rows[-1][1]:.2e} atom-steps/s")


if __name__ == "__main__":
    main()
