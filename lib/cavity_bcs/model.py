r"""The cavity-QED simulator of the BCS model: parameters and atomic energies.

Hamiltonian (book convention, :math:`\hbar = 1`)

.. math::

    H = \sum_{i=1}^{2N} \varepsilon_i \sigma^z_i
        + \sum_{i=1}^{2N} g_i \left(\sigma^+_i a + \sigma^-_i a^\dagger\right)
        + \Delta_c a^\dagger a ,

with :math:`2N` two-level atoms (Pauli operators, transition energy
:math:`2\varepsilon_i`) and one cavity mode :math:`a` detuned by :math:`\Delta_c`
from the mean atomic frequency.

Units
-----
Every energy and rate is measured in units of :math:`\chi N`, where
:math:`\chi = g^2/\Delta_c` is the cavity-mediated exchange of the adiabatic
(spin-only) model and :math:`N` is *half* the number of atoms. Times are in
units of :math:`1/(\chi N)`. Sweeping :math:`\Delta_c` at fixed
:math:`\varepsilon_0/\chi N` and :math:`W/\chi N` therefore means that the
collective coupling follows :math:`g\sqrt N = \sqrt{\chi N\,\Delta_c}`.

Density of states
-----------------
:math:`\varepsilon_i` fill two boxes of width :math:`W/2` centred on
:math:`\pm\varepsilon_0/2` (atoms :math:`1\dots N` in the upper box, atoms
:math:`N+1\dots 2N` in the lower one), so the transition energies
:math:`2\varepsilon_i` fill :math:`\pm\varepsilon_0 \pm W/2`.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from . import _validate as check
from .density import SAMPLINGS, TwoBox

__all__ = ["Model"]


@dataclass(frozen=True, eq=False, kw_only=True)
class Model:
    r"""Frozen parameters of the cavity-QED BCS simulator, in units of :math:`\chi N`.

    Every field is keyword-only: ``Model(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=400)``.

    Parameters
    ----------
    eps0 : float
        Separation of the two bands of :math:`\varepsilon_i` (centres at
        :math:`\pm\varepsilon_0/2`); units of :math:`\chi N`. Any finite real.
    W : float
        Transition bandwidth: each box of :math:`\varepsilon_i` has width
        :math:`W/2`. Units of :math:`\chi N`; ``W >= 0``.
    delta_c : float
        Cavity detuning :math:`\Delta_c` from the mean atomic frequency; units of
        :math:`\chi N`; ``delta_c > 0`` (a positive detuning makes the mediated
        exchange attractive, :math:`\chi > 0`).
    n_atoms : int
        Total number of atoms :math:`2N`: even, ``>= 2``.
    kappa : float
        Cavity energy-loss rate :math:`\kappa` (Lindblad jump
        :math:`L = \sqrt{\kappa/2}\,a`, so :math:`\langle a\rangle` decays at
        :math:`\kappa/2`); units of :math:`\chi N`; ``kappa >= 0``.
    gamma : float
        Single-atom spontaneous-decay rate :math:`\gamma`:
        :math:`\langle\sigma^z\rangle` relaxes to :math:`-1` at rate :math:`\gamma`,
        coherences decay at :math:`\gamma/2` (jump :math:`\sqrt{\gamma/2}\,\sigma^-_i`
        in the book's form :math:`\partial_tO = 2L^\dagger OL - \{L^\dagger L, O\}`,
        i.e. :math:`\sqrt\gamma\,\sigma^-_i` in the textbook form); units of
        :math:`\chi N`; ``gamma >= 0``.
    dephasing : float
        Single-atom pure-dephasing rate :math:`\gamma_\phi`: coherences decay at
        :math:`\gamma_\phi` (jump :math:`\tfrac12\sqrt{\gamma_\phi}\,\sigma^z_i` in the
        book's form); units of :math:`\chi N`; ``dephasing >= 0``.
    energies : array_like, optional
        Explicit :math:`\varepsilon_i` (length ``n_atoms``) replacing the two-box
        sampling; ``eps0`` and ``W`` are then kept only as labels.
    sampling : {"quantile", "random"}
        How :math:`\varepsilon_i` sample the two-box density (see
        :meth:`cavity_bcs.density.TwoBox.sample`).
    seed : int, optional
        Seed for ``sampling="random"``.
    coupling_profile : array_like, optional
        Relative couplings :math:`f_i = g_i/g` (length ``n_atoms``, finite). The
        reference coupling :math:`g` is the one that sets the units,
        :math:`g\sqrt N = \sqrt{\chi N \Delta_c}`; for a profile
        :math:`g\cos(k_0 a_0 i)` it is the peak coupling. Default: all ones.

    Attributes
    ----------
    eps : ndarray
        The atomic energies :math:`\varepsilon_i` (read-only), units of :math:`\chi N`.
    couplings : ndarray
        :math:`f_i = g_i/g` (read-only).
    n_pairs : int
        :math:`N = ` ``n_atoms // 2``.
    """

    eps0: float
    W: float
    delta_c: float
    n_atoms: int
    kappa: float = 0.0
    gamma: float = 0.0
    dephasing: float = 0.0
    energies: np.ndarray | None = field(default=None, repr=False)
    sampling: str = "quantile"
    seed: int | None = None
    coupling_profile: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)
        set_("eps0", check.finite("eps0", self.eps0))
        set_("W", check.nonnegative("W", self.W))
        set_("delta_c", check.positive("delta_c", self.delta_c))
        n_atoms = check.atom_number("n_atoms", self.n_atoms)
        # energies, couplings and the temporaries of sampling them: refuse before allocating
        check.memory("Model", 48.0 * n_atoms, f"n_atoms = {n_atoms}")
        set_("n_atoms", n_atoms)
        set_("kappa", check.nonnegative("kappa", self.kappa))
        set_("gamma", check.nonnegative("gamma", self.gamma))
        set_("dephasing", check.nonnegative("dephasing", self.dephasing))
        if self.sampling not in SAMPLINGS:
            raise ValueError(f"sampling must be one of {SAMPLINGS}, got {self.sampling!r}")
        if self.seed is not None:
            check.integer("seed", self.seed, minimum=0)
        if self.energies is None:
            eps = self.density.sample(n_atoms, self.sampling, self.seed)
            eps.setflags(write=False)
        else:
            eps = check.finite_array("energies", self.energies, shape=(n_atoms,))
            set_("energies", eps)
        set_("_eps", eps)
        if self.coupling_profile is None:
            f = np.ones(n_atoms)
            f.setflags(write=False)
        else:
            f = check.finite_array("coupling_profile", self.coupling_profile, shape=(n_atoms,))
            set_("coupling_profile", f)
        set_("_couplings", f)

    # ------------------------------------------------------------------ derived
    @property
    def density(self) -> TwoBox:
        r"""The two-box density :math:`p(\varepsilon)` with this model's ``eps0`` and ``W``
        (a label only when explicit ``energies`` are given)."""
        return TwoBox(self.eps0, self.W)

    @property
    def eps(self) -> np.ndarray:
        r""":math:`\varepsilon_i`, units of :math:`\chi N` (read-only)."""
        return self._eps

    @property
    def couplings(self) -> np.ndarray:
        r""":math:`f_i = g_i/g` (read-only)."""
        return self._couplings

    @property
    def n_pairs(self) -> int:
        """:math:`N`, half the number of atoms (the normalisation of :math:`S^+`)."""
        return self.n_atoms // 2

    @property
    def g_collective(self) -> float:
        r""":math:`g\sqrt N = \sqrt{\Delta_c}` in units of :math:`\chi N`."""
        return float(np.sqrt(self.delta_c))

    @property
    def g(self) -> float:
        r"""Single-atom reference coupling :math:`g = \sqrt{\Delta_c/N}`, units of :math:`\chi N`."""
        return float(np.sqrt(self.delta_c / self.n_pairs))

    @property
    def chi(self) -> float:
        r""":math:`\chi = g^2/\Delta_c = 1/N` in units of :math:`\chi N`."""
        return 1.0 / self.n_pairs

    @property
    def revival_time(self) -> float:
        r"""First exact revival :math:`2\pi N/W` of the quantile grid (units of :math:`1/\chi N`).

        Quantile-sampled transition frequencies :math:`2\varepsilon_i` are evenly
        spaced by :math:`W/N` within each band, so dephased atoms rephase at
        multiples of :math:`2\pi N/W`: a finite-N artefact. Keep runs shorter, or
        use ``sampling="random"``. Infinite for ``W = 0`` or explicit/random energies.
        """
        if self.W == 0 or self.energies is not None or self.sampling != "quantile":
            return float("inf")
        return 2.0 * np.pi * self.n_pairs / self.W

    @property
    def fastest_frequency(self) -> float:
        r"""A lower bound on the fastest angular frequency of the dynamics, units of :math:`\chi N`:
        :math:`\max(2\max_i|\varepsilon_i|, \Delta_c, G\max_i|f_i|, \kappa, \gamma, \gamma_\phi)` (a spin
        in the equator precesses at :math:`2|\varepsilon_i|`, the empty cavity at :math:`\Delta_c`). It bounds the
        number of integrator steps a run needs from below."""
        eps = float(np.max(np.abs(self.eps))) if self.n_atoms else 0.0
        f = float(np.max(np.abs(self.couplings))) if self.n_atoms else 0.0
        return max(2.0 * eps, self.delta_c, self.g_collective * f, self.kappa, self.gamma, self.dephasing)

    def frequency_source(self) -> str:
        """The words for :attr:`fastest_frequency` in an error message: which parameter sets it."""
        eps = float(np.max(np.abs(self.eps))) if self.n_atoms else 0.0
        f = float(np.max(np.abs(self.couplings))) if self.n_atoms else 0.0
        named = {"2 max|eps_i| (eps0, W, energies)": 2.0 * eps, "delta_c": self.delta_c,
                 "g sqrt(N) max|f_i| (delta_c, coupling_profile)": self.g_collective * f, "kappa": self.kappa,
                 "gamma": self.gamma, "dephasing": self.dephasing}
        return f" (set by {max(named, key=named.get)})"

    @property
    def is_homogeneous(self) -> bool:
        """True when every :math:`g_i` equals :math:`g` (the integrable case)."""
        return bool(np.all(self.couplings == 1.0))

    def replace(self, **changes) -> Model:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def __repr__(self):
        extra = "" if self.is_homogeneous else ", inhomogeneous g_i"
        extra += "" if self.energies is None else ", explicit energies"
        return (f"Model(eps0={self.eps0:g}, W={self.W:g}, delta_c={self.delta_c:g}, "
                f"n_atoms={self.n_atoms}, kappa={self.kappa:g}"
                + (f", gamma={self.gamma:g}" if self.gamma else "")
                + (f", dephasing={self.dephasing:g}" if self.dephasing else "") + f"{extra})")
