"""Laws obeyed by the truncated-Wigner sampling (cavity_bcs.twa)."""
import numpy as np
import pytest

import cavity_bcs as cb
from cavity_bcs.quantum.exact import exact_quench
from cavity_bcs.quantum.twa import sample_initial, twa_quench
from cavity_bcs.results import first_departure


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


# ------------------------------------------------------------------ open system (stochastic TWA)
def decoupled_model(n_atoms=4, **loss):
    """Atoms with no coupling to the cavity: the photon and every spin evolve on their own."""
    return cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=n_atoms, coupling_profile=np.zeros(n_atoms), **loss)


def small_open_model(n_atoms=4, **loss):
    """Inhomogeneous energies (two bands) and cosine couplings."""
    return cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=n_atoms, coupling_profile=cb.cosine_profile(n_atoms),
                    **loss)


def test_lossy_empty_cavity_stays_in_the_vacuum():
    # dalpha = -(kappa/2) alpha dt + sqrt(kappa/4N) dW: the vacuum's variance 1/(4N) is stationary
    m = decoupled_model(kappa=2.0)
    w = twa_quench(m, 3.0, n_samples=20000, n_save=7, seed=1)
    assert w.method == "sde"
    np.testing.assert_array_less(np.abs(w.n_photon), 4.0 * w.n_photon_err)
    np.testing.assert_array_less(np.abs(w.photon), 4.0 * 0.5 / np.sqrt(m.n_pairs * w.n_samples))


def test_damped_coherent_photon_decays_at_half_kappa_with_poissonian_number_statistics():
    m = decoupled_model(kappa=1.5)
    beta = 1.5  # <a>/sqrt(N)
    runs = [twa_quench(m, 2.0, n_samples=4000, n_save=5, seed=s, photon=beta) for s in range(5)]
    t = runs[0].t
    exact = beta * np.exp(-(1j * m.delta_c + 0.5 * m.kappa) * t)
    photon = np.mean([r.photon for r in runs], axis=0)
    # every sample carries vacuum noise of std 1/(2 sqrt N) per quadrature, at all times
    se = 0.5 / np.sqrt(m.n_pairs * 5 * 4000)
    np.testing.assert_array_less(np.abs(photon - exact), 4.0 * np.sqrt(2.0) * se)
    n = np.mean([r.n_photon for r in runs], axis=0)
    n_err = np.mean([r.n_photon_err for r in runs], axis=0) / np.sqrt(5)
    np.testing.assert_array_less(np.abs(n - np.abs(exact) ** 2), 4.0 * n_err)
    # coherent state: Var(a^dag a) = <a^dag a>, i.e. n_photon_var = n_photon (Fano factor 1)
    var = np.array([r.n_photon_var for r in runs])
    var_err = var.std(axis=0, ddof=1) / np.sqrt(len(runs))
    np.testing.assert_array_less(np.abs(var.mean(axis=0) - np.abs(exact) ** 2), 4.0 * var_err + 1e-3)
    assert np.all(var_err < 0.05 * var.mean(axis=0))  # the comparison has power


def test_closed_system_stochastic_integrator_reproduces_the_ode_results():
    # Without loss the stochastic path draws no noise: same samples, same equations, another integrator.
    m = fig1_model(20)
    ode = twa_quench(m, 4.0, n_samples=20, n_save=9, seed=8)
    sde = twa_quench(m, 4.0, n_samples=20, n_save=9, seed=8, method="sde", dt=0.0025)
    assert ode.method == "ode" and sde.method == "sde"
    np.testing.assert_allclose(sde.s_plus, ode.s_plus, atol=2e-5)
    np.testing.assert_allclose(sde.photon, ode.photon, atol=2e-5)
    np.testing.assert_allclose(sde.pair_correlation, ode.pair_correlation, atol=2e-5)


def test_without_noise_the_stochastic_integrator_is_the_lossy_mean_field_at_second_order():
    m = small_open_model(40, kappa=0.5, gamma=0.2, dephasing=0.1)
    q = cb.quench(m, 10.0, n_save=11)
    errors = []
    for dt in (0.1, 0.05):
        w = twa_quench(m, 10.0, n_samples=2, n_save=11, noise=0.0, dt=dt, seed=0)
        errors.append(np.max(np.abs(w.photon - q.photon)))
    assert errors[0] < 2e-3
    assert 3.5 < errors[0] / errors[1] < 4.5  # weak (here: deterministic) order 2


@pytest.mark.parametrize("classes, W", [(None, 8.0), ((1, 1), 0.0)])
def test_dephasing_alone_decays_s_plus_of_decoupled_atoms_at_gamma_phi(classes, W):
    # One spin's Bloch equations: <sigma^+_i>(t) = e^{2i eps_i t - gamma_phi t}/2, exactly.
    m = cb.Model(eps0=6.0, W=W, delta_c=6.0, n_atoms=8, dephasing=0.7, coupling_profile=np.zeros(8))
    w = twa_quench(m, 3.0, n_samples=8000, n_save=7, seed=3, classes=classes)
    exact = np.exp(-m.dephasing * w.t) * np.mean(np.exp(2j * np.outer(w.t, m.eps)), axis=1)
    for part in (np.real, np.imag):
        np.testing.assert_array_less(np.abs(part(w.s_plus - exact)), 4.0 * part(w.s_plus_err) + 1e-12)
    assert np.all(np.abs(w.spin_z) < 4.0 * w.spin_z_err + 1e-12)


@pytest.mark.parametrize("classes, W", [(None, 8.0), ((1, 1), 0.0)])
def test_decay_alone_relaxes_sigma_z_at_gamma_and_coherences_at_half_gamma(classes, W):
    m = cb.Model(eps0=6.0, W=W, delta_c=6.0, n_atoms=8, gamma=0.8, coupling_profile=np.zeros(8))
    w = twa_quench(m, 4.0, n_samples=8000, n_save=9, seed=4, classes=classes)
    np.testing.assert_array_less(np.abs(w.spin_z - (np.exp(-m.gamma * w.t) - 1.0)), 4.0 * w.spin_z_err + 1e-12)
    assert w.spin_z_err[-1] > 0  # the decay noise is there
    exact = np.exp(-0.5 * m.gamma * w.t) * np.mean(np.exp(2j * np.outer(w.t, m.eps)), axis=1)
    for part in (np.real, np.imag):
        np.testing.assert_array_less(np.abs(part(w.s_plus - exact)), 4.0 * part(w.s_plus_err) + 1e-12)


@pytest.mark.parametrize("loss", [dict(kappa=1.0), dict(kappa=1.0, gamma=0.3, dephasing=0.2)])
def test_twa_departs_from_the_master_equation_later_than_mean_field(loss):
    m = small_open_model(4, **loss)
    r = cb.exact_master_equation(m, 4.0, 81)
    q = cb.quench(m, 4.0, n_save=81)
    w = twa_quench(m, 4.0, n_samples=6000, n_save=81, seed=3)
    for threshold in (0.02, 0.05, 0.1):
        t_mf = first_departure(r.t, r.s_plus, q.s_plus, threshold)
        t_twa = first_departure(r.t, r.s_plus, w.s_plus, threshold)
        assert t_twa > 1.5 * t_mf, (threshold, t_mf, t_twa)
    # and it follows within its error bars at short times, where mean field already fails
    early = (w.t > 0) & (w.t <= 0.5)
    assert np.all(np.abs(w.s_plus - r.s_plus)[early] < 4.0 * np.abs(w.s_plus_err)[early] + 2e-3)
    assert np.max(np.abs(q.s_plus - r.s_plus)[early] / np.abs(w.s_plus_err)[early]) > 4.0


def test_short_time_departure_from_mean_field_is_minus_sum_g2_t2_over_4n():
    # d^2<sigma^-_i>/dt^2 - (mean field) = i g_i d<a sigma^z_i>/dt = -g_i^2/2 at t = 0 (vacuum fluctuations),
    # so S+_exact - S+_MF = -(1/4N) sum_i g_i^2 t^2 = -(Delta_c/4N^2) sum_i f_i^2 t^2 in units of chi N.
    m = cb.Model(eps0=0.0, W=2.0, delta_c=6.0, n_atoms=6, coupling_profile=cb.cosine_profile(6))
    law = -m.delta_c * np.sum(m.couplings ** 2) / (4.0 * m.n_pairs ** 2)
    r = exact_quench(m, 0.05, 11)
    q = cb.quench(m, 0.05, n_save=11)
    fit = np.linalg.lstsq(np.stack([r.t ** 2, r.t ** 3, r.t ** 4], axis=1)[1:], (r.s_plus - q.s_plus).real[1:],
                          rcond=None)[0]
    assert fit[0] == pytest.approx(law, rel=1e-3)
    # TWA has the same t^2 term: its vacuum noise correlates alpha with sigma^z_i at rate i g_i / 2
    w = twa_quench(m, 0.2, n_samples=20000, n_save=5, seed=4)
    r = exact_quench(m, 0.2, 5)
    q = cb.quench(m, 0.2, n_save=5)
    twa_gap = (w.s_plus - q.s_plus).real
    higher_orders = np.abs((r.s_plus - q.s_plus).real - law * w.t ** 2)
    np.testing.assert_array_less(np.abs(twa_gap - law * w.t ** 2)[1:], 4.0 * w.s_plus_err.real[1:] + higher_orders[1:])
    assert abs(law) * 0.1 ** 2 > 8.0 * w.s_plus_err.real[2]  # mean field (gap 0) is excluded


def test_halving_the_step_changes_s_plus_by_less_than_the_statistical_error():
    m = small_open_model(8, kappa=1.0, gamma=0.3, dephasing=0.2)
    a = twa_quench(m, 4.0, n_samples=3000, n_save=9, seed=6, dt=0.05)
    b = twa_quench(m, 4.0, n_samples=3000, n_save=9, seed=6, dt=0.025)
    assert b.n_steps == 2 * a.n_steps
    # Same initial samples, but the two step sizes draw different noise: the difference is bounded
    # by that of two independent estimates, sqrt(2) standard errors, if the step error is negligible.
    bound = 4.0 * np.sqrt(2.0)
    for part in (np.real, np.imag):
        np.testing.assert_array_less(np.abs(part(a.s_plus - b.s_plus)), bound * part(a.s_plus_err) + 1e-12)
    np.testing.assert_array_less(np.abs(a.n_photon - b.n_photon), bound * a.n_photon_err + 1e-12)
    # the step error itself, without noise, is far below the statistical error
    c = twa_quench(m, 4.0, n_samples=2, n_save=9, noise=0.0, dt=0.05)
    d = twa_quench(m, 4.0, n_samples=2, n_save=9, noise=0.0, dt=0.025)
    assert np.max(np.abs(c.s_plus - d.s_plus)) < 0.1 * np.min(np.abs(a.s_plus_err[1:]))


@pytest.mark.parametrize("classes", [None, (4, 2)])
def test_stochastic_results_are_reproducible_and_bit_identical_for_any_thread_count(classes):
    m = small_open_model(40, kappa=1.0, gamma=0.3, dephasing=0.2)
    a = twa_quench(m, 2.0, n_samples=24, n_save=11, seed=123, workers=1, classes=classes)
    b = twa_quench(m, 2.0, n_samples=24, n_save=11, seed=123, workers=2, classes=classes)
    c = twa_quench(m, 2.0, n_samples=24, n_save=11, seed=124, workers=2, classes=classes)
    for name in ("s_plus", "photon", "n_photon", "pair_correlation", "spin_z"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert np.max(np.abs(a.s_plus - c.s_plus)) > 0


@pytest.mark.parametrize("class_sampling, loss", [("gaussian", dict(kappa=1.0, dephasing=0.2)),
                                                  ("binomial", dict(kappa=1.0, dephasing=0.2)),
                                                  ("gaussian", dict())])
def test_class_collective_twa_agrees_with_per_atom_dtwa_when_classes_hold_identical_atoms(class_sampling, loss):
    # 4 energies x 2 couplings, each (eps, g) pair held by 10 atoms: the classes are exact
    eps = np.repeat([2.5, 3.5, -2.5, -3.5], 20)
    f = np.tile(np.repeat([1.0, 0.5], 10), 4)
    m = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=80, energies=eps, coupling_profile=f, **loss)
    atoms = twa_quench(m, 3.0, n_samples=3000, n_save=7, seed=9)
    classes = twa_quench(m, 3.0, n_samples=3000, n_save=7, seed=10, classes=(2, 2), class_sampling=class_sampling)
    assert classes.n_spins == 8 and atoms.n_spins == 80
    assert classes.method == atoms.method == ("sde" if loss else "ode")
    for part in (np.real, np.imag):
        bound = 4.0 * np.hypot(part(atoms.s_plus_err), part(classes.s_plus_err)) + 1e-12
        np.testing.assert_array_less(np.abs(part(atoms.s_plus - classes.s_plus)), bound)
    np.testing.assert_array_less(np.abs(atoms.n_photon - classes.n_photon),
                                 4.0 * np.hypot(atoms.n_photon_err, classes.n_photon_err) + 1e-12)
    np.testing.assert_array_less(np.abs(atoms.pair_correlation - classes.pair_correlation),
                                 4.0 * np.hypot(atoms.pair_correlation_err, classes.pair_correlation_err) + 1e-12)
    # fluctuations matter here: mean field misses the photon by many error bars
    q = cb.quench(m, 3.0, n_save=7)
    assert np.max(np.abs(q.n_photon - atoms.n_photon) / (atoms.n_photon_err + 1e-12)) > 8.0


def test_class_samples_have_the_summed_dtwa_moments():
    m = cb.Model(eps0=6.0, W=0.0, delta_c=6.0, n_atoms=200)
    for sampling in ("gaussian", "binomial"):
        y = sample_initial(m, 20000, seed=1, classes=(1, 1), class_sampling=sampling)
        n_c = 100.0  # two classes of N atoms
        assert np.all(y[:, :2] == 1.0)
        for k in (1, 2):
            comp = y[:, 2 * k:2 * k + 2]
            assert np.abs(comp.mean(axis=0)).max() < 5.0 / np.sqrt(20000 * n_c)
            np.testing.assert_allclose(comp.var(axis=0) * n_c, 1.0, atol=0.05)


def test_bad_open_system_input_raises_value_error():
    m = small_open_model(4, kappa=1.0)
    with pytest.raises(ValueError, match="method"):
        twa_quench(m, 1.0, method="euler")
    with pytest.raises(ValueError, match="dt"):
        twa_quench(m, 1.0, dt=0.0)
    with pytest.raises(ValueError, match="classes"):
        twa_quench(m, 1.0, classes=3)
    with pytest.raises(ValueError, match="class_sampling"):
        twa_quench(m, 1.0, classes=(1, 1), class_sampling="poisson")
    with pytest.raises(ValueError, match="classes must be coarse_grain"):
        twa_quench(m, 1.0, classes=cb.coarse_grain(small_open_model(4), 1, 1, initial=cb.x_polarized(m)))
    with pytest.raises(cb.IntegrationError, match="max_steps"):
        twa_quench(m, 10.0, n_samples=2, max_steps=10)


# ------------------------------------------------------------------ other starts than +x
def test_a_start_along_y_is_sampled_in_its_own_frame():
    # the discrete Wigner points of a spin along +y: y = 1 exactly, x and z = +-1 with mean 0
    m = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=20)
    along_y = cb.State(np.tile([0.0, 1.0, 0.0], (20, 1)), 0.0)
    rows = cb.sample_initial(m, 4000, seed=1, initial=along_y)
    spins = rows[:, :60].reshape(4000, 3, 20)  # [x(n), y(n), z(n)] per sample
    assert np.all(spins[:, 1] == 1.0)
    assert np.all(np.abs(spins[:, 0]) == 1.0) and np.all(np.abs(spins[:, 2]) == 1.0)
    assert abs(spins[:, 0].mean()) < 0.03 and abs(spins[:, 2].mean()) < 0.03


def test_a_class_start_has_transverse_variance_one_over_its_size():
    # a class of n spins along a common direction: perpendicular fluctuations of variance 1/n, none along it
    m = cb.Model(eps0=6.0, W=0.0, delta_c=7.0, n_atoms=400)
    direction = np.array([0.6, 0.0, 0.8])
    start = cb.State(np.tile(direction, (400, 1)), 0.1j)
    rows = cb.sample_initial(m, 20000, seed=2, classes=(1, 1), initial=start)
    spins = rows[:, :6].reshape(20000, 3, 2).transpose(0, 2, 1)  # (sample, class, xyz); 2 classes of 200
    along = spins @ direction
    perpendicular = spins - along[..., None] * direction
    assert np.allclose(along, 1.0)
    assert np.var(perpendicular, axis=0).sum(axis=-1) == pytest.approx(np.full(2, 2.0 / 200), rel=0.03)
    assert rows[:, -1].mean() == pytest.approx(0.1, abs=3e-3)  # Im alpha: the start's photon


def test_drive_prepared_start_without_noise_is_the_coarse_mean_field():
    m = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=2000, coupling_profile=cb.cosine_profile(2000))
    start = cb.drive_state(m)
    noiseless = twa_quench(m, 5.0, n_samples=2, n_save=51, seed=1, classes=(32, 4), initial=start, noise=0.0)
    reference = cb.coarse_quench(cb.coarse_grain(m, 32, 4, initial=start), 5.0, n_save=51)
    assert np.max(np.abs(noiseless.s_plus - reference.s_plus)) < 1e-7


def test_bad_starts_are_refused():
    m = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=4)
    with pytest.raises(ValueError, match="spin-coherent"):
        twa_quench(m, 1.0, n_samples=4, initial=cb.State(np.tile([0.5, 0.0, 0.0], (4, 1)), 0.0))
    with pytest.raises(ValueError, match="photon"):
        twa_quench(m, 1.0, n_samples=4, photon=0.3, initial=cb.x_polarized(m))
    with pytest.raises(TypeError, match="initial"):
        twa_quench(m, 1.0, n_samples=4, initial="drive")
