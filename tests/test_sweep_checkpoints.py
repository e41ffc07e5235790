"""Sweeps lose no finished point: kills at random moments, damaged and forged checkpoints, two sweeps on one file."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import cavity_bcs as cb
from cavity_bcs.meanfield._checkpoint import CheckpointWarning
from cavity_bcs.meanfield.sweep import OBSERVABLES, SAVE_EVERY

BASE = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=40)
GRID = {"delta_c": np.geomspace(0.5, 20.0, 6)}


def _small_sweep(path, **kw):
    return cb.sweep(BASE, GRID, 10.0, n_save=101, progress=False, checkpoint=path, **kw)


# A child process runs a sweep whose pool logs the wall time at which each point finished
# (flushed at once), so the parent knows which points were finished when it killed the child.
CHILD = textwrap.dedent("""
    import json, sys, time
    from concurrent.futures import ThreadPoolExecutor
    import numpy as np
    import cavity_bcs as cb
    path, log = sys.argv[1], open(sys.argv[2], "a")
    class Logged(ThreadPoolExecutor):
        def submit(self, fn, *args):
            future = super().submit(fn, *args)
            key = json.dumps({k: float(v) for k, v in args[1].items()})
            future.add_done_callback(lambda f: (log.write(f"{time.time()} {key}\\n"), log.flush()))
            return future
    base = cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=200)
    grid = {"delta_c": np.geomspace(0.5, 20.0, 30), "W": np.linspace(2.0, 10.0, 10)}
    print("ready", flush=True)
    cb.sweep(base, grid, 60.0, n_save=601, progress=False, checkpoint=path, executor=Logged(max_workers=2))
    print("finished", flush=True)
""")


# The resumed and the uninterrupted sweep both run in fresh processes, like the killed children: a kernel
# that numba compiled in this very process and the same kernel loaded from numba's on-disk cache can differ
# in the last bit (measured: 1e-15 in |S+| on a cold cache), and the test is about the sweep, not numba.
FINISH = textwrap.dedent("""
    import sys
    import numpy as np
    import cavity_bcs as cb
    from cavity_bcs.meanfield.sweep import OBSERVABLES
    checkpoint, out = (sys.argv[1] or None), sys.argv[2]
    grid = {"delta_c": np.geomspace(0.5, 20.0, 30), "W": np.linspace(2.0, 10.0, 10)}
    r = cb.sweep(cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=200), grid, 60.0, n_save=601, progress=False,
                 checkpoint=checkpoint)
    np.savez(out, **{name: r[name] for name in OBSERVABLES})
""")


def _sweep_elsewhere(tmp_path, checkpoint, name, env):
    out = tmp_path / f"{name}.npz"
    subprocess.run([sys.executable, "-c", FINISH, str(checkpoint or ""), str(out)], check=True, env=env)
    with np.load(out) as saved:
        return {key: saved[key] for key in saved.files}


def _finished_before(log_path, moment):
    points = set()
    with open(log_path) as fh:
        for line in fh:
            stamp, key = line.split(" ", 1)
            if float(stamp) < moment:
                points.add(key.strip())
    return points


def _done_points(path, axes):
    with np.load(path, allow_pickle=False) as saved:
        done = saved["done"]
    names = list(axes)
    return {json.dumps({n: float(axes[n][i]) for n, i in zip(names, idx)}) for idx in zip(*np.nonzero(done))}


@pytest.mark.slow
def test_killed_sweeps_lose_no_point_finished_a_second_before_the_kill_and_resume_bit_identically(tmp_path):
    path, log = tmp_path / "sweep.npz", tmp_path / "finished.log"
    axes = {"delta_c": np.geomspace(0.5, 20.0, 30), "W": np.linspace(2.0, 10.0, 10)}
    rng = np.random.default_rng(7)
    env = {**os.environ, "CAVITY_BCS_PROGRESS": "0"}
    kills, checked = 0, 0
    # compile the kernels into numba's cache first, so that the children spend their time sweeping
    warm = ("import cavity_bcs as cb; cb.sweep(cb.Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=200), "
            "{'delta_c': [1.0, 2.0]}, 1.0, n_save=11, progress=False)")
    subprocess.run([sys.executable, "-c", warm], check=True, env=env)
    for _ in range(6):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(log)], stdout=subprocess.PIPE, text=True,
                                 env=env)
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.3, 2.5))
        killed_at = time.time()
        child.send_signal(signal.SIGKILL)
        child.wait()
        kills += 1
        if not path.exists():
            continue
        # every point finished more than SAVE_EVERY (plus scheduling slack) before the kill is on disk
        must_have = _finished_before(log, killed_at - SAVE_EVERY - 0.5)
        assert must_have <= _done_points(path, axes)
        checked += len(must_have)
    assert kills == 6 and path.exists()
    assert checked > 0  # the kills did come after finished points, so the check above was not vacuous
    resumed = _sweep_elsewhere(tmp_path, path, "resumed", env)
    fresh = _sweep_elsewhere(tmp_path, None, "fresh", env)
    for name in OBSERVABLES:
        assert np.array_equal(resumed[name], fresh[name]), name


def _forge(path, **changes):
    with np.load(path, allow_pickle=False) as saved:
        data = {k: saved[k] for k in saved.files}
    data.update(changes)
    np.savez(path, **data)


@pytest.mark.parametrize("damage", ["wrong shape", "nan marked done", "truncated", "not a zip", "missing key"])
def test_damaged_checkpoint_is_reported_and_set_aside_never_trusted(tmp_path, damage):
    path = tmp_path / "sweep.npz"
    reference = _small_sweep(path)
    with np.load(path, allow_pickle=False) as saved:
        values = saved["values"]
    if damage == "wrong shape":
        _forge(path, values=values[:, :3])
    elif damage == "nan marked done":
        values = values.copy()
        values[0, 2] = np.nan
        _forge(path, values=values)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    elif damage == "not a zip":
        path.write_text("hello")
    else:
        with np.load(path, allow_pickle=False) as saved:
            np.savez(path, signature=saved["signature"], values=saved["values"])
    with pytest.warns(CheckpointWarning):
        again = _small_sweep(path)
    for name in OBSERVABLES:
        assert np.array_equal(again[name], reference[name])  # recomputed, not read from the damaged file
    assert len(list(tmp_path.glob("sweep.npz.damaged-*"))) == 1


def test_missing_checkpoint_directory_is_refused_before_any_work(tmp_path):
    start = time.perf_counter()
    with pytest.raises(ValueError, match="does not exist"):
        _small_sweep(tmp_path / "no" / "such" / "dir" / "sweep.npz")
    assert time.perf_counter() - start < 0.5


def test_second_sweep_on_a_checkpoint_in_use_refuses_clearly(tmp_path):
    from cavity_bcs.meanfield._checkpoint import Checkpoint
    path = tmp_path / "sweep.npz"
    holder = Checkpoint(path, "other", (1,), (1,))
    with holder, pytest.raises(ValueError, match="another sweep is running"):
        _small_sweep(path)
    _small_sweep(path)  # the lock is gone with the first sweep


def test_temporary_files_are_unique_and_cleaned_up(tmp_path):
    path = tmp_path / "sweep.npz"
    _small_sweep(path)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name not in ("sweep.npz", "sweep.npz.lock")]
    assert leftovers == []


@pytest.mark.parametrize("bad, match", [
    (dict(adiabatic="False"), "adiabatic"),
    (dict(progress="yes"), "progress"),
    (dict(workers=float("nan")), "workers"),
    (dict(workers=0), "workers"),
    (dict(executor="abc"), "executor"),
    (dict(photon=None), "photon"),
    (dict(window=(1.0,)), "window"),
])
def test_bad_sweep_arguments_are_refused_by_name(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        cb.sweep(BASE, GRID, 10.0, n_save=11, **bad)


def test_non_integer_atom_numbers_are_refused_not_rounded():
    with pytest.raises(ValueError, match="n_atoms"):
        cb.sweep(BASE, {"n_atoms": [20.4]}, 2.0, n_save=11, progress=False)
