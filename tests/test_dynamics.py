"""Mean-field quench dynamics, each test named for the law it checks."""
import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import cavity_bcs as cb

# kernels' window arguments when no statistics are asked for: (t_min > t_max, stats slots)
NO_WINDOW = (np.array([np.inf, -np.inf]), np.zeros(6))


FIG1 = dict(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=800)


@pytest.fixture(scope="module", params=["taylor", "dop853"])
def fig1_run(request):
    # Every conservation law is checked for both integrators.
    return cb.quench(cb.Model(**FIG1), t_final=100.0, n_save=201, save_states=True, method=request.param)


def energy_scale(model):
    # Energies are compared with the size of the single-particle term, (1/N) sum |eps_i|.
    return np.sum(np.abs(model.eps)) / model.n_pairs


def test_initial_state_has_unit_coherence_and_no_excitations(fig1_run):
    assert fig1_run.s_plus[0] == 1.0
    assert fig1_run.excitations[0] == 0.0 and fig1_run.photon[0] == 0.0


def test_excitations_conserved_without_loss(fig1_run):
    drift = np.max(np.abs(fig1_run.excitations - fig1_run.excitations[0]))
    # Relative to the size of either part, 1/2 |sum z|/N <= 1.
    assert drift <= 1e-8


def test_energy_conserved_without_loss(fig1_run):
    drift = np.max(np.abs(fig1_run.energy - fig1_run.energy[0]))
    assert drift / energy_scale(fig1_run.model) <= 1e-8


def test_spin_lengths_conserved(fig1_run):
    lengths = np.linalg.norm(fig1_run.states, axis=2)
    assert np.max(np.abs(lengths - 1.0)) <= 1e-8


@pytest.mark.parametrize("method", ["taylor", "dop853"])
def test_spin_model_conserves_energy_and_sz(method):
    m = cb.Model(**FIG1)
    r = cb.quench(m, 100.0, n_save=201, adiabatic=True, save_states=True, method=method)
    assert np.max(np.abs(r.excitations - r.excitations[0])) <= 1e-10
    assert np.max(np.abs(r.energy - r.energy[0])) / energy_scale(m) <= 1e-8
    assert np.max(np.abs(np.linalg.norm(r.states, axis=2) - 1)) <= 1e-8


@pytest.mark.parametrize("method", ["taylor", "dop853"])
def test_free_precession_without_coupling_matches_exact_solution(method):
    # g_i = 0: each spin precesses at 2 eps_i, the photon rotates at Delta_c.
    m = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=20, coupling_profile=np.zeros(20))
    init = cb.x_polarized(m, delta_phi0=0.7, photon=0.3 - 0.2j)
    r = cb.quench(m, 10.0, n_save=51, initial=init, save_states=True, method=method)
    s_exact, a_exact = cb.analytic.free_precession(r.t, init.s_minus, init.photon, m.eps, m.delta_c)
    s_num = 0.5 * (r.states[:, :, 0] - 1j * r.states[:, :, 1])
    assert np.max(np.abs(s_num - s_exact)) < 1e-9
    assert np.max(np.abs(r.photon - a_exact)) < 1e-9


@pytest.mark.parametrize("method", ["taylor", "dop853"])
def test_empty_cavity_decays_at_half_kappa(method):
    m = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=4, kappa=0.8, coupling_profile=np.zeros(4))
    a0 = 0.5 + 0.25j
    init = cb.State(np.tile([0.0, 0.0, -1.0], (4, 1)), a0)
    r = cb.quench(m, 12.0, n_save=61, initial=init, method=method)
    exact = a0 * np.exp(-1j * m.delta_c * r.t - 0.5 * m.kappa * r.t)
    # Output times fall inside steps: DOP853 reads them from its 7th-order continuous extension,
    # accurate to a few times rtol (1e-10) on |alpha| <= 0.56, not to the 8th-order step's own error.
    assert np.max(np.abs(r.photon - exact)) < 3e-10
    assert np.allclose(r.n_photon, np.abs(a0) ** 2 * np.exp(-m.kappa * r.t), atol=1e-11)


def _few_spin_reference(eps_list, delta_c, t, y0):
    """Independent hand-written equations for a few collective spins S_k (Bloch
    vectors normalised to one) sharing a photon, in the units of the book:
    each collective spin k stands for a fraction w_k of the 2N atoms."""
    eps = np.array(eps_list)
    k = len(eps)
    weights = np.full(k, 2.0 / k)  # each group holds 2N/k atoms -> (1/N) * (2N/k)
    G = math.sqrt(delta_c)

    def rhs(_, v):
        S = v[:3 * k].reshape(k, 3)
        alpha = v[3 * k] + 1j * v[3 * k + 1]
        s_minus = 0.5 * (S[:, 0] - 1j * S[:, 1])
        dalpha = -1j * delta_c * alpha - 1j * G * np.sum(weights * s_minus)
        b = np.stack([G * alpha.real * np.ones(k), -G * alpha.imag * np.ones(k), eps], axis=1)
        dS = 2 * np.cross(b, S)
        return np.concatenate([dS.ravel(), [dalpha.real, dalpha.imag]])

    sol = solve_ivp(rhs, (0, t[-1]), y0, t_eval=t, method="DOP853", rtol=1e-11, atol=1e-13)
    S = sol.y[:3 * k].reshape(k, 3, -1)
    s_plus = np.sum(weights[:, None] * 0.5 * (S[:, 0] + 1j * S[:, 1]), axis=0)
    return s_plus, sol.y[3 * k] + 1j * sol.y[3 * k + 1]


@pytest.mark.parametrize("method", ["taylor", "dop853"])
def test_zero_bandwidth_reduces_to_two_collective_spins_and_photon(method):
    m = cb.Model(eps0=6.0, W=0.0, delta_c=5.0, n_atoms=300)
    r = cb.quench(m, 20.0, n_save=101, method=method)
    y0 = np.array([1, 0, 0, 1, 0, 0, 0, 0], dtype=float)
    s_plus, alpha = _few_spin_reference([3.0, -3.0], 5.0, r.t, y0)
    assert np.max(np.abs(r.s_plus - s_plus)) < 1e-7
    assert np.max(np.abs(r.photon - alpha)) < 1e-7


@pytest.mark.parametrize("method", ["taylor", "dop853"])
def test_zero_bandwidth_and_zero_splitting_reduce_to_one_collective_spin(method):
    m = cb.Model(eps0=0.0, W=0.0, delta_c=3.0, n_atoms=64)
    r = cb.quench(m, 20.0, n_save=101, method=method)
    s_plus, alpha = _few_spin_reference([0.0], 3.0, r.t, np.array([1, 0, 0, 0, 0], dtype=float))
    assert np.max(np.abs(r.s_plus - s_plus)) < 1e-7
    assert np.max(np.abs(r.photon - alpha)) < 1e-7


def test_full_model_approaches_spin_model_as_detuning_grows():
    # At fixed eps0/chiN and W/chiN the photon is slaved ever more tightly to the
    # spins; the deviation of |S+(t)| should fall roughly as 1/Delta_c.
    errors = []
    for delta_c in (50.0, 200.0, 800.0):
        m = cb.Model(eps0=2.0, W=1.0, delta_c=delta_c, n_atoms=200)
        full = cb.quench(m, 10.0, n_save=101)
        spin = cb.quench(m, 10.0, n_save=101, adiabatic=True)
        errors.append(np.max(np.abs(full.coherence - spin.coherence)))
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.25 * errors[0] and errors[2] < 0.01


@pytest.mark.parametrize("W", [1.0, 3.0, 5.0])
def test_flat_band_plateau_matches_closed_form(W):
    # eps0 = 0: one box of width W/2; phase II with |S+(inf)| = (W/4) cot(W/4).
    m = cb.Model(eps0=0.0, W=W, delta_c=10.0, n_atoms=4000)
    r = cb.quench(m, 150.0, n_save=1501, adiabatic=True)
    late = r.coherence[r.t > 100]
    expected = cb.analytic.phase_two_plateau_flat_band(W)
    # Finite N and finite time leave a small ringing of the plateau.
    assert abs(late.mean() - expected) < 0.02
    assert np.ptp(late) < 0.2


def test_adiabatic_photon_is_slaved_to_spins():
    m = cb.Model(**FIG1)
    r = cb.quench(m, 5.0, n_save=11, adiabatic=True)
    # a_eq = -g N S^-/Delta_c, i.e. alpha_eq = -conj(S+)/sqrt(Delta_c) for homogeneous g.
    assert np.allclose(r.photon, -np.conj(r.s_plus) / math.sqrt(m.delta_c), atol=1e-14)


def test_rerun_gives_identical_arrays():
    m = cb.Model(**FIG1)
    a = cb.quench(m, 20.0, n_save=101)
    b = cb.quench(m, 20.0, n_save=101)
    for name in ("s_plus", "photon", "n_photon", "excitations", "energy"):
        assert np.array_equal(getattr(a, name), getattr(b, name))


@pytest.mark.parametrize("method", ["taylor", "dop853"])
def test_continuing_from_final_state_matches_one_long_run(method):
    m = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=100)
    whole = cb.quench(m, 20.0, n_save=3, method=method)
    first = cb.quench(m, 10.0, n_save=2, method=method)
    second = cb.quench(m, 10.0, n_save=2, initial=first.final, method=method)
    assert abs(second.s_plus[-1] - whole.s_plus[-1]) < 1e-8


def test_atomic_decay_and_dephasing_relax_as_the_single_atom_master_equation():
    gamma, dephasing = 0.3, 0.2
    m = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=6, gamma=gamma, dephasing=dephasing, coupling_profile=np.zeros(6))
    init = cb.State(np.tile([0.6, 0.0, 0.8], (6, 1)))
    r = cb.quench(m, 5.0, n_save=26, initial=init, save_states=True)
    z_exact = -1.0 + 1.8 * np.exp(-gamma * r.t)
    coherence_exact = 0.6 * np.exp(-(0.5 * gamma + dephasing) * r.t)
    assert np.max(np.abs(r.states[:, :, 2] - z_exact[:, None])) < 1e-9
    assert np.max(np.abs(np.hypot(r.states[:, :, 0], r.states[:, :, 1]) - coherence_exact[:, None])) < 1e-9


@pytest.mark.parametrize("method", ["taylor", "dop853"])
def test_excitations_decay_exactly_as_photon_loss_says(method):
    # d/dt (1/2 sum z + |a|^2)/N = -kappa |a|^2/N: integrate the right side along the run.
    m = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=200, kappa=0.5)
    r = cb.quench(m, 20.0, n_save=4001, method=method)
    lost = np.concatenate([[0.0], np.cumsum(0.5 * (r.n_photon[1:] + r.n_photon[:-1]) * np.diff(r.t))])
    assert np.max(np.abs(r.excitations - r.excitations[0] + m.kappa * lost)) < 1e-6
    assert r.excitations[-1] < r.excitations[0] - 1e-3  # the loss is not negligible here


def test_generated_integrator_matches_its_generator():
    # lib/cavity_bcs/_dop853.py is generated; a hand edit or a changed tableau would show here.
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, str(root / "tools" / "generate_dop853.py"), "--check"])
    assert done.returncode == 0, "run `python tools/generate_dop853.py` and commit the result"


@pytest.mark.slow
def test_streaming_integrator_is_the_same_dop853():
    # The large-N path iterates the photon's stage values instead of storing the
    # stages; converged, it must reproduce the fused integrator step for step, with
    # loss, atomic decay and dephasing, in the full and the adiabatic model, and
    # whether or not its sweeps are split over threads.
    from cavity_bcs.meanfield import _dop853, _equations
    from cavity_bcs.meanfield._equations import pack as _pack
    for adiabatic in (False, True):
        m = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=3000, kappa=0.3)
        y0 = _pack(cb.x_polarized(m, photon=0.1 + 0.05j))
        t = np.linspace(0.0, 3.0, 7)
        physics = _equations.physics(m.eps, m.couplings, np.ones(m.n_atoms), m.g_collective, m.delta_c, m.kappa,
                                     0.05, 0.02, adiabatic, 1.0 / m.n_pairs)
        args = (y0, t, physics, 1e-10, 1e-12, 100_000, False)
        fused = _dop853.integrate(*args, np.zeros(2), *NO_WINDOW)
        runs = [_dop853.integrate_streaming(*args, threaded, np.zeros(2), *NO_WINDOW) for threaded in (False, True)]
        for streaming in runs:
            assert fused[3] == streaming[3] == 0
            assert fused[4] == streaming[4]
            assert np.max(np.abs(fused[0] - streaming[0])) < 1e-12
            assert np.max(np.abs(fused[2] - streaming[2])) < 1e-12
        # the serial and the threaded sweep add the same fixed blocks in the same order: not one bit differs
        assert np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][2], runs[1][2])


def test_integrator_takes_the_steps_of_scipys_dop853():
    # Same tableau and step-size control as solve_ivp(method="DOP853"): on the same
    # problem the two take nearly the same number of steps (they differ only in
    # the first-step guess and in how they land on output times).
    m = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=40)
    ours = cb.quench(m, 20.0, n_save=2, rtol=1e-9, atol=1e-12, method="dop853")
    from cavity_bcs.meanfield._equations import pack as _pack
    n = m.n_atoms
    out = np.empty(3 * n + 2)

    def rhs(_t, y):
        cb.meanfield._equations.rhs(y, m.eps, m.couplings, m.g_collective, m.delta_c, 0.0, False, 1.0 / m.n_pairs, out)
        return out.copy()

    sol = solve_ivp(rhs, (0.0, 20.0), _pack(cb.x_polarized(m)), method="DOP853", rtol=1e-9, atol=1e-12)
    scipy_steps = sol.t.size - 1
    assert abs(ours.n_steps - scipy_steps) <= 0.05 * scipy_steps + 3
    assert abs(ours.s_plus[-1] - 0.5 / m.n_pairs * (sol.y[:n, -1].sum() + 1j * sol.y[n:2 * n, -1].sum())) < 1e-7


def test_first_departure_is_the_first_sample_beyond_the_threshold():
    t = np.linspace(0.0, 10.0, 101)
    a = np.zeros_like(t)
    b = np.where(t > 4.05, 0.2, 0.05)  # differs by more than 0.1 from t = 4.1 on
    assert cb.results.first_departure(t, a, b) == pytest.approx(4.1)
    assert cb.results.first_departure(t, a, b, threshold=0.3) == np.inf
    with pytest.raises(ValueError, match="threshold"):
        cb.results.first_departure(t, a, b, threshold=0.0)
    with pytest.raises(ValueError, match="same shape"):
        cb.results.first_departure(t, a, b[:-1])
