"""Claims checked in Chapter 4, quench dynamics and the resonance (``book/04_quench_resonance.ipynb``)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..integrability import dynamical_phase, photon_oscillation, resonant_detuning
from ..meanfield.drive import drive_coherence, photon_drive
from ..meanfield.quench import quench
from ..meanfield.sweep import sweep
from ..model import Model
from .registry import Check, _cached, claim


@dataclass(frozen=True, eq=False)
class Fig1Data:
    r"""The Fig. 1 sweep of chapter 4 and everything quoted from it (chapter 4 and the ledger read this object).

    ``coherence`` and ``coherence_lossy``: :math:`|S^+|` averaged over ``window`` (units of
    :math:`1/\chi N`) without loss and with :math:`\kappa/(g\sqrt N)` = ``kappa_per_g``;
    ``n_photon``: :math:`\langle a^\dagger a
angle/N` averaged over the whole run (Fig. 5), on the
    grid ``detunings`` (units of :math:`\chi N`).
    """

    eps0: float
    W: float
    n_atoms: int
    t_final: float
    window: tuple
    kappa_per_g: float
    detunings: np.ndarray
    coherence: np.ndarray
    coherence_lossy: np.ndarray
    n_photon: np.ndarray

    @property
    def peak(self) -> float:
        """Grid detuning of the largest coherence without loss."""
        return float(self.detunings[np.argmax(self.coherence)])

    @property
    def peak_lossy(self) -> float:
        """Grid detuning of the largest coherence with loss."""
        return float(self.detunings[np.argmax(self.coherence_lossy)])

    @property
    def peak_refined(self) -> float:
        r"""Detuning of the maximum between grid points: a parabola in :math:`\ln\Delta_c` through the five nearest points."""
        return parabola_peak(self.detunings, self.coherence)

    @property
    def peak_lossy_refined(self) -> float:
        """Detuning of the maximum with loss, between grid points (as :attr:`peak_refined`)."""
        return parabola_peak(self.detunings, self.coherence_lossy)

    @property
    def loss_change(self) -> float:
        """Relative change of the peak height caused by the loss (negative: lower)."""
        return float(self.coherence_lossy.max() / self.coherence.max() - 1.0)

    @property
    def photon_minima(self) -> np.ndarray:
        """Grid detunings of the interior local minima of the photon density."""
        n = self.n_photon
        return self.detunings[np.flatnonzero((n[1:-1] < n[:-2]) & (n[1:-1] < n[2:])) + 1]

    @property
    def photon_maximum(self) -> float:
        """Grid detuning of the largest photon density."""
        return float(self.detunings[np.argmax(self.n_photon)])

    @property
    def photon_dip_depth(self) -> float:
        """Depth of the photon density's first interior minimum below eps0, relative to the local maximum before it."""
        minima = [m for m in self.photon_minima if 1.0 < m < self.eps0]
        if not minima:
            return 0.0
        k = int(np.flatnonzero(self.detunings == minima[0])[0])
        before = self.n_photon[:k].max()
        return float(1.0 - self.n_photon[k] / before)

    def quoted(self) -> dict:
        """Every number the book quotes from this sweep, formatted once (chapter 4 glues these, the ledger prints them)."""
        minima = [m for m in self.photon_minima if 1.0 < m < self.eps0]
        return {
            "fig1_peak": f"{self.peak:.2f}",
            "fig1_peak_refined": f"{self.peak_refined:.2f}",
            "fig1_peak_lossy": f"{self.peak_lossy:.2f}",
            "fig1_peak_lossy_refined": f"{self.peak_lossy_refined:.2f}",
            "fig1_loss_shift": f"{100 * (self.peak_lossy_refined / self.peak_refined - 1):+.0f} %",
            "fig1_height": f"{self.coherence.max():.3f}",
            "fig1_height_lossy": f"{self.coherence_lossy.max():.3f}",
            "fig1_loss_change": f"{100 * self.loss_change:+.0f} %",
            "fig1_loss_drop": f"{-100 * self.loss_change:.0f} %",
            "fig1_adiabatic_end": f"{self.coherence[-1]:.4f}",
            "fig1_diabatic_end": f"{self.coherence[0]:.4f}",
            "fig5_minimum": ", ".join(f"{m:.2f}" for m in minima) or "none",
            "fig5_maximum": f"{self.photon_maximum:.2f}",
            "fig5_dip_depth": f"{100 * self.photon_dip_depth:.0f} %" if minima else "none",
            "fig5_max_over_min": (f"{self.n_photon.max() / self.n_photon[self.detunings == minima[0]][0]:.1f}"
                                  if minima else "none"),
        }


def parabola_peak(x, y) -> float:
    """Position of the maximum of sampled ``y(x)`` between grid points: a parabola in ``ln x`` through five points."""
    i = int(np.clip(np.argmax(y), 2, len(y) - 3))
    a, b, _ = np.polyfit(np.log(x[i - 2:i + 3]), y[i - 2:i + 3], 2)
    return float(np.exp(-b / (2 * a)))


def _compute_fig1() -> Fig1Data:
    eps0, W, n_atoms, t_final, kappa_per_g = 6.0, 8.0, 800, 100.0, 1.4e-2
    base = Model(eps0=eps0, W=W, delta_c=eps0, n_atoms=n_atoms)
    detunings = np.geomspace(0.1, 100.0, 48)
    ideal = sweep(base, {"delta_c": detunings}, t_final, progress=False)
    lossy = sweep(base, {"delta_c": detunings}, t_final, kappa_per_g=kappa_per_g, progress=False)
    return Fig1Data(eps0, W, n_atoms, t_final, (t_final / 2, t_final), kappa_per_g, detunings,
                    ideal["coherence_avg"], lossy["coherence_avg"], ideal["n_photon_run_avg"])


def fig1_data() -> Fig1Data:
    """The chapter-4 Fig. 1 sweep (800 atoms, 48 detunings from 0.1 to 100 chi N, with and without loss); computed once."""
    return _cached("fig1-data", _compute_fig1)


@dataclass(frozen=True, eq=False)
class ResonanceMap:
    r"""Simulated and predicted detunings of the Fig. 1 maximum over a grid of :math:`(\varepsilon_0, W)`.

    ``simulated[i, j]`` and ``predicted[i, j]`` (units of :math:`\chi N`) belong to ``eps0[i]``, ``W[j]``;
    NaN where :func:`~cavity_bcs.resonant_detuning` finds no resonant maximum. Simulation: 800 atoms,
    :math:`|S^+|` averaged over :math:`t\in[50, 100]/\chi N`, 41 detunings between 0.75 and 1.33 times the
    prediction, a parabola in :math:`\ln\Delta_c` through the five points around the largest.
    """

    eps0: np.ndarray
    W: np.ndarray
    simulated: np.ndarray
    predicted: np.ndarray

    @property
    def relative_error(self) -> np.ndarray:
        return self.predicted / self.simulated - 1.0


def simulated_maximum(eps0: float, W: float, guess: float, n_atoms: int = 800, t_final: float = 100.0) -> float:
    r"""Detuning of the largest time-averaged :math:`|S^+|` (second half of the run) near ``guess``, by simulation."""
    base = Model(eps0=eps0, W=W, delta_c=guess, n_atoms=n_atoms)
    grid = np.geomspace(0.75 * guess, 1.33 * guess, 41)
    coherence = sweep(base, {"delta_c": grid}, t_final, progress=False)["coherence_avg"]
    return parabola_peak(grid, coherence)


def _compute_map(eps0_values=(2.0, 4.0, 6.0, 8.0), W_values=(4.0, 8.0, 12.0, 16.0)) -> ResonanceMap:
    eps0_values, W_values = np.asarray(eps0_values, float), np.asarray(W_values, float)
    simulated = np.full((eps0_values.size, W_values.size), np.nan)
    predicted = np.full_like(simulated, np.nan)
    for i, e in enumerate(eps0_values):
        for j, w in enumerate(W_values):
            predicted[i, j] = resonant_detuning(e, w)
            # in phase II+1 the prediction is low: centre the simulated window a little above it
            simulated[i, j] = simulated_maximum(e, w, 1.1 * predicted[i, j] if w < 8 else predicted[i, j])
    return ResonanceMap(eps0_values, W_values, simulated, predicted)


def resonance_map() -> ResonanceMap:
    """The chapter-4 map of the resonance condition (eps0 = 2, 4, 6, 8 and W = 4, 8, 12, 16 chi N); computed once."""
    return _cached("resonance-map", _compute_map)


def _vanishes_at_end(index):
    """Fig. 1 coherence at one end of the detuning grid, against the resonant peak."""
    fig = fig1_data()
    value, peak = fig.coherence[index], fig.coherence.max()
    return Check(f"|S⁺| = {value:.4f} at Δc = {fig.detunings[index]:g}χN (peak {peak:.3f})", value < 0.05 * peak)


@claim("resonance-position",
       "Long-time coherence is maximal when the cavity is resonant with the atoms, Δc ≈ ε0 = 6χN (W = 8χN).",
       "Fig. 1", "04_quench_resonance", status="partly")
def _resonance_position():
    fig, q = fig1_data(), fig1_data().quoted()
    predicted = resonant_detuning(fig.eps0, fig.W)
    return Check(f"maximum at Δc = {q['fig1_peak_refined']} χN (grid point {q['fig1_peak']}); predicted from the "
                 f"photon's Lax root: {predicted:.2f} χN",
                 fig.eps0 < fig.peak_refined < 1.3 * fig.eps0 and abs(predicted / fig.peak_refined - 1) < 0.03,
                 "partly: the maximum lies above ε0, where the photon mode reaches the top of the upper band "
                 "(chapter 4, the resonance condition); 800 atoms, |S⁺| averaged over t ∈ [50, 100]/χN")


@claim("resonance-condition-eps0",
       "The resonance condition is Δc ≈ ε0: the cavity frequency matched to the atoms' band centre.",
       "main text (Fig. 1 discussion)", "04_quench_resonance", expect=False)
def _resonance_condition():
    rmap = resonance_map()
    ratio = rmap.simulated / rmap.eps0[:, None]
    broad = rmap.W[None, :] >= 4.0 / 3.0 * rmap.eps0[:, None]
    error = np.max(np.abs(rmap.relative_error[broad]))
    return Check(f"simulated Δc*/ε0 = {np.nanmin(ratio):.2f}–{np.nanmax(ratio):.2f} over ε0 = "
                 f"{rmap.eps0.min():g}–{rmap.eps0.max():g}, W = {rmap.W.min():g}–{rmap.W.max():g} χN; "
                 f"resonant_detuning predicts Δc* within {100 * error:.1f} % where W ≥ 4ε0/3",
                 bool(np.all(np.abs(ratio - 1) < 0.2)),
                 "refuted as a rule: Δc* depends on W as much as on ε0; it is where the photon root's "
                 "drive still covers the upper band's top edge (chapter 4)")


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
       "Fig. 1", "04_quench_resonance", status="partly")
def _resonance_with_loss():
    fig, q = fig1_data(), fig1_data().quoted()
    return Check(f"maximum at {q['fig1_peak_lossy_refined']} χN (ideal {q['fig1_peak_refined']}; the same grid point "
                 f"{q['fig1_peak']}); height {q['fig1_height_lossy']} (ideal {q['fig1_height']}): {q['fig1_loss_change']}",
                 fig.peak_lossy == fig.peak and -0.5 < fig.loss_change < -0.1
                 and abs(fig.peak_lossy_refined / fig.peak_refined - 1) < 0.15,
                 "partly: the resonance survives, but its height over t ∈ [50, 100]/χN falls by "
                 f"{q['fig1_loss_drop']} and its flattened top moves by {q['fig1_loss_shift']}")


@claim("photon-amplitude",
       "In phase I⁺¹ with Δc > W > ε0 the photon oscillates as A·exp(iµt) with µ = Δc and A = χN/g = √N √(χN/Δc).",
       "Eq. 10, Fig. 5 inset", "04_quench_resonance")
def _photon_amplitude():
    delta_c = 40.0
    r = quench(Model(eps0=1.0, W=8.0, delta_c=delta_c, n_atoms=400), 100.0, n_save=4001)
    d = photon_drive(r, t_min=50.0)
    ratio = d.amplitude ** 2 * delta_c  # A^2/(N^2 chi/Delta_c) in units of N, chiN = 1
    return Check(f"A²Δc/(N²χ) = {ratio:.3f}, µ/Δc = {d.mu / delta_c:.3f} at Δc = 40χN",
                 abs(ratio - 1) < 0.02 and abs(d.mu / delta_c - 1) < 0.02)


@claim("photon-density-minimum",
       "The time-averaged photon density has a minimum near resonance, shifted below Δc = ε0 by the lower band.",
       "Fig. 5", "04_quench_resonance", status="partly")
def _photon_minimum():
    fig, q = fig1_data(), fig1_data().quoted()
    near = [m for m in fig.photon_minima if 1.0 < m < fig.eps0]
    return Check(f"local minimum at Δc = {q['fig5_minimum']} χN, {q['fig5_dip_depth']} below the local maximum "
                 f"before it; the global maximum at Δc = {q['fig5_maximum']} χN is {q['fig5_max_over_min']}× the "
                 "minimum", len(near) >= 1 and fig.photon_maximum > fig.eps0,
                 "partly: the dip exists below ε0 but is shallow, next to a dominant maximum just above the "
                 "resonance that the paper does not describe; photon density averaged over t ∈ [0, 100]/χN")


@claim("phase-one-plus-at-10.3",
       "At W = 8χN, Δc = 0.1 and 10.3χN relax to constant |S⁺| (phase I⁺¹) while detunings near resonance oscillate (phase II⁺¹).",
       "Fig. 2 bottom right", "04_quench_resonance")
def _fig2_right():
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
       "Eq. 3", "04_quench_resonance", status="partly")
def _mechanism():
    m = Model(eps0=6.0, W=8.0, delta_c=10.3, n_atoms=800)
    r = quench(m, 150.0, n_save=3001)
    d = photon_drive(r, t_min=75.0)
    sim = r.coherence[r.t >= 75].mean()
    projected = drive_coherence(m, d.mu, d.rabi, "projected")
    aligned = drive_coherence(m, d.mu, d.rabi, "aligned")
    return Check(f"simulated {sim:.4f}; dephased-precession form {projected:.4f}; Eq. 3 as printed (aligned) {aligned:.4f}",
                 abs(projected - sim) < 0.02 * sim,
                 "partly: the mechanism holds in its quench-consistent (projected) form; Eq. 3 as printed "
                 "(spins aligned with their fields) overestimates the coherence",
                 {"projected_error_percent": 100 * abs(projected / sim - 1), "aligned_over_simulated": aligned / sim})


@claim("excitations-lock-photon",
       "Conservation of ½Σσᶻ + a†a locks the photon density to the inversion, a†a = −Sᶻ, for the quench state.",
       "Supplement, Eq. 11", "04_quench_resonance")
def _lock():
    r = quench(Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=400), 50.0, n_save=501)
    drift = np.max(np.abs(r.excitations))
    return Check(f"max |a†a/N + Sᶻ/N| = {drift:.1e}", drift < 1e-9)


@claim("photon-starts-around-aeq0",
       "After the quench the photon is first driven to oscillate at Δc around a_eq(0) = −Ng/Δc.",
       "main text (Mechanism)", "04_quench_resonance")
def _aeq0():
    delta_c = 400.0  # 1/Delta_c must be the fastest scale (1/eps0, 1/W much longer)
    r = quench(Model(eps0=6.0, W=8.0, delta_c=delta_c, n_atoms=400), 2 * np.pi / delta_c, n_save=1001)
    mean = np.trapezoid(r.photon, r.t) / r.t[-1] * np.sqrt(delta_c)  # in units of a_eq(0) = -1/sqrt(Delta_c)
    swing = np.abs(r.photon).max() * np.sqrt(delta_c)
    return Check(f"one-period mean of ⟨a⟩ = {mean.real:.4f}{mean.imag:+.4f}i and max |⟨a⟩| = {swing:.4f}, "
                 f"in units of gN/Δc, at Δc = 400χN", abs(mean + 1) < 0.01 and abs(swing - 2) < 0.01,
                 "a(t) = a_eq(0)(1 − e^(−iΔc t)): mean −1 and maximum 2 in these units")


def _late_drive(delta_c):
    m = Model(eps0=6.0, W=8.0, delta_c=delta_c, n_atoms=400)  # revival time 157/chiN lies beyond the run
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


@claim("phase-three-plus-approaches-phase-three",
       "At W = 0 the aperiodic (photon) contribution to |S⁺(t)| shrinks smoothly as Δc grows, so phase III⁺¹ tends "
       "to the spin model's phase III.",
       "main text (Dynamical phases)", "04_quench_resonance")
def _three_plus_limit():
    dev = {}
    for dc in (20.0, 40.0, 80.0, 160.0):
        # W = 0: all atoms of a band move together, so one atom per band is the exact mean-field system
        m = Model(eps0=6.0, W=0.0, delta_c=dc, n_atoms=2)
        full, spin = quench(m, 5.0, n_save=2001), quench(m, 5.0, n_save=2001, adiabatic=True)
        dev[dc] = np.max(np.abs(full.coherence - spin.coherence))
    d = [dev[k] for k in sorted(dev)]
    slopes = [np.log2(a / b) for a, b in zip(d, d[1:])]
    return Check("max over t ≤ 5/χN of ||S⁺| − |S⁺|_adiabatic| = " + ", ".join(f"{v:.4f}" for v in d)
                 + " at Δc = " + ", ".join(f"{k:g}" for k in sorted(dev))
                 + f"χN; log₂ of successive ratios {', '.join(f'{s:.2f}' for s in slopes)}",
                 all(s > 1.0 for s in slopes[1:]) and d[-1] < 0.01,
                 "the deviation falls as ≈1/Δc² once Δc ≫ ε0")


@claim("retardation-beats-instantaneous-interaction",
       "At the same interaction strength χN, the retarded (resonant) photon keeps more phase coherence than the "
       "instantaneous interaction of the adiabatically eliminated model.",
       "main text (introduction), Fig. 1", "04_quench_resonance")
def _retardation():
    fig = fig1_data()
    k = int(np.argmax(fig.coherence))
    spin = quench(Model(eps0=fig.eps0, W=fig.W, delta_c=fig.detunings[k], n_atoms=fig.n_atoms), fig.t_final,
                  n_save=1001, adiabatic=True)
    instantaneous = spin.time_average("coherence", *fig.window)
    resonant = fig.coherence[k]
    return Check(f"|S⁺| averaged over t ∈ [50, 100]/χN: {resonant:.3f} with the photon at Δc = {fig.detunings[k]:.2f}χN, "
                 f"{instantaneous:.4f} for the spin-only model (same ε0 = 6χN, W = 8χN)",
                 resonant > 10 * instantaneous, "800 atoms; the spin model is in phase I at W = 8χN")
