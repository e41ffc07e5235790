"""The resonance condition: late-time coherence from the photon's Lax root, and the detuning of its maximum.

The predictions run no time evolution; every test compares them with quench simulations (a
second, independent method) or with a second way of doing the same sum.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import cavity_bcs as cb

N_ATOMS, T_FINAL = 800, 100.0  # the chapter-4 Fig. 1 setting; average over t in [50, 100]


def _simulated_maximum(eps0, W, guess):
    """Detuning of the largest time-averaged |S+| near ``guess``: a fine sweep and a parabola in ln(delta_c)."""
    base = cb.Model(eps0=eps0, W=W, delta_c=guess, n_atoms=N_ATOMS)
    grid = np.geomspace(0.75 * guess, 1.33 * guess, 41)
    coherence = cb.sweep(base, {"delta_c": grid}, T_FINAL, progress=False)["coherence_avg"]
    i = int(np.argmax(coherence))
    assert 0 < i < grid.size - 1, "the maximum must lie inside the scanned window"
    a, b, _ = np.polyfit(np.log(grid[i - 2:i + 3]), coherence[i - 2:i + 3], 2)
    return math.exp(-b / (2 * a))


@pytest.mark.parametrize("delta_c", [2.0, 10.0, 15.0, 30.0])
def test_root_drive_coherence_equals_the_simulated_late_coherence_in_phase_one_plus(delta_c):
    # phase I+1: the photon root's drive alone sets the dephased late-time |S+|
    model = cb.Model(eps0=6.0, W=8.0, delta_c=delta_c, n_atoms=N_ATOMS)
    prediction = cb.root_drive_coherence(model)
    assert prediction.n_roots == 1
    late = cb.quench(model, 200.0, n_save=4001).time_average(t_min=100.0)
    assert prediction.coherence == pytest.approx(late, rel=0.01)


def test_closed_form_band_integral_equals_the_sum_over_atoms():
    # the arctan integral over the two-box density against the sum over 20,000 sampled atoms
    for delta_c in (4.0, 7.0, 12.0):
        model = cb.Model(eps0=6.0, W=8.0, delta_c=delta_c, n_atoms=20_000)
        finite = cb.root_drive_coherence(model)
        continuum = cb.root_drive_coherence(model.density, delta_c=delta_c)
        assert continuum.root == finite.root  # the roots are the continuum ones in both
        assert continuum.coherence == pytest.approx(finite.coherence, rel=1e-6)


def test_root_gives_the_photon_frequency_and_rabi_frequency_of_the_simulation():
    # mu = 2 Re u0 and Omega = Im u0 against the late-time photon fitted by photon_drive
    model = cb.Model(eps0=6.0, W=8.0, delta_c=12.0, n_atoms=N_ATOMS)
    prediction = cb.root_drive_coherence(model)
    fitted = cb.photon_drive(cb.quench(model, 150.0, n_save=6001), t_min=75.0)
    assert prediction.frequency == pytest.approx(fitted.mu, rel=2e-3)
    assert prediction.rabi == pytest.approx(fitted.rabi, rel=1e-2)


@pytest.mark.parametrize("eps0, W", [(6.0, 8.0), (2.0, 8.0), (4.0, 12.0), (8.0, 16.0)])
def test_resonant_detuning_predicts_the_simulated_maximum_for_broad_bands(eps0, W):
    predicted = cb.resonant_detuning(eps0, W)
    assert predicted == pytest.approx(_simulated_maximum(eps0, W, predicted), rel=0.03)


def test_resonant_detuning_is_low_by_less_than_fifteen_percent_when_the_maximum_is_in_phase_two():
    # W < eps0: the maximum sits deep in II+1 (two roots, |S+| still oscillating); documented as about 10 % low
    predicted = cb.resonant_detuning(6.0, 4.0)
    simulated = _simulated_maximum(6.0, 4.0, 1.1 * predicted)
    assert 0.85 < predicted / simulated < 1.0


def test_paper_peak_lies_above_eps0():
    # the paper's "Delta_c ~ eps0 = 6": the maximum is above eps0, where the photon mode reaches the band top
    predicted = cb.resonant_detuning(6.0, 8.0)
    assert 6.5 < predicted < 7.5
    root = cb.root_drive_coherence(cb.TwoBox(eps0=6.0, W=8.0), delta_c=predicted).root
    top = 6.0 / 2 + 8.0 / 4
    assert top - root.imag < root.real < top  # the Lorentzian of the drive still covers the band's top


def test_narrow_bands_have_no_resonant_maximum():
    # the spin model at W = 2 keeps its coherence (phase III+1 at the adiabatic end): nothing to predict
    with pytest.raises(ValueError, match="no resonant maximum"):
        cb.resonant_detuning(6.0, 2.0)
    base = cb.Model(eps0=6.0, W=2.0, delta_c=1.0, n_atoms=N_ATOMS)
    far = cb.sweep(base, {"delta_c": [10.0, 100.0, 300.0]}, T_FINAL, progress=False)["coherence_avg"]
    assert far[2] > 0.3 and abs(far[2] - far[1]) < 0.02  # a plateau, not a decaying resonance


def test_bad_inputs_are_refused_naming_the_parameter():
    for kwargs, name in [(dict(eps0=math.nan, W=8.0), "eps0"), (dict(eps0=6.0, W=0.0), "W"),
                         (dict(eps0=6.0, W=-1.0), "W"), (dict(eps0=6.0, W=8.0, xtol=1.0), "xtol")]:
        with pytest.raises(ValueError, match=name):
            cb.resonant_detuning(**kwargs)
    with pytest.raises(ValueError, match="delta_c"):
        cb.root_drive_coherence(cb.TwoBox(eps0=6.0, W=8.0))
    with pytest.raises(ValueError, match="delta_c"):
        cb.root_drive_coherence(cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=20), delta_c=7.0)
    with pytest.raises(TypeError, match="model"):
        cb.root_drive_coherence("abc")
