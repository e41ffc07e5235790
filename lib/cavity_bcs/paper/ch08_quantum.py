"""Claims checked in Chapter 8, beyond mean field (``book/08_beyond_mean_field.ipynb``)."""
from __future__ import annotations

from ..meanfield.quench import quench
from ..model import Model
from ..quantum.exact import exact_quench
from ..results import first_departure
from .registry import Check, claim


@claim("mean-field-time-scale",
       "The mean-field approximation holds up to times of order 1/(χN), longer for more atoms.",
       "main text", "08_beyond_mean_field")
def _mean_field_time():
    times = {}
    for n_atoms in (4, 8):
        m = Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=n_atoms)
        exact = exact_quench(m, 6.0, n_save=601)
        mf = quench(m, 6.0, n_save=601)
        times[n_atoms] = first_departure(exact.t, exact.coherence, mf.coherence, 0.1)
    passed = 0.3 < times[4] < 10 and times[8] > times[4]
    return Check(", ".join(f"{n} atoms: |S⁺| within 0.1 of exact until t = {t:.2f}/χN" for n, t in times.items()),
                 passed, "exact dynamics in excitation sectors against mean field, W = 8, Δc = ε0 = 6χN")
