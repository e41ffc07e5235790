r"""A registry of the paper's claims, each with a check that recomputes it.

Every claim is a function returning a :class:`Check` — the number the book gets,
whether it supports the paper's statement, and a short comment. The test suite
runs every registered claim (``tests/test_claims.py``) and the book's claims
ledger renders the same registry, so the page and the tests cannot drift apart.

A claim whose check does *not* support the paper is kept, with
``expect=False``: the ledger shows it as refuted and the test asserts that it
stays refuted (it would fail if the disagreement silently went away).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = ["Check", "Claim", "CLAIMS", "claim", "run_all"]


@dataclass(frozen=True)
class Check:
    value: str
    passed: bool
    comment: str = ""

    def __post_init__(self):
        object.__setattr__(self, "passed", bool(self.passed))


@dataclass(frozen=True)
class Claim:
    key: str
    statement: str
    source: str
    chapter: str
    test: str
    check: Callable[[], Check]
    expect: bool = True


CLAIMS: dict[str, Claim] = {}


def claim(key, statement, source, chapter, expect=True):
    """Register a check function as the evidence for one claim of the paper."""
    def register(fn):
        CLAIMS[key] = Claim(key, statement, source, chapter, f"tests/test_claims.py::test_claim[{key}]",
                            fn, expect)
        return fn
    return register


def run_all():
    """Run every claim; returns a list of ``(Claim, Check)``."""
    return [(c, c.check()) for c in CLAIMS.values()]


# --------------------------------------------------------------------- helpers
def _fig1(kappa_per_g=None, n_points=25):
    from .model import Model
    from .sweep import sweep
    base = Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=400)
    detunings = np.geomspace(0.1, 100.0, n_points)
    res = sweep(base, {"delta_c": detunings}, 100.0, n_save=1001, kappa_per_g=kappa_per_g, progress=False)
    return detunings, res


_CACHE = {}


def _cached(key, fn):
    if key not in _CACHE:
        _CACHE[key] = fn()
    return _CACHE[key]


def _vanishes_at_end(index):
    """Fig. 1 coherence at one end of the detuning grid, against the resonant peak."""
    detunings, res = _cached("fig1", _fig1)
    value, peak = res["coherence_avg"][index], res["coherence_avg"].max()
    return Check(f"|S⁺| = {value:.4f} at Δc = {detunings[index]:g}χN (peak {peak:.3f})", value < 0.05 * peak)


# ---------------------------------------------------------------------- claims
@claim("resonance-position",
       "Long-time coherence is maximal when the cavity is resonant with the atoms, Δc ≈ ε0 = 6χN (W = 8χN).",
       "Fig. 1", "04_quench_resonance")
def _resonance_position():
    detunings, res = _cached("fig1", _fig1)
    peak = detunings[np.argmax(res["coherence_avg"])]
    return Check(f"maximum at Δc = {peak:.2f} χN", 4.5 < peak < 9.0,
                 "25 detunings, 400 atoms, |S⁺| averaged over t ∈ [50, 100]/χN")


@claim("adiabatic-limit-vanishes",
       "In the adiabatic limit Δc → ∞ the long-time coherence vanishes.",
       "Fig. 1", "04_quench_resonance")
def _adiabatic_limit():
    return _vanishes_at_end(-1)


@claim("diabatic-limit-vanishes",
       "In the diabatic limit Δc ≪ χN the coherence is lost as well.",
       "Fig. 1", "04_quench_resonance")
def _diabatic_limit():
    return _vanishes_at_end(0)


@claim("resonance-survives-loss",
       "A realistic cavity linewidth κ/(g√N) = 1.4×10⁻² does not significantly modify the resonance.",
       "Fig. 1", "04_quench_resonance")
def _resonance_with_loss():
    detunings, ideal = _cached("fig1", _fig1)
    _, lossy = _cached("fig1-loss", lambda: _fig1(kappa_per_g=1.4e-2))
    peak_ideal = detunings[np.argmax(ideal["coherence_avg"])]
    peak_lossy = detunings[np.argmax(lossy["coherence_avg"])]
    ratio = lossy["coherence_avg"].max() / ideal["coherence_avg"].max()
    return Check(f"peak at {peak_lossy:.2f} χN (ideal {peak_ideal:.2f}); height ratio {ratio:.2f}",
                 peak_lossy == peak_ideal and ratio > 0.5,
                 "same peak position; the height ratio is given over t ∈ [50, 100]/χN")


@claim("photon-amplitude",
       "In phase I⁺¹ with Δc > W > ε0 the photon oscillates as A·exp(iµt) with µ = Δc and A = χN/g = √N √(χN/Δc).",
       "Eq. 10, Fig. 5 inset", "04_quench_resonance")
def _photon_amplitude():
    from .drive import photon_drive
    from .dynamics import quench
    from .model import Model
    delta_c = 40.0
    r = quench(Model(eps0=1.0, W=8.0, delta_c=delta_c, n_atoms=400), 100.0, n_save=4001)
    d = photon_drive(r, t_min=50.0)
    ratio = d.amplitude ** 2 * delta_c  # A^2/(N^2 chi/Delta_c) in units of N, chiN = 1
    return Check(f"A²Δc/(N²χ) = {ratio:.3f}, µ/Δc = {d.mu / delta_c:.3f} at Δc = 40χN",
                 abs(ratio - 1) < 0.02 and abs(d.mu / delta_c - 1) < 0.02)


@claim("photon-density-minimum",
       "The time-averaged photon density has a minimum near resonance, shifted below Δc = ε0 by the lower band.",
       "Fig. 5", "04_quench_resonance")
def _photon_minimum():
    detunings, res = _cached("fig1", _fig1)
    n = res["n_photon_run_avg"]
    interior = np.flatnonzero((n[1:-1] < n[:-2]) & (n[1:-1] < n[2:])) + 1
    near = [detunings[i] for i in interior if 1.0 < detunings[i] < 6.0]
    return Check("local minimum at Δc = " + (", ".join(f"{x:.2f}" for x in near) or "none") + " χN",
                 len(near) >= 1, "photon density averaged over t ∈ [0, 100]/χN")


@claim("phase-one-plus-at-10.3",
       "At W = 8χN, Δc = 0.1 and 10.3χN relax to constant |S⁺| (phase I⁺¹) while detunings near resonance oscillate (phase II⁺¹).",
       "Fig. 2 bottom right", "04_quench_resonance")
def _fig2_right():
    from .dynamics import quench
    from .model import Model
    swings = {}
    for dc in (0.1, 6.0, 10.3):
        # 800 atoms: the quantile grid's revival time 2*pi*N/W = 314/chiN lies beyond the run.
        r = quench(Model(eps0=6.0, W=8.0, delta_c=dc, n_atoms=800), 200.0, n_save=2001)
        late = r.coherence[r.t >= 100]
        swings[dc] = 0.5 * np.ptp(late)
    passed = swings[0.1] < 5e-3 and swings[10.3] < 5e-3 and swings[6.0] > 0.02
    return Check(", ".join(f"swing {v:.3f} at Δc = {k:g}" for k, v in swings.items()), passed,
                 "late-time half peak-to-peak of |S⁺| over t ∈ [100, 200]/χN")


@claim("adiabatic-matter-photon-oscillates",
       "At W = 0, Δc = 40χN the adiabatic model predicts the matter dynamics, but the photon oscillates around a_eq(t).",
       "Fig. 2 bottom left", "04_quench_resonance")
def _fig2_left():
    from .dynamics import quench
    from .model import Model
    m = Model(eps0=6.0, W=0.0, delta_c=40.0, n_atoms=400)
    full = quench(m, 2.0, n_save=2001)
    spin = quench(m, 2.0, n_save=2001, adiabatic=True)
    matter = np.max(np.abs(full.coherence - spin.coherence))
    residual = full.photon - spin.photon
    phase = np.unwrap(np.angle(residual))
    freq = -(phase[-1] - phase[0]) / (full.t[-1] - full.t[0])
    passed = matter < 0.05 and abs(freq / 40.0 - 1) < 0.15 and np.abs(residual).mean() > 0.05
    return Check(f"max ||S⁺|−|S⁺|ad| = {matter:.3f} for t ≤ 2/χN; photon − a_eq rotates at {freq:.1f} χN",
                 passed)


@claim("resonant-drive-mechanism",
       "In phase I⁺¹ the photon acts as a drive and the atoms' coherence follows the single-spin resonance (Eq. 3).",
       "Eq. 3", "04_quench_resonance")
def _mechanism():
    from .drive import drive_coherence, photon_drive
    from .dynamics import quench
    from .model import Model
    m = Model(eps0=6.0, W=8.0, delta_c=10.3, n_atoms=800)
    r = quench(m, 150.0, n_save=3001)
    d = photon_drive(r, t_min=75.0)
    sim = r.coherence[r.t >= 75].mean()
    projected = drive_coherence(m, d.mu, d.rabi, "projected")
    aligned = drive_coherence(m, d.mu, d.rabi, "aligned")
    return Check(f"simulated {sim:.4f}; dephased-precession form {projected:.4f}; Eq. 3 as printed (aligned) {aligned:.4f}",
                 abs(projected - sim) < 0.02 * sim,
                 "the mechanism holds in its quench-consistent (projected) form; Eq. 3's aligned form overestimates")


@claim("excitations-lock-photon",
       "Conservation of ½Σσᶻ + a†a locks the photon density to the inversion, a†a = −Sᶻ, for the quench state.",
       "Supplement, Eq. 11", "04_quench_resonance")
def _lock():
    from .dynamics import quench
    from .model import Model
    r = quench(Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=400), 50.0, n_save=501)
    drift = np.max(np.abs(r.excitations))
    return Check(f"max |a†a/N + Sᶻ/N| = {drift:.1e}", drift < 1e-9)


@claim("flat-band-plateau",
       "For ε0 ≪ W the spin model's II/I boundary lies at W = 2πχN cos(Δφ0/2) (Δφ0 = 0: plateau (W/4)cot(W/4)).",
       "spin-model limit", "02_adiabatic_elimination")
def _flat_band():
    from .analytic import phase_two_plateau_flat_band
    from .dynamics import quench
    from .model import Model
    W = 4.0
    r = quench(Model(eps0=0.0, W=W, delta_c=10.0, n_atoms=2000), 150.0, n_save=1501, adiabatic=True)
    sim = r.coherence[r.t >= 100].mean()
    exact = phase_two_plateau_flat_band(W)
    return Check(f"plateau {sim:.4f} vs closed form {exact:.4f} at W = 4χN", abs(sim - exact) < 0.02)


@claim("equilibrium-resonant-order",
       "At T = 0 with ½Σσᶻ + a†a = 0 (ε0 = 6, W = 8) the ground state shows resonant order, |S⁺| peaked near Δc ≈ ε0.",
       "Fig. 7 right", "06_equilibrium", expect=False)
def _equilibrium():
    from .equilibrium import ground_state
    from .model import Model
    values = []
    for dc in (3.0, 6.0, 12.0):
        gs = ground_state(Model(eps0=6.0, W=8.0, delta_c=dc, n_atoms=200), excitations=0.0)
        values.append(abs(gs.s_plus))
    return Check("ground-state |S⁺| = " + ", ".join(f"{v:.3f}" for v in values) + " at Δc = 3, 6, 12 χN",
                 max(values) > 1e-3,
                 "refuted: the ground state is the normal state; the resonant curve is the all-parallel "
                 "(highest-energy) branch — see the equilibrium chapter")


@claim("phase-three-plus-at-zero-W",
       "In the W = 0 limit there is only phase III⁺¹ (aperiodic |S⁺|, three collective degrees of freedom), at every Δc.",
       "Fig. 2 top", "05_dynamical_phases")
def _three_plus():
    from .lax import dynamical_phase
    from .model import Model
    detunings = (0.1, 0.3, 1.0, 3.0, 6.0, 10.0, 30.0, 100.0)
    at_zero = [dynamical_phase(Model(6.0, 0.0, dc, 2)).phase for dc in detunings]
    wide = [dynamical_phase(Model(6.0, 8.0, dc, 2)).phase for dc in detunings]
    passed = all(p == "III+1" for p in at_zero) and "III+1" not in wide
    return Check(f"W = 0: {sorted(set(at_zero))}; W = 8χN: {sorted(set(wide))}", passed,
                 "continuum Lax root count at 8 detunings from 0.1 to 100 χN")


@claim("phase-two-plus-near-resonance",
       "At large disorder (W > 4χN) phase II⁺¹ appears only around Δc ∼ ε0; Δc = 0.1 and 10.3χN are phase I⁺¹.",
       "Fig. 2 top", "05_dynamical_phases")
def _two_plus():
    from .lax import dynamical_phase
    from .model import Model
    phases = {dc: dynamical_phase(Model(6.0, 8.0, dc, 2)).phase for dc in (0.1, 1.0, 6.0, 10.3, 100.0)}
    passed = (phases[6.0] == "II+1" and phases[0.1] == "I+1" and phases[10.3] == "I+1"
              and phases[1.0] == "I+1" and phases[100.0] == "I+1")
    return Check(", ".join(f"{p} at Δc = {dc:g}" for dc, p in phases.items()) + " (W = 8χN)", passed)


def ledger_markdown(results) -> str:
    """The claims ledger as a Markdown table, from :func:`run_all`'s output."""
    def cell(text):
        return text.replace("|", "\\|")

    lines = ["| # | Claim of the paper | Source | Book's number | Status | Where |",
             "|---|---|---|---|---|---|"]
    for k, (c, r) in enumerate(results, 1):
        if r.passed and c.expect:
            status = "**reproduced**"
        elif not r.passed and not c.expect:
            status = "**refuted** (documented)"
        else:
            status = "**CHANGED — investigate**"
        value = r.value + (f" — {r.comment}" if r.comment else "")
        lines.append(f"| {k} | {cell(c.statement)} | {c.source} | {cell(value)} | {status} | "
                     f"[chapter]({c.chapter}.ipynb), test `{c.key}` |")
    return "\n".join(lines)


def _fig3_scan(kappa_lab: bool = True):
    from . import experiment as ex
    from .units import STRONTIUM, LabParameters
    n_atoms = 1000  # as in chapter 7; revival time 2 pi N / W = 393/chiN lies beyond the runs
    profile = ex.cosine_profile(n_atoms)
    kappa = STRONTIUM["kappa_khz"] if kappa_lab else 0.0

    def make(d):
        lab = LabParameters.at_detuning(STRONTIUM["g_khz"], kappa, 2_000_000, d, eps0=6.0, W=8.0)
        return lab.to_model(n_atoms=n_atoms, coupling_profile=profile)

    return ex.detuning_scan(make, np.geomspace(1.0, 30.0, 12), 100.0, n_save=1001)


@claim("fig3-raw-photon-minimum",
       "With inhomogeneous couplings g cos(3.7 i) and the coherent-drive state, the time-averaged photon density "
       "has a minimum near resonance (κ/2π = 150 kHz, g/2π = 10.8 kHz).",
       "Fig. 3 bottom", "07_loss_experiment", expect=False)
def _fig3_raw():
    scan = _cached("fig3-lab", lambda: _fig3_scan(kappa_lab=True))
    n = scan.n_photon_avg
    interior = [scan.delta_c[i] for i in range(1, n.size - 1) if n[i] < n[i - 1] and n[i] < n[i + 1]]
    return Check("interior minima at Δc = " + (", ".join(f"{x:.2f}" for x in interior) or "none")
                 + f"; density falls from {n[0]:.3f} to {n[-1]:.4f} across Δc = 1–30 χN",
                 any(3.0 < x < 12.0 for x in interior),
                 "refuted for the raw density, which falls monotonically (its initial value ∝ 1/Δc). The "
                 "atom-induced part (density minus its t = 0 value, i.e. −⟨Sᶻ⟩) turns negative above "
                 "resonance with a broad, grid-dependent trough over Δc ≈ 7–16 χN — see chapter 7")


@claim("mean-field-time-scale",
       "The mean-field approximation holds up to times of order 1/(χN), longer for more atoms.",
       "main text", "08_beyond_mean_field")
def _mean_field_time():
    from .dynamics import quench
    from .exact import exact_quench
    from .model import Model
    times = {}
    for n_atoms in (4, 8):
        m = Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=n_atoms)
        exact = exact_quench(m, 6.0, n_save=601)
        mf = quench(m, 6.0, n_save=601)
        off = np.flatnonzero(np.abs(exact.coherence - mf.coherence) > 0.1)
        times[n_atoms] = exact.t[off[0]] if off.size else np.inf
    passed = 0.3 < times[4] < 10 and times[8] > times[4]
    return Check(", ".join(f"{n} atoms: |S⁺| within 0.1 of exact until t = {t:.2f}/χN" for n, t in times.items()),
                 passed, "exact dynamics in excitation sectors against mean field, W = 8, Δc = ε0 = 6χN")
