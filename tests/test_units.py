"""Laboratory units: conversions both ways, and the lab clock of the dynamics."""
import math

import numpy as np
import pytest

import cavity_bcs as cb
from cavity_bcs.experiment.units import STRONTIUM, LabParameters, pairs_for_kappa_ratio


def _lab(delta_c=6.0, n_atoms=2_000_000, gamma_khz=7.5):
    return LabParameters.at_detuning(STRONTIUM["g_khz"], STRONTIUM["kappa_khz"], n_atoms, delta_c,
                                     eps0=6.0, W=8.0, gamma_khz=gamma_khz)


@pytest.mark.parametrize("delta_c", [0.1, 6.0, 10.3, 100.0])
def test_lab_to_model_to_lab_round_trip(delta_c):
    lab = _lab(delta_c)
    back = LabParameters.from_model(lab.to_model(), lab.g_khz)
    for name in ("g_khz", "kappa_khz", "delta_c_khz", "eps0_khz", "W_khz", "gamma_khz"):
        assert math.isclose(getattr(back, name), getattr(lab, name), rel_tol=1e-12)
    assert back.n_atoms == lab.n_atoms


def test_model_to_lab_to_model_round_trip():
    model = cb.Model(eps0=6.0, W=8.0, delta_c=10.3, n_atoms=800, kappa=0.05, gamma=0.002)
    again = LabParameters.from_model(model, 10.8, n_atoms=2_000_000).to_model(n_atoms=800)
    for name in ("eps0", "W", "delta_c", "kappa", "gamma"):
        assert math.isclose(getattr(again, name), getattr(model, name), rel_tol=1e-12)


def test_unit_follows_definition_chi_n_equals_g_squared_n_over_detuning():
    lab = _lab(10.3)
    # chi N = g^2 N / Delta_c, and the dimensionless detuning is Delta_c / chi N.
    assert math.isclose(lab.chi_n_khz * lab.delta_c_khz, lab.g_khz ** 2 * lab.n_pairs, rel_tol=1e-12)
    assert math.isclose(lab.delta_c_khz / lab.chi_n_khz, 10.3, rel_tol=1e-12)
    assert math.isclose(lab.to_model().delta_c, 10.3, rel_tol=1e-12)


def test_time_unit_grows_with_detuning_at_fixed_coupling():
    # The paper's remark on Fig. 3 (top): at fixed g the time unit 1/chiN changes with Delta_c,
    # as sqrt(Delta_c / chiN).
    small, large = _lab(0.1), _lab(10.3)
    assert math.isclose(large.time_unit_ms / small.time_unit_ms, math.sqrt(103.0), rel_tol=1e-12)


def test_kappa_per_collective_coupling_is_independent_of_detuning():
    ratios = [_lab(d).kappa_per_g for d in (0.1, 1.0, 6.0, 50.0)]
    assert np.allclose(ratios, STRONTIUM["kappa_khz"] / (STRONTIUM["g_khz"] * math.sqrt(1_000_000)))
    # ... so in units of chiN the loss grows as sqrt(Delta_c/chiN).
    for d in (0.1, 6.0, 50.0):
        assert math.isclose(_lab(d).to_model().kappa, ratios[0] * math.sqrt(d), rel_tol=1e-12)


def test_paper_kappa_ratio_means_about_a_million_pairs():
    # Fig. 1 quotes kappa/(g sqrt N) = 1.4e-2; with the Fig. 3 cavity this fixes N.
    n_pairs = pairs_for_kappa_ratio(1.4e-2, STRONTIUM["g_khz"], STRONTIUM["kappa_khz"])
    assert 9e5 < n_pairs < 1.1e6
    lab = LabParameters(STRONTIUM["g_khz"], STRONTIUM["kappa_khz"], 2 * round(n_pairs), 1000.0)
    assert math.isclose(lab.kappa_per_g, 1.4e-2, rel_tol=1e-6)


def test_time_conversions_round_trip_and_match_angular_frequency():
    lab = _lab(6.0)
    t = np.linspace(0.0, 300.0, 7)
    assert np.allclose(lab.time_from_ms(lab.time_to_ms(t)), t, rtol=1e-14, atol=0)
    assert math.isclose(lab.time_unit_ms * 2 * math.pi * lab.chi_n_khz, 1.0, rel_tol=1e-14)
    assert math.isclose(lab.rate_to_khz(lab.rate_to_model(150.0)), 150.0, rel_tol=1e-14)


def test_collective_cooperativity_definition():
    lab = _lab(6.0)
    expected = lab.n_pairs * 10.8 ** 2 / (150.0 * 7.5)
    assert math.isclose(lab.collective_cooperativity, expected, rel_tol=1e-12)
    assert lab.collective_cooperativity > 1e4  # the paper's condition N g^2 >> kappa gamma
    assert _lab(6.0, gamma_khz=0.0).collective_cooperativity == math.inf


def test_free_spin_precesses_at_twice_its_lab_frequency():
    # With no coupling a spin along +x precesses as x = cos(2 eps t): in the lab, eps_khz sets
    # the frequency 2 * eps/2pi. This checks time_to_ms against the dynamics itself.
    lab = _lab(6.0, gamma_khz=0.0)
    model = lab.to_model(n_atoms=4, coupling_profile=np.zeros(4), energies=np.array([1.0, 0.5, -0.5, -1.0]))
    r = cb.quench(model, 3.0, n_save=301, save_states=True)
    t_ms = lab.time_to_ms(r.t)
    eps_khz = lab.rate_to_khz(model.eps)
    expected = np.cos(2 * 2 * math.pi * eps_khz[None, :] * t_ms[:, None])
    assert np.allclose(r.states[:, :, 0], expected, atol=1e-9)


@pytest.mark.parametrize("kwargs, name", [
    (dict(g_khz=-1.0), "g_khz"), (dict(kappa_khz=-1.0), "kappa_khz"), (dict(n_atoms=3), "n_atoms"),
    (dict(delta_c_khz=0.0), "delta_c_khz"), (dict(W_khz=-1.0), "W_khz"), (dict(gamma_khz=math.nan), "gamma_khz"),
])
def test_bad_lab_parameters_raise(kwargs, name):
    base = dict(g_khz=10.8, kappa_khz=150.0, n_atoms=1000, delta_c_khz=1000.0)
    with pytest.raises(ValueError, match=name):
        LabParameters(**{**base, **kwargs})
    with pytest.raises(ValueError, match="kappa_per_g"):
        pairs_for_kappa_ratio(0.0, 10.8, 150.0)
