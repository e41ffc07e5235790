"""Claims checked in Chapter 6, equilibrium superfluidity (``book/06_equilibrium.ipynb``)."""
from __future__ import annotations

import numpy as np

from .registry import Check, claim


@claim("equilibrium-resonant-order",
       "At T = 0 with ½Σσᶻ + a†a = 0 (ε0 = 6, W = 8) the ground state shows resonant order, |S⁺| peaked near Δc ≈ ε0.",
       "Fig. 7 right", "06_equilibrium", expect=False)
def _equilibrium():
    from ..equilibrium import ground_state
    from ..model import Model
    values = []
    for dc in (3.0, 6.0, 12.0):
        gs = ground_state(Model(eps0=6.0, W=8.0, delta_c=dc, n_atoms=200), excitations=0.0)
        values.append(abs(gs.s_plus))
    return Check("ground-state |S⁺| = " + ", ".join(f"{v:.3f}" for v in values) + " at Δc = 3, 6, 12 χN",
                 max(values) > 1e-3,
                 "refuted: the ground state is the normal state; the resonant curve is the all-parallel "
                 "(highest-energy) branch — see the equilibrium chapter")


@claim("fig7-left-normal-along-eps0-6",
       "At T = 0 and µ = 0 the line ε0 = 6χN studied in the paper has |S⁺| = 0 (normal state) in the ground state.",
       "Supplement Fig. 7 left", "06_equilibrium")
def _fig7_left():
    from ..equilibrium import gap_equation_mu0_boundary, ground_state
    from ..model import Model
    on_line = {W: ground_state(Model(eps0=6.0, W=W, delta_c=6.0, n_atoms=400), mu=0.0).coherence for W in (2.0, 5.0, 8.0, 10.0)}
    control = ground_state(Model(eps0=1.0, W=1.0, delta_c=6.0, n_atoms=400), mu=0.0).coherence
    boundary = gap_equation_mu0_boundary(6.0)
    passed = max(on_line.values()) < 1e-8 and control > 0.1 and boundary > 10.0
    return Check(f"ground-state |S⁺| = {max(on_line.values()):.1e} for W = 2–10χN at ε0 = 6χN "
                 f"(gap-equation boundary W_c = {boundary:.2f}χN); control ε0 = W = χN: {control:.3f}", passed,
                 "400 atoms, µ = 0; closed form 1 = (2/W) ln[(2ε0 + W)/(2ε0 − W)] at the boundary")


@claim("fig6-band-structure-density",
       "Two linear (Dirac-cone) bands centred at ±ε0/2 with half-width W/4 have the constant two-box density of "
       "states of the simulator and, for W < 2ε0, a band gap ε0 − W/2.",
       "Supplement Fig. 6", "06_equilibrium")
def _fig6():
    from ..density import two_box_density
    from ..equilibrium import two_band_dispersion
    eps0, W = 6.0, 8.0
    upper, lower = two_band_dispersion(np.linspace(-1.0, 1.0, 400_001), eps0, W)
    energies = np.concatenate([upper, lower])
    hist, edges = np.histogram(energies, bins=np.linspace(-6.0, 6.0, 241), density=True)
    centres = 0.5 * (edges[1:] + edges[:-1])
    expected = two_box_density(centres, eps0, W)
    inside = expected > 0
    # bins that straddle a band edge are half filled: compare only bins fully inside or outside a band
    clean = np.abs(np.abs(np.abs(centres) - eps0 / 2) - W / 4) > (edges[1] - edges[0])
    deviation = np.max(np.abs(hist[clean] - expected[clean])) / expected[inside].max()
    gap = upper.min() - lower.max()
    return Check(f"histogram of ε(k) vs the two-box density: max deviation {deviation:.1e} (relative); "
                 f"gap {gap:.3f}χN vs ε0 − W/2 = {eps0 - W / 2:.3f}χN", deviation < 0.02 and abs(gap - 2.0) < 1e-9,
                 "ε0 = 6χN, W = 8χN; 4×10⁵ k points")
