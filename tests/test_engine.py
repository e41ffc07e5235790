"""The one mean-field engine entry point: every caller goes through it, every failure is a sentence."""
import numpy as np
import pytest

import cavity_bcs as cb
from cavity_bcs.meanfield import _engine, _equations

FIG1 = dict(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=40)


def _physics(m, **changes):
    p = dict(eps=m.eps, f=m.couplings, w=np.ones(m.n_atoms), G=m.g_collective, delta_c=m.delta_c, kappa=m.kappa,
             gamma=m.gamma, dephasing=m.dephasing, adiabatic=False, inv_n=1.0 / m.n_pairs)
    p.update(changes)
    return _equations.physics(**p)


@pytest.mark.parametrize("method", ["taylor", "dop853"])
def test_step_limit_becomes_an_integration_error_naming_time_and_remedy(method):
    with pytest.raises(cb.IntegrationError) as err:
        # 60 steps pass the a-priori bound (40 for t = 50 at the fastest frequency 10) but not the run
        cb.quench(cb.Model(**FIG1), 50.0, n_save=2, method=method, max_steps=60)
    text = str(err.value)
    assert "quench stopped at t = " in text and "max_steps = 60" in text and "Raise max_steps" in text
    # the reported time is where it stopped, before the end
    t_stop = float(text.split("t = ")[1].split()[0])
    assert 0.0 < t_stop < 50.0


def test_a_run_that_cannot_finish_is_refused_before_it_starts():
    import time
    start = time.perf_counter()
    with pytest.raises(ValueError, match="needs at least .* steps"):
        cb.quench(cb.Model(**FIG1), 1e300)
    with pytest.raises(ValueError, match="would need about .* GB"):
        cb.quench(cb.Model(**FIG1), 1.0, n_save=10**10)
    assert time.perf_counter() - start < 1.0


def test_non_finite_state_becomes_an_integration_error_with_a_reason():
    m = cb.Model(**FIG1)
    y0 = _equations.pack(cb.x_polarized(m))
    y0[0] = np.nan  # a state no public function accepts: the engine must still answer in words
    with pytest.raises(cb.IntegrationError, match="NaN or infinite"):
        _engine.integrate(y0, np.linspace(0, 1, 3), _physics(m), rtol=1e-8, atol=1e-10, max_steps=1000,
                          save_state=False, method="dop853", what="test run")


def test_every_mean_field_caller_reports_through_the_engine():
    # TWA samples, the coarse-grained class model and the drive preparation share the engine,
    # so they share its refusal (and its sentence) when the step limit is hit
    m = cb.Model(**FIG1, kappa=0.1)
    with pytest.raises(cb.IntegrationError, match="TWA sample 0 stopped at t = "):
        cb.twa_quench(m, 20.0, n_samples=2, n_save=3, max_steps=20, workers=1)
    with pytest.raises(cb.IntegrationError, match="drive simulation stopped at t = "):
        cb.simulate_drive(cb.Model(**FIG1), duration=50.0, max_steps=40)
    coarse = cb.coarse_grain(m, 4, 1)
    with pytest.raises(cb.IntegrationError, match="coarse quench stopped at t = "):
        cb.coarse_quench(coarse, 20.0, n_save=3, max_steps=20)


def test_taylor_refuses_what_it_cannot_integrate_and_names_the_obstacle():
    m = cb.Model(**FIG1, gamma=0.1)
    with pytest.raises(ValueError, match="gamma > 0"):
        cb.quench(m, 1.0, method="taylor")
    assert cb.quench(m, 1.0, n_save=2).method == "dop853"
    assert cb.quench(cb.Model(**FIG1), 1.0, n_save=2).method == "taylor"


def test_state_layout_round_trips():
    m = cb.Model(**FIG1)
    state = cb.x_polarized(m, delta_phi0=0.3, photon=0.2 - 0.1j)
    back = cb.meanfield.unpack_state(cb.meanfield.pack_state(state))
    assert np.array_equal(back.spins, state.spins) and back.photon == state.photon
    batch = np.stack([state.spins, -state.spins])
    packed = _equations.pack(batch, np.array([1j, 2.0]))
    assert packed.shape == (2, 3 * m.n_atoms + 2)
    assert np.array_equal(_equations.unpack_spins(packed), batch)
    assert np.array_equal(_equations.unpack_photon(packed), [1j, 2.0])


def test_public_time_derivative_is_the_engines_right_hand_side():
    # integrating the public right-hand side with scipy reproduces cb.quench
    from scipy.integrate import solve_ivp
    m = cb.Model(**FIG1, kappa=0.3)
    init = cb.x_polarized(m, photon=0.1)
    sol = solve_ivp(lambda t, y: cb.meanfield.time_derivative(m, y), (0.0, 5.0), cb.meanfield.pack_state(init),
                    method="DOP853", rtol=1e-11, atol=1e-13)
    ref = cb.quench(m, 5.0, n_save=2, initial=init, rtol=1e-12)
    assert np.max(np.abs(sol.y[:, -1] - cb.meanfield.pack_state(ref.final))) < 1e-8


def _interrupt_after(code, seconds=2.0):
    """Start ``code`` in a fresh interpreter, send it SIGINT after ``seconds``; return (stderr, delay to exit)."""
    import os
    import signal
    import subprocess
    import sys
    import time
    env = {**os.environ, "CAVITY_BCS_PROGRESS": "0"}
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    assert proc.stdout.readline().strip() == "started"  # compiled and integrating
    time.sleep(seconds)
    sent = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    return err, time.perf_counter() - sent


@pytest.mark.parametrize("method", ["taylor", "dop853"])
def test_ctrl_c_stops_a_long_quench_promptly(method):
    # warm the kernels first (a compile cannot be interrupted), then start a run of minutes
    code = ("import cavity_bcs as cb\n"
            "m = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=2000)\n"
            f"cb.quench(m, 1.0, n_save=2, method='{method}')\n"
            "print('started', flush=True)\n"
            f"cb.quench(m, 1e6, n_save=2, method='{method}', max_steps=10**9)\n")
    err, delay = _interrupt_after(code)
    assert "KeyboardInterrupt" in err and "quench interrupted at t = " in err
    assert delay < 5.0


def test_progress_bar_follows_the_integration_time(capsys):
    cb.quench(cb.Model(**FIG1), 20.0, n_save=3, progress=True)
    err = capsys.readouterr().err
    assert "quench" in err and "t = " in err
    cb.quench(cb.Model(**FIG1), 20.0, n_save=3, progress=False)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("kind", ["exact", "twa-ode", "twa-sde"])
def test_ctrl_c_stops_long_exact_and_twa_runs_promptly(kind):
    # each first runs briefly (compiles), then starts a run of many minutes and is sent SIGINT
    setup = {
        "exact": ("m = cb.Model(eps0=2.0, W=1.0, delta_c=3.0, n_atoms=12)\n"
                  "run = lambda t: cb.exact_quench(m, t, n_save=2, basis='full', method='chebyshev', workers=1)\n",
                  "exact_quench"),
        "twa-ode": ("m = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=400)\n"
                    "run = lambda t: cb.twa_quench(m, t, n_samples=4, n_save=2, seed=1, workers=1, max_steps=10**9)\n",
                    "interrupted"),
        "twa-sde": ("m = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=400, kappa=0.5)\n"
                    "run = lambda t: cb.twa_quench(m, t, n_samples=4, n_save=2, seed=1, workers=2, max_steps=10**12)\n",
                    "interrupted"),
    }
    code, expected = setup[kind]
    err, delay = _interrupt_after("import cavity_bcs as cb\n" + code
                                  + "run(0.1)\nprint('started', flush=True)\nrun(1e5)\n")
    assert "KeyboardInterrupt" in err and expected in err, err[-500:]
    assert delay < 5.0


def test_exact_and_twa_show_progress_when_asked(capsys):
    m = cb.Model(eps0=2.0, W=1.0, delta_c=3.0, n_atoms=6)
    cb.exact_quench(m, 1.0, n_save=5, method="chebyshev", progress=True)
    assert "exact_quench" in capsys.readouterr().err
    cb.twa_quench(m, 1.0, n_samples=4, n_save=3, seed=1, progress=True)
    assert "twa_quench" in capsys.readouterr().err
    cb.twa_quench(m, 1.0, n_samples=4, n_save=3, seed=1, progress=False)
    cb.exact_quench(m, 1.0, n_save=5, method="chebyshev", progress=False)
    assert capsys.readouterr().err == ""
