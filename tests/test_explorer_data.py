"""The explorers' precomputed grids (book/data/explorer_*.json): consistent with their stored
parameters, physically sane, and reproduced point by point from those parameters."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

import cavity_bcs as cb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import make_explorer_data as gen  # noqa: E402

FIG1 = json.loads((ROOT / "book" / "data" / "explorer_fig1.json").read_text())
PHASES = json.loads((ROOT / "book" / "data" / "explorer_phases.json").read_text())


def _fig1_index(i, j, k):
    p = FIG1["parameters"]
    return (i * len(p["W"]) + j) * len(p["kappa"]) + k


def test_encoding_round_trips_to_the_quantisation_step():
    values = np.array([0.0, 1e-6, 0.123456, 0.5, 0.999999, 1.0])
    back = gen.decode(gen.encode(values, 1.0), 1.0)
    assert np.max(np.abs(back - values)) <= 0.5 / 65535 + 1e-15


def test_envelope_brackets_every_sample_of_its_bin():
    values = np.sin(np.linspace(0.0, 30.0, 101))
    lo, hi = gen.envelope(values, 10)
    assert lo.size == hi.size == 10
    for b in range(10):
        window = values[10 * b:10 * b + 11]
        assert lo[b] == window.min() and hi[b] == window.max()
    with pytest.raises(ValueError, match="bins"):
        gen.envelope(values[:-1], 10)


@pytest.mark.parametrize("data", [FIG1, PHASES], ids=["fig1", "phases"])
def test_files_hold_their_parameters_and_one_series_per_grid_point(data):
    p = data["parameters"]
    n_points = len(p["delta_c"]) * len(p["W"]) * len(p.get("kappa", [0.0]))
    n_bins = (p["n_save"] - 1) // p["samples_per_bin"]
    assert data["bins"]["count"] == n_bins == len(data["bins"]["centres"])
    assert data["bins"]["width"] * n_bins == pytest.approx(p["t_final"])
    for name, series in data["series"].items():
        scale = data["observables"][name]["scale"]
        assert len(series["min"]) == len(series["max"]) == n_points
        for lo, hi in zip(series["min"], series["max"]):
            lo, hi = gen.decode(lo, scale), gen.decode(hi, scale)
            assert lo.size == n_bins and np.all(lo <= hi)


def test_every_run_starts_coherent_with_an_empty_cavity():
    # the quench state: all spins along +x, so |S+(0)| = 1, and <a> = 0 (the first bin holds t = 0)
    step = 1 / 65535
    for name, data in (("fig1", FIG1), ("phases", PHASES)):
        for text in data["series"]["coherence"]["max"]:
            assert gen.decode(text, 1.0)[0] == pytest.approx(1.0, abs=step), name
    scale = FIG1["observables"]["n_photon"]["scale"]
    for text in FIG1["series"]["n_photon"]["min"]:
        assert gen.decode(text, scale)[0] == 0.0


def test_coherence_never_exceeds_one():
    # |S+| <= 1 for Bloch vectors on or inside the sphere; the scale leaves no clipping at the top
    for data in (FIG1, PHASES):
        for text in data["series"]["coherence"]["max"]:
            assert gen.decode(text, 1.0).max() <= 1.0


@pytest.mark.parametrize("draw", range(3))
def test_fig1_points_are_recomputed_identically_from_the_stored_parameters(draw):
    p = FIG1["parameters"]
    rng = np.random.default_rng(18 + draw)
    i, j, k = (int(rng.integers(len(p[axis]))) for axis in ("delta_c", "W", "kappa"))
    if draw == 0:
        k = len(p["kappa"]) - 1  # always one lossy point
    curves = gen.run_quench(p, p["delta_c"][i], p["W"][j], p["kappa"][k])
    n = _fig1_index(i, j, k)
    for name in ("coherence", "n_photon"):
        lo, hi = gen.envelope(curves[name], p["samples_per_bin"])
        scale = FIG1["observables"][name]["scale"]
        assert gen.encode(lo, scale) == FIG1["series"][name]["min"][n], (name, i, j, k)
        assert gen.encode(hi, scale) == FIG1["series"][name]["max"][n], (name, i, j, k)


@pytest.mark.parametrize("draw", range(2))
def test_phase_points_are_recomputed_identically_from_the_stored_parameters(draw):
    p = PHASES["parameters"]
    rng = np.random.default_rng(180 + draw)
    i, j = int(rng.integers(len(p["delta_c"]))), int(rng.integers(len(p["W"])))
    n = i * len(p["W"]) + j
    lo, hi = gen.envelope(gen.run_quench(p, p["delta_c"][i], p["W"][j])["coherence"], p["samples_per_bin"])
    assert gen.encode(lo, 1.0) == PHASES["series"]["coherence"]["min"][n]
    assert gen.encode(hi, 1.0) == PHASES["series"]["coherence"]["max"][n]
    phase = cb.dynamical_phase(cb.TwoBox(p["eps0"], p["W"][j]), delta_c=p["delta_c"][i], tol=p["tol"],
                               strip=p["strip"], locate=False)
    assert str(phase) == PHASES["phases"][n]


def test_phase_map_points_are_recomputed_identically():
    p = PHASES["parameters"]
    ny = len(p["map_W"])
    rng = np.random.default_rng(1800)
    picks = [(int(rng.integers(len(p["map_delta_c"]))), int(rng.integers(ny))) for _ in range(12)]
    dc = np.array([p["map_delta_c"][i] for i, _ in picks])
    W = np.array([p["map_W"][j] for _, j in picks])
    # one diagram over the picked axes; its diagonal holds the picked points
    diagram = cb.phase_diagram(dc, W, p["eps0"], tol=p["tol"], strip=p["strip"])
    stored = [PHASES["map_phase_index"][i * ny + j] for i, j in picks]
    assert list(np.diag(diagram.phase_index)) == stored


def test_map_and_trajectory_phases_agree_where_both_grids_meet():
    # an independent reading: the trajectory grid's phases come from dynamical_phase one point at a
    # time, the map from phase_diagram; at grid points both share they must name the same phase
    p = PHASES["parameters"]
    ny = len(p["map_W"])
    names = PHASES["phase_names"]
    shared = 0
    for a, dc in enumerate(p["delta_c"]):
        for b, W in enumerate(p["W"]):
            if dc in p["map_delta_c"] and W in p["map_W"]:
                k = PHASES["map_phase_index"][p["map_delta_c"].index(dc) * ny + p["map_W"].index(W)]
                if k >= 0:
                    assert names[k] == PHASES["phases"][a * len(p["W"]) + b], (dc, W)
                    shared += 1
    assert shared >= 20
