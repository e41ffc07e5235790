"""Regenerate book/data/crossvalidation_fig2.csv: Lax-root phases vs quench dynamics.

For every (Delta_c, W) point of a 10 x 10 grid at the Fig. 2 parameters (eps0 = 6 chi N,
Delta_phi0 = 0, photon in vacuum) it stores the Lax classification
(`cavity_bcs.lax.dynamical_phase`) and the late-time statistics of |S+(t)| from a
mean-field quench (`cavity_bcs.quench`) together with `quench_signature`.

Run from the repository root:  python book/data/make_crossvalidation.py   (~3-5 min on 2 cores)
"""
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

import cavity_bcs as cb
from cavity_bcs import lax

# Parameters (stored in the CSV header as well)
EPS0 = 6.0
DELTA_C = np.geomspace(0.1, 100.0, 10)
W = np.linspace(0.5, 9.5, 10)
N_ATOMS = 1200          # revivals at t ~ 2 pi N / W > 300 for every W of the grid
T_FINAL = 150.0
T_MIN = 75.0            # late-time window [T_MIN, T_FINAL]
N_SAVE = 3001
OUT = Path(__file__).with_name("crossvalidation_fig2.csv")


def quench_point(delta_c, w):
    """Late-time |S+| statistics of one quench (deterministic: quantile energies)."""
    model = cb.Model(eps0=EPS0, W=w, delta_c=delta_c, n_atoms=N_ATOMS)
    q = cb.quench(model, T_FINAL, n_save=N_SAVE)
    late = np.abs(q.s_plus[q.t >= T_MIN])
    return float(late.mean()), float(late.std()), cb.meanfield.quench_signature(q, t_min=T_MIN)


def lax_point(delta_c, w):
    r = lax.dynamical_phase(cb.TwoBox(EPS0, w), delta_c=delta_c, locate=False)
    return r.phase, r.n_pairs, r.unsure


def main():
    points = [(d, w) for d in DELTA_C for w in W]
    with ThreadPoolExecutor(max_workers=2) as pool:   # the numba integrator releases the GIL
        dyn = list(pool.map(lambda p: quench_point(*p), points))
    lines = [f"# eps0={EPS0}, delta_phi0=0, photon=vacuum, n_atoms={N_ATOMS}, t_final={T_FINAL}, "
             f"t_min={T_MIN}, n_save={N_SAVE}",
             "delta_c,W,lax_phase,lax_pairs,lax_unsure,mean_coherence,std_coherence,quench_signature"]
    for (d, w), (mean, std, sig) in zip(points, dyn):
        phase, pairs, unsure = lax_point(d, w)
        lines.append(f"{float(d)!r},{float(w)!r},{phase},{pairs},{int(unsure)},{mean!r},{std!r},{sig}")
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT} ({len(points)} points)")


if __name__ == "__main__":
    main()
