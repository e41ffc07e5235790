"""Precompute the grids behind the book's kernel-free explorers (``book/explore.md``).

Writes two files under ``book/data/``, each holding its parameters beside the data:

* ``explorer_fig1.json``: quenches from the paper's initial state (all spins along +x,
  empty cavity) on a (delta_c, W, kappa) grid, eps0 = 6, 800 atoms, t in [0, 100]/(chi N).
  For each run, |S+(t)| and the photon density <a^dagger a>/N.
* ``explorer_phases.json``: the Lax phase diagram on a fine (delta_c, W) grid, and on a
  coarser grid the phase and |S+(t)| of the quench at each point.

Curves are stored as min-max envelopes over time bins (``samples_per_bin`` saved samples
of the integrator's dense output per bin, neighbouring bins sharing their edge sample):
at large delta_c the curves oscillate faster than any sampling a static page can carry,
and the band shows the oscillation honestly where a thinned line would alias. Values are
quantised to 16 bits of a per-observable scale and base64-encoded (little-endian uint16),
which the page's JavaScript decodes; ``tests/test_explorer_data.py`` recomputes sampled
points from the stored parameters and requires identical codes.

    python tools/make_explorer_data.py            # both files (about a minute on 2 cores)
    python tools/make_explorer_data.py --only fig1
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("CAVITY_BCS_PROGRESS", "0")

import cavity_bcs as cb  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "book" / "data"

#: Every parameter of the runs; the files store them, and the test reads them back from the files.
FIG1 = {
    "eps0": 6.0, "n_atoms": 800, "t_final": 100.0, "n_save": 4001, "samples_per_bin": 20,
    "rtol": 1e-10, "atol": 1e-12,
    "delta_c": [round(float(x), 6) for x in np.geomspace(0.1, 100.0, 16)],
    "W": [2.0, 4.0, 6.0, 8.0, 10.0],
    "kappa": [0.0, 0.25, 0.5, 1.0],
}
PHASES = {
    "eps0": 6.0, "n_atoms": 800, "t_final": 100.0, "n_save": 4001, "samples_per_bin": 20,
    "rtol": 1e-10, "atol": 1e-12, "tol": 1e-3, "strip": 1e-7,
    "map_delta_c": [round(float(x), 6) for x in np.geomspace(0.1, 100.0, 121)],
    "map_W": [round(float(x), 6) for x in np.linspace(0.0, 10.0, 81)],
    "delta_c": [round(float(x), 6) for x in np.geomspace(0.1, 100.0, 13)],
    "W": [round(float(x), 6) for x in np.linspace(0.0, 10.0, 11)],
}
SCALES = {"coherence": 1.0, "n_photon": None}  # None: the largest value on the grid, rounded up
OBSERVABLE_LABELS = {"coherence": "|S+(t)|", "n_photon": "photon density <a†a>/N"}


def envelope(values: np.ndarray, samples_per_bin: int) -> tuple[np.ndarray, np.ndarray]:
    """Minimum and maximum of ``values`` over consecutive bins of ``samples_per_bin`` intervals
    (``samples_per_bin + 1`` samples, the edge sample shared with the next bin)."""
    n_bins = (values.size - 1) // samples_per_bin
    if n_bins * samples_per_bin + 1 != values.size:
        raise ValueError(f"{values.size} samples do not split into bins of {samples_per_bin} intervals")
    idx = np.arange(n_bins)[:, None] * samples_per_bin + np.arange(samples_per_bin + 1)[None, :]
    window = values[idx]
    return window.min(axis=1), window.max(axis=1)


def encode(values: np.ndarray, scale: float) -> str:
    """``values`` in [0, scale] as base64 little-endian uint16 codes ``round(v / scale * 65535)``."""
    codes = np.rint(np.clip(np.asarray(values) / scale, 0.0, 1.0) * 65535).astype("<u2")
    return base64.b64encode(codes.tobytes()).decode("ascii")


def decode(text: str, scale: float) -> np.ndarray:
    """Inverse of :func:`encode` up to the quantisation step ``scale / 65535``."""
    return np.frombuffer(base64.b64decode(text), dtype="<u2").astype(float) / 65535 * scale


def run_quench(p: dict, delta_c: float, W: float, kappa: float = 0.0) -> dict[str, np.ndarray]:
    """The dense curves of one quench with the parameters ``p`` (one explorer's settings)."""
    model = cb.Model(eps0=p["eps0"], W=W, delta_c=delta_c, n_atoms=p["n_atoms"], kappa=kappa)
    r = cb.quench(model, p["t_final"], n_save=p["n_save"], rtol=p["rtol"], atol=p["atol"])
    return {"coherence": r.coherence, "n_photon": r.n_photon}


def _bins(p: dict) -> dict:
    n_bins = (p["n_save"] - 1) // p["samples_per_bin"]
    width = p["t_final"] / n_bins
    return {"count": n_bins, "width": width, "centres": [round((k + 0.5) * width, 9) for k in range(n_bins)]}


def _header(name: str, p: dict, description: str) -> dict:
    return {"explorer": name, "description": description, "generated_by": "tools/make_explorer_data.py",
            "cavity_bcs_version": cb.__version__, "parameters": p, "bins": _bins(p),
            "encoding": "base64 of little-endian uint16 codes; value = code / 65535 * scale (min and max per bin)",
            "initial_state": "every spin along +x (S+ = 1), empty cavity"}


def make_fig1() -> dict:
    p = FIG1
    points = [(dc, W, k) for dc in p["delta_c"] for W in p["W"] for k in p["kappa"]]
    curves = [run_quench(p, dc, W, k) for dc, W, k in points]
    scales = {}
    for name, scale in SCALES.items():
        top = max(float(c[name].max()) for c in curves)
        scales[name] = scale if scale is not None else float(np.ceil(top * 100) / 100)
    series = {name: {"min": [], "max": []} for name in SCALES}
    for c in curves:
        for name in SCALES:
            lo, hi = envelope(c[name], p["samples_per_bin"])
            series[name]["min"].append(encode(lo, scales[name]))
            series[name]["max"].append(encode(hi, scales[name]))
    data = _header("fig1", p, "Quench dynamics against the detuning, the band width and the cavity loss (Fig. 1)")
    data.update(order="delta_c, W, kappa (kappa fastest)",
                observables={n: {"label": OBSERVABLE_LABELS[n], "scale": scales[n]} for n in SCALES}, series=series)
    return data


def make_phases() -> dict:
    p = PHASES
    diagram = cb.phase_diagram(np.array(p["map_delta_c"]), np.array(p["map_W"]), p["eps0"], tol=p["tol"],
                               strip=p["strip"])
    index = np.asarray(diagram.phase_index, dtype=int)
    points = [(dc, W) for dc in p["delta_c"] for W in p["W"]]
    names, lows, highs = [], [], []
    for dc, W in points:
        phase = cb.dynamical_phase(cb.TwoBox(p["eps0"], W), delta_c=dc, tol=p["tol"], strip=p["strip"], locate=False)
        names.append(str(phase))
        lo, hi = envelope(run_quench(p, dc, W)["coherence"], p["samples_per_bin"])
        lows.append(encode(lo, 1.0))
        highs.append(encode(hi, 1.0))
    data = _header("phases", p, "The Lax phase diagram and the quench at a chosen (delta_c, W)")
    data.update(map_order="delta_c, W (W fastest)", map_phase_index=index.ravel().tolist(),
                phase_names=["I+1", "II+1", "III+1"], unsure_index=-1,
                order="delta_c, W (W fastest)", phases=names,
                observables={"coherence": {"label": OBSERVABLE_LABELS["coherence"], "scale": 1.0}},
                series={"coherence": {"min": lows, "max": highs}})
    return data


def write(name: str, data: dict) -> Path:
    path = DATA / f"explorer_{name}.json"
    path.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("fig1", "phases"))
    args = parser.parse_args(argv)
    for name, make in (("fig1", make_fig1), ("phases", make_phases)):
        if args.only and args.only != name:
            continue
        start = time.perf_counter()
        path = write(name, make())
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1e3:.0f} kB) in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
