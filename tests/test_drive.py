"""The photon-as-a-drive picture (Eq. 3) against the full dynamics."""
import math

import pytest

import cavity_bcs as cb
from cavity_bcs.meanfield.drive import drive_coherence, photon_drive


@pytest.mark.parametrize("delta_c", [20.0, 60.0])
def test_phase_one_photon_amplitude_follows_analytic_limit(delta_c):
    # Supplement Eq. 10: for Delta_c > W > eps0 the photon settles to a ~ A e^{-i mu t}
    # with mu -> Delta_c and A^2 = N^2 chi/Delta_c, i.e. |alpha|^2 = 1/Delta_c in units of chiN.
    m = cb.Model(eps0=1.0, W=8.0, delta_c=delta_c, n_atoms=800)
    r = cb.quench(m, 150.0, n_save=int(150 * delta_c))
    d = photon_drive(r, t_min=75.0)
    assert d.amplitude_spread < 0.01
    assert abs(d.amplitude ** 2 * delta_c - 1.0) < 0.03
    assert abs(d.mu / delta_c - 1.0) < 0.03


@pytest.mark.parametrize("delta_c", [2.0, 10.3, 15.0])
def test_dephased_precession_predicts_late_coherence_in_phase_one(delta_c):
    # Two methods: the late-time |S+| of the simulation, and the analytic average of
    # spins precessing about their drive-frame fields (using the fitted mu and A).
    m = cb.Model(eps0=6.0, W=8.0, delta_c=delta_c, n_atoms=800)
    r = cb.quench(m, 200.0, n_save=4001)
    d = photon_drive(r, t_min=100.0)
    simulated = r.coherence[r.t >= 100.0].mean()
    predicted = drive_coherence(m, d.mu, d.rabi, "projected")
    assert abs(predicted - simulated) < 0.03 * simulated + 1e-3
    # The aligned picture (paper's Eq. 3) overestimates it.
    assert drive_coherence(m, d.mu, d.rabi, "aligned") > 1.5 * simulated


def test_drive_coherence_limits():
    m = cb.Model(eps0=6.0, W=0.0, delta_c=7.0, n_atoms=4)
    # On resonance (2 eps = mu) the upper band is fully along x: S+ = (1/2N) * N * 1 = 1/2 from it,
    # while the far-detuned lower band contributes Omega^2/(6^2+Omega^2).
    omega = 0.1
    expected = 0.5 * (1.0 + omega ** 2 / (36 + omega ** 2))
    assert math.isclose(drive_coherence(m, 6.0, omega), expected, rel_tol=1e-12)
    assert drive_coherence(m, 6.0, 0.0) == 0.0
    with pytest.raises(ValueError, match="picture"):
        drive_coherence(m, 6.0, 0.1, picture="x")
