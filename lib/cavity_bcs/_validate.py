"""The one validation layer shared by every public function.

Each check returns the value in its canonical type or raises: ``TypeError`` for a
value of the wrong type (a string where a boolean belongs, a float where an integer
belongs), ``ValueError`` for a value of the right type outside its allowed range.
Every message names the parameter, the value and what is allowed, so that a bad
input never turns into a NaN, a hang or a silent wrong answer deep inside a kernel.
"""
import math
import numbers
import os

import numpy as np

#: Loosest relative tolerance the integrators accept: beyond it a step's error
#: estimate no longer controls the answer (|S+| grows without bound at rtol = 10).
RTOL_MAX = 1e-2
#: Tightest tolerance accepted (below it every step underflows into round-off).
TOL_MIN = 1e-15


class ParameterTypeError(TypeError, ValueError):
    """A parameter of the wrong type. It is a ``TypeError``, and also a ``ValueError`` so that
    code written against the library's promise "bad input raises ValueError" still catches it."""


def _real(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterTypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    return float(value)


def finite(name, value):
    """Return ``value`` as a float, or raise if it is not a finite real number."""
    value = _real(name, value)
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


def in_range(name, value, lo=-math.inf, hi=math.inf, lo_open=False, hi_open=False):
    """A finite float in the interval from ``lo`` to ``hi`` (closed unless marked open)."""
    value = finite(name, value)
    below = value <= lo if lo_open else value < lo
    above = value >= hi if hi_open else value > hi
    if below or above:
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        raise ValueError(f"{name} must lie in {left}{lo:g}, {hi:g}{right}, got {value!r}")
    return value


def integer(name, value, minimum=None, maximum=None):
    """An ``int`` (Python or numpy integer; never a float or a bool) within the bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterTypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be an integer <= {maximum}, got {value!r}")
    return value


def boolean(name, value):
    """A real ``bool`` (or numpy bool): strings such as ``"False"`` are refused, not read as true."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ParameterTypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")


def complex_number(name, value, max_abs=math.inf):
    """A finite complex number (real numbers welcome) of modulus at most ``max_abs``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Number):
        raise ParameterTypeError(f"{name} must be a complex number, got {type(value).__name__} {value!r}")
    value = complex(value)
    if not (math.isfinite(value.real) and math.isfinite(value.imag)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if abs(value) > max_abs:
        raise ValueError(f"{name} must have modulus <= {max_abs:g}, got {value!r}")
    return value


def instance(name, value, cls):
    """``value`` itself, if it is an instance of ``cls``."""
    if not isinstance(value, cls):
        raise ParameterTypeError(f"{name} must be a cavity_bcs.{cls.__name__}, got {type(value).__name__}")
    return value


def choice(name, value, options):
    """One of the strings ``options``."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name} must be one of {tuple(options)}, got {value!r}")
    return value


def rtol(value, name="rtol"):
    """A relative tolerance in [1e-15, 1e-2]: looser tolerances no longer control the answer."""
    return in_range(name, value, TOL_MIN, RTOL_MAX)


def atol(value, name="atol"):
    """An absolute tolerance, real and in [1e-15, 1e-2] (Bloch vectors and photons are O(1))."""
    return in_range(name, value, TOL_MIN, RTOL_MAX)


def workers(value, name="workers"):
    """Number of worker threads: ``None`` means one per core; else an integer in [1, 1024]."""
    if value is None:
        return os.cpu_count() or 1
    return integer(name, value, minimum=1, maximum=1024)


def finite_array(name, values, shape=None, dtype=float):
    """A read-only copy of ``values`` as an array, checked finite and of ``shape``."""
    try:
        arr = np.array(values, dtype=dtype, copy=True)
    except (TypeError, ValueError) as exc:
        raise ParameterTypeError(f"{name} must be an array of {np.dtype(dtype).name} numbers: {exc}") from None
    if shape is not None and arr.shape != tuple(shape):
        raise ValueError(f"{name} must have shape {tuple(shape)}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers (found NaN or inf)")
    arr.setflags(write=False)
    return arr


def numeric_array(name, values, shape=None):
    """``finite_array`` that keeps complex values complex (a coherence ``S+(t)``, a photon ``alpha(t)``)."""
    kind = np.asarray(values).dtype.kind if not isinstance(values, str) else "U"
    return finite_array(name, values, shape=shape, dtype=complex if kind == "c" else float)


def atom_number(name, value, maximum=None):
    """An even integer >= 2: the 2N atoms of the model, N per band."""
    value = integer(name, value, minimum=2, maximum=maximum)
    if value % 2:
        raise ValueError(f"{name} must be even (2N atoms, N per band), got {value}")
    return value


# ----------------------------------------------------------------------------- work budgets
def memory_limit_bytes() -> int:
    """Largest memory one call may plan to allocate: ``CAVITY_BCS_MEMORY_LIMIT_GB`` if set, else half
    of the machine's physical memory."""
    env = os.environ.get("CAVITY_BCS_MEMORY_LIMIT_GB")
    if env:
        return int(float(env) * 2 ** 30)
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2)
    except (ValueError, OSError, AttributeError):  # not POSIX: assume 8 GB
        return 8 * 2 ** 30


def memory(what: str, n_bytes: float, detail: str) -> None:
    """Refuse, before allocating, a call whose arrays would not fit (``detail`` says what they are)."""
    limit = memory_limit_bytes()
    if n_bytes > limit:
        raise ValueError(f"{what} would need about {n_bytes / 2 ** 30:.3g} GB ({detail}), more than the limit of "
                         f"{limit / 2 ** 30:.3g} GB; reduce it, or raise the limit with CAVITY_BCS_MEMORY_LIMIT_GB")


def steps(what: str, t_span: float, omega: float, max_steps: int, source: str = "", time_name: str = "t_final") -> None:
    """Refuse a run that cannot finish within ``max_steps``.

    An adaptive integrator of the library needs at least about half a step per period of the
    fastest frequency ``omega`` present (order-16 Taylor at the loosest rtol; DOP853 needs ~20),
    so ``t_span * omega / (4 pi)`` is a lower bound on the steps.
    """
    needed = t_span * omega / (4.0 * math.pi)
    if needed > max_steps:
        raise ValueError(f"{what} to {time_name} = {t_span:.3g} (units of 1/chi N) needs at least {needed:.3g} steps "
                         f"for the fastest frequency {omega:.3g} chi N{source}, more than max_steps = {max_steps}; "
                         f"shorten {time_name} or raise max_steps")
