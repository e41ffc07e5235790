"""Mean-field equilibrium states, each test named for the law it checks.

Independent references: closed-form gap of a flat band, the BCS ratio Delta/Tc,
the spin-only model solved by its own self-consistency loop, the quench
integrator (a stationary state must only rotate), and a brute-force constrained
energy minimisation over spin angles and photon with many random starts.
"""
import math

import numpy as np
import pytest

import cavity_bcs as cb
from cavity_bcs import equilibrium as eq

PAPER = dict(eps0=6.0, W=8.0)          # the parameters of Fig. 7 right
SUPERFLUID = dict(eps0=0.0, W=4.0)     # one flat band: a superfluid at any mu near 0


# ----------------------------------------------------------------- independent references
def brute_force_extremum(model, excitations, starts, seed, maximise=False):
    """(E/N, |S+|) from eq.constrained_extremum: SLSQP over Bloch angles and photon,
    which never touches the gap or number equations it is compared with."""
    ext = eq.constrained_extremum(model, excitations, starts=starts, seed=seed, maximise=maximise)
    return ext.energy, ext.coherence


def spin_model_coherence(eps, iterations=20000):
    r"""|S+| of the spin model H = sum eps z - chi sum s+_i s-_j (chi N = 1), mu = 0.

    Each spin anti-parallel to its field b_i = (-chi Re P, -chi Im P, eps_i),
    P = sum <sigma+>; solved by iterating the self-consistency from S+ = 1.
    """
    N = eps.size // 2
    s = 1.0
    for _ in range(iterations):
        new = np.sum(s / np.sqrt(eps ** 2 + s ** 2)) / (2 * N)
        if abs(new - s) < 1e-15:
            break
        s = new
    return s


# ----------------------------------------------------------------- closed forms and limits
def test_flat_band_gap_has_closed_form_asinh_solution():
    # eps0 = 0: one box of width W/2 and height 2/W; 1 = (4/W) asinh(W/(4 Delta))
    # gives Delta = (W/4)/sinh(W/4) at mu = 0 (any delta_c: at mu = 0 the factor is 1).
    for W, dc in [(2.0, 1.0), (4.0, 7.0), (9.0, 50.0)]:
        gs = eq.ground_state(cb.TwoBox(eps0=0.0, W=W), mu=0.0, delta_c=dc)
        assert gs.branch == "superfluid"
        assert gs.gap == pytest.approx((W / 4) / math.sinh(W / 4), rel=1e-10)
        # At mu = 0 the photon is the adiabatic one: Delta = -S+ (units chi N).
        assert gs.s_plus.real == pytest.approx(-gs.gap, rel=1e-10)


def test_mu0_phase_boundary_is_log_formula_and_independent_of_detuning():
    eps0 = 6.0
    Wc = eq.gap_equation_mu0_boundary(eps0)
    assert (2 / Wc) * math.log((2 * eps0 + Wc) / (2 * eps0 - Wc)) == pytest.approx(1.0, abs=1e-12)
    for dc in (0.5, 6.0, 100.0):
        below = eq.ground_state(cb.TwoBox(eps0=eps0, W=Wc - 0.02), mu=0.0, delta_c=dc)
        above = eq.ground_state(cb.TwoBox(eps0=eps0, W=Wc + 0.02), mu=0.0, delta_c=dc)
        assert below.branch == "normal" and above.branch == "superfluid"


def test_adiabatic_limit_reproduces_spin_model_gap_equation():
    # Large detuning at zero excitations: mu -> 0, photon -> 0, and |S+| is that of
    # the one-channel BCS spin model (solved here from H_eff independently).
    model = cb.Model(eps0=2.0, W=6.0, delta_c=1e5, n_atoms=200)
    gs = eq.ground_state(model, excitations=0.0)
    assert gs.branch == "superfluid"
    assert abs(gs.mu) < 1e-3 and gs.n_photon < 1e-4
    assert gs.coherence == pytest.approx(spin_model_coherence(model.eps), rel=1e-4)


def test_continuum_integrals_match_finite_sums_at_large_N():
    model = cb.Model(eps0=1.0, W=6.0, delta_c=4.0, n_atoms=4000)
    fin = eq.ground_state(model, excitations=-0.2)
    con = eq.ground_state(model, excitations=-0.2, spectrum="continuum")
    assert fin.branch == con.branch == "superfluid"
    # Quantile sampling is a midpoint rule: errors O(1/N^2) away from the log at mu.
    assert fin.gap == pytest.approx(con.gap, rel=1e-4)
    assert fin.mu == pytest.approx(con.mu, abs=1e-4)
    assert fin.energy == pytest.approx(con.energy, abs=1e-5)


# ----------------------------------------------------------------- dynamics: fixed points
@pytest.mark.parametrize("branch", ["superfluid", "parallel"])
def test_stationary_state_only_rotates_at_twice_mu(branch):
    model = cb.Model(**SUPERFLUID, delta_c=3.0, n_atoms=40)
    sol = next(c for c in eq.stationary_states(model, excitations=-0.3) if c.branch == branch)
    assert sol.mu != 0.0
    r = cb.quench(model, 10.0, n_save=201, initial=sol.state(model))
    # The quench's own energy and excitation counters agree with the solution's.
    assert r.energy[0] == pytest.approx(sol.energy, abs=1e-12)
    assert r.excitations[0] == pytest.approx(-0.3, abs=1e-12)
    assert np.ptp(np.abs(r.s_plus)) < 1e-9 and np.ptp(np.abs(r.photon)) < 1e-9
    # <a>, <sigma^-> ~ exp(-2 i mu t), so S+ = (1/N) sum <sigma^+> ~ exp(+2 i mu t).
    phase = np.unwrap(np.angle(r.s_plus))
    assert np.max(np.abs(phase - phase[0] - 2 * sol.mu * r.t)) < 1e-8


def test_supplement_eq15_state_is_not_a_fixed_point():
    # Transverse part anti-parallel, z part parallel (the printed sign): it moves.
    model = cb.Model(**PAPER, delta_c=6.0, n_atoms=120)
    sol = eq.paper_branch(model, 0.0, spectrum="finite")[0]
    assert not sol.is_stationary
    r = cb.quench(model, 5.0, n_save=101, initial=sol.state(model))
    assert np.ptp(np.abs(r.s_plus)) > 1e-2


# ----------------------------------------------------------------- energies decide
def test_normal_state_wins_where_gap_equation_has_no_solution():
    # eps0 = 6, W = 8, mu = 0: mu sits in the band gap and the gap equation has no root;
    # the normal state has every upper spin down, every lower spin up: E/N = -eps0.
    for dc in (1.0, 6.0, 40.0):
        states = eq.stationary_states(cb.Model(**PAPER, delta_c=dc, n_atoms=120), mu=0.0)
        assert [s.branch for s in states] == ["normal"]
        assert states[0].energy == pytest.approx(-6.0, abs=1e-12)


def test_superfluid_lies_below_normal_and_parallel_branch_is_highest():
    model = cb.Model(**SUPERFLUID, delta_c=3.0, n_atoms=40)
    by_branch = {s.branch: s for s in eq.stationary_states(model, excitations=-0.3)}
    assert set(by_branch) == {"superfluid", "normal", "parallel"}
    assert by_branch["superfluid"].energy < by_branch["normal"].energy < by_branch["parallel"].energy
    assert eq.ground_state(model, excitations=-0.3).branch == "superfluid"
    # At fixed mu the grand energy decides, and the superfluid wins there too.
    at_mu = eq.stationary_states(model, mu=-0.2)
    assert at_mu[0].branch == "superfluid" and at_mu[0].grand_energy < at_mu[1].grand_energy


def test_brute_force_minimum_is_the_superfluid_ground_state():
    model = cb.Model(**SUPERFLUID, delta_c=3.0, n_atoms=40)
    gs = eq.ground_state(model, excitations=-0.3)
    e_min, coherence = brute_force_extremum(model, -0.3, starts=6, seed=1)
    assert e_min == pytest.approx(gs.energy, abs=1e-6)
    assert coherence == pytest.approx(gs.coherence, abs=1e-4)


@pytest.mark.parametrize("delta_c", [6.0, 20.0])
def test_brute_force_at_fig7_parameters_finds_normal_minimum_and_parallel_maximum(delta_c):
    # Fig. 7 right, zero excitations: the minimum is the normal state (E/N = -eps0),
    # the maximum is the all-parallel branch, which carries the resonant coherence.
    model = cb.Model(**PAPER, delta_c=delta_c, n_atoms=60)
    states = {s.branch: s for s in eq.stationary_states(model, excitations=0.0)}
    assert eq.ground_state(model, excitations=0.0).branch == "normal"
    e_min, c_min = brute_force_extremum(model, 0.0, starts=5, seed=2)
    e_max, c_max = brute_force_extremum(model, 0.0, starts=3, seed=3, maximise=True)
    assert e_min == pytest.approx(-6.0, abs=1e-6) and c_min < 1e-3
    assert e_max == pytest.approx(states["parallel"].energy, abs=1e-5)
    assert c_max == pytest.approx(states["parallel"].coherence, abs=1e-3)


# ----------------------------------------------------------------- temperature
def test_gap_to_critical_temperature_ratio_is_pseudospin_bcs_value_in_weak_coupling():
    # Weak coupling (gap << bandwidth) at the band centre. A pseudospin has no
    # broken-pair states, so its thermal factor is tanh(E/T), not BCS's tanh(E/2T):
    # Tc doubles and Delta(0)/Tc = pi e^{-gamma_E}/2 (half the BCS 1.764).
    density = cb.TwoBox(eps0=0.0, W=14.0)
    gap0 = eq.ground_state(density, mu=0.0, delta_c=5.0).gap
    tc = eq.critical_temperature(density, mu=0.0, delta_c=5.0)
    assert gap0 / tc == pytest.approx(0.5 * math.pi * math.exp(-np.euler_gamma), rel=5e-3)
    above = eq.thermal_state(density, 1.01 * tc, mu=0.0, delta_c=5.0)
    below = eq.thermal_state(density, 0.5 * tc, mu=0.0, delta_c=5.0)
    assert above.branch == "normal" and 0 < below.gap < gap0


def test_coherence_falls_monotonically_with_temperature():
    model = cb.Model(eps0=1.0, W=6.0, delta_c=4.0, n_atoms=200)
    tc = eq.critical_temperature(model, mu=0.0)
    values = [eq.thermal_state(model, t, mu=0.0).coherence for t in np.linspace(0, 0.99 * tc, 12)]
    assert values[0] == pytest.approx(eq.ground_state(model, mu=0.0).coherence, rel=1e-12)
    assert np.all(np.diff(values) < 0) and values[-1] > 0


# ----------------------------------------------------------------- input checks
def test_bad_inputs_raise_value_error_naming_the_parameter():
    model = cb.Model(**PAPER, delta_c=6.0, n_atoms=20)
    with pytest.raises(ValueError, match="mu"):
        eq.ground_state(model, mu=3.0)
    with pytest.raises(ValueError, match="exactly one"):
        eq.ground_state(model, mu=0.0, excitations=0.0)
    with pytest.raises(ValueError, match="excitations"):
        eq.ground_state(model, excitations=-1.5)
    with pytest.raises(ValueError, match="spectrum"):
        eq.ground_state(model, mu=0.0, spectrum="exact")
    with pytest.raises(ValueError, match="delta_c"):
        eq.ground_state(model.density, mu=0.0)
    with pytest.raises(ValueError, match="temperature"):
        eq.thermal_state(model, -1.0)


# ----------------------------------------------------------------- energy and the normal state
def test_mean_field_energy_of_each_stationary_state_equals_the_solver_energy():
    # two computations of <H>/N: the solver's spectral sums and the direct sum over the Bloch vectors
    model = cb.Model(eps0=1.0, W=6.0, delta_c=4.0, n_atoms=40)
    for s in eq.stationary_states(model, mu=0.3):
        assert eq.mean_field_energy(model, s.state(model)) == pytest.approx(s.energy, abs=1e-12), s.branch


def test_normal_insulator_at_mu_zero_has_energy_minus_eps0_and_no_coherence():
    # W < 2 eps0 and mu = 0 in the gap: every spin points against its field, sigma^z_i = -sign(eps_i),
    # so <H>/N = -(1/N) sum_i |eps_i| = -eps0 (2N atoms whose |eps_i| average eps0/2)
    for spectrum_args in ((cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=400), {}),
                          (cb.TwoBox(eps0=6.0, W=8.0), {"delta_c": 6.0})):
        normal = eq.normal_state(spectrum_args[0], mu=0.0, **spectrum_args[1])
        assert normal.branch == "normal" and normal.coherence == 0.0 and normal.n_photon == 0.0
        assert normal.energy == pytest.approx(-6.0, rel=1e-12)
