"""Laws checked by the Lax-vector analysis (continuum limit, root counting, dynamical phases).

Expected values come from analytic limits, the paper's stated results, a second
independent method (finite-N spectral roots, mean-field quenches), never from our
own earlier output.
"""
import math

import numpy as np
import pytest

import cavity_bcs as cb
from cavity_bcs import analytic, lax

OFF_AXIS = np.array([1.0 + 0.5j, 3.1 + 0.2j, -2.0 + 1.0j, 0.3 + 0.05j, 7.0 + 3.0j])


@pytest.mark.parametrize("adiabatic", [False, True])
def test_continuum_lax_squared_is_the_large_n_limit_of_the_finite_sum(adiabatic):
    # midpoint (quantile) sampling of each box converges as 1/N^2 off the real axis
    errors = []
    for n_atoms in (100, 400, 1600):
        model = cb.Model(eps0=6.0, W=8.0, delta_c=3.0, n_atoms=n_atoms)
        state = cb.x_polarized(model, 1.0, "equilibrium")
        finite = lax.lax_squared(OFF_AXIS, model, state, adiabatic)
        cont = lax.lax_squared_continuum(OFF_AXIS, model, adiabatic, 1.0, "equilibrium")
        errors.append(np.max(np.abs(finite - cont)))
    assert errors[-1] < 1e-5
    assert errors[0] / errors[1] > 10 and errors[1] / errors[2] > 10


def test_equilibrium_photon_of_the_figure_state_enters_as_minus_two_cos_over_delta_c():
    # a_eq = -g N S+/Delta_c with S+ = cos(phi/2): alpha = -cos/sqrt(Delta_c), ell_x += 2 alpha/sqrt(Delta_c)
    model = cb.Model(eps0=6.0, W=4.0, delta_c=5.0, n_atoms=200)
    for phi in (0.0, 1.0, math.pi):
        vac = lax.lax_vector_continuum(2.0 + 1j, model, False, phi, "vacuum")
        eq = lax.lax_vector_continuum(2.0 + 1j, model, False, phi, "equilibrium")
        np.testing.assert_allclose(eq - vac, [-2.0 * math.cos(phi / 2) / 5.0, 0.0, 0.0], atol=1e-14)


def test_lax_squared_is_real_symmetric():
    model = cb.Model(eps0=6.0, W=8.0, delta_c=3.0, n_atoms=10)
    u = OFF_AXIS
    a = lax.lax_squared_continuum(u, model, False, 0.7, 0.3 - 0.2j)
    b = lax.lax_squared_continuum(np.conj(u), model, False, 0.7, 0.3 - 0.2j)
    np.testing.assert_allclose(b, np.conj(a), rtol=1e-13)


@pytest.mark.parametrize("adiabatic", [False, True])
def test_finite_n_roots_are_the_roots_of_the_spectral_polynomial(adiabatic):
    # second method: expand ell^2 prod (u - eps_i)^2 into a polynomial (fine for tiny N)
    model = cb.Model(eps0=2.0, W=1.0, delta_c=3.0, n_atoms=6)
    state = cb.x_polarized(model, 0.8, 0.2 + 0.1j)
    eps = model.eps
    vec_poly = []
    for comp in range(3):
        p = np.zeros(1, dtype=complex)
        for i in range(eps.size):
            others = np.poly(np.delete(eps, i))
            p = np.polyadd(p, state.spins[i, comp] / (2 * model.n_pairs) * others)
        vec_poly.append(p)
    full = np.poly(eps)
    G, dc, alpha = model.g_collective, model.delta_c, state.photon
    if adiabatic:
        vec_poly[2] = np.polyadd(vec_poly[2], -full)
    else:
        vec_poly[0] = np.polyadd(vec_poly[0], 2 * G / dc * alpha.real * full)
        vec_poly[1] = np.polyadd(vec_poly[1], -2 * G / dc * alpha.imag * full)
        vec_poly[2] = np.polyadd(vec_poly[2], np.polymul([2 / dc, -1.0], full))
    poly = np.zeros(1, dtype=complex)
    for p in vec_poly:
        poly = np.polyadd(poly, np.polymul(p, p))
    expected = np.roots(poly)
    got = lax.finite_n_roots(model, state, adiabatic)
    assert got.size == expected.size == (4 * model.n_pairs + (0 if adiabatic else 2))
    # match each eigenvalue to its nearest polynomial root
    assert max(np.min(np.abs(expected - z)) for z in got) < 1e-6
    assert max(np.min(np.abs(got - z)) for z in expected) < 1e-6


def test_flat_band_phase_two_root_is_the_plateau_of_the_spin_model():
    # eps0 = 0: ell^2 = 4 F^2 + 1 = 0 solves to u = i (W/4) cot(W/4) = i |S+(infinity)|
    for W in (1.0, 3.0, 5.0):
        result = lax.dynamical_phase(cb.TwoBox(0.0, W), delta_c=10.0, adiabatic=True)
        assert result.phase == "II"
        assert result.roots.size == 1
        np.testing.assert_allclose(result.roots[0], 1j * analytic.phase_two_plateau_flat_band(W), atol=1e-10)


@pytest.mark.parametrize("phi", [0.0, 1.0, 2.0])
def test_phase_two_to_one_boundary_at_two_pi_cos_half_phi_for_small_eps0(phi):
    W_c = 2 * math.pi * math.cos(phi / 2)
    below = lax.dynamical_phase(cb.TwoBox(0.01, 0.95 * W_c), delta_c=10.0, adiabatic=True, delta_phi0=phi)
    above = lax.dynamical_phase(cb.TwoBox(0.01, 1.05 * W_c), delta_c=10.0, adiabatic=True, delta_phi0=phi)
    assert (below.phase, above.phase) == ("II", "I")
    # the closed-form plateau vanishes at the same boundary for phi = 0
    assert analytic.phase_two_plateau_flat_band(2 * math.pi * (1 - 1e-9)) < 1e-8


@pytest.mark.parametrize("eps0", [1.0, 6.0])
def test_spin_model_at_delta_phi_pi_is_phase_three_below_pi_and_phase_one_above(eps0):
    for W in (0.5, 2.0, 3.0):
        assert lax.dynamical_phase(cb.TwoBox(eps0, W), delta_c=10.0, adiabatic=True, delta_phi0=math.pi).phase == "III"
    for W in (3.3, 5.0, 8.0):
        assert lax.dynamical_phase(cb.TwoBox(eps0, W), delta_c=10.0, adiabatic=True, delta_phi0=math.pi).phase == "I"
    diagram = lax.phase_diagram([10.0], np.linspace(0.0, 8.0, 81), eps0, adiabatic=True, delta_phi0=math.pi)
    assert not np.any(diagram.n_pairs == 1)   # no phase II anywhere


def test_equilibrium_photon_vanishes_at_delta_phi_pi():
    model = cb.Model(eps0=6.0, W=4.0, delta_c=5.0, n_atoms=10)
    a = lax.dynamical_phase(model, delta_phi0=math.pi, photon="equilibrium")
    b = lax.dynamical_phase(model, delta_phi0=math.pi, photon="vacuum")
    np.testing.assert_allclose(a.roots, b.roots, atol=1e-12)


@pytest.mark.parametrize("delta_c", [1.0, 6.0, 40.0])
def test_no_disorder_gives_phase_three_plus_one(delta_c):
    # W = 0: two giant spins and the photon, three collective degrees of freedom (paper)
    assert lax.dynamical_phase(cb.TwoBox(6.0, 0.0), delta_c=delta_c, locate=False).phase == "III+1"


def test_phase_one_plus_one_root_approaches_supplement_eq_10():
    # Delta_c > W > eps0 (and W > 2 pi so the spins carry no root): u -> Delta_c/2 + i
    distances = []
    for delta_c in (20.0, 50.0, 200.0):
        result = lax.dynamical_phase(cb.TwoBox(1.0, 8.0), delta_c=delta_c)
        assert result.phase == "I+1"
        u = result.roots[0]
        eq10 = delta_c / 2 * (1 + np.sqrt(1 + 8j / delta_c)) / 2
        assert abs(u - eq10) < 0.02
        distances.append(abs(u - (delta_c / 2 + 1j)))
    assert distances[0] > distances[1] > distances[2] and distances[2] < 0.02


def test_phase_one_plus_one_root_gives_photon_frequency_and_amplitude_of_quench():
    model = cb.Model(eps0=1.0, W=8.0, delta_c=20.0, n_atoms=2000)
    result = lax.dynamical_phase(model)
    assert result.phase == "I+1"
    omega, amplitude = lax.photon_oscillation(result.roots[0], model.delta_c)
    q = cb.quench(model, 40.0, n_save=4001)
    late = q.t > 20.0
    phase = np.unwrap(np.angle(q.photon[late]))
    measured_omega = -np.polyfit(q.t[late], phase, 1)[0]      # alpha ~ exp(-i omega t)
    np.testing.assert_allclose(measured_omega, omega, rtol=1e-3)
    np.testing.assert_allclose(np.abs(q.photon[late]).mean(), amplitude, rtol=5e-3)


@pytest.mark.parametrize("params, expected", [
    ((0.0, 4.0), "II"),     # flat band, plateau
    ((6.0, 1.0), "III"),    # persistent oscillations
    ((6.0, 8.0), "I"),      # decay
])
def test_adiabatic_phases_agree_with_spin_model_quench(params, expected):
    model = cb.Model(eps0=params[0], W=params[1], delta_c=10.0, n_atoms=2000)
    assert lax.dynamical_phase(model, adiabatic=True, locate=False).phase == expected
    q = cb.quench(model, 120.0, n_save=2401, adiabatic=True)
    assert cb.meanfield.quench_signature(q, t_min=60.0) == cb.meanfield.EXPECTED_SIGNATURE[expected]


def test_isolated_roots_are_limits_of_finite_n_roots_and_the_rest_collapse():
    model = cb.Model(eps0=6.0, W=3.0, delta_c=40.0, n_atoms=100)
    roots = lax.isolated_roots(model)
    assert roots.size == 2
    gaps = []
    for n_atoms in (60, 240):
        m = model.replace(n_atoms=n_atoms)
        fin = lax.finite_n_roots(m, cb.x_polarized(m))
        fin = fin[fin.imag > 0]
        gaps.append(max(np.min(np.abs(fin - r)) for r in roots))
        # every other finite-N root sits at a distance ~ 1/N from the real axis
        others = np.array([z for z in fin if np.min(np.abs(z - roots)) > 0.05])
        assert np.max(others.imag) < 20.0 / n_atoms
    assert gaps[1] < gaps[0] / 4 and gaps[1] < 1e-3


def test_argument_principle_count_matches_located_roots_across_a_diagram():
    dc = np.geomspace(0.3, 60.0, 6)
    W = np.linspace(0.0, 9.0, 6)
    diagram = lax.phase_diagram(dc, W, 6.0)
    for i, d in enumerate(dc):
        for j, w in enumerate(W):
            single = lax.dynamical_phase(cb.TwoBox(6.0, w), delta_c=d)
            assert single.n_pairs == diagram.n_pairs[i, j]
            assert single.roots.size == single.n_pairs + single.n_near_axis


def test_a_root_within_tolerance_of_the_continuum_makes_the_phase_unsure():
    # flat band: Im u = (W/4) cot(W/4) -> 0 at W = 2 pi; choose Im u ~ 3e-4 < tol
    x = math.pi / 2 - 4e-4
    W = 4 * x
    assert 1e-4 < x / math.tan(x) < 1e-3
    result = lax.dynamical_phase(cb.TwoBox(0.0, W), delta_c=10.0, adiabatic=True)
    assert result.unsure and result.phase == "unsure"
    assert result.candidates == ("I", "II")
    assert lax.dynamical_phase(cb.TwoBox(0.0, W), delta_c=10.0, adiabatic=True, tol=1e-4, strip=1e-8).phase == "II"


def test_bad_parameters_raise_value_error():
    with pytest.raises(ValueError, match="W"):
        lax.dynamical_phase(cb.TwoBox(6.0, -1.0), delta_c=1.0)
    with pytest.raises(ValueError, match="delta_c"):
        lax.dynamical_phase(cb.TwoBox(6.0, 1.0), delta_c=0.0)
    with pytest.raises(ValueError, match="homogeneous"):
        lax.dynamical_phase(cb.Model(eps0=6.0, W=1.0, delta_c=1.0, n_atoms=4, coupling_profile=[1, 0.5, 1, 1]))
    with pytest.raises(ValueError, match="kappa"):
        lax.dynamical_phase(cb.Model(eps0=6.0, W=1.0, delta_c=1.0, n_atoms=4, kappa=0.1))
    with pytest.raises(ValueError, match="energies"):
        lax.dynamical_phase(cb.Model(eps0=6.0, W=1.0, delta_c=1.0, n_atoms=4, energies=[1, 2, 3, 4]))
    with pytest.raises(ValueError, match="photon"):
        lax.dynamical_phase(cb.TwoBox(6.0, 1.0), delta_c=1.0, photon="thermal")
    with pytest.raises(ValueError, match="strip"):
        lax.dynamical_phase(cb.TwoBox(6.0, 1.0), delta_c=1.0, tol=1e-3, strip=1e-2)
    with pytest.raises(ValueError, match="delta_c"):
        lax.phase_diagram([1.0, -1.0], [1.0], 6.0)
    with pytest.raises(ValueError, match="W"):
        lax.phase_diagram([1.0], [-1.0], 6.0)


def test_cached_crossvalidation_points_recompute_identically():
    import csv
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / "book" / "data" / "crossvalidation_fig2.csv"
    lines = path.read_text().splitlines()
    header = dict(item.split("=") for item in lines[0].lstrip("# ").split(", "))
    rows = list(csv.DictReader(lines[1:]))
    for row in (rows[3], rows[47], rows[88]):
        d, w = float(row["delta_c"]), float(row["W"])
        model = cb.Model(eps0=float(header["eps0"]), W=w, delta_c=d, n_atoms=int(header["n_atoms"]))
        q = cb.quench(model, float(header["t_final"]), n_save=int(header["n_save"]))
        t_min = float(header["t_min"])
        late = np.abs(q.s_plus[q.t >= t_min])
        assert abs(late.mean() - float(row["mean_coherence"])) < 1e-10
        assert abs(late.std() - float(row["std_coherence"])) < 1e-10
        assert cb.meanfield.quench_signature(q, t_min=t_min) == row["quench_signature"]
        assert lax.dynamical_phase(cb.TwoBox(6.0, w), delta_c=d, locate=False).phase == row["lax_phase"]


def test_spectral_lines_of_a_quench_sit_at_twice_the_real_parts_of_the_roots():
    model = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=1200)          # phase II+1: two collective modes
    roots = lax.dynamical_phase(model).roots
    assert roots.size == 2
    q = cb.quench(model, 300.0, n_save=6001)
    freqs, amps = cb.meanfield.spectral_lines(q, t_min=100.0, threshold=1e-3)
    for omega in 2 * roots.real:
        assert np.min(np.abs(freqs - omega)) < 0.15


def test_full_model_phases_approach_spin_model_phases_at_large_detuning():
    # far from resonance the photon only adds its own pair: III+1 -> III, I+1 -> I (paper)
    W = np.array([0.5, 1.5, 2.5, 4.0, 6.0, 9.0])
    full = lax.phase_diagram([1e4], W, 6.0)
    spin = lax.phase_diagram([1e4], W, 6.0, adiabatic=True)
    np.testing.assert_array_equal(full.n_pairs, spin.n_pairs + 1)
    assert not full.unsure.any() and not spin.unsure.any()


def test_numeric_continuum_agrees_with_the_sympy_integral_of_the_derivation_chapter():
    # one L(u) for the whole project: the symbolic box integral must give the same ell_x, ell_y
    derivation = pytest.importorskip("cavity_bcs.symbolic")
    if not hasattr(derivation, "continuum_lax"):
        pytest.skip("derivation.continuum_lax not available")
    import sympy as sp
    cont = derivation.continuum_lax()
    sym = cont.symbols
    args = (sym["u"], sym["eps0"], sym["W"], sym["delta_phi0"])
    fx = sp.lambdify(args, cont.x_log, modules=["numpy"])
    fy = sp.lambdify(args, cont.y_log, modules=["numpy"])
    model = cb.Model(eps0=6.0, W=8.0, delta_c=3.0, n_atoms=10)
    vec = lax.lax_vector_continuum(OFF_AXIS, model, adiabatic=True, delta_phi0=0.9)
    np.testing.assert_allclose(fx(OFF_AXIS, 6.0, 8.0, 0.9), vec[:, 0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fy(OFF_AXIS, 6.0, 8.0, 0.9), vec[:, 1], rtol=1e-12, atol=1e-12)


def test_argument_principle_count_equals_number_of_located_roots():
    # two procedures: the winding number of l^2 around the upper half plane, and Newton-located roots
    for dc in (2.0, 6.0, 12.0):
        model = cb.Model(eps0=6.0, W=8.0, delta_c=dc, n_atoms=20)
        count = lax.count_isolated_roots(model)
        assert count.ok and count.n_pairs == len(lax.isolated_roots(model)), dc


def test_phase_cut_edges_bracket_the_change_and_agree_with_the_grid_diagram():
    """Bisected edges: just below an edge the root count gives the phase below, just above the phase above;
    and every point of the (independent, vectorised) grid diagram at W = 8 lies in the cut's interval of its phase."""
    import numpy as np

    import cavity_bcs as cb

    box = cb.TwoBox(6.0, 8.0)
    cut = cb.phase_cut(box, rtol=1e-5)
    assert [name for name, _, _ in cut.intervals] == ["I+1", "II+1", "I+1"]
    for edge, below, above in cut.boundaries:
        # right at an edge a root touches the continuum (the count says "unsure"); a step away it is settled
        assert cb.dynamical_phase(box, delta_c=edge * (1 - 2e-5), locate=False).phase == below
        assert cb.dynamical_phase(box, delta_c=edge * (1 + 2e-5), locate=False).phase in (above, "unsure")
        assert cb.dynamical_phase(box, delta_c=edge * (1 + 1e-2), locate=False).phase == above
    detunings = np.geomspace(0.1, 100.0, 97)
    grid = cb.phase_diagram(detunings, [8.0], 6.0).phases[:, 0]
    for dc, phase in zip(detunings, grid):
        inside = [name for name, lo, hi in cut.intervals if lo <= dc <= hi]
        assert phase in inside, (dc, phase, inside)
    with pytest.raises(ValueError, match="III"):
        cut.span("III+1")
