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


def test_in_the_drive_frame_the_field_lies_along_x_and_the_spins_precess_about_it():
    """The frame turning with the photon's phase theta(t): each spin obeys d(sigma)/dt = 2 h x sigma with
    h = (G f_i |alpha|, 0, eps_i - theta'/2) (the transverse field along +x, the frame's rotation taken
    off the z field); the rotation changes neither sigma^z nor |sigma|. In phase I+1 theta' is the drive
    frequency mu, so h is the static field of the drive picture."""
    import numpy as np

    model = cb.Model(eps0=6.0, W=8.0, delta_c=10.3, n_atoms=200)
    r = cb.quench(model, 80.0, n_save=16001, save_states=True)
    spins = cb.drive_frame(r)
    assert np.array_equal(spins[..., 2], r.states[..., 2])
    assert np.allclose(np.linalg.norm(spins, axis=-1), np.linalg.norm(r.states, axis=-1), atol=1e-13)
    dt = r.t[1] - r.t[0]
    theta = np.unwrap(np.arctan2(-r.photon.imag, r.photon.real))
    turn = (theta[2:] - theta[:-2]) / (2 * dt)
    rate = (spins[2:] - spins[:-2]) / (2 * dt)  # central differences: relative error ~ (omega dt)^2 / 6
    h = np.stack([model.g_collective * model.couplings[None, :] * np.abs(r.photon[1:-1, None]),
                  np.zeros((len(turn), model.n_atoms)),
                  model.eps[None, :] - 0.5 * turn[:, None]], axis=-1)
    predicted = 2 * np.cross(h, spins[1:-1])
    late = r.t[1:-1] > 5.0  # after the photon has built up (its phase is defined)
    worst = np.max(np.abs(rate[late] - predicted[late]))
    # (omega dt)^2/6 ~ 2e-3 for the fastest spins; a wrong frame (sign or rotation) errs by O(1)
    assert worst < 1e-2 * np.max(np.abs(predicted[late])), worst
    mu = photon_drive(r, t_min=40.0).mu
    assert abs(np.median(turn[r.t[1:-1] > 40.0]) / mu - 1) < 0.02  # the frame turns at the drive frequency


def test_drive_frame_refuses_results_without_states():
    model = cb.Model(eps0=6.0, W=8.0, delta_c=10.3, n_atoms=20)
    with pytest.raises(ValueError, match="save_states"):
        cb.drive_frame(cb.quench(model, 1.0, n_save=11))


def test_bloch_sphere_draws_every_path_and_refuses_a_flat_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from cavity_bcs import plotting

    t = np.linspace(0, 1, 50)
    path = np.stack([np.cos(t), np.sin(t), 0 * t], axis=1)
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    plotting.bloch_sphere(ax, [path, path[::-1]], labels=["a", "b"], fields=[(1, 0, 0), (0, 0, 2)])
    assert [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")] == ["a", "b"]
    with pytest.raises(TypeError, match="3-D"):
        plotting.bloch_sphere(fig.add_subplot(2, 2, 1), [path])
    with pytest.raises(ValueError, match="shape"):
        plotting.bloch_sphere(ax, [path[:, :2]])
    plt.close(fig)
