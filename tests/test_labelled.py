"""Labelled results: ``to_xarray()`` holds exactly the result's arrays on the right
coordinates, with the model and settings as attributes, and survives a netCDF round trip."""
import dataclasses
import subprocess
import sys

import numpy as np
import pytest

import cavity_bcs as cb
from cavity_bcs import labelled

xr = pytest.importorskip("xarray")

MODEL = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=40)


def _round_trip(ds, tmp_path, name="result.nc"):
    path = tmp_path / name
    ds.to_netcdf(path, engine="scipy")  # netCDF-3 through scipy: needs no library beyond xarray's own deps
    with xr.open_dataset(path, engine="scipy") as back:
        back = back.load()
    xr.testing.assert_identical(back, ds)
    for name_, value in ds.attrs.items():  # assert_identical compares attributes by equality; check types survive too
        assert np.asarray(back.attrs[name_]).dtype.kind == np.asarray(value).dtype.kind or isinstance(value, str), name_
    return back


def _assert_model_attributes(ds, model):
    for f in dataclasses.fields(model):
        value = getattr(model, f.name)
        if value is None:
            assert f"model_{f.name}" not in ds.attrs and f"model_{f.name}" not in ds
        elif isinstance(value, np.ndarray):
            np.testing.assert_array_equal(ds[f"model_{f.name}"].values, value)
        else:
            assert ds.attrs[f"model_{f.name}"] == value, f.name


def test_import_cavity_bcs_does_not_import_xarray():
    code = "import sys, cavity_bcs; print([m for m in ('xarray', 'pandas') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]", out


def test_quench_dataset_holds_the_result_arrays_on_time(tmp_path):
    r = cb.quench(MODEL, 4.0, n_save=21)
    ds = r.to_xarray()
    np.testing.assert_array_equal(ds["time"].values, r.t)
    assert ds["s_plus_real"].dims == ("time",)
    np.testing.assert_array_equal(ds["s_plus_real"].values, r.s_plus.real)
    np.testing.assert_array_equal(ds["s_plus_imag"].values, r.s_plus.imag)
    np.testing.assert_array_equal(ds["photon_imag"].values, r.photon.imag)
    for name in ("n_photon", "excitations", "energy", "coherence"):
        np.testing.assert_array_equal(ds[name].values, getattr(r, name))
    np.testing.assert_array_equal(labelled.complex_variable(ds, "s_plus").values, r.s_plus)
    _assert_model_attributes(ds, MODEL)
    assert ds.attrs["adiabatic"] == 0 and ds.attrs["method"] == r.method and ds.attrs["n_steps"] == r.n_steps
    assert ds.attrs["result_type"] == "QuenchResult"
    assert ds["energy"].attrs["units"] == "chi N" and ds["time"].attrs["units"] == "1/(chi N)"
    back = _round_trip(ds, tmp_path)
    # the physics survives too: |S+| from the stored parts is the stored coherence
    np.testing.assert_allclose(np.abs(labelled.complex_variable(back, "s_plus")), back["coherence"], rtol=1e-15)


def test_quench_with_saved_states_and_given_atoms_round_trips(tmp_path):
    n = 12
    model = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=n, kappa=0.5,
                     energies=np.linspace(-3.0, 3.0, n), coupling_profile=np.linspace(0.5, 1.0, n))
    r = cb.quench(model, 2.0, n_save=9, save_states=True, adiabatic=True)
    ds = r.to_xarray()
    assert ds["bloch"].dims == ("time", "atom", "component")
    np.testing.assert_array_equal(ds["bloch"].values, r.states)
    assert list(ds["component"].values) == ["x", "y", "z"]
    _assert_model_attributes(ds, model)
    assert ds["model_energies"].dims == ("atom",)
    assert ds.attrs["adiabatic"] == 1
    _round_trip(ds, tmp_path)


def test_sweep_dataset_has_one_coordinate_per_swept_parameter(tmp_path):
    grid = {"delta_c": np.array([5.0, 7.0, 9.0]), "W": np.array([4.0, 8.0])}
    s = cb.sweep(MODEL, grid, 3.0, n_save=61, workers=1, progress=False)
    ds = s.to_xarray()
    assert tuple(ds.sizes) == ("delta_c", "W") and tuple(ds.sizes.values()) == s.shape
    for name, axis in grid.items():
        np.testing.assert_array_equal(ds[name].values, axis)
    for name, values in s.values.items():
        assert ds[name].dims == ("delta_c", "W")
        np.testing.assert_array_equal(ds[name].values, values)
    # a point of the grid is the quench of that point's model: label-based selection finds it
    point = ds.sel(delta_c=9.0, W=4.0)
    assert point["coherence_avg"].item() == s.values["coherence_avg"][2, 0]
    _assert_model_attributes(ds, s.base)
    np.testing.assert_array_equal(ds.attrs["window"], np.asarray(s.settings["window"], dtype=float))
    assert ds.attrs["t_final"] == s.settings["t_final"]
    _round_trip(ds, tmp_path)


def test_sweep_over_atom_numbers_keeps_integer_coordinates(tmp_path):
    s = cb.sweep(MODEL, {"n_atoms": [20, 40]}, 1.0, n_save=21, workers=1, progress=False)
    ds = s.to_xarray()
    assert ds["n_atoms"].dtype.kind == "i" and list(ds["n_atoms"].values) == [20, 40]
    back = _round_trip(ds, tmp_path)
    assert back["n_atoms"].dtype.kind == "i"


def test_phase_diagram_dataset_holds_counts_flags_and_names(tmp_path):
    d = cb.phase_diagram(np.array([3.0, 10.3, 40.0]), np.array([4.0, 8.0]), 6.0, workers=1)
    ds = d.to_xarray()
    assert ds["n_pairs"].dims == ("delta_c", "W")
    np.testing.assert_array_equal(ds["delta_c"].values, d.delta_c)
    np.testing.assert_array_equal(ds["W"].values, d.W)
    for name in ("n_pairs", "n_near_axis", "ok", "unsure", "phase_index"):
        np.testing.assert_array_equal(ds[name].values, getattr(d, name))
    np.testing.assert_array_equal(ds["phase"].values.astype(str), d.phases.astype(str))
    # the point of the architecture test (10.3, W = 8) is phase I+1, by name
    assert ds["phase"].sel(delta_c=10.3, W=8.0).item() == "I+1"
    assert ds.attrs["eps0"] == 6.0 and ds.attrs["adiabatic"] == 0 and ds.attrs["photon"] == "vacuum"
    back = _round_trip(ds, tmp_path)
    assert back["ok"].dtype == bool


def test_phase_diagram_with_a_complex_photon_stores_its_parts():
    d = cb.phase_diagram(np.array([10.3]), np.array([8.0]), 6.0, photon=0.1 - 0.2j, workers=1)
    ds = d.to_xarray()
    assert (ds.attrs["photon_real"], ds.attrs["photon_imag"]) == (0.1, -0.2)


def test_exact_dataset_round_trips_and_leaves_out_none(tmp_path):
    model = cb.Model(eps0=6.0, W=0.0, delta_c=7.0, n_atoms=6)
    r = cb.exact_quench(model, 1.0, n_save=11)
    ds = r.to_xarray()
    for name in ("n_photon", "excitations", "energy", "pair_correlation", "norm", "coherence", "pair_coherence"):
        np.testing.assert_array_equal(ds[name].values, getattr(r, name))
    np.testing.assert_array_equal(labelled.complex_variable(ds, "photon").values, r.photon)
    assert ds.attrs["basis"] == r.basis and ds.attrs["dimension"] == r.dimension and ds.attrs["mixed"] == 0
    for f in dataclasses.fields(r):
        if getattr(r, f.name) is None:
            assert f.name not in ds.attrs and f.name not in ds
    _round_trip(ds, tmp_path)


def test_twa_dataset_keeps_errors_beside_means(tmp_path):
    model = cb.Model(eps0=6.0, W=8.0, delta_c=7.0, n_atoms=10)
    r = cb.twa_quench(model, 1.0, n_samples=16, n_save=11, seed=3, workers=1)
    ds = r.to_xarray()
    np.testing.assert_array_equal(labelled.complex_variable(ds, "s_plus_err").values, r.s_plus_err)
    np.testing.assert_array_equal(ds["coherence_err"].values, r.coherence_err)
    np.testing.assert_array_equal(ds["pair_correlation"].values, r.pair_correlation)
    assert ds.attrs["n_samples"] == 16 and ds.attrs["seed"] == 3 and ds.attrs["method"] == r.method
    _round_trip(ds, tmp_path)


def test_complex_variable_and_model_attributes_refuse_bad_input():
    ds = cb.quench(MODEL, 0.5, n_save=3).to_xarray()
    with pytest.raises(TypeError, match="name"):
        labelled.complex_variable(ds, 3)
    with pytest.raises(ValueError, match="energy"):
        labelled.complex_variable(ds, "energy")  # real: there is no energy_real/energy_imag
    with pytest.raises(TypeError, match="model"):
        labelled.model_attributes({"eps0": 6.0})


def test_to_xarray_without_xarray_names_the_extra(monkeypatch):
    r = cb.quench(MODEL, 0.5, n_save=3)
    monkeypatch.setitem(sys.modules, "xarray", None)  # import xarray now fails
    with pytest.raises(ModuleNotFoundError, match=r"cavity-bcs\[xarray\]"):
        r.to_xarray()
