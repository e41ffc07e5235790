r"""The classical Lax vector of the homogeneous model and of the spin-only model.

Book convention (units of :math:`\chi N`; :math:`\alpha = \langle a\rangle/\sqrt N`,
:math:`G = g\sqrt N = \sqrt{\Delta_c}`), normalised by :math:`\chi/2`:

.. math::

    \vec\ell(u) = \frac{1}{2N}\sum_{i=1}^{2N}\frac{\vec\sigma_i}{u-\varepsilon_i}
        + \frac{2G}{\Delta_c}\,(\mathrm{Re}\,\alpha,\ -\mathrm{Im}\,\alpha,\ 0)
        + \frac{2u-\Delta_c}{\Delta_c}\,\hat z .

Under the mean-field equations :math:`\dot{\vec\ell} = 2\vec M(u)\times\vec\ell`
with :math:`\vec M = g(\mathrm{Re}\,a, -\mathrm{Im}\,a, 0) + u\hat z`, so
:math:`\ell^2(u) = \vec\ell\cdot\vec\ell` (no complex conjugation) is conserved
for every complex :math:`u`. Spin poles sit at :math:`u = \varepsilon_i`; the
photon's :math:`\hat z` term vanishes at :math:`u = \Delta_c/2`. The spin-only
(adiabatic) model has :math:`\vec\ell_{spin}(u) = \frac{1}{2N}\sum_i
\vec\sigma_i/(u-\varepsilon_i) - \hat z` (the limit :math:`\Delta_c\to\infty`).

The continuum limit is in :mod:`.continuum`, the roots in :mod:`.roots` and the
phases in :mod:`.phases`.
"""
from __future__ import annotations

import numpy as np

from .. import _validate as check
from ..meanfield.states import State
from ..model import Model

__all__ = ["lax_vector", "lax_squared"]


def lax_vector(u, model: Model, state: State, adiabatic: bool = False) -> np.ndarray:
    r"""The Lax vector :math:`\vec\ell(u)` (module docstring) at complex points ``u``.

    Parameters
    ----------
    u : complex or array_like
        Spectral parameter(s), units of :math:`\chi N`.
    model : Model
        Must have homogeneous couplings (the inhomogeneous model is not integrable).
    state : State
        Mean-field state (Bloch vectors and :math:`\alpha`).
    adiabatic : bool
        Spin-only model's Lax vector instead.

    Returns
    -------
    ndarray, shape ``np.shape(u) + (3,)``, complex
    """
    check.instance("model", model, Model)
    check.instance("state", state, State)
    adiabatic = check.boolean("adiabatic", adiabatic)
    if state.spins.shape[0] != model.n_atoms:
        raise ValueError(f"state has {state.spins.shape[0]} spins but model.n_atoms = {model.n_atoms}")
    if not model.is_homogeneous:
        raise ValueError("model: the Lax vector exists only for homogeneous couplings (coupling_profile all ones)")
    u = check.numeric_array("u", u).astype(complex)
    poles = 1.0 / (u[..., None] - model.eps)  # (..., n)
    vec = poles @ state.spins / (2.0 * model.n_pairs)
    if adiabatic:
        vec[..., 2] -= 1.0
    else:
        alpha = state.photon
        vec[..., 0] += 2.0 * model.g_collective / model.delta_c * alpha.real
        vec[..., 1] -= 2.0 * model.g_collective / model.delta_c * alpha.imag
        vec[..., 2] += (2.0 * u - model.delta_c) / model.delta_c
    return vec


def lax_squared(u, model: Model, state: State, adiabatic: bool = False):
    r""":math:`\ell^2(u) = \vec\ell(u)\cdot\vec\ell(u)`, conserved by the mean-field dynamics."""
    vec = lax_vector(u, model, state, adiabatic)
    return np.sum(vec * vec, axis=-1)
