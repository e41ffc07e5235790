"""Claims checked in Chapter 2, adiabatic elimination (``book/02_adiabatic_elimination.ipynb``)."""
from __future__ import annotations

from ..analytic import phase_two_plateau_flat_band
from ..meanfield.quench import quench
from ..model import Model
from .registry import Check, claim


@claim("flat-band-plateau",
       "For ε0 ≪ W the spin model's II/I boundary lies at W = 2πχN cos(Δφ0/2) (Δφ0 = 0: plateau (W/4)cot(W/4)).",
       "spin-model limit", "02_adiabatic_elimination")
def _flat_band():
    W = 4.0
    r = quench(Model(eps0=0.0, W=W, delta_c=10.0, n_atoms=2000), 150.0, n_save=1501, adiabatic=True)
    sim = r.coherence[r.t >= 100].mean()
    exact = phase_two_plateau_flat_band(W)
    return Check(f"plateau {sim:.4f} vs closed form {exact:.4f} at W = 4χN", abs(sim - exact) < 0.02)
