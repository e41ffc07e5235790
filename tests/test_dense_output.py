"""DOP853's continuous extension: output times never set the step, and what it reads between
steps is the solution to the tolerance."""
import numpy as np
import pytest

import cavity_bcs as cb
from cavity_bcs.meanfield import _dop853, _equations

# kernels' window arguments when no statistics are asked for: (t_min > t_max, stats slots)
NO_WINDOW = (np.array([np.inf, -np.inf]), np.zeros(6))


NAMES = ("s_plus", "photon", "n_photon", "excitations", "energy")


def _cosine(n_atoms=200, **changes):
    return cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=n_atoms, coupling_profile=cb.cosine_profile(n_atoms),
                    **changes)


def test_step_count_depends_on_the_tolerance_not_on_the_output_grid():
    # Before the continuous extension a run landed on every output time: 20 000 steps for
    # n_save = 20001 whatever the tolerance. Now the steps are those of the tolerance alone.
    m = _cosine(kappa=0.2)
    for rtol in (1e-6, 1e-9):
        few = cb.quench(m, 20.0, n_save=11, rtol=rtol)
        many = cb.quench(m, 20.0, n_save=20001, rtol=rtol)
        assert few.method == many.method == "dop853"
        assert few.n_steps == many.n_steps < 2000
        assert few.n_rejected == many.n_rejected
        # the same steps, so the same interpolant at the shared times (up to the times' round-off)
        for name in NAMES:
            assert np.max(np.abs(getattr(few, name) - getattr(many, name)[::2000])) < 1e-13, name
        assert np.array_equal(few.final.spins, many.final.spins)
    tight = cb.quench(m, 20.0, n_save=11, rtol=1e-11)
    assert tight.n_steps > few.n_steps  # the tolerance still sets the step


@pytest.mark.parametrize("adiabatic", [False, True])
def test_interpolated_observables_match_a_run_that_lands_on_every_output_time(adiabatic):
    # Saved states make every step land on an output time, so the same quench with and without
    # them compares the interpolant against the integrator's own step ends, with cavity loss,
    # atomic decay and dephasing, at 0.02 spacing (outputs well inside the steps).
    m = _cosine(kappa=0.3, gamma=0.05, dephasing=0.02)
    init = cb.x_polarized(m, delta_phi0=0.4, photon=0.1 + 0.05j)
    for rtol in (1e-7, 1e-10):
        dense = cb.quench(m, 10.0, n_save=501, rtol=rtol, initial=init, adiabatic=adiabatic)
        landed = cb.quench(m, 10.0, n_save=501, rtol=rtol, initial=init, adiabatic=adiabatic, save_states=True)
        assert dense.n_steps < landed.n_steps
        for name in NAMES:
            assert np.max(np.abs(getattr(dense, name) - getattr(landed, name))) < 5 * rtol, name


def test_continuous_extension_follows_the_exact_free_precession_between_steps():
    # Without coupling every spin precesses at 2 eps_i and the photon rotates and decays:
    # closed form (cavity_bcs.analytic.free_precession). A wrong interpolant coefficient
    # would show as an error far above the tolerance at loose tolerances (long steps).
    m = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=20, coupling_profile=np.zeros(20))
    rng = np.random.default_rng(3)
    v = rng.normal(size=(20, 3))
    init = cb.State(v / np.linalg.norm(v, axis=1)[:, None], 0.3 - 0.2j)
    for rtol in (1e-5, 1e-7, 1e-9, 1e-11):
        r = cb.quench(m, 5.0, n_save=2001, rtol=rtol, atol=1e-14, initial=init, method="dop853")
        assert r.n_steps < 1000  # most outputs lie inside steps
        s_exact, a_exact = cb.analytic.free_precession(r.t, init.s_minus, init.photon, m.eps, m.delta_c)
        s_plus_exact = np.conj(s_exact).sum(axis=1) / m.n_pairs  # S+ = (1/N) sum_i conj(s_i)
        assert np.max(np.abs(r.photon - a_exact)) < 3 * rtol
        assert np.max(np.abs(r.s_plus - s_plus_exact)) < 3 * rtol


def test_streaming_takes_the_fused_steps_and_reads_the_same_outputs():
    # The large-N variant iterates the sixteen stages of the extension in its sweeps; converged,
    # it must take the fused integrator's steps and interpolate the same observables, whatever
    # the number of output times, and its serial and threaded sweeps must agree bit for bit.
    m = _cosine(n_atoms=600, kappa=0.3)
    y0 = _equations.pack(cb.x_polarized(m, photon=0.1 + 0.05j))
    for adiabatic in (False, True):
        p = _equations.physics(m.eps, m.couplings, np.ones(m.n_atoms), m.g_collective, m.delta_c, m.kappa,
                               0.05, 0.02, adiabatic, 1.0 / m.n_pairs)
        steps = set()
        for n_save in (4, 301):
            args = (y0, np.linspace(0.0, 3.0, n_save), p, 1e-9, 1e-12, 100_000, False)
            fused = _dop853.integrate(*args, np.zeros(2), *NO_WINDOW)
            runs = [_dop853.integrate_streaming(*args, threaded, np.zeros(2), *NO_WINDOW) for threaded in (False, True)]
            for streaming in runs:
                assert fused[3] == streaming[3] == 0
                assert fused[4] == streaming[4] and fused[5] == streaming[5]
                assert np.max(np.abs(fused[0] - streaming[0])) < 1e-12
                assert np.max(np.abs(fused[2] - streaming[2])) < 1e-12
            assert np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][2], runs[1][2])
            steps.add(fused[4])
        assert len(steps) == 1
        # and the window statistics, from the same interpolants
        window = np.array([0.7, 2.9])
        stats = [np.zeros(6) for _ in range(3)]
        args = (y0, np.array([0.0, 3.0]), p, 1e-9, 1e-12, 100_000, False)
        _dop853.integrate(*args, np.zeros(2), window, stats[0])
        for threaded in (False, True):
            _dop853.integrate_streaming(*args, threaded, np.zeros(2), window, stats[1 + threaded])
        assert np.max(np.abs(stats[0] - stats[1])) < 1e-12 and np.array_equal(stats[1], stats[2])
        assert stats[0][_equations.STAT_COHERENCE] > 0.0


def test_interpolated_observables_conserve_what_the_dynamics_conserves():
    # Without loss, excitations and energy are constants of the motion: the interpolant, which
    # is not a solution of the equations, must still keep them to about the tolerance.
    m = _cosine(n_atoms=400)
    r = cb.quench(m, 50.0, n_save=5001, rtol=1e-10)
    assert r.n_steps < 5000
    scale = np.sum(np.abs(m.eps)) / m.n_pairs
    assert np.max(np.abs(r.excitations - r.excitations[0])) < 1e-9
    assert np.max(np.abs(r.energy - r.energy[0])) < 1e-9 * scale


def _window_run(m, t_final, window, method, rtol=1e-10):
    from cavity_bcs.meanfield import _engine
    p = _equations.physics(m.eps, m.couplings, np.ones(m.n_atoms), m.g_collective, m.delta_c, m.kappa, m.gamma,
                           m.dephasing, False, 1.0 / m.n_pairs)
    return _engine.integrate(_equations.pack(cb.x_polarized(m, photon=0.2 - 0.1j)), np.array([0.0, t_final]), p,
                             rtol=rtol, atol=1e-12, max_steps=10**6, save_state=False, method=method, window=window)


@pytest.mark.parametrize("method, changes", [("taylor", dict(kappa=0.2)),
                                             ("dop853", dict(kappa=0.2, gamma=0.02, dephasing=0.01)),
                                             ("dop853", dict(kappa=0.2, coupling_profile="cosine"))])
def test_window_statistics_are_those_of_the_continuous_solution(method, changes):
    # The integrals and extrema over the window, taken from each step's dense output, against
    # Simpson's rule and the extrema of a run sampled every 5e-4 (an independent quadrature of
    # the same trajectory; the sampled extrema are within ~omega^2 dt^2 / 8 ~ 1e-6 of the true ones).
    from scipy.integrate import simpson
    if changes.get("coupling_profile") == "cosine":
        changes = {**changes, "coupling_profile": cb.cosine_profile(200)}
    m = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=200, **changes)
    t_final, window = 10.0, (4.0, 9.0)
    st = _window_run(m, t_final, window, method).stats
    fine = cb.quench(m, t_final, n_save=20001, initial=cb.x_polarized(m, photon=0.2 - 0.1j), method=method)
    inside = (fine.t >= window[0] - 1e-12) & (fine.t <= window[1] + 1e-12)
    t, c, n_ph = fine.t[inside], fine.coherence[inside], fine.n_photon[inside]
    assert abs(st[_equations.STAT_COHERENCE] - simpson(c, x=t)) < 1e-9
    assert abs(st[_equations.STAT_N_PHOTON] - simpson(n_ph, x=t)) < 1e-9
    assert abs(st[_equations.STAT_PHOTON] - simpson(np.abs(fine.photon[inside]), x=t)) < 1e-8
    assert abs(st[_equations.STAT_N_PHOTON_RUN] - simpson(fine.n_photon, x=fine.t)) < 1e-9
    assert c.max() - 1e-9 <= st[_equations.STAT_COHERENCE_MAX] <= c.max() + 3e-6
    assert c.min() - 3e-6 <= st[_equations.STAT_COHERENCE_MIN] <= c.min() + 1e-9
    assert st[_equations.STAT_COHERENCE_MAX] - st[_equations.STAT_COHERENCE_MIN] > 1e-3  # not a flat signal


def test_window_statistics_agree_between_the_integrators():
    # Taylor series and DOP853 interpolant are independent dense outputs of the same trajectory.
    m = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=400, kappa=0.1)
    taylor = _window_run(m, 30.0, (10.0, 30.0), "taylor", rtol=1e-12).stats
    dop = _window_run(m, 30.0, (10.0, 30.0), "dop853", rtol=1e-12).stats
    assert np.max(np.abs(taylor - dop)) < 1e-9


def test_sweep_observables_are_the_window_statistics():
    # What sweep reports, against the same quantities from a finely sampled quench.
    from scipy.integrate import simpson

    from cavity_bcs.meanfield.sweep import OBSERVABLES, quench_observables
    m = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=100, gamma=0.01)
    got = dict(zip(OBSERVABLES, quench_observables(m, 20.0, (10.0, 20.0), n_save=11)))
    fine = cb.quench(m, 20.0, n_save=40001)
    late = fine.t >= 10.0 - 1e-12
    assert abs(got["coherence_avg"] - simpson(fine.coherence[late], x=fine.t[late]) / 10.0) < 1e-10
    assert got["coherence_late"] == got["coherence_avg"]
    assert abs(got["coherence_swing"] - 0.5 * np.ptp(fine.coherence[late])) < 1e-6
    assert abs(got["n_photon_avg"] - simpson(fine.n_photon[late], x=fine.t[late]) / 10.0) < 1e-10
    assert abs(got["photon_late"] - simpson(np.abs(fine.photon[late]), x=fine.t[late]) / 10.0) < 1e-9
    assert abs(got["n_photon_run_avg"] - simpson(fine.n_photon, x=fine.t) / 20.0) < 1e-10
