"""Claims checked in Chapter 7, loss, inhomogeneity and the experiment (``book/07_loss_experiment.ipynb``)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.integrate import cumulative_trapezoid

from .. import experiment as ex
from ..experiment.units import STRONTIUM, LabParameters
from ..meanfield.quench import quench
from ..model import Model
from .registry import Check, _cached, claim


def _fig3_scan(kappa_lab: bool = True):
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


def _lab_model(delta_c, n_atoms, kappa_khz, profile=None, gamma_khz=0.0):
    """Strontium cavity (g/2pi = 10.8 kHz) with N = 10^6 pairs at Delta_c/chiN = delta_c, eps0 = 6, W = 8."""
    lab = LabParameters.at_detuning(STRONTIUM["g_khz"], kappa_khz, 2_000_000, delta_c, eps0=6.0, W=8.0,
                                    gamma_khz=gamma_khz)
    return lab, lab.to_model(n_atoms=n_atoms, coupling_profile=profile)


@claim("drive-prepares-aligned-state",
       "A coherent drive through the cavity leaves the atoms with sgn⟨σˣᵢ⟩ = sgn gᵢ (gᵢ = g cos(3.7 i)), pumping "
       "the cavity in phase, and an initial photon number that scales as 1/Δc.",
       "main text, Fig. 3 caption", "07_loss_experiment")
def _drive_preparation():
    n_atoms = 200
    f = ex.cosine_profile(n_atoms)
    strong = np.abs(f) > 0.3  # weakly coupled atoms cannot follow the sweep (chapter 7)
    scaled, aligned = {}, {}
    for dc in (3.0, 12.0):
        # A drive amplitude that does NOT scale with Delta_c, so the 1/Delta_c law must come from the atoms.
        prep = ex.simulate_drive(Model(eps0=6.0, W=8.0, delta_c=dc, n_atoms=n_atoms, coupling_profile=f), duration=400.0, drive_peak=1.0)
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
                 "explicit chirped-drive simulation (200 atoms) with a Δc-independent drive amplitude",
                 {"scaled_min": min(scaled.values()), "scaled_max": max(scaled.values()), "target": target})


@claim("inhomogeneous-x-start-dark",
       "With inhomogeneous couplings gᵢ = g cos(3.7 i), a homogeneous start (all spins along +x) no longer excites "
       "the photon, while the drive-prepared state (sgn σˣᵢ = sgn gᵢ) does.",
       "main text (Experimental Realization)", "07_loss_experiment")
def _dark_x_start():
    t_final = 40.0
    x_start, drive = {}, {}
    for sampling, seeds in (("quantile", (None,)), ("random", (0, 1, 2))):
        for n_atoms in (400, 1600):
            values = []
            for seed in seeds:
                m = Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=n_atoms, coupling_profile=ex.cosine_profile(n_atoms), sampling=sampling,
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


@dataclass(frozen=True, eq=False)
class Fig3Dips:
    r"""The atom-induced photon density of Fig. 3 (bottom) on a fine grid around resonance.

    Drive-prepared state, cosine couplings, the strontium cavity's ``kappa_khz`` (0: no loss),
    ``n_atoms`` atoms to ``t_final`` (units of :math:`1/\chi N`). ``excess``: the time-averaged
    :math:`\langle a^\dagger a\rangle/N` minus what an empty cavity would hold
    (:math:`= -\langle S^z\rangle/N` averaged, without loss); ``local``: indices of its interior
    local minima. Chapter 7 and the ledger read this object.
    """

    kappa_khz: float
    n_atoms: int
    t_final: float
    detunings: np.ndarray
    excess: np.ndarray
    local: list

    @property
    def deepest(self) -> float:
        r"""Detuning of the lowest ``excess`` (units of :math:`\chi N`)."""
        return float(self.detunings[np.argmin(self.excess)])

    @property
    def near_resonance(self) -> list:
        r"""Detunings of the local minima within :math:`5 < \Delta_c/\chi N < 9.5`, around
        :math:`\varepsilon_0 = 6\chi N` (the window the ledger's checks call "near resonance")."""
        return [float(self.detunings[i]) for i in self.local if 5.0 < self.detunings[i] < 9.5]


def fig3_dips(kappa_khz: float = 0.0) -> Fig3Dips:
    """The fine Fig. 3 (bottom) scan at ``kappa_khz`` (0 or the strontium cavity's 150 kHz); computed once."""
    kappa_khz = float(kappa_khz)
    return _cached(f"fig3-fine-{kappa_khz:g}", lambda: _fig3_fine_scan(kappa_khz))


def _fig3_fine_scan(kappa_khz):
    """Drive-state detuning scan with cosine couplings on a fine grid around resonance (atom-induced density)."""
    n_atoms, t_final = 600, 100.0  # 600 and 1000 atoms give the same minima on this grid (checked for the ledger)
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
    return Fig3Dips(kappa_khz, n_atoms, t_final, np.asarray(scan.delta_c), excess, local)


def _fig3_fine_value(dets, excess, local):
    return ("local minima of the atom-induced density at Δc = "
            + (", ".join(f"{dets[i]:.2f} ({excess[i]:+.4f})" for i in local) or "none")
            + f" χN; deepest at {dets[np.argmin(excess)]:.2f}χN")


@claim("fig3-atom-induced-dip-lossless",
       "With the drive-prepared state, inhomogeneities do not destroy the resonance: the photon density absorbed "
       "by the atoms (time average minus initial, = −⟨Sᶻ⟩/N) has a minimum near Δc ≈ ε0 = 6χN.",
       "main text, Fig. 3 bottom; Supplement Eq. 12", "07_loss_experiment")
def _fig3_lossless_dip():
    dips = fig3_dips(0.0)
    dets, excess, local = dips.detunings, dips.excess, dips.local
    near = dips.near_resonance
    eps0 = 6.0
    deepest = dips.deepest
    later = [dets[i] for i in local if dets[i] > deepest]
    numbers = {"deepest": deepest, "deepest_over_eps0": deepest / eps0}
    comment = (f"κ = 0, {dips.n_atoms} atoms, {len(dets)} detunings in [{dets[0]:g}, {dets[-1]:g}]χN, T = 100/χN. "
               f"The dip sits at {deepest / eps0:.2f}ε0")
    if later:
        numbers["second_over_eps0"] = later[0] / eps0
        comment += f" and a second, broader trough follows at {later[0] / eps0:.2f}ε0"
    return Check(_fig3_fine_value(dets, excess, local), bool(near), comment, numbers)


@claim("fig3-atom-induced-dip-with-loss",
       "With the laboratory loss (κ/2π = 150 kHz, g/2π = 10.8 kHz) the resonance is still visible as the minimum "
       "of the photon density near Δc ≈ ε0.",
       "Fig. 3 bottom", "07_loss_experiment", expect=False)
def _fig3_lossy_dip():
    dips = fig3_dips(STRONTIUM["kappa_khz"])
    dets, excess, local = dips.detunings, dips.excess, dips.local
    if not np.all(np.isfinite(excess)):
        raise RuntimeError("non-finite photon densities in the Fig. 3 scan")
    deepest = dips.deepest
    near = dips.near_resonance
    numbers = {"deepest": deepest, "deepest_over_eps0": deepest / 6.0}
    survives = "no local dip survives near ε0"
    if near:
        numbers["local_dip"] = near[0]
        survives = f"only a shallow local dip survives at {near[0]:.2f}χN"
    return Check(_fig3_fine_value(dets, excess, local), 5.0 < deepest < 9.5,
                 f"refuted even after subtracting the empty-cavity background: with loss {survives} while the deepest "
                 f"point moves to {deepest / 6.0:.2f}ε0 (the raw density has no minimum at all, claim "
                 "fig3-raw-photon-minimum)", numbers)


def _loss_runs():
    """Fig. 3 (top) quenches for 8 µs of lab time: ideal, lab kappa, twice lab kappa, lab kappa + gamma.

    800 atoms and 8 µs give the same decay times as chapter 7's 1000 atoms and 10 µs (to 2%)."""
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
    return 2 * np.pi * STRONTIUM["kappa_khz"] * 1e-3


@claim("loss-decay-time-inverse-kappa",
       "Under cavity loss |S⁺(t)| decays on a time scale ∝ 1/κ (the caption's \"rate proportional to 1/κ\" read as "
       "the decay time).",
       "Fig. 3 top caption", "07_loss_experiment")
def _loss_inverse_kappa():
    runs = _cached("loss-runs", _loss_runs)
    ratios = {dc: r["single"].time_us / r["double"].time_us for dc, r in runs.items()}
    deviation = max(abs(v / 2 - 1) for v in ratios.values())
    return Check("t₀.₆(κ)/t₀.₆(2κ) = " + ", ".join(f"{v:.2f} at Δc = {dc:g}χN" for dc, v in ratios.items()),
                 deviation < 0.1,
                 "t₀.₆: when the smoothed ratio |S⁺|_κ/|S⁺|_(κ=0) falls to 0.6 (loss_decay); 800 atoms, lab units",
                 {"max_deviation_percent": 100 * deviation})


@claim("loss-decay-rate-independent-of-detuning",
       "The loss-induced decay rate of |S⁺(t)| is constant with Δc/χN (in laboratory time).",
       "Fig. 3 top caption", "07_loss_experiment", expect=False)
def _loss_constant_rate():
    runs = _cached("loss-runs", _loss_runs)
    kt = {dc: _kappa_per_us() * r["single"].time_us for dc, r in runs.items()}
    resonant, driven = kt[6.0], kt[10.3]
    return Check("κ·t₀.₆ = " + ", ".join(f"{v:.2f} at Δc = {dc:g}χN" for dc, v in kt.items()),
                 max(kt.values()) < 1.3 * min(kt.values()),
                 f"refuted: near resonance (phase II⁺¹, Δc = 6χN) the coherence survives {resonant:.1f}/κ, at "
                 f"Δc = 10.3χN (phase I⁺¹, coherence sustained by the leaking photon) only {driven:.1f}/κ; the scale "
                 "∝ 1/κ holds at each Δc",
                 {"kappa_t_resonant": resonant, "kappa_t_driven": driven, "survival_ratio": resonant / driven})


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


@claim("excitations-conserved-drive-state",
       "With inhomogeneous couplings and the drive-prepared state the photon density is tied to the inversion, "
       "a†a = −Jᶻ + a₀†a₀ (κ = 0); with loss the excitations leak only through the photon, at rate κ⟨a†a⟩.",
       "Supplement Eqs. 12, 17", "07_loss_experiment")
def _drive_excitations():

    m = Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=600, coupling_profile=ex.cosine_profile(600))
    ideal = quench(m, 50.0, n_save=501, initial=ex.drive_state(m))
    drift = np.max(np.abs(ideal.excitations - ideal.n_photon[0]))  # S^z(0) = 0 for the drive state
    lossy_model = m.replace(kappa=0.5)
    lossy = quench(lossy_model, 50.0, n_save=5001, initial=ex.drive_state(lossy_model))
    leaked = cumulative_trapezoid(lossy_model.kappa * lossy.n_photon, lossy.t, initial=0.0)
    balance = np.max(np.abs(lossy.excitations - lossy.excitations[0] + leaked)) / leaked[-1]
    return Check(f"κ = 0: max |a†a/N + Jᶻ/N − a₀†a₀/N| = {drift:.1e}; κ = 0.5χN: excitation balance off by "
                 f"{balance:.1e} of the {leaked[-1]:.3f} lost", drift < 1e-9 and balance < 1e-4,
                 "600 atoms, gᵢ = g cos(3.7 i); jump operator √(κ/2)a ⇒ d⟨a†a⟩/dt|loss = −κ⟨a†a⟩")
