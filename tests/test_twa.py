"""Laws obeyed by the truncated-Wigner sampling (cavity_bcs.twa)."""
import numpy as np
import pytest

import cavity_bcs as cb
from cavity_bcs.quantum.exact import exact_quench
from cavity_bcs.quantum.twa import sample_initial, twa_quench


def fig1_model(n_atoms, delta_c=6.0):
    return cb.Model(eps0=6.0, W=8.0, delta_c=delta_c, n_atoms=n_atoms)


def test_without_noise_every_sample_is_the_mean_field_quench():
    m = fig1_model(40)
    w = twa_quench(m, 5.0, n_samples=2, n_save=51, noise=0.0, rtol=1e-10, atol=1e-12)
    q = cb.quench(m, 5.0, n_save=51)
    np.testing.assert_allclose(w.s_plus, q.s_plus, atol=1e-8)
    np.testing.assert_allclose(w.photon, q.photon, atol=1e-8)
    np.testing.assert_allclose(w.energy, q.energy, atol=1e-8)
    np.testing.assert_allclose(w.s_plus_err, 0.0, atol=1e-12)


def test_initial_samples_have_the_moments_of_the_x_state_and_the_vacuum():
    m = fig1_model(10)
    M = 20000
    y = sample_initial(m, M, seed=7)
    n = m.n_atoms
    x, yy, z = y[:, :n], y[:, n:2 * n], y[:, 2 * n:3 * n]
    assert np.all(x == 1.0) and np.all(yy ** 2 == 1.0) and np.all(z ** 2 == 1.0)
    # Means of y, z vanish; different atoms and components are uncorrelated.
    five_sigma = 5.0 / np.sqrt(M)
    assert np.abs(yy.mean(axis=0)).max() < five_sigma
    assert np.abs(z.mean(axis=0)).max() < five_sigma
    assert abs(np.mean(yy[:, 0] * z[:, 0])) < five_sigma
    assert abs(np.mean(yy[:, 0] * yy[:, 1])) < five_sigma
    # Vacuum Wigner function: Re a, Im a each of variance 1/4, i.e. 1/(4N) for alpha = a/sqrt(N).
    alpha = (y[:, 3 * n] + 1j * y[:, 3 * n + 1]) * np.sqrt(m.n_pairs)
    var_err = 0.25 * np.sqrt(2.0 / M) * 5
    assert np.var(alpha.real) == pytest.approx(0.25, abs=var_err)
    assert np.var(alpha.imag) == pytest.approx(0.25, abs=var_err)
    # Symmetric ordering: <a^dag a> = <|a_W|^2> - 1/2 = 0 for the vacuum.
    assert np.mean(np.abs(alpha) ** 2) - 0.5 == pytest.approx(0.0, abs=2 * var_err)


def test_twa_follows_exact_short_time_dynamics_within_error_bars_where_mean_field_fails():
    m = fig1_model(6)
    t_final = 0.3
    w = twa_quench(m, t_final, n_samples=20000, n_save=7, seed=11)
    r = exact_quench(m, t_final, 7)
    q = cb.quench(m, t_final, n_save=7)
    for part in (np.real, np.imag):
        err = part(w.s_plus_err)[1:]
        assert np.all(np.abs(part(w.s_plus - r.s_plus))[1:] < 4.0 * err)
    np.testing.assert_array_less(np.abs(w.n_photon - r.n_photon)[1:], 4.0 * w.n_photon_err[1:])
    np.testing.assert_array_less(np.abs(w.pair_correlation - r.pair_correlation),
                                 4.0 * w.pair_correlation_err)
    # The comparison has power: mean field misses the exact result by many error bars.
    assert np.max(np.abs(q.s_plus - r.s_plus)[1:] / np.abs(w.s_plus_err)[1:]) > 8.0


def test_twa_approaches_mean_field_as_the_number_of_atoms_grows():
    # Quantum noise per atom ~ 1/sqrt(N), its effect on S+ at fixed time ~ 1/N.
    gaps = []
    for n_atoms in (20, 400):
        m = fig1_model(n_atoms)
        w = twa_quench(m, 2.0, n_samples=200, n_save=21, seed=5)
        q = cb.quench(m, 2.0, n_save=21)
        gaps.append(np.max(np.abs(w.s_plus - q.s_plus)))
    assert gaps[1] < 0.25 * gaps[0]
    assert gaps[1] < 0.02


def test_sample_means_of_conserved_quantities_stay_constant():
    # Each sample conserves its classical excitation number and energy, so do the means.
    m = fig1_model(20)
    w = twa_quench(m, 5.0, n_samples=50, n_save=11, seed=2, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(w.excitations, w.excitations[0], atol=1e-8)
    np.testing.assert_allclose(w.energy, w.energy[0], atol=1e-8)


def test_results_are_reproducible_and_independent_of_the_number_of_workers():
    m = fig1_model(20)
    a = twa_quench(m, 2.0, n_samples=40, n_save=11, seed=123, workers=1)
    b = twa_quench(m, 2.0, n_samples=40, n_save=11, seed=123, workers=2)
    c = twa_quench(m, 2.0, n_samples=40, n_save=11, seed=124, workers=2)
    np.testing.assert_array_equal(a.s_plus, b.s_plus)
    assert np.max(np.abs(a.s_plus - c.s_plus)) > 0


def test_bad_input_raises_value_error():
    m = fig1_model(4)
    with pytest.raises(ValueError, match="n_samples"):
        twa_quench(m, 1.0, n_samples=1)
    with pytest.raises(ValueError, match="t_final"):
        twa_quench(m, 0.0)
    with pytest.raises(ValueError, match="noise"):
        twa_quench(m, 1.0, noise=-1.0)
    with pytest.raises(ValueError, match="workers"):
        twa_quench(m, 1.0, workers=0)
