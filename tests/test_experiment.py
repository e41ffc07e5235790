"""Inhomogeneous couplings, the coherent-drive preparation and photon loss in the experiment code."""
import math

import numpy as np
import pytest

import cavity_bcs as cb
from cavity_bcs import experiment as ex
from cavity_bcs.experiment.units import STRONTIUM, LabParameters


def test_cosine_profile_is_the_lattice_cosine_with_stated_normalisation():
    f = ex.cosine_profile(2000)
    i = np.arange(1, 2001)
    assert np.allclose(f * np.max(np.abs(np.cos(3.7 * i))), np.cos(3.7 * i), rtol=0, atol=1e-15)
    assert math.isclose(np.max(np.abs(f)), 1.0, rel_tol=1e-15)
    rms = ex.cosine_profile(2000, normalize="rms")
    assert math.isclose(np.mean(rms ** 2), 1.0, rel_tol=1e-12)
    # Weyl equidistribution (k0 a0 / 2pi irrational): mean cos^2 -> 1/2, mean |cos| -> 2/pi.
    assert abs(np.mean(f ** 2) - 0.5) < 5e-3
    m = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=2000, coupling_profile=f)
    assert abs(ex.mean_abs_coupling(m) - 2 / math.pi) < 5e-3


def test_profile_input_is_checked():
    with pytest.raises(ValueError, match="normalize"):
        ex.coupling_profile([1.0, 2.0], normalize="max")
    with pytest.raises(ValueError, match="zero"):
        ex.coupling_profile(np.zeros(4))
    with pytest.raises(ValueError, match="finite"):
        ex.coupling_profile([1.0, np.nan])
    assert np.array_equal(ex.coupling_profile([0.5, -2.0]), [0.25, -1.0])


def test_uniform_profile_reproduces_the_homogeneous_model_exactly():
    base = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=200, kappa=0.05)
    flat = base.replace(coupling_profile=ex.cosine_profile(200, k0a0=0.0))  # cos(0) = 1 everywhere
    flat_user = base.replace(coupling_profile=ex.coupling_profile(np.full(200, 3.3)))
    a = cb.quench(base, 30.0, n_save=301)
    for other in (flat, flat_user):
        b = cb.quench(other, 30.0, n_save=301)
        assert np.array_equal(a.s_plus, b.s_plus) and np.array_equal(a.photon, b.photon)
    # ... and the drive state of a homogeneous model is the x-polarised state with a = a_eq.
    d = ex.drive_state(base)
    x = cb.x_polarized(base, photon="equilibrium")
    assert np.array_equal(d.spins, x.spins) and d.photon == x.photon


def test_empty_cavity_decays_at_half_kappa_in_lab_time():
    # No coupling (zero profile through the experiment path): <a>(t) = <a>(0) exp(-(i Delta_c + kappa/2) t),
    # with kappa/2pi = 150 kHz read back in ms.
    lab = LabParameters.at_detuning(STRONTIUM["g_khz"], STRONTIUM["kappa_khz"], 2_000_000, 6.0, eps0=6.0, W=8.0)
    model = lab.to_model(n_atoms=100, coupling_profile=ex.coupling_profile(np.zeros(100), normalize=None))
    start = cb.State(ex.drive_state(model).spins, 0.7 + 0.2j)
    r = cb.quench(model, 200.0, n_save=201, initial=start)
    t_ms = lab.time_to_ms(r.t)
    kappa = 2 * math.pi * STRONTIUM["kappa_khz"]   # 1/ms
    delta_c = 2 * math.pi * lab.delta_c_khz         # 1/ms
    expected = start.photon * np.exp(-(1j * delta_c + 0.5 * kappa) * t_ms)
    assert np.allclose(r.photon, expected, rtol=1e-7, atol=1e-10)


def test_excitations_decay_exactly_as_photon_loss_says_with_cosine_couplings():
    # d/dt (1/2 sum z + a^dag a)/N = -kappa a^dag a / N, for any g_i: integrate both sides.
    model = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=300, kappa=0.3,
                     coupling_profile=ex.cosine_profile(300))
    r = cb.quench(model, 20.0, n_save=8001, initial=ex.drive_state(model))
    lost = model.kappa * np.concatenate([[0.0], np.cumsum(0.5 * (r.n_photon[1:] + r.n_photon[:-1]) * np.diff(r.t))])
    assert np.max(np.abs(r.excitations - r.excitations[0] + lost)) < 1e-6
    assert r.excitations[-1] < r.excitations[0] - 0.01  # the loss is not negligible here


@pytest.mark.parametrize("kappa", [0.0, 0.2])
def test_drive_state_has_signs_of_couplings_and_photons_inverse_to_detuning(kappa):
    f = ex.cosine_profile(400)
    for delta_c in (0.5, 6.0, 40.0):
        m = cb.Model(eps0=6.0, W=8.0, delta_c=delta_c, n_atoms=400, kappa=kappa, coupling_profile=f)
        s = ex.drive_state(m)
        assert np.all(np.sign(s.spins[:, 0]) == np.where(f < 0, -1, 1))
        assert np.all(s.spins[:, 2] == 0) and np.allclose(np.linalg.norm(s.spins, axis=1), 1.0)
        # |alpha_eq|^2 = mean|f|^2 Delta_c/(Delta_c^2 + kappa^2/4): ~ 1/Delta_c at small loss.
        n0 = abs(s.photon) ** 2
        assert math.isclose(n0, ex.mean_abs_coupling(m) ** 2 * delta_c / (delta_c ** 2 + kappa ** 2 / 4), rel_tol=1e-12)


def test_drive_state_is_stationary_before_the_fields_are_switched_on():
    # With eps_i = 0 and no loss, spins along sgn(g_i) x and a = a_eq are a fixed point: that is
    # what makes the state a well-defined starting point for the quench.
    f = ex.cosine_profile(200)
    m = cb.Model(eps0=0.0, W=0.0, delta_c=6.0, n_atoms=200, energies=np.zeros(200), coupling_profile=f)
    s = ex.drive_state(m)
    r = cb.quench(m, 50.0, n_save=11, initial=s)
    assert np.max(np.abs(r.final.spins - s.spins)) < 1e-10
    assert abs(r.final.photon - s.photon) < 1e-10


@pytest.mark.parametrize("delta_c", [2.0, 20.0])
def test_simulated_drive_pulse_prepares_the_drive_state(delta_c):
    # Two independent preparations: the explicit chirped drive through the cavity, and the
    # constructed state. They agree better the slower the drive (adiabatic following).
    f = ex.cosine_profile(300)
    m = cb.Model(eps0=6.0, W=8.0, delta_c=delta_c, n_atoms=300, coupling_profile=f)
    target = ex.drive_state(m)
    errors = []
    for duration in (100.0, 400.0):
        prep = ex.simulate_drive(m, duration=duration).state
        strong = np.abs(f) > 0.3
        errors.append(max(abs(abs(prep.photon) ** 2 / abs(target.photon) ** 2 - 1),
                          np.max(np.abs(prep.spins[strong] - target.spins[strong]))))
    assert errors[1] < 0.02
    assert errors[1] < errors[0]
    # The initial photon number scales as 1/Delta_c (mean|f|^2 / Delta_c).
    assert math.isclose(abs(prep.photon) ** 2 * delta_c, ex.mean_abs_coupling(m) ** 2, rel_tol=0.02)


def test_quench_from_both_preparations_agrees():
    f = ex.cosine_profile(300)
    m = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=300, coupling_profile=f)
    a = cb.quench(m, 50.0, n_save=501, initial=ex.drive_state(m))
    b = cb.quench(m, 50.0, n_save=501, initial=ex.simulate_drive(m, duration=400.0).state)
    assert abs(a.time_average("n_photon") / b.time_average("n_photon") - 1) < 0.02


def test_detuning_scan_records_initial_photons_and_checks_input():
    f = ex.cosine_profile(100)
    make = lambda d: cb.Model(eps0=6.0, W=8.0, delta_c=d, n_atoms=100, coupling_profile=f)
    scan = ex.detuning_scan(make, [1.0, 4.0], 5.0, n_save=51, workers=1)
    assert np.allclose(scan.n_photon_initial * scan.delta_c, ex.mean_abs_coupling(make(1.0)) ** 2)
    vac = ex.detuning_scan(make, [1.0], 5.0, initial="x", n_save=51, workers=1)
    assert vac.n_photon_initial[0] == 0.0
    with pytest.raises(ValueError, match="initial"):
        ex.detuning_scan(make, [1.0], 5.0, initial="y")
    with pytest.raises(ValueError, match="duration"):
        ex.simulate_drive(make(1.0), duration=-1.0)


@pytest.mark.slow
def test_coarse_graining_is_exact_for_classes_of_identical_atoms():
    # 10 distinct energies x 2 coupling values, each shared by 10 atoms: grouping them changes nothing.
    levels = np.array([2.2, 2.6, 3.0, 3.4, 3.8])
    eps = np.concatenate([np.repeat(levels, 20), np.repeat(-levels, 20)])
    f = np.tile(np.repeat([0.9, -0.4], 10), 10)
    m = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=200, kappa=0.1, energies=eps, coupling_profile=f)
    coarse = ex.coarse_grain(m, n_eps_bins=5, n_g_bins=2)
    assert coarse.n_classes == 20 and coarse.weights.sum() == 200
    full = cb.quench(m, 20.0, n_save=201, initial=ex.drive_state(m))
    cg = ex.coarse_quench(coarse, 20.0, n_save=201, rtol=1e-11, atol=1e-13)
    assert np.max(np.abs(cg.s_plus - full.s_plus)) < 1e-8
    assert np.max(np.abs(cg.photon - full.photon)) < 1e-8


def test_coarse_graining_converges_to_the_full_model_as_classes_shrink():
    f = ex.cosine_profile(2000)
    m = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=2000, kappa=0.034, coupling_profile=f)
    full = cb.quench(m, 20.0, n_save=401, initial=ex.drive_state(m))
    errors = []
    for n_eps, n_g in [(10, 4), (40, 16), (160, 64)]:
        cg = ex.coarse_quench(ex.coarse_grain(m, n_eps, n_g), 20.0, n_save=401)
        errors.append(np.max(np.abs(cg.photon - full.photon)))
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 2e-3


def test_loss_decay_time_doubles_when_kappa_halves():
    # A lossless run against itself never decays; doubling kappa halves the decay time
    # (the Fig. 3 caption: the decay rate of |S+| is proportional to kappa). 800 atoms keep
    # the run (277/chiN) inside the quantile grid's revival time (314/chiN).
    from cavity_bcs import experiment as ex
    from cavity_bcs.experiment.units import LabParameters
    runs = {}
    for kappa in (0.0, 150.0, 300.0):
        lab = LabParameters.at_detuning(10.8, kappa, 2_000_000, 6.0, eps0=6.0, W=8.0)
        runs[kappa] = (lab, cb.quench(lab.to_model(n_atoms=800), lab.time_from_ms(0.01), n_save=1501))
    lab, ideal = runs[0.0]
    assert ex.loss_decay(ideal, ideal, lab).time_us == np.inf
    t1 = ex.loss_decay(runs[150.0][1], ideal, lab).time_us
    t2 = ex.loss_decay(runs[300.0][1], ideal, lab).time_us
    assert np.isfinite(t1) and abs(t1 / (2 * t2) - 1) < 0.15
