"""Model parameters: the two-box density, units, and every bad input."""
import dataclasses
import math

import numpy as np
import pytest

import cavity_bcs as cb


def test_quantile_energies_fill_both_boxes_evenly():
    m = cb.Model(eps0=6, W=8, delta_c=7, n_atoms=800)
    upper, lower = m.eps[:400], m.eps[400:]
    # Boxes of width W/2 = 4 centred on +-3: quantile points stay inside, spaced W/2/N.
    assert upper.min() > 1 and upper.max() < 5 and lower.min() > -5 and lower.max() < -1
    assert np.allclose(np.diff(upper), 4 / 400) and np.allclose(np.diff(lower), 4 / 400)
    assert math.isclose(upper.mean(), 3.0, abs_tol=1e-12) and math.isclose(lower.mean(), -3.0, abs_tol=1e-12)
    # Transition energies 2*eps fill +-eps0 +- W/2.
    assert 2 * upper.max() < 6 + 4 and 2 * upper.min() > 6 - 4


def test_random_sampling_is_reproducible_and_seeded():
    a = cb.Model(eps0=6, W=8, delta_c=7, n_atoms=100, sampling="random", seed=3)
    b = cb.Model(eps0=6, W=8, delta_c=7, n_atoms=100, sampling="random", seed=3)
    c = cb.Model(eps0=6, W=8, delta_c=7, n_atoms=100, sampling="random", seed=4)
    assert np.array_equal(a.eps, b.eps) and not np.array_equal(a.eps, c.eps)


def test_two_box_density_is_normalised():
    eps = np.linspace(-10, 10, 200001)
    p = cb.two_box_density(eps, eps0=6, W=8)
    assert math.isclose(np.trapezoid(p, eps), 1.0, rel_tol=1e-3)
    # Overlapping boxes (W/2 > eps0) still integrate to one.
    p = cb.two_box_density(eps, eps0=1, W=8)
    assert math.isclose(np.trapezoid(p, eps), 1.0, rel_tol=1e-3)


def test_units_fix_collective_coupling_to_sqrt_delta_c():
    m = cb.Model(eps0=6, W=8, delta_c=9.0, n_atoms=50)
    assert math.isclose(m.g_collective, 3.0)
    # chi = g^2/Delta_c = 1/N in units of chi*N.
    assert math.isclose(m.g ** 2 / m.delta_c, m.chi) and math.isclose(m.chi * m.n_pairs, 1.0)


def test_model_is_frozen_and_arrays_read_only():
    m = cb.Model(eps0=6, W=8, delta_c=7, n_atoms=10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.W = 3
    with pytest.raises(ValueError):
        m.eps[0] = 1.0


@pytest.mark.parametrize("kwargs, name", [
    (dict(n_atoms=7), "n_atoms"),
    (dict(n_atoms=0), "n_atoms"),
    (dict(n_atoms=2.0), "n_atoms"),
    (dict(W=-1.0), "W"),
    (dict(delta_c=0.0), "delta_c"),
    (dict(delta_c=-2.0), "delta_c"),
    (dict(delta_c=math.inf), "delta_c"),
    (dict(kappa=-0.1), "kappa"),
    (dict(kappa=math.nan), "kappa"),
    (dict(eps0=math.nan), "eps0"),
    (dict(W=math.nan), "W"),
    (dict(sampling="sobol"), "sampling"),
    (dict(energies=[0.0, 1.0, 2.0]), "energies"),
    (dict(energies=[0.0, math.nan, 1.0, 2.0]), "energies"),
    (dict(coupling_profile=[1.0, 1.0, math.inf, 1.0]), "coupling_profile"),
])
def test_bad_model_input_raises_value_error_naming_parameter(kwargs, name):
    base = dict(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=4)
    base.update(kwargs)
    with pytest.raises(ValueError, match=name):
        cb.Model(**base)


@pytest.mark.parametrize("kwargs, name", [
    (dict(t_final=0.0), "t_final"),
    (dict(t_final=-1.0), "t_final"),
    (dict(t_final=math.nan), "t_final"),
    (dict(t_final=1.0, n_save=1), "n_save"),
    (dict(t_final=1.0, rtol=0.0), "rtol"),
])
def test_bad_quench_input_raises_value_error_naming_parameter(kwargs, name):
    m = cb.Model(eps0=6, W=8, delta_c=7, n_atoms=4)
    with pytest.raises(ValueError, match=name):
        cb.quench(m, **kwargs)


def test_initial_state_of_wrong_size_or_nan_is_rejected():
    m = cb.Model(eps0=6, W=8, delta_c=7, n_atoms=4)
    with pytest.raises(ValueError, match="initial"):
        cb.quench(m, 1.0, initial=cb.x_polarized(cb.Model(eps0=6, W=8, delta_c=7, n_atoms=6)))
    with pytest.raises(ValueError, match="spins"):
        cb.State(np.full((4, 3), math.nan))
    with pytest.raises(ValueError, match="photon"):
        cb.State(np.zeros((4, 3)), photon=complex(math.nan, 0))


def test_quantile_grid_revives_at_two_pi_n_over_w():
    # Without coupling every spin precesses freely: |S+| must come back to 1 at 2 pi N / W.
    m = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=80, coupling_profile=np.zeros(80))
    t_rev = m.revival_time
    assert math.isclose(t_rev, 2 * math.pi * 40 / 8.0)
    r = cb.quench(m, t_rev, n_save=201, save_states=True)
    # The two bands keep a relative phase, but each band's own coherence revives fully.
    spins = r.states[-1]
    for band in (spins[:40], spins[40:]):
        assert np.hypot(band[:, 0].mean(), band[:, 1].mean()) > 1 - 1e-8
    assert np.min(r.coherence) < 0.2  # it had dephased in between
