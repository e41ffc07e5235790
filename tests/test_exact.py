"""Laws obeyed by the exact small-N quantum dynamics (cavity_bcs.exact)."""
import time

import numpy as np
import pytest

import cavity_bcs as cb
from cavity_bcs.quantum.exact import (
    TruncationWarning,
    exact_master_equation,
    exact_quench,
    hilbert_dimension,
    sector_spectrum,
)


def resonant_model(n_atoms, delta_c=3.0, profile=None):
    # Every transition 2 eps_i on resonance with the cavity: eps_i = delta_c / 2.
    return cb.Model(eps0=0.0, W=0.0, delta_c=delta_c, n_atoms=n_atoms,
                    energies=np.full(n_atoms, delta_c / 2.0), coupling_profile=profile)


@pytest.mark.parametrize("basis", ["full", "collective"])
def test_tavis_cummings_single_excitation_polaritons_split_by_2g_sqrt_2N(basis):
    # One excitation shared by 2N resonant atoms and the photon: the bright state
    # (1/sqrt(2N)) sum_i |i> couples to |1 photon> with g sqrt(2N), so the polaritons sit at
    # E0 + delta_c +- g sqrt(2N) (E0 = -sum eps_i) and 2N - 1 dark states stay at E0 + delta_c.
    n_atoms, delta_c = 6, 3.0
    m = resonant_model(n_atoms, delta_c)
    e0 = -n_atoms * delta_c / 2.0
    levels = sector_spectrum(m, 1, basis=basis) - e0
    split = m.g * np.sqrt(n_atoms)
    assert split == pytest.approx(np.sqrt(2.0 * delta_c))  # g sqrt(2N) = sqrt(2 delta_c) in chi N
    assert levels[0] == pytest.approx(delta_c - split, abs=1e-12)
    assert levels[-1] == pytest.approx(delta_c + split, abs=1e-12)
    dark = levels[1:-1]
    assert dark.size == (n_atoms - 1 if basis == "full" else 0)
    np.testing.assert_allclose(dark, delta_c, atol=1e-12)


def test_inhomogeneous_couplings_split_polaritons_by_2g_times_norm_of_profile():
    profile = np.cos(3.7 * np.arange(6))
    m = resonant_model(6, 2.0, profile)
    levels = sector_spectrum(m, 1) + 6 * 1.0
    half = m.g * np.sqrt(np.sum(profile ** 2))
    assert levels[-1] - levels[0] == pytest.approx(2.0 * half, abs=1e-12)


def test_closed_dynamics_conserves_norm_excitations_and_energy():
    m = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=8)
    r = exact_quench(m, 3.0, 31)
    np.testing.assert_allclose(r.norm, 1.0, atol=1e-11)
    # The quench state has <sum sigma^z> = 0 and no photon: excitations 0, energy 0.
    np.testing.assert_allclose(r.excitations, 0.0, atol=1e-11)
    np.testing.assert_allclose(r.energy, 0.0, atol=1e-11)
    assert r.coherence[0] == pytest.approx(1.0)
    assert r.coherence[-1] < 0.9  # something did happen


def test_diagonalisation_and_expm_multiply_agree():
    m = cb.Model(eps0=6.0, W=8.0, delta_c=4.0, n_atoms=6)
    a = exact_quench(m, 2.0, 21, method="eig")
    b = exact_quench(m, 2.0, 21, method="expm")
    np.testing.assert_allclose(a.s_plus, b.s_plus, atol=1e-10)
    np.testing.assert_allclose(a.photon, b.photon, atol=1e-10)
    np.testing.assert_allclose(a.n_photon, b.n_photon, atol=1e-10)


def test_collective_basis_reproduces_full_basis_for_identical_atoms():
    m = cb.Model(eps0=6.0, W=0.0, delta_c=5.0, n_atoms=6)
    full = exact_quench(m, 2.0, 21, basis="full")
    dicke = exact_quench(m, 2.0, 21, basis="collective")
    assert dicke.basis == "collective" and dicke.dimension < full.dimension
    np.testing.assert_allclose(dicke.s_plus, full.s_plus, atol=1e-10)
    np.testing.assert_allclose(dicke.photon, full.photon, atol=1e-10)
    np.testing.assert_allclose(dicke.n_photon, full.n_photon, atol=1e-10)


def test_product_state_obeys_mean_field_to_first_order_in_time():
    # d<O>/dt = <i[H, O]> factorises on a product state, so exact and mean-field S+
    # separate only at order t^2: halving t must quarter the gap.
    m = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=6)
    r = exact_quench(m, 0.02, 3)
    q = cb.quench(m, 0.02, n_save=3)
    gap = np.abs(r.s_plus - q.s_plus)[1:]
    assert gap[1] > 0
    assert gap[0] / gap[1] == pytest.approx(0.25, rel=0.05)


def test_vacuum_fluctuations_add_delta_c_over_2N_t_squared_photons():
    # a(t) = -i t sum_i g_i sigma^-_i + O(t^2) and <sigma^+_i sigma^-_i> = 1/2 (not 1/4):
    # <a^dag a>/N = delta_c (1 + 1/2N) t^2, one half quantum per atom more than mean field.
    m = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=6)
    t = 1e-3
    r = exact_quench(m, t, 2)
    expected = m.delta_c * (1.0 + 1.0 / (2 * m.n_pairs)) * t ** 2
    assert r.n_photon[-1] == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize("method", ["auto", "chebyshev"])
def test_decoupled_atoms_and_coherent_photon_follow_mean_field_exactly(method):
    m = cb.Model(eps0=6.0, W=8.0, delta_c=5.0, n_atoms=4, coupling_profile=np.zeros(4))
    alpha = 0.6 - 0.3j
    r = exact_quench(m, 2.0, 21, photon=alpha, method=method)
    t = r.t
    np.testing.assert_allclose(r.photon, alpha * np.exp(-1j * m.delta_c * t), atol=1e-10)
    np.testing.assert_allclose(r.n_photon, abs(alpha) ** 2 + 0 * t, atol=1e-10)
    s_plus = 0.5 * np.exp(2j * np.outer(t, m.eps)).sum(axis=1) / m.n_pairs  # <sigma^+> = 1/2
    np.testing.assert_allclose(r.s_plus, s_plus, atol=1e-10)


def test_master_equation_without_loss_equals_pure_state_evolution():
    m = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=4)
    pure = exact_quench(m, 1.5, 16)
    mixed = exact_master_equation(m, 1.5, 16)
    np.testing.assert_allclose(mixed.s_plus, pure.s_plus, atol=1e-9)
    np.testing.assert_allclose(mixed.n_photon, pure.n_photon, atol=1e-9)


def test_photon_loss_damps_coherent_field_at_half_kappa():
    # Decoupled atoms: <a> = alpha exp(-(i delta_c + kappa/2) t), <a^dag a> decays at kappa.
    kappa = 0.8
    m = cb.Model(eps0=6.0, W=0.0, delta_c=5.0, n_atoms=2, kappa=kappa, coupling_profile=np.zeros(2))
    alpha = 0.9
    r = exact_master_equation(m, 2.0, 11, photon=alpha)
    t = r.t
    np.testing.assert_allclose(r.photon, alpha * np.exp(-(1j * m.delta_c + kappa / 2) * t), atol=1e-8)
    np.testing.assert_allclose(r.n_photon, alpha ** 2 * np.exp(-kappa * t), atol=1e-8)


def test_photon_loss_drains_excitations_at_kappa_times_photon_number():
    # d<K>/dt = -kappa <a^dag a> for the book's jump L = sqrt(kappa/2) a.
    m = cb.Model(eps0=6.0, W=0.0, delta_c=6.0, n_atoms=4, kappa=0.5)
    r = exact_master_equation(m, 2.0, 401)
    rate = np.gradient(r.excitations, r.t)[5:-5]
    np.testing.assert_allclose(rate, -m.kappa * r.n_photon[5:-5], atol=2e-4)
    assert r.excitations[-1] < -1e-3


def test_atomic_decay_and_dephasing_match_the_bloch_equations_of_free_atoms():
    # Without coupling each atom obeys the (linear, hence exact) Bloch equations that the
    # mean-field kernel integrates: compare with cavity_bcs.quench.
    m = cb.Model(eps0=6.0, W=8.0, delta_c=5.0, n_atoms=4, gamma=0.7, dephasing=0.3,
                 coupling_profile=np.zeros(4))
    r = exact_master_equation(m, 2.0, 11)
    q = cb.quench(m, 2.0, n_save=11)
    np.testing.assert_allclose(r.s_plus, q.s_plus, atol=1e-8)
    np.testing.assert_allclose(r.excitations, q.excitations, atol=1e-8)


def test_collective_basis_needs_far_fewer_states_than_two_to_the_2N():
    m = cb.Model(eps0=6.0, W=0.0, delta_c=6.0, n_atoms=40)
    assert hilbert_dimension(m) < 2 ** 14


def test_bad_input_raises_value_error():
    m = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=4)
    with pytest.raises(ValueError, match="t_final"):
        exact_quench(m, -1.0)
    with pytest.raises(ValueError, match="basis"):
        exact_quench(m, 1.0, basis="dicke")
    with pytest.raises(ValueError, match="method"):
        exact_quench(m, 1.0, method="magic")
    with pytest.raises(ValueError, match="n_photon_max"):
        exact_quench(m, 1.0, n_photon_max="lots")
    with pytest.raises(ValueError, match="chebyshev"):
        exact_quench(m, 1.0, n_photon_max="auto", method="eig")
    with pytest.raises(ValueError, match="workers"):
        exact_quench(m, 1.0, method="chebyshev", workers=0)
    with pytest.raises(ValueError, match="cutoff_tol"):
        exact_quench(m, 1.0, method="chebyshev", cutoff_tol=-1.0)
    with pytest.raises(ValueError, match="configurations"):
        exact_quench(cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=40), 1.0)
    with pytest.raises(ValueError, match="basis"):
        exact_master_equation(m.replace(gamma=0.1), 1.0, basis="collective")


def test_pair_correlation_of_the_x_state_is_one_plus_one_over_2N():
    # <S+S-> = (1/N^2)[sum_{i != j} 1/4 + sum_i <sigma^+ sigma^-> = 1/2] = 1 + 1/(2N).
    for n_atoms, basis in ((6, "full"), (30, "collective")):
        m = cb.Model(eps0=6.0, W=0.0 if basis == "collective" else 8.0, delta_c=6.0, n_atoms=n_atoms)
        r = exact_quench(m, 0.1, 2, basis=basis)
        assert r.pair_correlation[0] == pytest.approx(1.0 + 1.0 / n_atoms, abs=1e-12)


# ------------------------------------------------ sector-wise Chebyshev propagation
OBSERVABLES = ("s_plus", "photon", "n_photon", "pair_correlation", "energy", "excitations")


@pytest.mark.parametrize("n_atoms, W, delta_c", [(16, 0.0, 6.0), (6, 8.0, 4.0)])
def test_chebyshev_sectors_agree_with_dense_diagonalisation(n_atoms, W, delta_c):
    # Two independent propagators: eigenvectors of each sector (LAPACK) against a
    # Chebyshev series built from the sector's Gershgorin interval (numba).
    m = cb.Model(eps0=6.0, W=W, delta_c=delta_c, n_atoms=n_atoms)
    dense = exact_quench(m, 3.0, 31, method="eig")
    cheb = exact_quench(m, 3.0, 31, method="chebyshev")
    assert cheb.method == "chebyshev" and cheb.dimension == dense.dimension
    for key in OBSERVABLES:
        np.testing.assert_allclose(getattr(cheb, key), getattr(dense, key), atol=1e-11, err_msg=key)


def test_chebyshev_agrees_with_expm_multiply_for_a_coherent_photon():
    m = cb.Model(eps0=6.0, W=0.0, delta_c=3.0, n_atoms=12)
    a = exact_quench(m, 2.0, 21, photon=0.4 + 0.2j, method="chebyshev")
    b = exact_quench(m, 2.0, 21, photon=0.4 + 0.2j, method="expm")
    for key in OBSERVABLES:
        np.testing.assert_allclose(getattr(a, key), getattr(b, key), atol=1e-10, err_msg=key)


def test_chebyshev_conserves_norm_excitations_and_energy_to_round_off():
    m = cb.Model(eps0=6.0, W=0.0, delta_c=6.0, n_atoms=60)
    r = exact_quench(m, 4.0, 81, method="chebyshev")
    np.testing.assert_allclose(r.norm, 1.0, atol=1e-12)
    np.testing.assert_allclose(r.excitations, 0.0, atol=1e-12)
    np.testing.assert_allclose(r.energy, 0.0, atol=1e-11)
    assert r.coherence[-1] < 0.9 and r.propagation_error < 1e-11 and r.cutoff_error == 0.0


def test_collective_chebyshev_for_two_hundred_atoms_departs_from_mean_field_as_t_squared():
    # 2N = 200 atoms: the product initial state makes exact and mean-field S+ share the
    # first time derivative, so their gap grows as t^2 (halving t quarters it), and the
    # initial pair correlation is 1 + 1/2N.
    m = cb.Model(eps0=6.0, W=0.0, delta_c=6.0, n_atoms=200)
    r = exact_quench(m, 0.02, 3)
    assert r.method == "chebyshev" and r.basis == "collective" and r.dimension > 10 ** 5
    q = cb.quench(m, 0.02, n_save=3)
    gap = np.abs(r.s_plus - q.s_plus)[1:]
    assert gap[1] > 0
    assert gap[0] / gap[1] == pytest.approx(0.25, rel=0.05)
    assert r.pair_correlation[0] == pytest.approx(1.0 + 1.0 / 200, abs=1e-12)


def test_photon_cutoff_error_bound_covers_the_true_error():
    # Duhamel: ||psi - psi_P|| <= int ||(1-P) H psi_P||. With ||S+/N|| <= 1 + 1/2N the
    # error of S+ is at most twice the bound; a deliberately tight cut-off makes both visible.
    m = cb.Model(eps0=6.0, W=0.0, delta_c=40.0, n_atoms=30)
    full = exact_quench(m, 2.0, 81, method="chebyshev")
    with pytest.warns(TruncationWarning):
        cut = exact_quench(m, 2.0, 81, method="chebyshev", n_photon_max=4)
    assert cut.photon_cutoff == 4 and cut.dimension < full.dimension
    error = np.max(np.abs(cut.s_plus - full.s_plus))
    assert 0 < error <= 2.0 * (1 + 1 / 30) * cut.error_bound
    assert cut.cutoff_error > 1e-6  # not negligible: hence the warning
    assert 1e-6 < cut.cutoff_population < 1 and full.cutoff_population == 0.0


def test_automatic_photon_cutoff_keeps_its_verified_error_below_tolerance():
    m = cb.Model(eps0=6.0, W=0.0, delta_c=40.0, n_atoms=60)
    full = exact_quench(m, 3.0, 61, method="chebyshev")
    auto = exact_quench(m, 3.0, 61, n_photon_max="auto", cutoff_tol=1e-8)
    assert auto.photon_cutoff is not None and auto.dimension < full.dimension
    assert 0 < auto.cutoff_error < 1e-8 and auto.cutoff_population < 1e-8
    for key in ("s_plus", "photon", "pair_correlation"):
        deviation = np.max(np.abs(getattr(auto, key) - getattr(full, key)))
        assert deviation <= 2.0 * 1.1 * auto.error_bound + 1e-12, key


# ------------------------------------------------ counting the space without building it
@pytest.mark.parametrize("kwargs", [
    dict(model=cb.Model(eps0=6.0, W=8.0, delta_c=4.0, n_atoms=6), basis="full"),
    dict(model=cb.Model(eps0=6.0, W=8.0, delta_c=4.0, n_atoms=6), basis="full", n_photon_max=2),
    dict(model=cb.Model(eps0=6.0, W=0.0, delta_c=6.0, n_atoms=16), basis="collective"),
    dict(model=cb.Model(eps0=6.0, W=0.0, delta_c=6.0, n_atoms=16), basis="collective", n_photon_max=0),
    dict(model=cb.Model(eps0=6.0, W=0.0, delta_c=6.0, n_atoms=16), basis="collective", photon=0.7 - 0.2j),
    dict(model=cb.Model(eps0=6.0, W=0.0, delta_c=6.0, n_atoms=8), basis="full", photon=0.5, n_photon_max=3),
    dict(model=cb.Model(eps0=6.0, W=0.0, delta_c=5.0, n_atoms=8, coupling_profile=np.cos(2.1 * np.arange(8))),
         basis="auto", photon=0.4j, tol=1e-8),
])
def test_counted_dimension_equals_the_dimension_of_the_built_space(kwargs):
    counted = hilbert_dimension(**kwargs)
    built = exact_quench(t_final=0.1, n_save=2, method="expm", **kwargs).dimension
    assert counted == built


def test_counted_dimension_matches_a_brute_force_enumeration_of_the_full_basis():
    # Vacuum, 2N = 6 atoms, every sector's weight C(6, k)/64 above tol: the kept states are
    # all (spin configuration, n) with k = #up + n <= 6, counted here by enumeration.
    import itertools
    m = cb.Model(eps0=6.0, W=8.0, delta_c=4.0, n_atoms=6)
    states = sum(1 for spins in itertools.product((0, 1), repeat=6) for k in range(7) if sum(spins) <= k)
    assert hilbert_dimension(m, basis="full") == states
    # photon cut-off n <= 1: only k - #up in {0, 1}
    states_cut = sum(1 for spins in itertools.product((0, 1), repeat=6) for k in range(7) if 0 <= k - sum(spins) <= 1)
    assert hilbert_dimension(m, basis="full", n_photon_max=1) == states_cut


def test_one_dicke_group_of_two_hundred_thousand_atoms_is_counted_at_once():
    # eps0 = W = 0: every atom alike, one group with one configuration per m = 0..2N; a kept
    # sector k (binomial weight above tol) then holds min(k, 2N) + 1 states.
    from scipy.stats import binom
    n_atoms, tol = 200_000, 1e-14
    m = cb.Model(eps0=0.0, W=0.0, delta_c=6.0, n_atoms=n_atoms)
    start = time.perf_counter()
    counted = hilbert_dimension(m, tol=tol)
    elapsed = time.perf_counter() - start
    k = np.arange(n_atoms + 1)
    kept = k[binom.pmf(k, n_atoms, 0.5) > tol]
    assert counted == int(np.sum(kept + 1))
    assert counted > 10 ** 8 and elapsed < 0.5


def test_a_basis_too_large_is_refused_before_anything_is_allocated(monkeypatch):
    import tracemalloc
    monkeypatch.setenv("CAVITY_BCS_MEMORY_LIMIT_GB", "1")
    one_group = cb.Model(eps0=0.0, W=0.0, delta_c=6.0, n_atoms=200_000)  # 3e8 states
    distinct = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=40)       # 2^40 configurations
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"321,\d{3},\d{3} states.*limit of 1 GB"):
            exact_quench(one_group, 1.0, 2)
        with pytest.raises(ValueError, match=r"1,099,511,627,776 configurations \(limit MAX_CONFIGURATIONS = 262,144\)"):
            exact_quench(distinct, 1.0, 2)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2 ** 20  # the refused basis would need about 67 GB


def test_a_tolerance_that_leaves_out_every_sector_is_refused():
    m = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=4)  # largest sector weight 6/16
    with pytest.raises(ValueError, match="tol"):
        hilbert_dimension(m, tol=0.5)


def test_chebyshev_results_are_bit_identical_for_any_thread_count():
    # sectors are advanced independently and summed in a fixed order, whichever thread did the work
    model = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=10)
    one = cb.exact_quench(model, 2.0, 21, method="chebyshev", basis="full", workers=1)
    two = cb.exact_quench(model, 2.0, 21, method="chebyshev", basis="full", workers=2)
    for key in ("s_plus", "photon", "n_photon", "energy", "excitations", "pair_correlation"):
        assert np.array_equal(getattr(one, key), getattr(two, key)), key
