r"""Labelled results: every result as an :class:`xarray.Dataset` that saves to netCDF.

``result.to_xarray()`` on :class:`~cavity_bcs.QuenchResult`, :class:`~cavity_bcs.SweepResult`,
:class:`~cavity_bcs.PhaseDiagram`, :class:`~cavity_bcs.ExactResult` and
:class:`~cavity_bcs.TWAResult` calls the functions here. xarray is optional
(``pip install "cavity-bcs[xarray]"``) and imported only when a dataset is made, so
``import cavity_bcs`` does not load it.

Layout of a dataset:

* **Coordinates**: ``time`` (units of :math:`1/\chi N`) for time series; the swept
  parameters (``delta_c``, ``W``, ``eps0``, ``kappa`` in units of :math:`\chi N`,
  ``n_atoms``) for sweeps and phase diagrams; ``atom`` and ``component`` (``x``, ``y``,
  ``z``) for saved Bloch vectors.
* **Variables**: the observables, with ``units`` and ``long_name`` attributes. Complex
  observables (:math:`S^+`, :math:`\langle a\rangle/\sqrt N`) are stored as two real
  variables, ``s_plus_real`` and ``s_plus_imag``, because the netCDF format that
  needs no extra library (netCDF-3, written by scipy) has no complex type; the
  coherence :math:`|S^+|` is stored too. :func:`complex_variable` joins the parts.
* **Attributes**: every :class:`~cavity_bcs.Model` parameter as ``model_<name>``
  (``model_eps0``, ``model_W``, …; given atomic energies or a coupling profile become
  the variables ``model_energies`` and ``model_coupling_profile`` over ``atom``), and the
  settings of the run (``adiabatic``, ``method``, ``n_steps``, …). Attributes are
  netCDF-native: booleans as integers 0/1, a complex number as ``<name>_real`` and
  ``<name>_imag``, ``None`` left out. ``result_type`` names the result class.

So ``ds.to_netcdf(path)`` works with any xarray install, and
``xarray.open_dataset(path)`` gives back the same data and attributes.
"""
from __future__ import annotations

import dataclasses
import numbers

import numpy as np

__all__ = ["complex_variable", "model_attributes", "time_series_dataset", "sweep_dataset", "phase_diagram_dataset"]

#: Units and descriptions of the observables, by attribute name (energies and rates in chi N, times in 1/(chi N)).
_META = {
    "s_plus": ("1", "S+ = (1/N) sum_i <sigma+_i>"),
    "s_plus_err": ("1", "standard error of S+ (real and imaginary parts separately)"),
    "coherence": ("1", "|S+|"),
    "coherence_err": ("1", "standard error of |S+| (linearised)"),
    "photon": ("1", "<a>/sqrt(N)"),
    "n_photon": ("1", "<a^dagger a>/N"),
    "n_photon_err": ("1", "standard error of <a^dagger a>/N"),
    "n_photon_var": ("1", "Var(a^dagger a)/N"),
    "excitations": ("1", "(sum_i <sigma^z_i>/2 + <a^dagger a>)/N"),
    "energy": ("chi N", "<H>/N"),
    "pair_correlation": ("1", "<S+S-> = (1/N^2) sum_ij <sigma+_i sigma-_j>"),
    "pair_correlation_err": ("1", "standard error of <S+S->"),
    "pair_coherence": ("1", "sqrt((1/N^2) sum_{i != j} <sigma+_i sigma-_j>)"),
    "norm": ("1", "<psi|psi> or tr(rho)"),
    "spin_z": ("1", "(1/2N) sum_i <sigma^z_i>"),
    "spin_z_err": ("1", "standard error of (1/2N) sum_i <sigma^z_i>"),
}
_PARAMETER_UNITS = {"delta_c": "chi N", "W": "chi N", "eps0": "chi N", "kappa": "chi N", "gamma": "chi N",
                    "dephasing": "chi N", "n_atoms": "1"}


def _xarray():
    try:
        import xarray
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError("to_xarray() needs xarray, which is not installed: "
                                  "pip install 'cavity-bcs[xarray]'", name="xarray") from exc
    return xarray


def _attribute(attrs: dict, name: str, value) -> None:
    """Store ``value`` under ``name`` in a netCDF-native form (see the module docstring)."""
    if value is None:
        return
    if isinstance(value, (bool, np.bool_)):
        attrs[name] = int(value)
    elif isinstance(value, str):
        attrs[name] = value
    elif isinstance(value, numbers.Integral):
        attrs[name] = int(value)
    elif isinstance(value, numbers.Real):
        attrs[name] = float(value)
    elif isinstance(value, numbers.Complex):
        attrs[f"{name}_real"], attrs[f"{name}_imag"] = float(value.real), float(value.imag)
    elif isinstance(value, (tuple, list, np.ndarray)) and np.ndim(value) == 1 and np.isrealobj(value):
        attrs[name] = np.asarray(value, dtype=float)
    else:
        raise TypeError(f"cannot store {name} = {value!r} ({type(value).__name__}) as a netCDF attribute")


def model_attributes(model) -> tuple[dict, dict]:
    """A :class:`~cavity_bcs.Model` as dataset attributes ``model_<field>`` and, for
    given per-atom arrays (energies, coupling profile), variables over ``atom``.

    Returns ``(attrs, variables)``; ``variables`` maps a name to ``(("atom",), values)``.
    """
    from .model import Model

    if not isinstance(model, Model):
        raise TypeError(f"model must be a cavity_bcs.Model, got {type(model).__name__}")
    attrs, variables = {}, {}
    for f in dataclasses.fields(model):
        value = getattr(model, f.name)
        if isinstance(value, np.ndarray):
            variables[f"model_{f.name}"] = (("atom",), np.asarray(value, dtype=float))
        else:
            _attribute(attrs, f"model_{f.name}", value)
    return attrs, variables


def _variable(dims, values, name: str):
    units, long_name = _META.get(name, ("1", name))
    return dims, values, {"units": units, "long_name": long_name}


def _add_observable(data: dict, name: str, values, dims) -> None:
    values = np.asarray(values)
    if np.iscomplexobj(values):
        units, long_name = _META.get(name, ("1", name))
        data[f"{name}_real"] = (dims, values.real.copy(), {"units": units, "long_name": f"Re {long_name}"})
        data[f"{name}_imag"] = (dims, values.imag.copy(), {"units": units, "long_name": f"Im {long_name}"})
    else:
        if values.dtype == np.int64:
            values = values.astype(np.int32)  # netCDF-3 has no 64-bit integers
        data[name] = _variable(dims, values, name)


def complex_variable(dataset, name: str):
    """``dataset[name + "_real"] + 1j * dataset[name + "_imag"]``: a complex observable
    (``"s_plus"``, ``"photon"``) joined from the two parts stored in the dataset."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a string such as 's_plus', got {type(name).__name__}")
    parts = (f"{name}_real", f"{name}_imag")
    missing = [p for p in parts if p not in dataset.variables]
    if missing:
        raise ValueError(f"name={name!r}: the dataset has no complex observable of that name (missing {missing})")
    joined = dataset[parts[0]] + 1j * dataset[parts[1]]
    return joined.rename(name)


def time_series_dataset(result, derived=("coherence",)):
    """A time-series result (quench, exact, truncated Wigner) as a dataset over ``time``.

    Every array field with one value per saved time becomes a variable (complex ones
    split in two); ``derived`` names properties of the result to add (``"coherence"``,
    ``"pair_coherence"``); saved Bloch vectors (``states``) become ``bloch`` over
    ``(time, atom, component)``; the model and every scalar field become attributes.
    The final :class:`~cavity_bcs.State` is not stored (it is ``bloch`` at the last time
    when states were saved).
    """
    xr = _xarray()
    t = np.asarray(result.t, dtype=float)
    data, attrs = {}, {"result_type": type(result).__name__}
    for f in dataclasses.fields(result):
        value = getattr(result, f.name)
        if f.name in ("t", "final") or value is None:
            continue
        if f.name == "model":
            model_attrs, model_vars = model_attributes(value)
            attrs.update(model_attrs)
            data.update({k: (dims, v, {"units": "chi N" if k == "model_energies" else "1"})
                         for k, (dims, v) in model_vars.items()})
        elif f.name == "states":
            data["bloch"] = (("time", "atom", "component"), np.asarray(value, dtype=float),
                             {"units": "1", "long_name": "Bloch vectors (<sigma^x>, <sigma^y>, <sigma^z>) of every atom"})
        elif isinstance(value, np.ndarray) and value.shape == t.shape:
            _add_observable(data, f.name, value, ("time",))
        else:
            _attribute(attrs, f.name, value)
    for name in derived:
        _add_observable(data, name, getattr(result, name), ("time",))
    coords = {"time": ("time", t, {"units": "1/(chi N)", "long_name": "time after the quench"})}
    if "bloch" in data:
        coords["component"] = ("component", np.array(["x", "y", "z"]))
    return xr.Dataset(data, coords=coords, attrs=attrs)


def sweep_dataset(result):
    """A :class:`~cavity_bcs.SweepResult` as a dataset: one coordinate per swept parameter
    (in grid order), one variable per observable, the base model and the settings as
    attributes (``window`` as a two-element array)."""
    xr = _xarray()
    dims = tuple(result.axes)
    coords = {}
    for name, axis in result.axes.items():
        axis = np.asarray(axis)
        if axis.dtype.kind in "iu" or (name == "n_atoms" and np.array_equal(axis, np.round(axis))):
            axis = axis.astype(np.int32)  # atom numbers are counts (netCDF-3 has no 64-bit integers)
        coords[name] = (name, axis,
                        {"units": _PARAMETER_UNITS.get(name, "1")})
    data = {}
    for name, values in result.values.items():
        _add_observable(data, name, values, dims)
    attrs, model_vars = model_attributes(result.base)
    attrs = {"result_type": type(result).__name__, **attrs}
    data.update(model_vars)
    for key, value in result.settings.items():
        _attribute(attrs, key, value)
    return xr.Dataset(data, coords=coords, attrs=attrs)


def phase_diagram_dataset(result):
    """A :class:`~cavity_bcs.PhaseDiagram` as a dataset over ``(delta_c, W)``: the root
    counts, the success and ``unsure`` flags, the phase names (strings) and index, and
    the parameters (``eps0``, ``delta_phi0``, ``photon``, ``adiabatic``, ``tol``,
    ``strip``) as attributes."""
    xr = _xarray()
    dims = ("delta_c", "W")
    coords = {"delta_c": ("delta_c", np.asarray(result.delta_c, dtype=float), {"units": "chi N"}),
              "W": ("W", np.asarray(result.W, dtype=float), {"units": "chi N"})}
    data = {
        "n_pairs": (dims, np.asarray(result.n_pairs, dtype=np.int32),
                    {"units": "1", "long_name": "isolated root pairs further than tol from the continuum"}),
        "n_near_axis": (dims, np.asarray(result.n_near_axis, dtype=np.int32),
                        {"units": "1", "long_name": "root pairs within tol of the continuum"}),
        "ok": (dims, np.asarray(result.ok, dtype=bool), {"long_name": "contour sampling succeeded"}),
        "unsure": (dims, np.asarray(result.unsure, dtype=bool), {"long_name": "near a boundary or failed"}),
        "phase": (dims, np.asarray(result.phases, dtype=str), {"long_name": "dynamical phase"}),
        "phase_index": (dims, np.asarray(result.phase_index, dtype=np.int32), {"long_name": "phase index"}),
    }
    attrs = {"result_type": type(result).__name__}
    for key in ("eps0", "delta_phi0", "adiabatic", "tol", "strip"):
        _attribute(attrs, key, getattr(result, key))
    photon = result.photon
    _attribute(attrs, "photon", photon if isinstance(photon, str) else complex(photon))
    return xr.Dataset(data, coords=coords, attrs=attrs)
