"""Input checks shared by the public functions: each raises ``ValueError``
naming the parameter and the allowed range, so that a bad input never turns
into a NaN deep inside a numba kernel."""
import math
import numbers

import numpy as np


def finite(name, value):
    """Return ``value`` as a float, or raise if it is not a finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return value


def nonnegative(name, value):
    value = finite(name, value)
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return value


def positive(name, value):
    value = finite(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return value


def integer(name, value, minimum=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


def finite_array(name, values, shape=None, dtype=float):
    """A read-only copy of ``values`` as an array, checked finite and of ``shape``."""
    arr = np.array(values, dtype=dtype, copy=True)
    if shape is not None and arr.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers (found NaN or inf)")
    arr.setflags(write=False)
    return arr


def atom_number(name, value):
    """An even integer >= 2: the 2N atoms of the model, N per band."""
    value = integer(name, value, minimum=2)
    if value % 2:
        raise ValueError(f"{name} must be even (2N atoms, N per band), got {value}")
    return value
