"""Every public function, every parameter, every kind of bad value: a clear error or a finite, physical answer, fast.

Table-driven: each entry is a public function with a valid call, and for each of its
parameters the bad values of the classes a careless user produces (NaN, +-inf,
negatives, zero, huge numbers, wrong types, strings for booleans, wrong shapes). A call
passes if it raises ``ValueError`` or ``TypeError`` whose message names the parameter,
or returns a finite result that passes the entry's physics check; either way within
``LIMIT`` seconds. Run as a script to print the tally of outcomes by class.
"""
from __future__ import annotations

import math
import sys
import threading
import time
from dataclasses import dataclass, field

import numpy as np
import pytest

import cavity_bcs as cb

#: Wall-clock limit per call, seconds (a refusal must be immediate; a valid bad-looking input
#: such as W = 0 must still finish quickly at these small sizes).
LIMIT = 5.0

M = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=20)
SMALL = cb.Model(eps0=2.0, W=1.0, delta_c=3.0, n_atoms=4)
Q = cb.quench(M, 4.0, n_save=81)
LAB = cb.LabParameters(g_khz=10.8, kappa_khz=150.0, n_atoms=1000, delta_c_khz=500.0, eps0_khz=50.0, W_khz=60.0)

NUMBER = [math.nan, math.inf, -math.inf, -1.0, 0.0, 1e300, -1e300, "abc", None, True, 1 + 1j, [1.0, 2.0]]
INTEGER = [math.nan, 2.5, -1, 0, 10 ** 12, "abc", None, True, 3.0]
BOOLEAN = ["False", "True", 0, 1, None, "abc"]
STRING = [None, 1, "nonsense", ""]
PHOTON = [math.nan, complex(math.inf, 0), 1e300, "thermal", None, [1, 2], True]


def finite(value) -> bool:
    """Every number reachable in ``value`` (arrays, dataclass fields, tuples) is finite."""
    if value is None or isinstance(value, (str, bool)):
        return True
    if isinstance(value, (int, float, complex, np.number)):
        return bool(np.isfinite(value))
    if isinstance(value, np.ndarray):
        return value.dtype.kind not in "fc" or bool(np.all(np.isfinite(value)))
    if isinstance(value, (list, tuple)):
        return all(finite(v) for v in value)
    if isinstance(value, dict):
        return all(finite(v) for v in value.values())
    if hasattr(value, "__dataclass_fields__"):
        return all(finite(getattr(value, f)) for f in value.__dataclass_fields__ if not f.startswith("_")
                   and f not in ("model", "models", "base", "count"))
    return True


def physical_result(r) -> bool:
    """A time series whose coherence and photon are bounded as physics bounds them."""
    if hasattr(r, "s_plus"):
        if np.max(np.abs(r.s_plus)) > 2.0 + 1e-6:  # |S+| <= 2 (2N spins normalised by N)
            return False
    return finite(r)


@dataclass
class Entry:
    name: str
    call: object                      # callable(**kwargs)
    valid: dict                       # a valid set of keyword arguments
    fuzz: dict                        # parameter -> list of bad values
    check: object = physical_result
    skip: set = field(default_factory=set)


ENTRIES = [
    Entry("Model", cb.Model, dict(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=20),
          dict(eps0=NUMBER, W=NUMBER, delta_c=NUMBER, n_atoms=INTEGER + [10 ** 9, 3], kappa=NUMBER, gamma=NUMBER,
               dephasing=NUMBER, sampling=STRING, seed=INTEGER, energies=[[1.0], "abc", [math.nan] * 20],
               coupling_profile=[[1.0], "abc", [math.inf] * 20])),
    Entry("TwoBox", cb.TwoBox, dict(eps0=6.0, W=8.0), dict(eps0=NUMBER, W=NUMBER)),
    Entry("two_box_energies", cb.two_box_energies, dict(eps0=6.0, W=8.0, n_atoms=20),
          dict(eps0=NUMBER, W=NUMBER, n_atoms=INTEGER + [3], sampling=STRING)),
    Entry("two_box_density", cb.two_box_density, dict(eps=[0.0, 3.0], eps0=6.0, W=8.0),
          dict(eps=["abc", [math.nan]], eps0=NUMBER, W=NUMBER)),
    Entry("State", cb.State, dict(spins=np.tile([1.0, 0, 0], (4, 1)), photon=0.1),
          dict(spins=[np.tile([2.0, 0, 0], (4, 1)), np.ones((4, 2)), "abc", [[math.nan, 0, 0]], None],
               photon=PHOTON)),
    Entry("x_polarized", cb.x_polarized, dict(model=M, delta_phi0=0.3, photon="vacuum"),
          dict(model=[None, "abc", 3.0], delta_phi0=NUMBER, photon=PHOTON)),
    Entry("photon_equilibrium", cb.photon_equilibrium, dict(model=M, spins=np.tile([1.0, 0, 0], (20, 1))),
          dict(model=[None, "abc"], spins=[np.ones((20, 2)), np.ones((3, 3)), "abc", np.full((20, 3), math.nan)])),
    Entry("quench", cb.quench, dict(model=M, t_final=2.0, n_save=11),
          dict(model=[None, "abc"], t_final=NUMBER, n_save=INTEGER, adiabatic=BOOLEAN, initial=[None, "abc", 3],
               rtol=NUMBER + [10.0, 1e-20], atol=NUMBER + [1e-30], max_steps=INTEGER, save_states=BOOLEAN,
               method=STRING + ["expm"], progress=BOOLEAN)),
    Entry("sweep", cb.sweep, dict(base=M, grid={"delta_c": [1.0, 6.0]}, t_final=2.0, n_save=11, progress=False),
          dict(base=[None, "abc"], grid=[{}, {"x": [1.0]}, {"delta_c": [math.nan]}, {"n_atoms": [20.4]}, "abc", None],
               t_final=NUMBER, n_save=INTEGER, adiabatic=BOOLEAN, delta_phi0=NUMBER, photon=PHOTON,
               kappa_per_g=NUMBER, executor=["abc", 3], workers=INTEGER, progress=BOOLEAN,
               window=[(1.0,), (3.0, 1.0), "ab", (math.nan, 1.0)])),
    Entry("time_average", cb.time_average, dict(t=Q.t, values=Q.coherence),
          dict(t=[[1.0], "abc"], values=[[1.0, 2.0], "abc"], t_min=NUMBER, t_max=NUMBER)),
    Entry("photon_drive", cb.photon_drive, dict(result=Q), dict(result=[None, "abc", Q.t], t_min=NUMBER)),
    Entry("drive_coherence", cb.drive_coherence, dict(model=M, mu=7.0, rabi=0.5),
          dict(model=[None, "abc"], mu=NUMBER, rabi=NUMBER, picture=STRING)),
    Entry("dynamical_phase", cb.dynamical_phase, dict(model=M),
          dict(model=[None, "abc", cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=20, kappa=0.1)],
               adiabatic=BOOLEAN, delta_phi0=NUMBER, photon=PHOTON, tol=NUMBER, strip=NUMBER, locate=BOOLEAN)),
    Entry("phase_diagram", cb.phase_diagram, dict(delta_c=[1.0, 6.0], W=[2.0, 8.0], eps0=6.0),
          dict(delta_c=[[math.nan], [-1.0], "abc", [[1.0]]], W=[[math.nan], [-1.0], "abc"], eps0=NUMBER,
               adiabatic=BOOLEAN, delta_phi0=NUMBER, photon=PHOTON, tol=NUMBER, strip=NUMBER, workers=INTEGER)),
    Entry("lax_vector", cb.lax_vector, dict(u=[1 + 1j], model=M, state=cb.x_polarized(M)),
          dict(u=[[math.nan], "abc"], model=[None, "abc"], state=[None, "abc", cb.x_polarized(SMALL)],
               adiabatic=BOOLEAN)),
    Entry("lax_squared_continuum", cb.lax_squared_continuum, dict(u=[1 + 1j], model=M),
          dict(u=[[math.nan], "abc"], model=[None, "abc"], adiabatic=BOOLEAN, delta_phi0=NUMBER, photon=PHOTON)),
    Entry("root_drive_coherence", cb.root_drive_coherence, dict(model=M),
          dict(model=[None, "abc", cb.TwoBox(eps0=6.0, W=8.0)], delta_c=NUMBER)),
    Entry("resonant_detuning", cb.resonant_detuning, dict(eps0=6.0, W=8.0),
          dict(eps0=NUMBER, W=NUMBER, xtol=NUMBER), check=lambda r: math.isfinite(r) and r > 0),
    Entry("LabParameters", cb.LabParameters, dict(g_khz=10.8, kappa_khz=150.0, n_atoms=1000, delta_c_khz=500.0),
          dict(g_khz=NUMBER, kappa_khz=NUMBER, n_atoms=INTEGER, delta_c_khz=NUMBER, eps0_khz=NUMBER, W_khz=NUMBER,
               gamma_khz=NUMBER)),
    Entry("LabParameters.rate_to_model", LAB.rate_to_model, dict(rate_khz=5.0), dict(rate_khz=NUMBER)),
    Entry("LabParameters.rate_to_khz", LAB.rate_to_khz, dict(rate=5.0), dict(rate=NUMBER)),
    Entry("LabParameters.time_to_ms", LAB.time_to_ms, dict(t=5.0), dict(t=NUMBER)),
    Entry("LabParameters.time_from_ms", LAB.time_from_ms, dict(t_ms=0.01), dict(t_ms=NUMBER)),
    Entry("LabParameters.to_model", LAB.to_model, dict(n_atoms=20), dict(n_atoms=INTEGER)),
    Entry("pairs_for_kappa_ratio", cb.pairs_for_kappa_ratio, dict(kappa_per_g=0.014, g_khz=10.8, kappa_khz=150.0),
          dict(kappa_per_g=NUMBER, g_khz=NUMBER, kappa_khz=NUMBER)),
    Entry("cosine_profile", cb.cosine_profile, dict(n_atoms=20),
          dict(n_atoms=INTEGER, k0a0=NUMBER, normalize=[1, "abc"], first_site=INTEGER)),
    Entry("coupling_profile", cb.coupling_profile, dict(values=[1.0, -0.5]),
          dict(values=[[], [0.0, 0.0], [math.nan], "abc", [[1.0]]], normalize=[1, "abc"])),
    Entry("drive_state", cb.drive_state, dict(model=M), dict(model=[None, "abc"])),
    Entry("simulate_drive", cb.simulate_drive, dict(model=SMALL, duration=20.0, n_save=11),
          dict(model=[None, "abc"], duration=NUMBER, detuning_start=NUMBER, drive_peak=NUMBER, n_save=INTEGER,
               rtol=NUMBER + [10.0], atol=NUMBER + [1e-30], max_steps=INTEGER)),
    Entry("coarse_grain", cb.coarse_grain, dict(model=M, n_eps_bins=4, n_g_bins=1),
          dict(model=[None, "abc"], n_eps_bins=INTEGER, n_g_bins=INTEGER, initial=["abc", 3])),
    Entry("coarse_quench", cb.coarse_quench, dict(coarse=cb.coarse_grain(M, 4, 1), t_final=2.0, n_save=11),
          dict(coarse=[None, "abc"], t_final=NUMBER, n_save=INTEGER, rtol=NUMBER + [10.0], atol=NUMBER,
               max_steps=INTEGER)),
    Entry("exact_quench", cb.exact_quench, dict(model=SMALL, t_final=1.0, n_save=5),
          dict(model=[None, "abc"], t_final=NUMBER, n_save=INTEGER, basis=STRING, photon=PHOTON,
               n_photon_max=INTEGER + ["abc"], tol=NUMBER, method=STRING, chunk=INTEGER, workers=INTEGER,
               step_tol=NUMBER, cutoff_tol=NUMBER)),
    Entry("exact_master_equation", cb.exact_master_equation,
          dict(model=cb.Model(eps0=2.0, W=1.0, delta_c=3.0, n_atoms=2, kappa=0.3), t_final=1.0, n_save=5),
          dict(model=[None, "abc"], t_final=NUMBER, n_save=INTEGER, basis=STRING, photon=PHOTON,
               n_photon_max=INTEGER, tol=NUMBER)),
    Entry("hilbert_dimension", cb.hilbert_dimension, dict(model=SMALL),
          dict(model=[None, "abc"], basis=STRING, photon=PHOTON, n_photon_max=INTEGER, tol=NUMBER)),
    Entry("sector_spectrum", cb.sector_spectrum, dict(model=SMALL, excitations=1),
          dict(model=[None, "abc"], excitations=INTEGER, basis=STRING)),
    Entry("twa_quench", cb.twa_quench, dict(model=SMALL, t_final=1.0, n_samples=4, n_save=5, seed=1),
          dict(model=[None, "abc"], t_final=NUMBER, n_samples=INTEGER, n_save=INTEGER, seed=["abc", -1, 2.5],
               photon=PHOTON, noise=NUMBER, workers=INTEGER, rtol=NUMBER + [10.0], atol=NUMBER, max_steps=INTEGER)),
    Entry("sample_initial", cb.sample_initial, dict(model=SMALL, n_samples=3, seed=1),
          dict(model=[None, "abc"], n_samples=INTEGER, seed=["abc", -1, 2.5], photon=PHOTON, noise=NUMBER)),
    Entry("analytic.phase_two_plateau_flat_band", cb.analytic.phase_two_plateau_flat_band, dict(W=1.0),
          dict(W=NUMBER)),
    Entry("results.first_departure", cb.results.first_departure, dict(t=Q.t, a=Q.coherence, b=Q.coherence),
          dict(t=["abc", [1.0]], a=["abc"], b=[[1.0]], threshold=NUMBER),
          check=lambda r: r == math.inf or math.isfinite(r)),  # inf is the documented "never departs"
    Entry("meanfield.quench_signature", cb.meanfield.quench_signature, dict(result=Q),
          dict(result=[None, "abc"], t_min=NUMBER, decayed_below=NUMBER, oscillation_threshold=NUMBER)),
    Entry("meanfield.spectral_lines", cb.meanfield.spectral_lines, dict(result=Q),
          dict(result=[None, "abc"], t_min=NUMBER, threshold=NUMBER, max_lines=INTEGER)),
    Entry("integrability.photon_oscillation", cb.integrability.photon_oscillation, dict(root=3 + 1j, delta_c=6.0),
          dict(root=PHOTON, delta_c=NUMBER)),
    Entry("integrability.finite_n_roots", cb.integrability.finite_n_roots, dict(model=SMALL,
                                                                                 state=cb.x_polarized(SMALL)),
          dict(model=[None, "abc"], state=[None, "abc", cb.x_polarized(M)], adiabatic=BOOLEAN)),
    Entry("integrability.isolated_roots", cb.integrability.isolated_roots, dict(model=M),
          dict(model=[None, "abc"], adiabatic=BOOLEAN, tol=NUMBER, strip=NUMBER, n_seed_atoms=INTEGER)),
]


def _call_with_limit(fn, kwargs):
    """``fn(**kwargs)`` on a helper thread, so that a hang (even inside a compiled kernel that
    signals cannot reach) is reported after ``LIMIT`` seconds instead of stalling the suite."""
    box = {}

    def target():
        try:
            box["result"] = fn(**kwargs)
        except BaseException as exc:  # noqa: BLE001 - passed back to the caller
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(LIMIT)
    if worker.is_alive():
        cb.meanfield._engine.stop_all_runs()  # a mean-field run stops at its next step
        return "timeout", None
    if "error" in box:
        return "error", box["error"]
    return "result", box["result"]


def classify(entry: Entry, param: str, bad):
    """Outcome of one bad call: 'clear error', 'accepted', or a failure class with details."""
    kwargs = {**entry.valid, param: bad}
    start = time.perf_counter()
    kind, value = _call_with_limit(entry.call, kwargs)
    if kind == "timeout":
        return "no answer in time", f"> {LIMIT} s"
    if kind == "error":
        exc = value
        if isinstance(exc, (ValueError, TypeError)):
            if param in str(exc):
                return "clear error", ""
            return "error not naming the parameter", f"{type(exc).__name__}: {exc}"
        return "other exception", f"{type(exc).__name__}: {exc}"
    elapsed = time.perf_counter() - start
    if elapsed > LIMIT:
        return "no answer in time", f"{elapsed:.1f} s"
    if entry.check is physical_result and not finite(value):  # a custom check decides for itself
        return "non-finite result", repr(value)[:120]
    if not entry.check(value):
        return "unphysical result", repr(value)[:120]
    return "accepted", ""


CASES = [(e, p, v) for e in ENTRIES for p, values in e.fuzz.items() for v in values]


def _case_id(case):
    entry, param, value = case
    text = repr(value)
    return f"{entry.name}-{param}-{text[:30]}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_bad_input_gets_a_clear_error_or_a_physical_answer_fast(case):
    entry, param, value = case
    outcome, detail = classify(entry, param, value)
    assert outcome in ("clear error", "accepted"), f"{entry.name}({param}={value!r}): {outcome}: {detail}"


def test_every_entry_is_valid_as_given():
    # the baseline call of each entry works, so a refusal above is caused by the bad value
    for entry in ENTRIES:
        assert entry.check(entry.call(**entry.valid)), entry.name


if __name__ == "__main__":
    tally, failures = {}, []
    for entry, param, value in CASES:
        print(f"{entry.name}({param}={value!r:.40})", end=" ", flush=True, file=sys.stderr)
        outcome, detail = classify(entry, param, value)
        print(outcome, file=sys.stderr, flush=True)
        tally[outcome] = tally.get(outcome, 0) + 1
        if outcome not in ("clear error", "accepted"):
            failures.append(f"{entry.name}({param}={value!r}): {outcome}: {detail}")
    print(f"{len(CASES)} calls over {len(ENTRIES)} public functions:")
    for outcome, count in sorted(tally.items(), key=lambda kv: -kv[1]):
        print(f"  {outcome}: {count}")
    print("\n".join(failures))
    sys.exit(1 if failures else 0)
