r"""The supplement's equilibrium equations as printed (its Eq. 15), for comparison.

Corrections to the supplement's equilibrium section (see the chapter "Equilibrium
superfluidity"): the effective field has :math:`\mathrm{Im}\Delta` on :math:`\hat y`
(printed on :math:`\hat x`); :math:`\sigma^z_i` contains :math:`\varepsilon_i-\mu`
(printed :math:`\varepsilon_i-\mu/2`); the gap equation's integrand is :math:`1/E`,
not :math:`\Delta/E`; the integration region is :math:`\pm\varepsilon_0/2 + [-W/4, W/4]`;
with the supplement's definition :math:`\Delta_p = \frac{g^2}{\Delta_c-2\mu}\sum_i\sigma^+_i`
the field is :math:`-\Delta_p` (so :math:`\Delta_p = -\Delta`); and the minimum has
:math:`\sigma^z_i = -(\varepsilon_i-\mu)/E_i` (Eq. 15 prints the opposite sign).

Only the last correction changes the solutions, so the printed equations are the
stationary solver of :mod:`cavity_bcs.equilibrium.stationary` run with one different
:class:`~cavity_bcs.equilibrium.stationary.SpinRule`: :data:`PRINTED_EQ15`, an
anti-parallel transverse part (:math:`\eta_t = +1`) with a parallel :math:`z` part
(:math:`\eta_z = -1`). This module is the one place that rule lives.
"""
from __future__ import annotations

from .stationary import SpinRule, branch_states

__all__ = ["PRINTED_EQ15", "paper_branch"]

#: The supplement's Eq. 15 as printed, :math:`\langle\sigma^x_i\rangle = -f_i\Delta/E_i` (anti-parallel) with
#: :math:`\langle\sigma^z_i\rangle = +(\varepsilon_i-\mu)/E_i` (parallel). Not a stationary state.
PRINTED_EQ15 = SpinRule("paper-eq15", transverse=1.0, z=-1.0)


def paper_branch(model, excitations: float = 0.0, spectrum: str | None = None, *,
                 delta_c: float | None = None) -> list:
    r"""Solutions of the supplement's equilibrium equations AS PRINTED (Eqs. 15–16).

    The obvious slips are repaired (integrand :math:`1/E` in the gap equation,
    the integration region, :math:`\varepsilon_i-\mu` in :math:`\sigma^z_i`), but the
    printed sign of :math:`\sigma^z_i = +(\varepsilon_i-\mu)/E_i` is kept, together
    with the anti-parallel transverse part. Such a spin is the mirror image of the
    anti-parallel one in the :math:`xy` plane: it is NOT a stationary state
    (``is_stationary`` is False).

    Parameters
    ----------
    model : Model or TwoBox
        Finite model, or the two-box density (continuum; needs ``delta_c``).
    excitations : float
        Target :math:`(\tfrac12\sum_i\sigma^z_i + a^\dagger a)/N`, ``>= -1``.
    spectrum : {"finite", "continuum"}, optional
        Default ``"finite"`` for a Model, ``"continuum"`` for a TwoBox.
    delta_c : float, optional
        Only with a TwoBox: :math:`\Delta_c`, units of :math:`\chi N`, ``> 0``.

    Returns
    -------
    list of :class:`~cavity_bcs.Equilibrium`
        Every :math:`(\mu,\Delta)` solution, in increasing :math:`\mu`, with
        ``branch == "paper-eq15"``.
    """
    return branch_states(model, PRINTED_EQ15, excitations=excitations, spectrum=spectrum, delta_c=delta_c)
