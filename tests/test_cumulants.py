"""Second-order cumulants: each test is named for the law or identity it checks.

The central claim is that the numba right-hand side integrates exactly the equations
derived with sympy from the Hamiltonian and the jumps, after the second-order cumulant
truncation (test_numba_rhs_equals_sympy_derived_cumulant_equations); the rest checks the
physics of those equations against mean field and the exact dynamics.
"""
import numpy as np
import pytest
import sympy as sp

import cavity_bcs as cb
from cavity_bcs import derivation as d
from cavity_bcs.experiment.coarse import CoarseModel
from cavity_bcs.quantum import _cumulant_kernels as kern
from cavity_bcs.quantum.cumulants import CumulantResult, cumulant_classes, cumulant_quench, cumulant_rhs
from cavity_bcs.results import PairCoherent, first_departure
from cavity_bcs.symbolic import cumulants as sc


def _random_state(rng, K, order, w):
    """A random packed state with the symmetries of a class state (Hermitian P with a real
    diagonal, no same-class pair for a class of one atom)."""
    st = kern.unpack(rng.normal(size=kern.size(K, order)), K, order)
    if order == 2:
        for c in range(K):
            if w[c] < 2:
                for key in "PQRZ":
                    st[key][c, c] = 0.0
        st["P"][np.diag_indices(K)] = st["P"][np.diag_indices(K)].real
    return kern.pack(st, K, order)


def _lab_like(n, **loss):
    """Inhomogeneous energies (Fig. 1 bands) and couplings g_i = g cos(3.7 i)."""
    return cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=n, coupling_profile=np.cos(3.7 * np.arange(n)), **loss)


# ---------------------------------------------------------------- derivation = kernel
@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("weights", [(1, 1, 1, 1), (3, 2), (2, 1, 2)])
def test_numba_rhs_equals_sympy_derived_cumulant_equations(weights, order):
    # The classes are expanded into explicit atoms for sympy; the same-class pair of a class
    # of w atoms is the cumulant of two of its different atoms, the sums over atoms carry
    # w_d - delta_cd. derived_cumulant_rhs also checks that every atom (pair) of a class
    # gets the same derived rate, i.e. that the truncated equations keep the class structure.
    rng = np.random.default_rng(sum(weights) * 10 + order)
    w = np.array(weights, dtype=float)
    K = w.size
    for _ in range(3):
        y = _random_state(rng, K, order, w)
        eps = rng.normal(scale=3.0, size=K)
        f = rng.uniform(-1.0, 1.0, size=K)
        G, delta_c = rng.uniform(0.5, 3.0), rng.uniform(0.5, 10.0)
        kappa, gamma, dephasing = rng.uniform(0.0, 1.0, size=3)
        inv_n = 1.0 / rng.uniform(1.0, 30.0)
        out = np.zeros_like(y)
        kern.rhs(y, out, eps, f, w, G, delta_c, kappa, gamma, dephasing, inv_n, order, kern.workspace(K))
        ref = sc.derived_cumulant_rhs(y, eps, f, w, G, delta_c, kappa, gamma, dephasing, inv_n, order)
        assert np.max(np.abs(out - ref)) <= 1e-12 * np.max(np.abs(ref))


def test_first_order_truncation_is_the_mean_field_factorisation():
    eq = d.operator_equations(2, loss=True)
    for op in (*eq.sigma_minus, *eq.sigma_z, eq.photon):
        assert sp.expand(sc.expectation(op, 2, order=1) - d.mean_field(op, 2)) == 0
    # and the second-order means keep the book's mean-field terms plus the cumulant feedback
    sym = sc.cumulant_symbols(2)
    rates = sc.cumulant_equations(2, 2).rates
    book = d.mean_field_equations(2, loss=True)
    extra = sp.expand(rates[sym.s[0]] - book.ds[0])
    assert sp.expand(extra - (sp.I * sym.g[0] * sym.Az[0] - (sym.gamma / 2 + sym.dephasing) * sym.s[0])) == 0


def test_second_order_equations_couple_one_further_atom_at_a_time():
    # the property that makes the class reduction exact: sums over atoms are single sums
    st = sc.class_structure(3)
    assert st.max_others == 1
    sym = sc.cumulant_symbols(3)
    # spin-spin equations involve only their own two atoms; the photon's source is a sum
    for table in (sym.P, sym.Q, sym.R, sym.Z):
        for v in table.values():
            assert st.other[v] == 0
    assert st.other[sym.Ap[0]] != 0 and st.other[sym.Am[0]] != 0


def test_truncated_equations_conserve_excitations_and_energy_symbolically():
    # K and H are linear in first and second moments: their rates cancel as operators
    laws = sc.conservation_laws(3, order=2)
    sym = sc.cumulant_symbols(3)
    for name in ("excitations", "energy"):
        assert laws[name][1] == 0
    # with loss: dK/dt = -kappa <a^dag a> - (gamma/2) sum_i (1 + z_i)
    expected = -sym.kappa * (sym.a * sp.conjugate(sym.a) + sym.n) - sym.gamma / 2 * sum(1 + z for z in sym.z)
    assert sp.simplify(laws["excitations"][2] - expected) == 0


# ---------------------------------------------------------------- the integrated equations
def test_order_one_reproduces_mean_field_quench():
    m = _lab_like(8, kappa=0.4, gamma=0.1, dephasing=0.05)
    cu = cumulant_quench(m, 6.0, 121, order=1, rtol=1e-11, atol=1e-13)
    mf = cb.quench(m, 6.0, 121, rtol=1e-11, atol=1e-13)
    for key in ("s_plus", "photon", "n_photon", "excitations", "energy"):
        assert np.max(np.abs(getattr(cu, key) - getattr(mf, key))) < 1e-9, key
    assert cu.order == 1 and isinstance(cu, CumulantResult) and isinstance(cu, PairCoherent)


def test_excitations_and_energy_conserved_without_loss():
    m = _lab_like(12)
    res = cumulant_quench(m, 10.0, 101, rtol=1e-10, atol=1e-12)
    assert np.ptp(res.excitations) < 1e-11
    assert np.ptp(res.energy) < 1e-10
    # and correlations really formed (not the mean-field run in disguise)
    assert np.max(np.abs(res.n_photon - np.abs(res.photon) ** 2)) > 1e-2


def test_loss_drains_excitations_at_cavity_and_atomic_rates():
    # dK/dt = -kappa <a^dag a>/N - (gamma/2N) sum_i (1 + z_i), at any state of the kernel
    m = _lab_like(10, kappa=0.7, gamma=0.3, dephasing=0.2)
    coarse = cumulant_classes(m)
    K, inv_n = coarse.n_classes, 1.0 / m.n_pairs
    rng = np.random.default_rng(3)
    y = _random_state(rng, K, 2, coarse.weights)
    dy = cumulant_rhs(y, coarse)
    st, ds = kern.unpack(y, K, 2), kern.unpack(dy, K, 2)
    w = coarse.weights

    rate = 0.5 * inv_n * np.sum(w * ds["z"]) + 2 * (np.conj(st["alpha"]) * ds["alpha"]).real + inv_n * ds["n"]
    n_photon = abs(st["alpha"]) ** 2 + inv_n * st["n"]
    expected = -m.kappa * n_photon - 0.5 * m.gamma * inv_n * np.sum(w * (1.0 + st["z"]))
    assert rate == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_identical_atoms_grouped_into_one_class_equal_atom_resolved_run():
    # W = 0: every atom of a band identical. classes=None groups them (2 classes, with the
    # same-class pair cumulants); the atom-resolved run has 12 classes of one atom.
    m = cb.Model(eps0=6.0, W=0.0, delta_c=6.0, n_atoms=12, kappa=0.3, gamma=0.1)
    grouped = cumulant_quench(m, 4.0, 81, rtol=1e-11, atol=1e-13)
    state = cb.x_polarized(m)
    atoms = CoarseModel(eps=m.eps.copy(), couplings=m.couplings.copy(), weights=np.ones(12), spins=state.spins,
                        photon=0j, model=m)
    resolved = cumulant_quench(m, 4.0, 81, classes=atoms, rtol=1e-11, atol=1e-13)
    assert grouped.n_classes == 2 and resolved.n_classes == 12
    for key in ("s_plus", "n_photon", "excitations", "energy", "pair_correlation"):
        assert np.max(np.abs(getattr(grouped, key) - getattr(resolved, key))) < 1e-9, key


def test_pair_correlation_of_initial_product_state():
    # <S+S-> = |S+|^2 + (1/N^2) sum_i (<s+s->_i - |s_i|^2) = 1 + 1/(2N) for spins along +x
    m = _lab_like(8)
    res = cumulant_quench(m, 0.5, 3)
    ex = cb.exact_quench(m, 0.5, 3)
    assert res.pair_correlation[0] == pytest.approx(1.0 + 0.5 / m.n_pairs, rel=1e-14)
    assert res.pair_correlation[0] == pytest.approx(ex.pair_correlation[0], rel=1e-12)
    assert res.pair_coherence[0] == pytest.approx(ex.pair_coherence[0], rel=1e-12)


def test_short_time_excess_decay_is_single_atom_emission_into_empty_cavity():
    # Exact: d^2<sigma^-_i>/dt^2 gains -g_i^2 <sigma^-_i> from <a sigma^z_i>, which mean field
    # factorises to <a><sigma^z_i> = 0: each atom's coherence decays as cos(g_i t) (vacuum
    # Rabi emission). So S+_exact - S+_MF = c t^2 + O(t^3) with
    # c = -(1/2N) sum_i g_i^2 <sigma^+_i>(0) = -(Delta_c / 4N^2) sum_i f_i^2 for spins along +x
    # (units of chi N, g_i^2 = Delta_c f_i^2 / N), independent of eps_i and of the losses.
    m = _lab_like(10)
    N = m.n_pairs
    c = -m.delta_c / (4 * N ** 2) * np.sum(m.couplings ** 2)
    ex = cb.exact_quench(m, 0.004, 3)
    mf = cb.quench(m, 0.004, 3, rtol=1e-13, atol=1e-15)
    cu = cumulant_quench(m, 0.004, 3, rtol=1e-13, atol=1e-15)
    t = ex.t[1:]
    exact_c = (ex.s_plus[1:] - mf.s_plus[1:]) / t ** 2
    cumulant_c = (cu.s_plus[1:] - mf.s_plus[1:]) / t ** 2
    # Richardson: remove the O(t^3) term with the two times
    for series in (exact_c, cumulant_c):
        extrapolated = 2 * series[0] - series[1]
        assert abs(extrapolated - c) < 3e-4 * abs(c)
    # the cumulants are exact to O(t^3): their gap to the exact curve is far below c t^2
    assert np.max(np.abs(ex.s_plus[1:] - cu.s_plus[1:]) / np.abs(c * t ** 2)) < 0.01


def test_cumulant_error_falls_as_inverse_square_of_atom_number():
    # W = 0, equal couplings (two Dicke groups, exact in the collective basis): mean field
    # misses the O(1/N) corrections, second-order cumulants capture them, leaving O(1/N^2).
    errors = []
    for n in (20, 40, 80):
        m = cb.Model(eps0=6.0, W=0.0, delta_c=6.0, n_atoms=n)
        ex = cb.exact_quench(m, 2.0, 81)
        mf = cb.quench(m, 2.0, 81)
        cu = cumulant_quench(m, 2.0, 81)
        errors.append((np.abs(ex.s_plus - mf.s_plus).max(), np.abs(ex.s_plus - cu.s_plus).max()))
    errors = np.array(errors)
    mf_slope = np.polyfit(np.log([20, 40, 80]), np.log(errors[:, 0]), 1)[0]
    cu_slope = np.polyfit(np.log([20, 40, 80]), np.log(errors[:, 1]), 1)[0]
    assert -1.15 < mf_slope < -0.85
    assert -2.2 < cu_slope < -1.7
    assert np.all(errors[:, 1] < 0.15 * errors[:, 0])


@pytest.mark.slow
def test_cumulants_track_master_equation_longer_than_mean_field():
    # 6 atoms, inhomogeneous eps_i and g_i, cavity loss and spontaneous decay: the exact
    # Lindblad evolution (density matrix, 256 states) against mean field and cumulants.
    m = _lab_like(6, kappa=0.5, gamma=0.1)
    T, n_save = 3.0, 151
    ex = cb.exact_master_equation(m, T, n_save)
    mf = cb.quench(m, T, n_save)
    cu = cumulant_quench(m, T, n_save)
    for threshold in (0.01, 0.02, 0.05, 0.1):
        t_mf = first_departure(ex.t, ex.coherence, mf.coherence, threshold)
        t_cu = first_departure(ex.t, ex.coherence, cu.coherence, threshold)
        assert t_cu > t_mf, threshold
    # incoherent photons: mean field has none, the cumulants get them right at short times
    early = ex.t <= 0.5
    assert np.max(np.abs(cu.n_photon - ex.n_photon)[early]) < 0.1 * np.max(np.abs(mf.n_photon - ex.n_photon)[early])
    # the loss law holds along the run: excitations follow the exact ones
    assert np.max(np.abs(cu.excitations - ex.excitations)[early]) < 2e-3


def test_cumulants_track_exact_closed_dynamics_longer_than_mean_field():
    m = _lab_like(10)
    ex = cb.exact_quench(m, 4.0, 201)
    mf = cb.quench(m, 4.0, 201)
    cu = cumulant_quench(m, 4.0, 201)
    for threshold in (0.01, 0.02, 0.05, 0.1):
        assert first_departure(ex.t, ex.coherence, cu.coherence, threshold) > \
            first_departure(ex.t, ex.coherence, mf.coherence, threshold)


def test_truncation_blows_up_for_few_atoms_later_for_more():
    # Second-order cumulants are not a positive description. For closed atoms in the Fig. 1
    # bands the correlations grow to O(1) and then without bound (|S+| > 1, negative photon
    # fluctuations just before), at a time that grows with N (measured with these quantile
    # energies and cosine couplings: 2N = 8, 16, 24 -> t = 10.2, 20.3, 26.5; 2N = 80 -> 84).
    # The integrator stops with an IntegrationError that says when, rather than return garbage;
    # the excitations and the energy are still conserved to 1e-12 up to then.
    times = []
    for n in (8, 16, 24):
        with pytest.raises(cb.IntegrationError, match="cumulant quench") as err:
            cumulant_quench(_lab_like(n), 40.0, 41)
        times.append(err.value.t_reached)
    assert 8.0 < times[0] < times[1] < times[2] < 40.0
    before = cumulant_quench(_lab_like(8), 9.0, 91)
    assert np.ptp(before.excitations) < 1e-10 and np.ptp(before.energy) < 1e-9


def test_bad_arguments_raise_value_error():
    m = _lab_like(8)
    with pytest.raises(ValueError):
        cumulant_quench(m, 1.0, order=3)
    with pytest.raises(ValueError):
        cumulant_quench(m, 1.0, classes=(4,))
    with pytest.raises(ValueError):
        cumulant_quench(m, -1.0)
    with pytest.raises(ValueError):
        cumulant_quench(m, 1.0, photon=0.1, initial=cb.x_polarized(m))
    with pytest.raises(ValueError):
        cumulant_quench(m, 1.0, classes=cumulant_classes(_lab_like(10)))


def test_binned_classes_hold_every_atom():
    m = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=400)
    res = cumulant_quench(m, 1.0, 11, classes=(8, 1))
    assert res.n_classes == 16 and res.weights.sum() == 400
    assert np.ptp(res.excitations) < 1e-9
