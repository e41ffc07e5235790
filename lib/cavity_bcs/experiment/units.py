r"""Laboratory units: kHz, ms and atom numbers for the dimensionless model.

The library works in units of :math:`\chi N` with :math:`\chi = g^2/\Delta_c` and
:math:`N` **half** the number of atoms (``n_atoms = 2N``). A laboratory fixes
instead the single-atom coupling :math:`g` (the vacuum Rabi frequency is
:math:`2g`), the cavity linewidth :math:`\kappa`, the atomic linewidth
:math:`\gamma` and the atom number; the unit :math:`\chi N` then follows from
the detuning,

.. math::

    \chi N = \frac{g^2 N}{\Delta_c}, \qquad
    \frac{\Delta_c}{\chi N} = \frac{\Delta_c^2}{g^2 N}
    \;\Longleftrightarrow\;
    \Delta_c = g\sqrt N\,\sqrt{\Delta_c/\chi N}, \qquad
    \chi N = \frac{g\sqrt N}{\sqrt{\Delta_c/\chi N}} .

At fixed :math:`g` and :math:`N`, therefore, a larger dimensionless detuning means
a *smaller* energy unit and a *longer* time unit :math:`1/\chi N`; the paper notes
this for its Fig. 3 (top). Two other consequences used in the book:

* :math:`\kappa/(g\sqrt N)` does not depend on the detuning, so the paper's
  :math:`\kappa/(g\sqrt N) = 1.4\times10^{-2}` (Fig. 1) fixes :math:`N` once
  :math:`g` and :math:`\kappa` are known (:func:`pairs_for_kappa_ratio`);
* in units of :math:`\chi N` the loss rate is
  :math:`\kappa/\chi N = (\kappa/g\sqrt N)\sqrt{\Delta_c/\chi N}`.

Conventions: every frequency argument ending in ``_khz`` is an ordinary
frequency :math:`\omega/2\pi` in kHz (e.g. ``g_khz = 10.8`` means
:math:`g = 2\pi\times10.8` kHz); times ending in ``_ms`` are in milliseconds; a
dimensionless time :math:`t` (units of :math:`1/\chi N`) becomes
:math:`t/(2\pi\,[\chi N/2\pi]_{\rm kHz})` ms.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import _validate as check
from ..model import Model

__all__ = ["LabParameters", "STRONTIUM", "pairs_for_kappa_ratio"]

#: The strontium cavity of the paper's Fig. 3 and of Norcia et al. (Science 2018):
#: :math:`g/2\pi = 10.8` kHz, :math:`\kappa/2\pi = 150` kHz and the
#: :math:`{}^1S_0\!-\!{}^3P_1` linewidth :math:`\gamma/2\pi = 7.5` kHz.
STRONTIUM = {"g_khz": 10.8, "kappa_khz": 150.0, "gamma_khz": 7.5}

_TWO_PI = 2.0 * math.pi


def _values(name, t):
    """A finite number or array of numbers (times, rates), returned as a float or a read-only array."""
    if np.ndim(t) == 0:
        return check.finite(name, t)
    return check.finite_array(name, t)


def pairs_for_kappa_ratio(kappa_per_g: float, g_khz: float, kappa_khz: float) -> float:
    r"""The :math:`N` (half the atom number) for which :math:`\kappa/(g\sqrt N)` = ``kappa_per_g``.

    :math:`N = [\kappa/(g\,\cdot\,\text{kappa\_per\_g})]^2`; a real number (round it
    yourself). Example: the paper's Fig. 1 ratio :math:`1.4\times10^{-2}` with the
    strontium cavity gives :math:`N\approx 9.8\times10^5`.
    """
    kappa_per_g = check.positive("kappa_per_g", kappa_per_g)
    g_khz = check.positive("g_khz", g_khz)
    kappa_khz = check.positive("kappa_khz", kappa_khz)
    ratio = kappa_khz / (g_khz * kappa_per_g)
    if not (math.isfinite(ratio) and ratio < 1e150):
        raise ValueError(f"kappa_khz / (g_khz * kappa_per_g) = {ratio:g} gives no finite atom number; "
                         "check kappa_khz, g_khz and kappa_per_g")
    return ratio ** 2


@dataclass(frozen=True)
class LabParameters:
    r"""One experimental setting in laboratory units, and its dimensionless model.

    Parameters
    ----------
    g_khz : float
        Single-atom coupling :math:`g/2\pi` in kHz (peak coupling for an
        inhomogeneous profile); ``> 0``.
    kappa_khz : float
        Cavity power-decay rate :math:`\kappa/2\pi` in kHz
        (:math:`\langle a\rangle` decays at :math:`\kappa/2`); ``>= 0``.
    n_atoms : int
        Number of atoms :math:`2N` in the experiment; even, ``>= 2``.
    delta_c_khz : float
        Cavity detuning :math:`\Delta_c/2\pi` from the mean atomic frequency, kHz; ``> 0``.
    eps0_khz, W_khz : float
        Band separation :math:`\varepsilon_0/2\pi` and transition bandwidth
        :math:`W/2\pi` of the engineered atomic energies, kHz (``W_khz >= 0``).
    gamma_khz : float
        Single-atom decay rate :math:`\gamma/2\pi`, kHz; ``>= 0``.

    The derived quantities are properties; :meth:`to_model` gives the
    dimensionless :class:`~cavity_bcs.Model` and :meth:`from_model` goes back.
    """

    g_khz: float
    kappa_khz: float
    n_atoms: int
    delta_c_khz: float
    eps0_khz: float = 0.0
    W_khz: float = 0.0
    gamma_khz: float = 0.0

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)
        set_("g_khz", check.positive("g_khz", self.g_khz))
        set_("kappa_khz", check.nonnegative("kappa_khz", self.kappa_khz))
        set_("n_atoms", check.atom_number("n_atoms", self.n_atoms))
        set_("delta_c_khz", check.positive("delta_c_khz", self.delta_c_khz))
        set_("eps0_khz", check.finite("eps0_khz", self.eps0_khz))
        set_("W_khz", check.nonnegative("W_khz", self.W_khz))
        set_("gamma_khz", check.nonnegative("gamma_khz", self.gamma_khz))

    # ----------------------------------------------------------------- derived
    @property
    def n_pairs(self) -> int:
        """:math:`N` = ``n_atoms // 2`` (the book's normalisation)."""
        return self.n_atoms // 2

    @property
    def collective_coupling_khz(self) -> float:
        r""":math:`g\sqrt N/2\pi` in kHz."""
        return self.g_khz * math.sqrt(self.n_pairs)

    @property
    def chi_n_khz(self) -> float:
        r"""The energy unit :math:`\chi N/2\pi = (g/2\pi)^2 N/(\Delta_c/2\pi)` in kHz."""
        return self.g_khz ** 2 * self.n_pairs / self.delta_c_khz

    @property
    def time_unit_ms(self) -> float:
        r"""The time unit :math:`1/\chi N` in ms (:math:`\chi N` as an angular frequency)."""
        return 1.0 / (_TWO_PI * self.chi_n_khz)

    @property
    def kappa_per_g(self) -> float:
        r""":math:`\kappa/(g\sqrt N)` (independent of the detuning)."""
        return self.kappa_khz / self.collective_coupling_khz

    @property
    def collective_cooperativity(self) -> float:
        r""":math:`N g^2/(\kappa\gamma)` with the book's :math:`N` = ``n_atoms/2``.

        The paper's condition for seeing the resonance before atomic decay is
        :math:`Ng^2\gg\kappa\gamma`. (The textbook cooperativity
        :math:`4 g^2 n_{atoms}/(\kappa\gamma)`, with vacuum Rabi frequency
        :math:`2g`, is 8 times larger.) Infinite when ``kappa_khz`` or
        ``gamma_khz`` is zero.
        """
        denom = self.kappa_khz * self.gamma_khz
        return math.inf if denom == 0 else self.n_pairs * self.g_khz ** 2 / denom

    # ------------------------------------------------------------- conversions
    def rate_to_model(self, rate_khz: float) -> float:
        r"""A rate or energy :math:`x/2\pi` in kHz in units of :math:`\chi N`."""
        return _values("rate_khz", rate_khz) / self.chi_n_khz

    def rate_to_khz(self, rate: float) -> float:
        r"""A rate or energy in units of :math:`\chi N` as :math:`x/2\pi` in kHz."""
        return _values("rate", rate) * self.chi_n_khz

    def time_to_ms(self, t):
        r"""Dimensionless time(s) :math:`t\,[1/\chi N]` in ms (arrays welcome)."""
        return _values("t", t) * self.time_unit_ms

    def time_from_ms(self, t_ms):
        r"""Time(s) in ms in units of :math:`1/\chi N` (arrays welcome)."""
        return _values("t_ms", t_ms) / self.time_unit_ms

    def to_model(self, n_atoms: int | None = None, **model_kwargs) -> Model:
        r"""The dimensionless :class:`~cavity_bcs.Model` of this setting.

        Every energy and rate is divided by :math:`\chi N`. ``n_atoms`` sets the
        number of atoms *simulated* (default: the experiment's); the mean-field
        equations in units of :math:`\chi N` depend on the atom number only
        through the sampling of :math:`\varepsilon_i`, so a few thousand atoms
        stand for a million. Other keywords (``coupling_profile``,
        ``sampling``, ...) go to :class:`~cavity_bcs.Model`.
        """
        unit = self.chi_n_khz
        return Model(eps0=self.eps0_khz / unit, W=self.W_khz / unit, delta_c=self.delta_c_khz / unit,
                     n_atoms=self.n_atoms if n_atoms is None else n_atoms,
                     kappa=self.kappa_khz / unit, gamma=self.gamma_khz / unit, **model_kwargs)

    @classmethod
    def at_detuning(cls, g_khz: float, kappa_khz: float, n_atoms: int, delta_c: float,
                    eps0: float = 0.0, W: float = 0.0, gamma_khz: float = 0.0) -> LabParameters:
        r"""The setting with dimensionless detuning ``delta_c`` :math:`=\Delta_c/\chi N`.

        ``eps0`` and ``W`` are in units of :math:`\chi N` too. Uses
        :math:`\Delta_c = g\sqrt N\sqrt{\Delta_c/\chi N}` and
        :math:`\chi N = g\sqrt N/\sqrt{\Delta_c/\chi N}`.
        """
        delta_c = check.positive("delta_c", delta_c)
        g_khz = check.positive("g_khz", g_khz)
        n_atoms = check.integer("n_atoms", n_atoms, minimum=2)
        gsqrtn = g_khz * math.sqrt(n_atoms // 2)
        unit = gsqrtn / math.sqrt(delta_c)
        return cls(g_khz=g_khz, kappa_khz=kappa_khz, n_atoms=n_atoms, delta_c_khz=gsqrtn * math.sqrt(delta_c),
                   eps0_khz=check.finite("eps0", eps0) * unit, W_khz=check.nonnegative("W", W) * unit,
                   gamma_khz=gamma_khz)

    @classmethod
    def from_model(cls, model: Model, g_khz: float, n_atoms: int | None = None) -> LabParameters:
        r"""Laboratory values of a dimensionless ``model`` for coupling ``g_khz``.

        ``n_atoms`` is the experiment's atom number (default ``model.n_atoms``);
        :math:`\kappa`, :math:`\gamma`, :math:`\varepsilon_0`, :math:`W` and
        :math:`\Delta_c` are taken from the model in units of :math:`\chi N`.
        """
        if not isinstance(model, Model):
            raise ValueError(f"model must be a cavity_bcs.Model, got {type(model).__name__}")
        n_atoms = model.n_atoms if n_atoms is None else n_atoms
        g_khz = check.positive("g_khz", g_khz)
        unit = g_khz * math.sqrt(check.integer("n_atoms", n_atoms, minimum=2) // 2) / math.sqrt(model.delta_c)
        return cls.at_detuning(g_khz, model.kappa * unit, n_atoms, model.delta_c, model.eps0, model.W,
                               gamma_khz=model.gamma * unit)
