"""Parameter sweeps: agreement with single quenches, executors, checkpoint and resume."""
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import cavity_bcs as cb
from cavity_bcs.meanfield._checkpoint import CheckpointWarning
from cavity_bcs.meanfield.sweep import OBSERVABLES, quench_observables, sweep

BASE = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=40)
GRID = {"delta_c": [0.5, 3.0, 7.0], "W": [0.0, 8.0]}
T_FINAL = 10.0


def direct(delta_c, W, kappa=0.0):
    m = BASE.replace(delta_c=delta_c, W=W, kappa=kappa)
    return quench_observables(m, T_FINAL, (5.0, 10.0), n_save=201)


@pytest.fixture(scope="module")
def reference():
    return sweep(BASE, GRID, T_FINAL, n_save=201, progress=False)


def test_sweep_points_equal_single_quenches(reference):
    assert reference.shape == (3, 2)
    for i, dc in enumerate(GRID["delta_c"]):
        for j, w in enumerate(GRID["W"]):
            expected = direct(dc, w)
            got = np.array([reference[name][i, j] for name in OBSERVABLES])
            assert np.array_equal(got, expected)


def test_time_average_window_defaults_to_second_half(reference):
    assert reference.settings["window"] == [5.0, 10.0]


def test_kappa_follows_collective_coupling():
    res = sweep(BASE, {"delta_c": [4.0]}, T_FINAL, n_save=201, kappa_per_g=0.1, progress=False)
    # g sqrt(N) = sqrt(delta_c) = 2, so kappa = 0.2.
    assert res["coherence_avg"][0] == direct(4.0, 8.0, kappa=0.2)[0]


def test_any_executor_gives_identical_results(reference):
    with ThreadPoolExecutor(max_workers=1) as pool:
        res = sweep(BASE, GRID, T_FINAL, n_save=201, progress=False, executor=pool)
    for name in OBSERVABLES:
        assert np.array_equal(res[name], reference[name])


def test_dask_local_cluster_runs_the_same_sweep(reference):
    distributed = pytest.importorskip("distributed", reason="dask.distributed not installed (pip install .[cluster])")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        res = sweep(BASE, GRID, T_FINAL, n_save=201, progress=False, executor=client)
    for name in OBSERVABLES:
        assert np.array_equal(res[name], reference[name])


class _Interrupting:
    """Executor whose futures raise once ``limit`` results have been collected."""

    def __init__(self, limit):
        self.limit, self.collected, self.submitted = limit, 0, 0

    def submit(self, fn, *args):
        self.submitted += 1
        outer = self

        class Future:
            def result(self):
                if outer.collected >= outer.limit:
                    raise KeyboardInterrupt("simulated interruption")
                outer.collected += 1
                return fn(*args)

        return Future()


def test_interrupted_sweep_resumes_without_recomputing(tmp_path, reference):
    path = tmp_path / "sweep.npz"
    with pytest.raises(KeyboardInterrupt):
        sweep(BASE, GRID, T_FINAL, n_save=201, progress=False, executor=_Interrupting(4), checkpoint=path)
    with np.load(path, allow_pickle=False) as saved:
        assert saved["done"].sum() == 4
    counter = _Interrupting(limit=10 ** 6)
    res = sweep(BASE, GRID, T_FINAL, n_save=201, progress=False, executor=counter, checkpoint=path)
    assert counter.submitted == 2  # only the unfinished points
    for name in OBSERVABLES:
        assert np.array_equal(res[name], reference[name])


def test_checkpoint_of_another_sweep_is_set_aside_not_trusted(tmp_path):
    path = tmp_path / "sweep.npz"
    sweep(BASE, {"delta_c": [1.0]}, T_FINAL, n_save=201, progress=False, checkpoint=path)
    counter = _Interrupting(limit=10 ** 6)
    with pytest.warns(CheckpointWarning, match="different sweep"):
        sweep(BASE, {"delta_c": [2.0]}, T_FINAL, n_save=201, progress=False, executor=counter, checkpoint=path)
    assert counter.submitted == 1
    assert len(list(tmp_path.glob("sweep.npz.damaged-*"))) == 1  # kept for inspection, not deleted


@pytest.mark.parametrize("kwargs, name", [
    (dict(grid={"g": [1.0]}), "g"),
    (dict(grid={"delta_c": [1.0, -1.0]}), "delta_c"),
    (dict(grid={"delta_c": [np.nan]}), "delta_c"),
    (dict(grid={}), "grid"),
    (dict(grid={"W": [1.0]}, window=(8.0, 20.0)), "window"),
    (dict(grid={"kappa": [0.1]}, kappa_per_g=0.1), "kappa"),
])
def test_bad_sweep_input_raises_value_error(kwargs, name):
    grid = kwargs.pop("grid")
    with pytest.raises(ValueError, match=name):
        sweep(BASE, grid, T_FINAL, progress=False, **kwargs)
