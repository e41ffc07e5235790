"""The energy-moment Taylor integrator (cavity_bcs._taylor) against the independent
DOP853 integrator, exact limits, and the rules for when it may run."""
import numpy as np
import pytest

import cavity_bcs as cb
from cavity_bcs.meanfield import _equations as _kernels
from cavity_bcs.meanfield import _taylor
from cavity_bcs.meanfield._equations import pack as _pack

# kernels' window arguments when no statistics are asked for: (t_min > t_max, stats slots)
NO_WINDOW = (np.array([np.inf, -np.inf]), np.zeros(6))


FIG1 = dict(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=400)


def _both(model, t_final, n_save=51, **kwargs):
    taylor = cb.quench(model, t_final, n_save=n_save, method="taylor", rtol=1e-12, **kwargs)
    dop = cb.quench(model, t_final, n_save=n_save, method="dop853", rtol=1e-12, atol=1e-14, **kwargs)
    return taylor, dop


@pytest.mark.parametrize("kwargs", [
    dict(),                                   # Fig. 1, closed system
    dict(delta_c=0.1),                        # slow photon, weak coupling
    dict(delta_c=100.0),                      # fast photon, strong coupling
    dict(kappa=0.5),                          # photon loss
    dict(W=0.0, eps0=1.0, delta_c=40.0),      # Fig. 2 bottom left
])
def test_taylor_agrees_with_dop853(kwargs):
    m = cb.Model(**{**FIG1, **kwargs})
    taylor, dop = _both(m, 30.0)
    assert taylor.method == "taylor" and dop.method == "dop853"
    for name in ("s_plus", "photon", "excitations", "energy"):
        assert np.max(np.abs(getattr(taylor, name) - getattr(dop, name))) < 1e-9, name
    assert np.max(np.abs(taylor.final.spins - dop.final.spins)) < 1e-9


@pytest.mark.parametrize("adiabatic", [False, True])
def test_taylor_agrees_with_dop853_from_a_general_state(adiabatic):
    # Random Bloch vectors (not all of unit length), a photon, loss, and equal but
    # non-unit couplings: nothing in the expansion may assume the x-polarised start.
    rng = np.random.default_rng(7)
    n = 120
    m = cb.Model(eps0=4.0, W=6.0, delta_c=5.0, n_atoms=n, kappa=0.3, coupling_profile=np.full(n, 0.7))
    spins = rng.normal(size=(n, 3))
    spins *= rng.uniform(0.2, 1.0, size=(n, 1)) / np.linalg.norm(spins, axis=1, keepdims=True)
    init = cb.State(spins, 0.4 - 0.3j)
    taylor, dop = _both(m, 20.0, initial=init, adiabatic=adiabatic, save_states=True)
    assert np.max(np.abs(taylor.states - dop.states)) < 1e-9
    assert np.max(np.abs(taylor.photon - dop.photon)) < 1e-9
    assert np.max(np.abs(taylor.energy - dop.energy)) < 1e-9


def test_observables_between_steps_match_a_run_that_lands_on_every_output_time():
    # Without saved states the observables come from the series inside a step
    # (dense output); with them the integrator lands on each output time instead.
    m = cb.Model(**FIG1, kappa=0.2)
    for adiabatic in (False, True):
        dense = cb.quench(m, 20.0, n_save=401, method="taylor", rtol=1e-12, adiabatic=adiabatic)
        landed = cb.quench(m, 20.0, n_save=401, method="taylor", rtol=1e-12, adiabatic=adiabatic,
                           save_states=True)
        assert dense.n_steps < landed.n_steps  # 0.05 apart, the outputs are closer than a step
        for name in ("s_plus", "photon", "n_photon", "excitations", "energy"):
            assert np.max(np.abs(getattr(dense, name) - getattr(landed, name))) < 1e-10, name


def test_moment_observables_equal_the_sums_over_saved_states():
    # The Taylor path never sums over atoms for its observables (they come from the
    # energy moments); the kernel's direct sums over the saved states must agree.
    m = cb.Model(**FIG1, kappa=0.2)
    r = cb.quench(m, 10.0, n_save=11, method="taylor", save_states=True)
    obs = np.zeros((7, 1))
    for row in range(r.t.size):
        y = _pack(cb.State(r.states[row], r.photon[row]))
        _kernels.observables(y, m.eps, m.couplings, np.ones(m.n_atoms), m.g_collective, m.delta_c,
                             m.kappa, False, 1.0 / m.n_pairs, 0, obs)
        assert abs(obs[0, 0] + 1j * obs[1, 0] - r.s_plus[row]) < 1e-13
        assert abs(obs[5, 0] - r.excitations[row]) < 1e-13
        assert abs(obs[6, 0] - r.energy[row]) < 1e-12


def test_class_weights_count_identical_atoms():
    # Two copies of every atom, or one copy with weight 2, are the same system.
    m = cb.Model(**FIG1)
    n = m.n_atoms
    eps = m.eps
    t = np.linspace(0.0, 20.0, 21)
    init = cb.x_polarized(m, delta_phi0=0.4)
    y_single = _pack(init)
    y_double = _pack(cb.State(np.concatenate([init.spins, init.spins]), init.photon))
    def run(y0, eps, w):
        physics = _kernels.physics(eps, np.ones(eps.size), w, m.g_collective, m.delta_c, 0.0, 0.0, 0.0, False,
                                   1.0 / m.n_pairs)
        return _taylor.integrate(y0, t, physics, 1e-11, 10**6, False, False, np.zeros(2), *NO_WINDOW)
    weighted = run(y_single, eps, np.full(n, 2.0))
    doubled = run(y_double, np.concatenate([eps, eps]), np.ones(2 * n))
    assert weighted[3] == doubled[3] == _kernels.STATUS_OK
    # Same 1/N normalisation, so every observable is the same number.
    assert np.max(np.abs(weighted[0] - doubled[0])) < 1e-12


def test_threaded_passes_give_the_same_numbers():
    # The atoms are cut into fixed chunks of fixed blocks whatever the thread count,
    # so splitting the passes over threads must not change a single bit.
    m = cb.Model(**{**FIG1, "n_atoms": 20_000}, kappa=0.2)
    y0 = _pack(cb.x_polarized(m, photon=0.1j))
    t = np.linspace(0.0, 5.0, 11)
    physics = _kernels.physics(m.eps, m.couplings, np.ones(m.n_atoms), m.g_collective, m.delta_c, m.kappa, 0.0,
                               0.0, False, 1.0 / m.n_pairs)
    args = (y0, t, physics, 1e-10, 10**6, True)
    serial = _taylor.integrate(*args, False, np.zeros(2), *NO_WINDOW)
    threaded = _taylor.integrate(*args, True, np.zeros(2), *NO_WINDOW)
    assert serial[3] == threaded[3] == _kernels.STATUS_OK and serial[4] == threaded[4]
    assert np.array_equal(serial[0], threaded[0]) and np.array_equal(serial[1], threaded[1])


def test_error_falls_as_the_tolerance_tightens():
    m = cb.Model(**FIG1)
    reference = cb.quench(m, 50.0, n_save=51, method="dop853", rtol=1e-13, atol=1e-15).s_plus
    errors = [np.max(np.abs(cb.quench(m, 50.0, n_save=51, method="taylor", rtol=rtol).s_plus - reference))
              for rtol in (1e-5, 1e-7, 1e-9)]
    assert errors[0] > 10 * errors[1] and errors[1] > 10 * errors[2]
    assert errors[0] < 1e-5  # the step control is conservative: error below the tolerance


def test_auto_takes_taylor_only_where_it_applies():
    assert cb.quench(cb.Model(**FIG1), 1.0, n_save=2).method == "taylor"
    cosine = cb.Model(**FIG1, coupling_profile=cb.experiment.cosine_profile(FIG1["n_atoms"]))
    assert cb.quench(cosine, 1.0, n_save=2).method == "dop853"
    assert cb.quench(cb.Model(**FIG1, gamma=0.1), 1.0, n_save=2).method == "dop853"
    assert cb.quench(cb.Model(**FIG1, dephasing=0.1), 1.0, n_save=2).method == "dop853"


@pytest.mark.parametrize("changes, words", [
    (dict(gamma=0.1), "gamma"),
    (dict(dephasing=0.1), "dephasing"),
    (dict(coupling_profile="cosine"), "couplings"),
])
def test_taylor_refuses_what_it_cannot_integrate(changes, words):
    if changes.get("coupling_profile") == "cosine":
        changes = dict(coupling_profile=cb.experiment.cosine_profile(FIG1["n_atoms"]))
    m = cb.Model(**FIG1, **changes)
    with pytest.raises(ValueError, match=words):
        cb.quench(m, 1.0, n_save=2, method="taylor")


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method"):
        cb.quench(cb.Model(**FIG1), 1.0, n_save=2, method="rk4")


def test_step_limit_is_reported():
    with pytest.raises(cb.IntegrationError, match="max_steps"):
        cb.quench(cb.Model(**FIG1), 50.0, n_save=2, method="taylor", max_steps=60)


@pytest.mark.slow
def test_series_coefficients_are_derivatives_of_the_sympy_derived_equations():
    # Independent of the recursion: differentiate the equations derived symbolically
    # from the Hamiltonian (cavity_bcs.derivation) k times along the flow and compare
    # the Taylor coefficients of the collective sums and of the photon.
    import math

    import sympy as sp

    from cavity_bcs import derivation as d

    n, order = 3, 4
    eps = np.array([1.3, -0.7, 2.1])
    f0, G, delta_c, kappa, inv_n = 0.8, 2.0, 3.0, 0.4, 2.0 / 3.0
    rng = np.random.default_rng(3)
    state = rng.normal(size=3 * n + 2)
    sym = d.model_symbols(n)
    root_n = 1.0 / math.sqrt(inv_n)  # a = sqrt(N) alpha, g_i = G f_i / sqrt(N)
    params = {sym.delta_c: sp.Float(delta_c), sym.kappa: sp.Float(kappa)}
    params.update({e: sp.Float(v) for e, v in zip(sym.eps, eps)})
    params.update({g: sp.Float(G * f0 / root_n) for g in sym.g})
    rates = {v: sp.expand(r.subs(params)) for v, r in d.bloch_equations(d.mean_field_equations(n)).rates.items()}
    values = dict(zip(list(sym.x) + list(sym.y) + list(sym.z), state[:3 * n]))
    values[sym.a_re] = state[3 * n] * root_n
    values[sym.a_im] = state[3 * n + 1] * root_n
    E = np.max(np.abs(eps))
    quantities = [sum(sym.x), sum(sym.y), sum(sym.z), sum(e * z for e, z in zip(eps / E, sym.z)),
                  sym.a_re / root_n, sym.a_im / root_n]
    expected = np.zeros((order + 1, len(quantities)))
    for j, q in enumerate(quantities):
        expr = sp.expand(q)
        for k in range(order + 1):
            expected[k, j] = float(expr.subs(values)) / math.factorial(k)
            expr = sp.expand(sum(sp.diff(expr, v) * r for v, r in rates.items()))

    K = _taylor.ORDER
    u = eps / E
    mom = np.array([[np.sum(u ** p * state[c * n:(c + 1) * n]) for c in range(3)] for p in range(K + 2)])
    P = np.zeros((K + 1, 3, 3, K + 1))
    AR, AI, SUM = np.zeros(K + 1), np.zeros(K + 1), np.zeros((K + 1, 4))
    _taylor._series(mom, state[3 * n], state[3 * n + 1], E, G * f0, delta_c, kappa, False, inv_n, P, AR, AI, SUM)
    ours = np.column_stack([SUM[:order + 1], AR[:order + 1], AI[:order + 1]])
    assert np.max(np.abs(ours - expected) / (1.0 + np.abs(expected))) < 1e-12
