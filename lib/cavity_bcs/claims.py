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
    from .units import STRONTIUM
    n_atoms = 1000  # as in chapter 7; revival time 2 pi N / W = 393/chiN lies beyond the runs
    profile = ex.cosine_profile(n_atoms)
    kappa = STRONTIUM["kappa_khz"] if kappa_lab else 0.0
    return ex.detuning_scan(lambda d: _lab_model(d, n_atoms, kappa, profile)[1], np.geomspace(1.0, 30.0, 12),
                            100.0, n_save=1001)


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
                 "atom-induced part (density minus the empty-cavity value) is examined on a finer grid in claims "
                 "fig3-atom-induced-dip-lossless and fig3-atom-induced-dip-with-loss — see chapter 7")


@claim("mean-field-time-scale",
       "The mean-field approximation holds up to times of order 1/(χN), longer for more atoms.",
       "main text", "08_beyond_mean_field")
def _mean_field_time():
    from .dynamics import first_departure, quench
    from .exact import exact_quench
    from .model import Model
    times = {}
    for n_atoms in (4, 8):
        m = Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=n_atoms)
        exact = exact_quench(m, 6.0, n_save=601)
        mf = quench(m, 6.0, n_save=601)
        times[n_atoms] = first_departure(exact.t, exact.coherence, mf.coherence, 0.1)
    passed = 0.3 < times[4] < 10 and times[8] > times[4]
    return Check(", ".join(f"{n} atoms: |S⁺| within 0.1 of exact until t = {t:.2f}/χN" for n, t in times.items()),
                 passed, "exact dynamics in excitation sectors against mean field, W = 8, Δc = ε0 = 6χN")


# ============================================================ experiment: drive preparation (Fig. 3 bottom)
def _lab_model(delta_c, n_atoms, kappa_khz, profile=None, gamma_khz=0.0):
    """Strontium cavity (g/2pi = 10.8 kHz) with N = 10^6 pairs at Delta_c/chiN = delta_c, eps0 = 6, W = 8."""
    from .units import STRONTIUM, LabParameters
    lab = LabParameters.at_detuning(STRONTIUM["g_khz"], kappa_khz, 2_000_000, delta_c, eps0=6.0, W=8.0,
                                    gamma_khz=gamma_khz)
    return lab, lab.to_model(n_atoms=n_atoms, coupling_profile=profile)


@claim("drive-prepares-aligned-state",
       "A coherent drive through the cavity leaves the atoms with sgn⟨σˣᵢ⟩ = sgn gᵢ (gᵢ = g cos(3.7 i)), pumping "
       "the cavity in phase, and an initial photon number that scales as 1/Δc.",
       "main text, Fig. 3 caption", "07_loss_experiment")
def _drive_preparation():
    from . import experiment as ex
    from .model import Model
    n_atoms = 200
    f = ex.cosine_profile(n_atoms)
    strong = np.abs(f) > 0.3  # weakly coupled atoms cannot follow the sweep (chapter 7)
    scaled, aligned = {}, {}
    for dc in (3.0, 12.0):
        # A drive amplitude that does NOT scale with Delta_c, so the 1/Delta_c law must come from the atoms.
        prep = ex.simulate_drive(Model(6.0, 8.0, dc, n_atoms, coupling_profile=f), duration=400.0, drive_peak=1.0)
        s = prep.state.spins[strong]
        aligned[dc] = np.mean((np.sign(s[:, 0]) == np.sign(f[strong])) & (np.abs(s[:, 2]) < 0.1))
        scaled[dc] = abs(prep.state.photon) ** 2 * dc
    # Atoms radiating in phase: <a+a>/N = (mean |f|)^2/Delta_c, and mean |cos| = 2/pi for an irrational k0 a0/2pi.
    target = (2 / np.pi) ** 2
    passed = (min(aligned.values()) > 0.95
              and all(abs(v / target - 1) < 0.03 for v in scaled.values()))
    return Check(f"Δc·⟨a†a⟩/N after the drive = {scaled[3.0]:.4f} (Δc = 3χN), {scaled[12.0]:.4f} (Δc = 12χN), "
                 f"(2/π)² = {target:.4f}; aligned fraction of atoms with |gᵢ| > 0.3g: "
                 f"{min(aligned.values()):.3f}", passed,
                 "explicit chirped-drive simulation (200 atoms) with a Δc-independent drive amplitude")


@claim("inhomogeneous-x-start-dark",
       "With inhomogeneous couplings gᵢ = g cos(3.7 i), a homogeneous start (all spins along +x) no longer excites "
       "the photon, while the drive-prepared state (sgn σˣᵢ = sgn gᵢ) does.",
       "main text (Experimental Realization)", "07_loss_experiment")
def _dark_x_start():
    from . import experiment as ex
    from .dynamics import quench
    from .model import Model
    t_final = 40.0
    x_start, drive = {}, {}
    for sampling, seeds in (("quantile", (None,)), ("random", (0, 1, 2))):
        for n_atoms in (400, 1600):
            values = []
            for seed in seeds:
                m = Model(6.0, 8.0, 6.0, n_atoms, coupling_profile=ex.cosine_profile(n_atoms), sampling=sampling,
                          seed=seed)
                if t_final > 0.35 * m.revival_time:
                    # Ordered (quantile) energies advance the spin phase by (W/N) t from one atom to the next;
                    # at t = (2 pi - 3.7) N/W the pattern matches cos(3.7 i) and the cavity lights up: an artefact.
                    raise RuntimeError(f"{n_atoms} atoms rephase too early for a run of {t_final}/chiN")
                values.append(quench(m, t_final, n_save=801).time_average("n_photon"))
                if sampling == "quantile":
                    drive[n_atoms] = quench(m, t_final, n_save=801, initial=ex.drive_state(m)).time_average("n_photon")
            x_start[sampling, n_atoms] = float(np.mean(values))
    passed = (all(x_start[s, 1600] < x_start[s, 400] and x_start[s, 1600] < 0.1 * drive[1600]
                  for s in ("quantile", "random"))
              and abs(drive[1600] / drive[400] - 1) < 0.05)
    return Check(f"⟨a†a⟩/N averaged over t ≤ 40/χN at Δc = ε0, 400 → 1600 atoms: x start "
                 f"{x_start['quantile', 400]:.1e} → {x_start['quantile', 1600]:.1e} (ordered energies), "
                 f"{x_start['random', 400]:.1e} → {x_start['random', 1600]:.1e} (random energies, 3 seeds); "
                 f"drive state {drive[400]:.4f} → {drive[1600]:.4f}", passed,
                 "κ = 0. The x-start density vanishes as N → ∞: ≈1/N² for ordered energies (bounded quasi-periodic "
                 "sums of cos 3.7i), ≈N^(−0.8) for random ones (slower than the 1/N of an incoherent source); the "
                 "drive state's density does not depend on N")


def _fig3_fine_scan(kappa_khz):
    """Drive-state detuning scan with cosine couplings on a fine grid around resonance (atom-induced density)."""
    from . import experiment as ex
    n_atoms, t_final = 600, 100.0  # 600 and 1000 atoms give the same minima (checked for the ledger)
    profile = ex.cosine_profile(n_atoms)
    scan = ex.detuning_scan(lambda d: _lab_model(d, n_atoms, kappa_khz, profile)[1],
                            np.geomspace(4.0, 16.0, 17), t_final, n_save=1001)
    kappa = np.array([m.kappa for m in scan.models])
    if kappa_khz == 0:
        empty = scan.n_photon_initial
    else:
        # photons an empty cavity would still hold on average: n(0) (1 - e^{-kappa T})/(kappa T)
        empty = scan.n_photon_initial * -np.expm1(-kappa * t_final) / (kappa * t_final)
    excess = scan.n_photon_avg - empty
    local = [i for i in range(1, excess.size - 1) if excess[i] < excess[i - 1] and excess[i] < excess[i + 1]]
    return scan.delta_c, excess, local


def _fig3_fine_value(dets, excess, local):
    return ("local minima of the atom-induced density at Δc = "
            + (", ".join(f"{dets[i]:.2f} ({excess[i]:+.4f})" for i in local) or "none")
            + f" χN; deepest at {dets[np.argmin(excess)]:.2f}χN")


@claim("fig3-atom-induced-dip-lossless",
       "With the drive-prepared state, inhomogeneities do not destroy the resonance: the photon density absorbed "
       "by the atoms (time average minus initial, = −⟨Sᶻ⟩/N) has a minimum near Δc ≈ ε0 = 6χN.",
       "main text, Fig. 3 bottom; Supplement Eq. 12", "07_loss_experiment")
def _fig3_lossless_dip():
    dets, excess, local = _cached("fig3-fine-0", lambda: _fig3_fine_scan(0.0))
    near = [i for i in local if 5.0 < dets[i] < 9.5]
    return Check(_fig3_fine_value(dets, excess, local), bool(near),
                 "κ = 0, 600 atoms, 17 detunings in [4, 16]χN, T = 100/χN. The dip sits at ≈1.3ε0 and a second, "
                 "broader trough follows near 2ε0")


@claim("fig3-atom-induced-dip-with-loss",
       "With the laboratory loss (κ/2π = 150 kHz, g/2π = 10.8 kHz) the resonance is still visible as the minimum "
       "of the photon density near Δc ≈ ε0.",
       "Fig. 3 bottom", "07_loss_experiment", expect=False)
def _fig3_lossy_dip():
    dets, excess, local = _cached("fig3-fine-lab", lambda: _fig3_fine_scan(150.0))
    if not np.all(np.isfinite(excess)):
        raise RuntimeError("non-finite photon densities in the Fig. 3 scan")
    deepest = dets[np.argmin(excess)]
    return Check(_fig3_fine_value(dets, excess, local), 5.0 < deepest < 9.5,
                 "refuted even after subtracting the empty-cavity background: with loss only a shallow local dip "
                 "survives near 7χN while the deepest point moves to ≈2ε0 (the raw density has no minimum at all, "
                 "claim fig3-raw-photon-minimum)")


# ============================================================ experiment: photon loss (Fig. 3 top)
def _loss_runs():
    """Fig. 3 (top) quenches for 8 µs of lab time: ideal, lab kappa, twice lab kappa, lab kappa + gamma.

    800 atoms and 8 µs give the same decay times as chapter 7's 1000 atoms and 10 µs (to 2%)."""
    from . import experiment as ex
    from .dynamics import quench
    from .units import STRONTIUM
    runs = {}
    for dc in (4.0, 6.0, 10.3):
        lab, m = _lab_model(dc, 800, STRONTIUM["kappa_khz"], gamma_khz=STRONTIUM["gamma_khz"])
        t_final = lab.time_from_ms(0.008)
        if t_final >= m.revival_time:  # the quantile grid's rephasing would fake a revival
            raise RuntimeError(f"run of {t_final:.0f}/chiN reaches the revival time {m.revival_time:.0f}/chiN")
        no_gamma = m.replace(gamma=0.0)
        ideal = quench(no_gamma.replace(kappa=0.0), t_final, n_save=1001)
        lossy = quench(no_gamma, t_final, n_save=1001)
        double = quench(no_gamma.replace(kappa=2 * no_gamma.kappa), t_final, n_save=1001)
        runs[dc] = dict(lab=lab, ideal=ideal, lossy=lossy,
                        single=ex.loss_decay(lossy, ideal, lab), double=ex.loss_decay(double, ideal, lab))
        if dc == 6.0:
            runs[dc]["gamma"] = quench(m, t_final, n_save=1001)
    return runs


def _kappa_per_us():
    from .units import STRONTIUM
    return 2 * np.pi * STRONTIUM["kappa_khz"] * 1e-3


@claim("loss-decay-time-inverse-kappa",
       "Under cavity loss |S⁺(t)| decays on a time scale ∝ 1/κ (the caption's \"rate proportional to 1/κ\" read as "
       "the decay time).",
       "Fig. 3 top caption", "07_loss_experiment")
def _loss_inverse_kappa():
    runs = _cached("loss-runs", _loss_runs)
    ratios = {dc: r["single"].time_us / r["double"].time_us for dc, r in runs.items()}
    return Check("t₀.₆(κ)/t₀.₆(2κ) = " + ", ".join(f"{v:.2f} at Δc = {dc:g}χN" for dc, v in ratios.items()),
                 all(abs(v / 2 - 1) < 0.1 for v in ratios.values()),
                 "t₀.₆: when the smoothed ratio |S⁺|_κ/|S⁺|_(κ=0) falls to 0.6 (loss_decay); 800 atoms, lab units")


@claim("loss-decay-rate-independent-of-detuning",
       "The loss-induced decay rate of |S⁺(t)| is constant with Δc/χN (in laboratory time).",
       "Fig. 3 top caption", "07_loss_experiment", expect=False)
def _loss_constant_rate():
    runs = _cached("loss-runs", _loss_runs)
    kt = {dc: _kappa_per_us() * r["single"].time_us for dc, r in runs.items()}
    return Check("κ·t₀.₆ = " + ", ".join(f"{v:.2f} at Δc = {dc:g}χN" for dc, v in kt.items()),
                 max(kt.values()) < 1.3 * min(kt.values()),
                 "refuted: near resonance (phase II⁺¹) the coherence survives ~5/κ, at Δc = 10.3χN (phase I⁺¹, "
                 "coherence sustained by the leaking photon) only ~2/κ; the scale ∝ 1/κ holds at each Δc")


@claim("loss-decay-looks-faster-in-chiN-units",
       "In units of 1/χN (fixed g) the decay of |S⁺| appears faster at larger Δc/χN, because the unit changes with Δc.",
       "Fig. 3 top caption", "07_loss_experiment")
def _loss_apparent():
    runs = _cached("loss-runs", _loss_runs)
    t_chi = {dc: r["lab"].time_from_ms(r["single"].time_us * 1e-3) for dc, r in runs.items()}
    values = [t_chi[dc] for dc in sorted(t_chi)]
    return Check("t₀.₆ = " + ", ".join(f"{t_chi[dc]:.0f}/χN at Δc = {dc:g}χN" for dc in sorted(t_chi)),
                 all(a > b for a, b in zip(values, values[1:])),
                 "κ/χN = (κ/g√N)·√(Δc/χN) grows with Δc; see also claim time-unit-decreases-with-detuning")


@claim("time-unit-decreases-with-detuning",
       "At fixed g the unit of time 1/χN decreases as Δc/χN grows.",
       "Fig. 3 top caption", "07_loss_experiment", expect=False)
def _time_unit():
    from .units import STRONTIUM, LabParameters
    units = {dc: LabParameters.at_detuning(STRONTIUM["g_khz"], STRONTIUM["kappa_khz"], 2_000_000, dc).time_unit_ms
             for dc in (0.1, 10.3)}
    ratio = units[10.3] / units[0.1]
    # closed form: chiN = g sqrt(N)/sqrt(Delta_c/chiN), so 1/chiN grows as sqrt(Delta_c/chiN)
    closed = np.sqrt(10.3 / 0.1)
    if abs(ratio / closed - 1) > 1e-9:  # a broken conversion must fail the test, not look like a refutation
        raise RuntimeError(f"LabParameters time unit ratio {ratio} differs from the closed form {closed}")
    return Check(f"1/χN = {units[0.1] * 1e6:.2f} ns at Δc = 0.1χN, {units[10.3] * 1e6:.1f} ns at 10.3χN "
                 f"(ratio {ratio:.2f}, √(10.3/0.1) = {closed:.2f})",
                 ratio < 1,
                 "refuted (a slip in the caption): it is the energy unit χN that decreases; the caption's conclusion "
                 "(decay looks faster at larger Δc in units of 1/χN) still holds")


@claim("atomic-decay-negligible-on-kappa-time",
       "For strontium (γ ≪ κ, Ng² ≫ κγ) the resonant coherence is still observable on times O(1/κ) and atomic "
       "decay may be neglected there.",
       "main text (Experimental Realization)", "07_loss_experiment")
def _atomic_decay():
    runs = _cached("loss-runs", _loss_runs)
    r = runs[6.0]
    t_us = r["lab"].time_to_ms(r["lossy"].t) * 1e3
    sel = np.abs(t_us - 1.0 / _kappa_per_us()) <= 0.5  # +-0.5 us around t = 1/kappa
    kappa_only, with_gamma = r["lossy"].coherence[sel].mean(), r["gamma"].coherence[sel].mean()
    ideal = r["ideal"].coherence[sel].mean()
    cost = 1 - with_gamma / kappa_only
    coop = r["lab"].collective_cooperativity
    passed = coop > 1e3 and cost < 0.1 and kappa_only > 0.5 * ideal
    return Check(f"at t = 1/κ, Δc = ε0: |S⁺| = {ideal:.3f} (no loss), {kappa_only:.3f} (κ), {with_gamma:.3f} "
                 f"(κ + γ, γ/2π = 7.5 kHz): γ costs {100 * cost:.1f}%; Ng²/(κγ) = {coop:.2g}", passed,
                 "a single atom's coherence loss 1 − e^(−γt/2) is 2.5% at t = 1/κ")


# ============================================================ mechanism and limits (main text, supplement)
@claim("photon-starts-around-aeq0",
       "After the quench the photon is first driven to oscillate at Δc around a_eq(0) = −Ng/Δc.",
       "main text (Mechanism)", "04_quench_resonance")
def _aeq0():
    from .dynamics import quench
    from .model import Model
    delta_c = 400.0  # 1/Delta_c must be the fastest scale (1/eps0, 1/W much longer)
    r = quench(Model(6.0, 8.0, delta_c, 400), 2 * np.pi / delta_c, n_save=1001)
    mean = np.trapezoid(r.photon, r.t) / r.t[-1] * np.sqrt(delta_c)  # in units of a_eq(0) = -1/sqrt(Delta_c)
    swing = np.abs(r.photon).max() * np.sqrt(delta_c)
    return Check(f"one-period mean of ⟨a⟩ = {mean.real:.4f}{mean.imag:+.4f}i and max |⟨a⟩| = {swing:.4f}, "
                 f"in units of gN/Δc, at Δc = 400χN", abs(mean + 1) < 0.01 and abs(swing - 2) < 0.01,
                 "a(t) = a_eq(0)(1 − e^(−iΔc t)): mean −1 and maximum 2 in these units")


def _late_drive(delta_c):
    from .drive import photon_drive
    from .dynamics import quench
    from .lax import dynamical_phase, photon_oscillation
    from .model import Model
    m = Model(6.0, 8.0, delta_c, 400)  # revival time 157/chiN lies beyond the run
    d = photon_drive(quench(m, 100.0, n_save=4001), t_min=50.0)
    phase = dynamical_phase(m)
    lax_mu = [photon_oscillation(u, delta_c)[0] for u in phase.roots]
    return d.mu, phase.phase, lax_mu


@claim("photon-frequency-near-detuning",
       "In phase I⁺¹ the photon keeps precessing at a frequency µ close to the detuning, µ ≈ Δc, also away from "
       "the adiabatic limit.",
       "main text (Mechanism)", "04_quench_resonance")
def _mu_near_delta():
    rows = {dc: _late_drive(dc) for dc in (10.3, 20.0, 40.0)}
    ok = all(p == "I+1" and abs(mu / dc - 1) < 0.15 and len(lm) == 1 and abs(lm[0] / mu - 1) < 1e-4
             for dc, (mu, p, lm) in rows.items())
    dev = [abs(rows[dc][0] / dc - 1) for dc in sorted(rows)]
    ok = ok and dev[0] > dev[1] > dev[2]
    return Check(", ".join(f"µ/Δc = {mu / dc:.4f} at Δc = {dc:g}" for dc, (mu, _, _) in rows.items())
                 + " (W = 8χN; quench and Lax root 2 Re u agree to 10⁻⁴)", ok,
                 "µ from the photon's phase winding over t ∈ [50, 100]/χN (400 atoms); approaches Δc as Δc grows")


@claim("eq10-phase-one-root",
       "For Δc > W > ε0 the phase-I⁺¹ Lax root is u = (Δc/4)(1 + √(1 + 8iχN/Δc)) ≈ Δc/2 + iχN.",
       "Supplement Eqs. 9–10", "05_dynamical_phases")
def _eq10():
    from .lax import dynamical_phase
    from .model import Model
    errors = {}
    for dc in (20.0, 40.0, 100.0):
        ph = dynamical_phase(Model(1.0, 8.0, dc, 2))
        closed = dc / 4 * (1 + np.sqrt(1 + 8j / dc))
        errors[dc] = (ph.phase, abs(ph.roots[-1] - closed) / abs(closed.imag), ph.roots[-1])
    passed = all(p == "I+1" and e < 0.03 for p, e, _ in errors.values())
    return Check(", ".join(f"u = {u.real:.3f}{u.imag:+.4f}i at Δc = {dc:g} (off by {e:.1%} of Im u)"
                           for dc, (_, e, u) in errors.items()), passed,
                 "continuum Lax roots (argument principle + Newton) against the closed form, ε0 = χN, W = 8χN")


def _first_w_in_phase(delta_c, eps0, names, adiabatic=False, W=np.linspace(0.01, 10.0, 1000)):
    from .lax import phase_diagram
    phases = phase_diagram([delta_c], W, eps0, adiabatic=adiabatic).phases[0]
    hits = np.flatnonzero(np.isin(phases, names))
    return (W[hits[0]] if hits.size else np.inf), phases, W


@claim("diabatic-phase-one-at-small-disorder",
       "In the diabatic limit Δc ≪ χN the transition to phase I⁺¹ occurs at much smaller disorder than at large "
       "detuning.",
       "main text, Fig. 2 top", "05_dynamical_phases")
def _diabatic_boundary():
    small, _, _ = _first_w_in_phase(0.1, 6.0, ["I+1"])
    large, _, _ = _first_w_in_phase(100.0, 6.0, ["I+1"])
    return Check(f"phase I⁺¹ from W = {small:.2f}χN at Δc = 0.1χN, from W = {large:.2f}χN at Δc = 100χN",
                 small < 0.2 * large, "continuum Lax-root count, ε0 = 6χN, W step 0.01χN")


def _spin_segments(eps0):
    _, phases, W = _first_w_in_phase(1.0, eps0, [], adiabatic=True)
    edges = [0] + [i for i in range(1, phases.size) if phases[i] != phases[i - 1]]
    return [(phases[i], W[i]) for i in edges if phases[i] != "unsure"]


@claim("adiabatic-critical-disorder-order-chiN",
       "In the adiabatic limit the critical disorders between the phases depend on ε0 but are of the order of χN.",
       "main text (Dynamical phases)", "05_dynamical_phases")
def _spin_boundaries():
    rows = {e: _spin_segments(e) for e in (1.0, 1.5, 6.0)}
    critical = [w for segs in rows.values() for _, w in segs[1:]]
    depends = rows[1.0][1][1] != rows[6.0][1][1]
    return Check("; ".join(f"ε0 = {e:g}: " + " → ".join(f"{p} from W = {w:.2f}" for p, w in segs)
                           for e, segs in rows.items()),
                 depends and all(0.3 < w < 10 for w in critical),
                 "spin model, continuum Lax-root count; boundaries at W = 2ε0 (ε0 < π/2), π and 2π, in units of χN")


@claim("adiabatic-phase-two-between-one-and-three",
       "In the adiabatic limit with ε0 > χN, lowering the disorder leads from phase I through phase II to phase III "
       "(at the book's ε0 = 6χN as well).",
       "main text (Dynamical phases)", "05_dynamical_phases", expect=False)
def _spin_phase_two():
    rows = {e: _spin_segments(e) for e in (1.5, 6.0)}
    has_two = {e: any(p == "II" for p, _ in segs) for e, segs in rows.items()}
    return Check("; ".join(f"ε0 = {e:g}: " + " → ".join(f"{p} from W = {w:.2f}" for p, w in segs)
                           for e, segs in rows.items()), all(has_two.values()),
                 "refuted at ε0 = 6χN: the count goes from III straight to I at W = πχN; phase II needs "
                 "2ε0 < W < 2πχN, i.e. ε0 < πχN (present at ε0 = 1.5χN)")


@claim("phase-three-plus-approaches-phase-three",
       "At W = 0 the aperiodic (photon) contribution to |S⁺(t)| shrinks smoothly as Δc grows, so phase III⁺¹ tends "
       "to the spin model's phase III.",
       "main text (Dynamical phases)", "04_quench_resonance")
def _three_plus_limit():
    from .dynamics import quench
    from .model import Model
    dev = {}
    for dc in (20.0, 40.0, 80.0, 160.0):
        # W = 0: all atoms of a band move together, so one atom per band is the exact mean-field system
        m = Model(6.0, 0.0, dc, 2)
        full, spin = quench(m, 5.0, n_save=2001), quench(m, 5.0, n_save=2001, adiabatic=True)
        dev[dc] = np.max(np.abs(full.coherence - spin.coherence))
    d = [dev[k] for k in sorted(dev)]
    slopes = [np.log2(a / b) for a, b in zip(d, d[1:])]
    return Check("max over t ≤ 5/χN of ||S⁺| − |S⁺|_adiabatic| = " + ", ".join(f"{v:.4f}" for v in d)
                 + " at Δc = " + ", ".join(f"{k:g}" for k in sorted(dev))
                 + f"χN; log₂ of successive ratios {', '.join(f'{s:.2f}' for s in slopes)}",
                 all(s > 1.0 for s in slopes[1:]) and d[-1] < 0.01,
                 "the deviation falls as ≈1/Δc² once Δc ≫ ε0")


@claim("excitations-conserved-drive-state",
       "With inhomogeneous couplings and the drive-prepared state the photon density is tied to the inversion, "
       "a†a = −Jᶻ + a₀†a₀ (κ = 0); with loss the excitations leak only through the photon, at rate κ⟨a†a⟩.",
       "Supplement Eqs. 12, 17", "07_loss_experiment")
def _drive_excitations():
    from scipy.integrate import cumulative_trapezoid
    from . import experiment as ex
    from .dynamics import quench
    from .model import Model
    m = Model(6.0, 8.0, 6.0, 600, coupling_profile=ex.cosine_profile(600))
    ideal = quench(m, 50.0, n_save=501, initial=ex.drive_state(m))
    drift = np.max(np.abs(ideal.excitations - ideal.n_photon[0]))  # S^z(0) = 0 for the drive state
    lossy_model = m.replace(kappa=0.5)
    lossy = quench(lossy_model, 50.0, n_save=5001, initial=ex.drive_state(lossy_model))
    leaked = cumulative_trapezoid(lossy_model.kappa * lossy.n_photon, lossy.t, initial=0.0)
    balance = np.max(np.abs(lossy.excitations - lossy.excitations[0] + leaked)) / leaked[-1]
    return Check(f"κ = 0: max |a†a/N + Jᶻ/N − a₀†a₀/N| = {drift:.1e}; κ = 0.5χN: excitation balance off by "
                 f"{balance:.1e} of the {leaked[-1]:.3f} lost", drift < 1e-9 and balance < 1e-4,
                 "600 atoms, gᵢ = g cos(3.7 i); jump operator √(κ/2)a ⇒ d⟨a†a⟩/dt|loss = −κ⟨a†a⟩")


@claim("fig4-larger-phase-two-region",
       "For Δφ0 = π and a(0) = a_eq(0) the phase-II⁺¹ region of the diagram is larger than in Fig. 2.",
       "Supplement Fig. 4", "05_dynamical_phases", expect=False)
def _fig4_area():
    import math
    from .lax import phase_diagram
    dc, W = np.geomspace(0.1, 100.0, 60), np.linspace(0.0, 10.0, 60)
    fig2 = np.sum(phase_diagram(dc, W, 6.0).phases == "II+1")
    fig4 = np.sum(phase_diagram(dc, W, 6.0, delta_phi0=math.pi, photon="equilibrium").phases == "II+1")
    return Check(f"II⁺¹ cells on a 60×60 grid (Δc = 0.1–100χN, W = 0–10χN): Fig. 2 {fig2}, Fig. 4 {fig4} "
                 f"(ratio {fig4 / fig2:.2f})", fig4 > 1.2 * fig2,
                 "refuted on the Fig. 2 axes: the region moves to larger Δc at large W (claim "
                 "fig4-phase-two-shifts-up) but does not grow; a_eq(0) = 0 at Δφ0 = π, so only the phase offset acts")


@claim("fig4-phase-two-shifts-up",
       "For Δφ0 = π and a(0) = a_eq(0), at large W the phase-II⁺¹ region shifts to higher detunings.",
       "Supplement Fig. 4", "05_dynamical_phases")
def _fig4_shift():
    import math
    from .lax import phase_diagram
    dc = np.geomspace(0.1, 100.0, 121)
    rows = {}
    for name, kw in (("Fig. 2", {}), ("Fig. 4", dict(delta_phi0=math.pi, photon="equilibrium"))):
        inside = dc[phase_diagram(dc, [8.0], 6.0, **kw).phases[:, 0] == "II+1"]
        rows[name] = (inside.min(), inside.max()) if inside.size else (np.nan, np.nan)
    passed = rows["Fig. 4"][0] > rows["Fig. 2"][0] and rows["Fig. 4"][1] > rows["Fig. 2"][1]
    return Check("II⁺¹ at W = 8χN: " + "; ".join(f"{k} Δc = {a:.2f}–{b:.2f}χN" for k, (a, b) in rows.items()),
                 passed)


@claim("fig4-resonance-in-coherence",
       "For Δφ0 = π and a(0) = a_eq(0) the time-averaged coherence still peaks at the resonance Δc ≈ ε0 "
       "(confirmed numerically in the paper).",
       "Supplement Fig. 4 caption", "05_dynamical_phases")
def _fig4_resonance():
    import math
    from .model import Model
    from .sweep import sweep
    detunings = np.geomspace(0.3, 100.0, 16)
    res = sweep(Model(6.0, 8.0, 6.0, 400), {"delta_c": detunings}, 100.0, n_save=1001, delta_phi0=math.pi,
                photon="equilibrium", progress=False)
    c = res["coherence_avg"]
    peak = detunings[np.argmax(c)]
    return Check(f"time-averaged |S⁺| peaks at Δc = {peak:.2f}χN ({c.max():.3f}; {c[0]:.4f} at Δc = 0.3, "
                 f"{c[-1]:.4f} at 100χN)", 4.5 < peak < 9.0 and c.max() > 20 * max(c[0], c[-1]),
                 "W = 8χN, 400 atoms, 16 detunings")


@claim("fig7-left-normal-along-eps0-6",
       "At T = 0 and µ = 0 the line ε0 = 6χN studied in the paper has |S⁺| = 0 (normal state) in the ground state.",
       "Supplement Fig. 7 left", "06_equilibrium")
def _fig7_left():
    from .equilibrium import gap_equation_mu0_boundary, ground_state
    from .model import Model
    on_line = {W: ground_state(Model(6.0, W, 6.0, 400), mu=0.0).coherence for W in (2.0, 5.0, 8.0, 10.0)}
    control = ground_state(Model(1.0, 1.0, 6.0, 400), mu=0.0).coherence
    boundary = gap_equation_mu0_boundary(6.0)
    passed = max(on_line.values()) < 1e-8 and control > 0.1 and boundary > 10.0
    return Check(f"ground-state |S⁺| = {max(on_line.values()):.1e} for W = 2–10χN at ε0 = 6χN "
                 f"(gap-equation boundary W_c = {boundary:.2f}χN); control ε0 = W = χN: {control:.3f}", passed,
                 "400 atoms, µ = 0; closed form 1 = (2/W) ln[(2ε0 + W)/(2ε0 − W)] at the boundary")


@claim("retardation-beats-instantaneous-interaction",
       "At the same interaction strength χN, the retarded (resonant) photon keeps more phase coherence than the "
       "instantaneous interaction of the adiabatically eliminated model.",
       "main text (introduction), Fig. 1", "04_quench_resonance")
def _retardation():
    from .dynamics import quench
    from .model import Model
    detunings, res = _cached("fig1", _fig1)
    k = int(np.argmax(res["coherence_avg"]))
    spin = quench(Model(6.0, 8.0, detunings[k], 400), 100.0, n_save=1001, adiabatic=True)
    instantaneous = spin.time_average("coherence", 50.0, 100.0)
    resonant = res["coherence_avg"][k]
    return Check(f"|S⁺| averaged over t ∈ [50, 100]/χN: {resonant:.3f} with the photon at Δc = {detunings[k]:.2f}χN, "
                 f"{instantaneous:.4f} for the spin-only model (same ε0 = 6χN, W = 8χN)",
                 resonant > 10 * instantaneous, "400 atoms; the spin model is in phase I at W = 8χN")


@claim("fig6-band-structure-density",
       "Two linear (Dirac-cone) bands centred at ±ε0/2 with half-width W/4 have the constant two-box density of "
       "states of the simulator and, for W < 2ε0, a band gap ε0 − W/2.",
       "Supplement Fig. 6", "06_equilibrium")
def _fig6():
    from .equilibrium import two_band_dispersion
    from .model import two_box_density
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
