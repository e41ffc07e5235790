r"""Symbolic derivation (sympy) of every equation the simulations integrate.

Starting from the Hamiltonian (book convention, :math:`\hbar = 1`)

.. math::

    H = \sum_i \varepsilon_i \sigma^z_i + \sum_i g_i(\sigma^+_i a + \sigma^-_i a^\dagger)
        + \Delta_c a^\dagger a ,

this module builds, for a *few explicit atoms* (2–4 keep sympy fast; the
structure is the same for every site, so the pattern holds for any number):

1. the Heisenberg–Lindblad equations
   :math:`\partial_t O = i[H, O] + 2L^\dagger O L - \{L^\dagger L, O\}` of
   :math:`\sigma^-_i`, :math:`\sigma^z_i` and :math:`a` with the photon-loss jump
   :math:`L = \sqrt{\kappa/2}\,a`, in an explicit operator algebra
   (:class:`Operator`: Pauli products per site, normal-ordered boson);
2. their mean-field factorisation :math:`\langle AB\rangle \to \langle A\rangle\langle B\rangle`
   (:func:`mean_field_equations`), with :math:`s_i = \langle\sigma^-_i\rangle`,
   :math:`z_i = \langle\sigma^z_i\rangle`, :math:`a = \langle a\rangle`;
3. the adiabatic elimination of the photon (:func:`adiabatic_elimination`):
   :math:`a_{eq}`, :math:`\chi = g^2/\Delta_c`, the one-channel BCS model
   :math:`H_{eff}` and its equations;
4. the classical Lax vector of the full and of the spin-only model, solved from
   an ansatz (:func:`derive_lax_vector`), its conservation and the residues of
   :math:`\ell^2(u)` (:func:`lax_residues`);
5. the continuum limit of the Lax vector for the two-box density
   (:func:`continuum_lax`), by sympy integration, with its branch cuts.

:func:`derived_rhs` turns the derived equations into a numerical right-hand
side on the packed real state of :mod:`cavity_bcs.meanfield.equations`, so tests can prove
that the numba kernel integrates exactly these equations.

Units in the numerical helpers are the book's: energies and rates in
:math:`\chi N`, :math:`\alpha = \langle a\rangle/\sqrt N`,
:math:`g_i = G f_i/\sqrt N` with :math:`G = g\sqrt N = \sqrt{\Delta_c}`.
"""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import numpy as np
import sympy as sp

from .. import _validate as check
from ..density import box_edges

__all__ = [
    "Operator", "sigma_plus", "sigma_minus", "sigma_z", "annihilation", "creation", "identity",
    "commutator", "anticommutator", "heisenberg", "ModelSymbols", "model_symbols", "hamiltonian",
    "OperatorEquations", "operator_equations", "mean_field", "MeanFieldEquations",
    "mean_field_equations", "to_bloch", "BlochEquations", "bloch_equations",
    "AdiabaticElimination", "adiabatic_elimination", "classical_equations",
    "conservation_laws", "ConservationLaws",
    "DrivenSpin", "driven_spin", "GrandCanonical", "grand_canonical",
    "LaxDerivation", "derive_lax_vector", "lax_squared_symbolic", "lax_residues", "lax_large_u",
    "cavity_loss_jump",
    "ContinuumLax", "continuum_lax", "derived_rhs", "latex_equation",
]

I = sp.I

# ============================================================================
# A small operator algebra: Pauli matrices per site and one boson mode
# ============================================================================
# A monomial is (spins, m, n): ``spins`` a tuple of (site, kind) sorted by site,
# at most one Pauli factor per site, kind in {"+", "-", "z"}; then the boson in
# normal order (a^dagger)^m a^n. Different sites commute with each other and
# with the boson, so this is a canonical form of every product.

# Products of single-site Pauli operators: (left, right) -> [(coefficient, kind or None)]
# with sigma^+ = |e><g|, sigma^z = |e><e| - |g><g| (None is the identity).
_PAULI = {
    ("+", "+"): [],
    ("-", "-"): [],
    ("+", "-"): [(sp.Rational(1, 2), None), (sp.Rational(1, 2), "z")],
    ("-", "+"): [(sp.Rational(1, 2), None), (-sp.Rational(1, 2), "z")],
    ("+", "z"): [(-1, "+")],
    ("z", "+"): [(1, "+")],
    ("-", "z"): [(1, "-")],
    ("z", "-"): [(-1, "-")],
    ("z", "z"): [(1, None)],
}
_DAGGER_KIND = {"+": "-", "-": "+", "z": "z"}


def _spin_product(left, right):
    """Product of two canonical spin strings: list of (coefficient, spin string)."""
    out = [(sp.Integer(1), {})]
    sites = {}
    for site, kind in left:
        sites.setdefault(site, []).append(kind)
    for site, kind in right:
        sites.setdefault(site, []).append(kind)
    for site in sorted(sites):
        kinds = sites[site]
        if len(kinds) == 1:
            options = [(1, kinds[0])]
        else:
            options = _PAULI[tuple(kinds)]
        new = []
        for coef, string in out:
            for c, k in options:
                s = dict(string)
                if k is not None:
                    s[site] = k
                new.append((coef * c, s))
        out = new
    return [(c, tuple(sorted(s.items()))) for c, s in out]


def _boson_product(m, n, p, q):
    r""":math:`a^{\dagger m} a^n a^{\dagger p} a^q` normal ordered, by
    :math:`a^n a^{\dagger p} = \sum_k \binom nk\binom pk k!\,a^{\dagger p-k}a^{n-k}`."""
    return [(math.comb(n, k) * math.comb(p, k) * math.factorial(k), m + p - k, n - k + q)
            for k in range(min(n, p) + 1)]


class Operator:
    r"""A polynomial in :math:`\sigma^{\pm,z}_i`, :math:`a`, :math:`a^\dagger` with sympy coefficients.

    Kept in canonical form (one Pauli factor per site, boson normal ordered),
    so two operators are equal exactly when their dictionaries are. Supports
    ``+``, ``-``, ``*`` (with operators or scalars), :meth:`dagger`,
    :meth:`to_sympy` (for display) and :func:`mean_field`.
    """

    __slots__ = ("terms",)

    def __init__(self, terms=None):
        clean = {}
        for mono, coef in (terms or {}).items():
            coef = sp.expand(sp.sympify(coef))
            if coef != 0:
                clean[mono] = coef
        self.terms = clean

    @staticmethod
    def scalar(value):
        return Operator({((), 0, 0): value})

    def _coerce(self, other):
        return other if isinstance(other, Operator) else Operator.scalar(other)

    def __add__(self, other):
        other = self._coerce(other)
        terms = dict(self.terms)
        for mono, coef in other.terms.items():
            terms[mono] = terms.get(mono, 0) + coef
        return Operator(terms)

    __radd__ = __add__

    def __neg__(self):
        return Operator({k: -v for k, v in self.terms.items()})

    def __sub__(self, other):
        return self + (-self._coerce(other))

    def __rsub__(self, other):
        return self._coerce(other) - self

    def __mul__(self, other):
        other = self._coerce(other)
        terms = {}
        for (s1, m, n), c1 in self.terms.items():
            for (s2, p, q), c2 in other.terms.items():
                for cs, spins in _spin_product(s1, s2):
                    for cb, mm, nn in _boson_product(m, n, p, q):
                        key = (spins, mm, nn)
                        terms[key] = terms.get(key, 0) + c1 * c2 * cs * cb
        return Operator(terms)

    def __rmul__(self, other):
        return self._coerce(other) * self

    def dagger(self) -> Operator:
        """Hermitian conjugate (coefficients complex-conjugated)."""
        terms = {}
        for (spins, m, n), coef in self.terms.items():
            new_spins = tuple((site, _DAGGER_KIND[k]) for site, k in spins)
            terms[(new_spins, n, m)] = sp.conjugate(coef)
        return Operator(terms)

    def __eq__(self, other):
        other = self._coerce(other)
        diff = self - other
        return all(sp.simplify(c) == 0 for c in diff.terms.values())

    def __hash__(self):  # pragma: no cover - operators are not used as keys
        raise TypeError("Operator is unhashable")

    def is_zero(self) -> bool:
        return all(sp.simplify(c) == 0 for c in self.terms.values())

    def to_sympy(self) -> sp.Expr:
        """A sympy expression with non-commuting symbols, for display."""
        total = sp.Integer(0)
        for (spins, m, n), coef in sorted(self.terms.items(), key=lambda kv: _sort_key(kv[0])):
            factors = [_display_symbol(site, kind) for site, kind in spins]
            factors += [_ADAG] * m + [_A] * n
            total += coef * sp.Mul(*factors)
        return total

    def __repr__(self):
        return f"Operator({self.to_sympy()})"


def _sort_key(mono):
    spins, m, n = mono
    return (len(spins) + m + n, [(s, k) for s, k in spins], m, n)


_A = sp.Symbol("a", commutative=False)
_ADAG = sp.Symbol(r"a^{\dagger}", commutative=False)


@functools.cache
def _display_symbol(site, kind):
    sup = {"+": "+", "-": "-", "z": "z"}[kind]
    return sp.Symbol(rf"\sigma^{{{sup}}}_{{{site}}}", commutative=False)


def sigma_plus(site: int) -> Operator:
    r""":math:`\sigma^+_i = |e\rangle\langle g|` on atom ``site``."""
    return Operator({(((site, "+"),), 0, 0): 1})


def sigma_minus(site: int) -> Operator:
    r""":math:`\sigma^-_i = |g\rangle\langle e|` on atom ``site``."""
    return Operator({(((site, "-"),), 0, 0): 1})


def sigma_z(site: int) -> Operator:
    r""":math:`\sigma^z_i = |e\rangle\langle e| - |g\rangle\langle g|` on atom ``site``."""
    return Operator({(((site, "z"),), 0, 0): 1})


def annihilation() -> Operator:
    """The cavity photon's annihilation operator :math:`a`."""
    return Operator({((), 0, 1): 1})


def creation() -> Operator:
    r""":math:`a^\dagger`."""
    return Operator({((), 1, 0): 1})


def identity() -> Operator:
    return Operator.scalar(1)


def commutator(A: Operator, B: Operator) -> Operator:
    """[A, B] = AB - BA."""
    return A * B - B * A


def anticommutator(A: Operator, B: Operator) -> Operator:
    """{A, B} = AB + BA."""
    return A * B + B * A


def heisenberg(H: Operator, O: Operator, jumps=()) -> Operator:
    r"""Heisenberg–Lindblad time derivative of ``O``.

    .. math:: \partial_t O = i[H, O] + \sum_L \left(2L^\dagger O L - \{L^\dagger L, O\}\right),

    the convention of the source's Eq. 17, in which the jump
    :math:`L = \sqrt{\kappa/2}\,a` damps :math:`\langle a\rangle` at rate :math:`\kappa/2`.
    """
    out = I * commutator(H, O)
    for L in jumps:
        Ld = L.dagger()
        out = out + 2 * (Ld * O * L) - anticommutator(Ld * L, O)
    return out


# ============================================================================
# The model
# ============================================================================
@dataclass(frozen=True)
class ModelSymbols:
    r"""Symbols of the model with ``n_atoms`` explicit atoms (sites ``1..n_atoms``).

    ``eps[i]``: :math:`\varepsilon_i` (real); ``g[i]``: :math:`g_i` (real);
    ``delta_c``: :math:`\Delta_c > 0`; ``kappa``: :math:`\kappa \ge 0`;
    mean-field variables ``s[i]`` = :math:`s_i = \langle\sigma^-_i\rangle`
    (complex), ``z[i]`` = :math:`\langle\sigma^z_i\rangle` (real), ``a`` =
    :math:`\langle a\rangle` (complex); Bloch components ``x[i]``, ``y[i]`` and
    photon quadratures ``a_re``, ``a_im`` (real); ``t`` time, ``u`` the
    spectral parameter (complex).
    """

    n_atoms: int
    eps: tuple
    g: tuple
    delta_c: sp.Symbol
    kappa: sp.Symbol
    s: tuple
    z: tuple
    a: sp.Symbol
    x: tuple
    y: tuple
    a_re: sp.Symbol
    a_im: sp.Symbol
    u: sp.Symbol
    chi: sp.Symbol


@functools.cache
def model_symbols(n_atoms: int) -> ModelSymbols:
    """The :class:`ModelSymbols` for ``n_atoms`` atoms (1 to 8: sympy work grows fast)."""
    n_atoms = check.integer("n_atoms", n_atoms, minimum=1)
    if n_atoms > 8:
        raise ValueError(f"n_atoms must be between 1 and 8 for symbolic work, got {n_atoms}")
    r = range(1, n_atoms + 1)
    return ModelSymbols(
        n_atoms=n_atoms,
        eps=tuple(sp.Symbol(rf"\varepsilon_{{{i}}}", real=True) for i in r),
        g=tuple(sp.Symbol(f"g_{{{i}}}", positive=True) for i in r),
        delta_c=sp.Symbol(r"\Delta_c", positive=True),
        kappa=sp.Symbol(r"\kappa", nonnegative=True),
        s=tuple(sp.Symbol(f"s_{{{i}}}") for i in r),
        z=tuple(sp.Symbol(f"z_{{{i}}}", real=True) for i in r),
        a=sp.Symbol(r"\alpha"),
        x=tuple(sp.Symbol(f"x_{{{i}}}", real=True) for i in r),
        y=tuple(sp.Symbol(f"y_{{{i}}}", real=True) for i in r),
        a_re=sp.Symbol(r"\alpha_r", real=True),
        a_im=sp.Symbol(r"\alpha_i", real=True),
        u=sp.Symbol("u"),
        chi=sp.Symbol(r"\chi", positive=True),
    )


def hamiltonian(n_atoms: int, homogeneous: bool = False) -> Operator:
    r""":math:`H = \sum_i\varepsilon_i\sigma^z_i + \sum_i g_i(\sigma^+_i a + \sigma^-_i a^\dagger) + \Delta_c a^\dagger a`.

    With ``homogeneous=True`` every :math:`g_i` is the first one, :math:`g_1`.
    """
    sym = model_symbols(n_atoms)
    a, ad = annihilation(), creation()
    H = sym.delta_c * (ad * a)
    for i in range(n_atoms):
        g = sym.g[0] if homogeneous else sym.g[i]
        site = i + 1
        H = H + sym.eps[i] * sigma_z(site) + g * (sigma_plus(site) * a + sigma_minus(site) * ad)
    return H


def cavity_loss_jump(n_atoms: int) -> Operator:
    r"""The jump operator :math:`L = \sqrt{\kappa/2}\,a` of photon loss."""
    sym = model_symbols(n_atoms)
    return sp.sqrt(sym.kappa / 2) * annihilation()


@dataclass(frozen=True)
class OperatorEquations:
    r"""Heisenberg–Lindblad equations of the operators (before mean field).

    ``sigma_minus[i]``, ``sigma_z[i]``: :math:`\partial_t\sigma^-_{i+1}`,
    :math:`\partial_t\sigma^z_{i+1}`; ``photon``: :math:`\partial_t a`;
    ``hamiltonian`` and ``jumps`` that produced them.
    """

    n_atoms: int
    hamiltonian: Operator
    jumps: tuple
    sigma_minus: tuple
    sigma_z: tuple
    photon: Operator


def operator_equations(n_atoms: int = 2, loss: bool = True, H: Operator | None = None,
                       jumps=None) -> OperatorEquations:
    r"""Heisenberg–Lindblad equations of :math:`\sigma^-_i`, :math:`\sigma^z_i`, :math:`a`.

    Parameters
    ----------
    n_atoms : int
        Number of explicit atoms (1–8).
    loss : bool
        Include the jump :math:`L = \sqrt{\kappa/2}\,a` (ignored if ``jumps`` is given).
    H : Operator, optional
        Another Hamiltonian (default :func:`hamiltonian`), e.g. to add a pump.
    jumps : sequence of Operator, optional
        Other jump operators (e.g. atomic decay :math:`\sqrt{\gamma/2}\,\sigma^-_i`).
    """
    sym = model_symbols(n_atoms)
    H = hamiltonian(n_atoms) if H is None else H
    if jumps is None:
        jumps = (cavity_loss_jump(n_atoms),) if loss else ()
    jumps = tuple(jumps)
    d_minus = tuple(heisenberg(H, sigma_minus(i + 1), jumps) for i in range(sym.n_atoms))
    d_z = tuple(heisenberg(H, sigma_z(i + 1), jumps) for i in range(sym.n_atoms))
    d_a = heisenberg(H, annihilation(), jumps)
    return OperatorEquations(n_atoms, H, jumps, d_minus, d_z, d_a)


def mean_field(op: Operator, n_atoms: int | None = None) -> sp.Expr:
    r"""Mean-field factorisation :math:`\langle AB\cdots\rangle \to \langle A\rangle\langle B\rangle\cdots`.

    Each canonical monomial becomes the product of :math:`\langle\sigma^-_i\rangle = s_i`,
    :math:`\langle\sigma^+_i\rangle = s_i^*`, :math:`\langle\sigma^z_i\rangle = z_i`,
    :math:`\langle a\rangle = \alpha`, :math:`\langle a^\dagger\rangle = \alpha^*`.
    Because the monomials are canonical (one Pauli factor per site), the
    factorisation never splits two operators of the same atom.
    """
    sites = [site for mono in op.terms for site, _ in mono[0]]
    n = max(sites + [1]) if n_atoms is None else n_atoms
    sym = model_symbols(max(n, 1))
    total = sp.Integer(0)
    for (spins, m, nn), coef in op.terms.items():
        term = coef
        for site, kind in spins:
            s = sym.s[site - 1]
            term *= {"-": s, "+": sp.conjugate(s), "z": sym.z[site - 1]}[kind]
        term *= sp.conjugate(sym.a) ** m * sym.a ** nn
        total += term
    return sp.expand(total)


@dataclass(frozen=True)
class MeanFieldEquations:
    r"""c-number equations :math:`\dot s_i`, :math:`\dot z_i`, :math:`\dot\alpha` (sympy expressions)."""

    n_atoms: int
    ds: tuple
    dz: tuple
    da: sp.Expr

    def as_dict(self) -> dict:
        sym = model_symbols(self.n_atoms)
        out = {sym.a: self.da}
        out.update(dict(zip(sym.s, self.ds)))
        out.update(dict(zip(sym.z, self.dz)))
        return out


def mean_field_equations(n_atoms: int = 2, loss: bool = True, equations: OperatorEquations | None = None
                         ) -> MeanFieldEquations:
    r"""Mean-field c-number equations derived from the operator equations.

    Expected (and proved in the tests):
    :math:`\dot s_i = -2i\varepsilon_i s_i + i g_i\alpha z_i`,
    :math:`\dot z_i = 2i g_i(\alpha^* s_i - \alpha s_i^*)`,
    :math:`\dot\alpha = -i\Delta_c\alpha - i\sum_i g_i s_i - (\kappa/2)\alpha`.
    """
    eq = operator_equations(n_atoms, loss) if equations is None else equations
    n = eq.n_atoms
    return MeanFieldEquations(
        n_atoms=n,
        ds=tuple(mean_field(o, n) for o in eq.sigma_minus),
        dz=tuple(mean_field(o, n) for o in eq.sigma_z),
        da=mean_field(eq.photon, n),
    )


# ============================================================================
# Bloch (real) form
# ============================================================================
def to_bloch(expr: sp.Expr, n_atoms: int) -> sp.Expr:
    r"""Substitute :math:`s_i = (x_i - i y_i)/2` and :math:`\alpha = \alpha_r + i\alpha_i` (all real)."""
    sym = model_symbols(n_atoms)
    subs = {sym.a: sym.a_re + I * sym.a_im}
    subs.update({s: (x - I * y) / 2 for s, x, y in zip(sym.s, sym.x, sym.y)})
    return sp.expand(sp.sympify(expr).subs(subs))


@dataclass(frozen=True)
class BlochEquations:
    r"""Real equations :math:`\dot x_i, \dot y_i, \dot z_i, \dot\alpha_r, \dot\alpha_i`.

    ``rates`` maps each real variable (sympy symbol) to its time derivative.
    """

    n_atoms: int
    rates: dict

    def derivative(self, expr: sp.Expr) -> sp.Expr:
        r"""Time derivative of ``expr`` (a function of the real variables) along the flow."""
        expr = sp.sympify(expr)
        return sp.expand(sum(sp.diff(expr, v) * r for v, r in self.rates.items()))


def bloch_equations(mf: MeanFieldEquations, adiabatic_photon: sp.Expr | None = None) -> BlochEquations:
    r"""Real form of mean-field equations: :math:`\dot x_i = 2\,\mathrm{Re}\,\dot s_i`,
    :math:`\dot y_i = -2\,\mathrm{Im}\,\dot s_i`.

    If ``adiabatic_photon`` is given (an expression in the :math:`s_i`), the photon is
    replaced by it and has no equation of its own (the spin-only model).
    """
    n = mf.n_atoms
    sym = model_symbols(n)
    rates = {}
    sub = {} if adiabatic_photon is None else {sym.a: adiabatic_photon}
    for i in range(n):
        ds = to_bloch(sp.sympify(mf.ds[i]).subs(sub), n)
        dz = to_bloch(sp.sympify(mf.dz[i]).subs(sub), n)
        rates[sym.x[i]] = sp.expand(2 * sp.re(ds))
        rates[sym.y[i]] = sp.expand(-2 * sp.im(ds))
        rates[sym.z[i]] = sp.expand(sp.re(dz))
    if adiabatic_photon is None:
        da = to_bloch(mf.da, n)
        rates[sym.a_re] = sp.expand(sp.re(da))
        rates[sym.a_im] = sp.expand(sp.im(da))
    return BlochEquations(n, rates)


# ============================================================================
# Adiabatic elimination
# ============================================================================
@dataclass(frozen=True)
class AdiabaticElimination:
    r"""The photon slaved to the atoms and the resulting spin model.

    Attributes
    ----------
    a_eq : sympy expression
        Solution of :math:`\dot\alpha = 0`:
        :math:`\alpha_{eq} = -\sum_i g_i s_i/(\Delta_c - i\kappa/2)`.
    chi : sympy expression
        :math:`\chi = g^2/\Delta_c` (homogeneous :math:`g = g_1`).
    h_eff : Operator
        :math:`H` with :math:`a \to -\frac{1}{\Delta_c}\sum_j g\sigma^-_j`
        (:math:`\kappa = 0`): :math:`\sum_i\varepsilon_i\sigma^z_i - \chi\sum_{ij}\sigma^+_i\sigma^-_j`.
    h_eff_expected : Operator
        :math:`\sum_i\varepsilon_i\sigma^z_i - \chi\sum_{ij}\sigma^+_i\sigma^-_j` built directly.
    spin_equations : MeanFieldEquations
        Mean-field equations of the full model with :math:`\alpha \to \alpha_{eq}` (``da`` is 0).
    classical_spin_equations : BlochEquations
        Equations of the classical spin Hamiltonian
        :math:`\sum_i\varepsilon_i z_i - \chi|\sum_j s_j|^2` (see :func:`classical_equations`).
    """

    n_atoms: int
    a_eq: sp.Expr
    chi: sp.Expr
    h_eff: Operator
    h_eff_expected: Operator
    spin_equations: MeanFieldEquations
    classical_spin_equations: BlochEquations


def adiabatic_elimination(n_atoms: int = 2, loss: bool = True) -> AdiabaticElimination:
    r"""Eliminate the photon: solve :math:`\dot\alpha = 0`, insert, and build :math:`H_{eff}`."""
    sym = model_symbols(n_atoms)
    mf = mean_field_equations(n_atoms, loss)
    a_eq = sp.solve(sp.Eq(mf.da, 0), sym.a)[0]
    spin = MeanFieldEquations(
        n_atoms,
        ds=tuple(sp.expand(d.subs(sym.a, a_eq)) for d in mf.ds),
        dz=tuple(sp.expand(d.subs(sym.a, a_eq)) for d in mf.dz),
        da=sp.Integer(0),
    )
    g = sym.g[0]
    chi = g ** 2 / sym.delta_c
    # Operator-level elimination for kappa = 0 and homogeneous g: a -> a_eq as an operator.
    a_op = sum((sigma_minus(j + 1) for j in range(n_atoms)), Operator()) * (-g / sym.delta_c)
    h_eff = Operator()
    for i in range(n_atoms):
        # Keep the boson's normal order when inserting atomic operators (a^dagger
        # to the left, a to the right): the ordering of a virtual photon created
        # from and returned to the vacuum. The other ordering shifts each
        # eps_i by chi, an O(1/N) correction to the collective O(chi N) exchange.
        h_eff = h_eff + sym.eps[i] * sigma_z(i + 1) + g * (sigma_plus(i + 1) * a_op
                                                           + a_op.dagger() * sigma_minus(i + 1))
    h_eff = h_eff + sym.delta_c * (a_op.dagger() * a_op)
    expected = Operator()
    for i in range(n_atoms):
        expected = expected + sym.eps[i] * sigma_z(i + 1)
        for j in range(n_atoms):
            expected = expected - chi * (sigma_plus(i + 1) * sigma_minus(j + 1))
    S = sum(sym.s)
    energy = sum(e * z for e, z in zip(sym.eps, sym.z)) - chi * S * sp.conjugate(S)
    classical = classical_equations(energy, n_atoms, with_photon=False)
    return AdiabaticElimination(n_atoms, a_eq, chi, h_eff, expected, spin, classical)


def classical_equations(energy: sp.Expr, n_atoms: int, with_photon: bool = True) -> BlochEquations:
    r"""Equations of motion of a classical energy function of the spins and the photon.

    Spins precess as :math:`\dot{\vec\sigma}_i = 2\,\nabla_{\vec\sigma_i}E\times\vec\sigma_i`
    (the Bloch form of :math:`i[H,\cdot]` for :math:`H` linear in each spin) and
    the photon follows :math:`\dot\alpha = -i\,\partial E/\partial\alpha^*`.
    ``energy`` is written in :math:`s_i, s_i^*, z_i, \alpha, \alpha^*`.
    """
    sym = model_symbols(n_atoms)
    E = to_bloch(energy, n_atoms)
    E = sp.expand(sp.re(E))  # the energy is real
    rates = {}
    for i in range(n_atoms):
        sig = sp.Matrix([sym.x[i], sym.y[i], sym.z[i]])
        grad = sp.Matrix([sp.diff(E, v) for v in sig])
        rate = 2 * grad.cross(sig)
        for v, r in zip(sig, rate):
            rates[v] = sp.expand(r)
    if with_photon:
        # d/d alpha^* = (d/d alpha_r + i d/d alpha_i)/2
        dE = (sp.diff(E, sym.a_re) + I * sp.diff(E, sym.a_im)) / 2
        da = sp.expand(-I * dE)
        rates[sym.a_re] = sp.expand(sp.re(da))
        rates[sym.a_im] = sp.expand(sp.im(da))
    return BlochEquations(n_atoms, rates)


# ============================================================================
# Conservation laws
# ============================================================================
@dataclass(frozen=True)
class ConservationLaws:
    r"""Candidate conserved quantities and their time derivatives along the flow.

    ``quantities`` and ``rates`` map a name to a sympy expression (real variables):
    ``"excitations"`` :math:`\tfrac12\sum z_i + |\alpha|^2`, ``"energy"``
    :math:`\langle H\rangle`, ``"spin_length_i"`` :math:`x_i^2 + y_i^2 + z_i^2`.
    """

    quantities: dict
    rates: dict


def conservation_laws(n_atoms: int = 2, loss: bool = True) -> ConservationLaws:
    r"""Time derivatives of excitations, energy and spin lengths under the derived equations.

    With loss, :math:`\frac{d}{dt}(\tfrac12\sum z_i + |\alpha|^2) = -\kappa|\alpha|^2`.
    """
    sym = model_symbols(n_atoms)
    flow = bloch_equations(mean_field_equations(n_atoms, loss))
    excit = sp.Rational(1, 2) * sum(sym.z) + sym.a_re ** 2 + sym.a_im ** 2
    energy = sp.expand(sp.re(to_bloch(mean_field(hamiltonian(n_atoms)), n_atoms)))
    quantities = {"excitations": excit, "energy": energy}
    for i in range(n_atoms):
        quantities[f"spin_length_{i + 1}"] = sym.x[i] ** 2 + sym.y[i] ** 2 + sym.z[i] ** 2
    rates = {k: sp.simplify(flow.derivative(v)) for k, v in quantities.items()}
    return ConservationLaws(quantities, rates)


# ============================================================================
# Rotating frame and equilibrium (to settle the source's factors)
# ============================================================================
@dataclass(frozen=True)
class DrivenSpin:
    r"""One spin driven by a photon :math:`a = A e^{-i\mu t}` (:math:`A` real), in the frame of the photon.

    ``ds_rot``: :math:`\dot{\tilde s}` for :math:`s = \tilde s e^{-i\mu t}`;
    ``field``: the Bloch field :math:`\vec b` with :math:`\dot{\vec\sigma} = 2\vec b\times\vec\sigma`,
    :math:`\vec b = (gA, 0, \varepsilon - \mu/2)`; ``coherence``: the
    :math:`\langle\sigma^+\rangle` of a spin aligned with :math:`\pm\vec b`,
    :math:`|\langle\sigma^+\rangle| = \tfrac12 gA/\sqrt{(\varepsilon-\mu/2)^2 + (gA)^2}`.
    """

    ds_rot: sp.Expr
    field: sp.Matrix
    coherence: sp.Expr
    symbols: dict


def driven_spin() -> DrivenSpin:
    r"""The spin of atom 1 in the frame rotating with a photon :math:`a = Ae^{-i\mu t}`.

    Shows that the resonance of a photon of frequency :math:`\mu` with atom
    :math:`i` is at :math:`2\varepsilon_i = \mu` (the transition energy is
    :math:`2\varepsilon_i`): the field along :math:`\hat z` is :math:`\varepsilon_i - \mu/2`.
    """
    sym = model_symbols(1)
    t, mu = sp.Symbol("t", real=True), sp.Symbol(r"\mu", real=True)
    A = sp.Symbol("A", positive=True)
    st = sp.Function(r"\tilde{s}")(t)
    eps, g, z = sym.eps[0], sym.g[0], sym.z[0]
    rhs = mean_field_equations(1).ds[0]
    phase = sp.exp(-I * mu * t)
    # d/dt (st * phase) = rhs(s = st*phase, alpha = A*phase)  =>  st' = rhs/phase + i mu st
    ds_rot = sp.simplify(rhs.subs({sym.s[0]: st * phase, sym.a: A * phase}) / phase + I * mu * st)
    ds_rot = sp.expand(ds_rot)
    # Read the field off the rotating-frame equation, which has the form of the
    # static one: ds/dt = -2i b_z s + i (b_x - i b_y) z.
    b_z = sp.simplify(ds_rot.coeff(st) / (-2 * I))
    b_perp = sp.simplify(ds_rot.coeff(z) / I)
    field = sp.Matrix([sp.re(b_perp), -sp.im(b_perp), b_z])
    coherence = sp.Rational(1, 2) * g * A / sp.sqrt((eps - mu / 2) ** 2 + (g * A) ** 2)
    return DrivenSpin(ds_rot, field, coherence, {"t": t, "mu": mu, "A": A, "s_rot": st})


@dataclass(frozen=True)
class GrandCanonical:
    r"""Mean-field ground state of :math:`H - 2\mu(\tfrac12\sum_i\sigma^z_i + a^\dagger a)`.

    ``a_eq``: stationary photon :math:`-\sum_i g_i s_i/(\Delta_c - 2\mu)`;
    ``field[i]``: the gradient :math:`\vec b_i = \partial E/\partial\vec\sigma_i` of the
    spin energy after eliminating the photon, in terms of the gap
    :math:`\Delta = \frac{g^2}{\Delta_c - 2\mu}\sum_j\langle\sigma^+_j\rangle`:
    :math:`\vec b_i = (-\mathrm{Re}\,\Delta, -\mathrm{Im}\,\Delta, \varepsilon_i - \mu)`.
    The energy minimum has :math:`\vec\sigma_i = -\vec b_i/|\vec b_i|`:
    ``sigma_plus_min`` :math:`= \Delta/(2\sqrt{(\varepsilon_i-\mu)^2+|\Delta|^2})` and
    ``sigma_z_min`` :math:`= -(\varepsilon_i-\mu)/\sqrt{(\varepsilon_i-\mu)^2+|\Delta|^2}`.
    """

    a_eq: sp.Expr
    field: list
    gap: sp.Expr
    sigma_plus_min: sp.Expr
    sigma_z_min: sp.Expr
    symbols: dict


def grand_canonical(n_atoms: int = 2) -> GrandCanonical:
    r"""Eliminate the photon from :math:`H - 2\mu N_{exc}` and find each spin's field (homogeneous g)."""
    sym = model_symbols(n_atoms)
    mu = sp.Symbol(r"\mu", real=True)
    g = sym.g[0]
    n_exc = sum((sigma_z(i + 1) for i in range(n_atoms)), Operator()) * sp.Rational(1, 2) \
        + creation() * annihilation()
    H = hamiltonian(n_atoms, homogeneous=True) - 2 * mu * n_exc
    da = mean_field(heisenberg(H, annihilation()), n_atoms)
    a_eq = sp.solve(sp.Eq(da, 0), sym.a)[0]
    # Classical energy of the spins with the photon at a_eq (Hamilton's principle: da/dt = 0
    # is dE/da* = 0, so inserting it keeps the stationary points).
    E = mean_field(H, n_atoms)
    E = to_bloch(E.subs(sym.a, a_eq), n_atoms)
    E = sp.expand(sp.re(E))
    gap_sym = sp.Symbol(r"\Delta")
    S_plus = sum((x + I * y) / 2 for x, y in zip(sym.x, sym.y))
    gap_expr = g ** 2 / (sym.delta_c - 2 * mu) * S_plus
    fields = []
    for i in range(n_atoms):
        grad = sp.Matrix([sp.diff(E, v) for v in (sym.x[i], sym.y[i], sym.z[i])])
        fields.append(grad.applyfunc(sp.simplify))
    eps = sp.Symbol(r"\varepsilon", real=True)
    norm = sp.sqrt((eps - mu) ** 2 + gap_sym * sp.conjugate(gap_sym))
    return GrandCanonical(a_eq, fields, gap_expr, gap_sym / (2 * norm), -(eps - mu) / norm,
                          {"mu": mu, "gap": gap_sym, "eps": eps})


# ============================================================================
# Lax vector
# ============================================================================
@dataclass(frozen=True)
class LaxDerivation:
    r"""The Lax vector solved from an ansatz.

    Ansatz (coefficient of the spin sum fixed to :math:`\chi/2`):
    :math:`\vec\ell(u) = \frac{\chi}{2}\sum_i\frac{\vec\sigma_i}{u-\varepsilon_i}
    + B\,(\alpha_r, -\alpha_i, 0) + A\,\hat z`, required to obey
    :math:`\dot{\vec\ell} = 2\vec M\times\vec\ell` with
    :math:`\vec M = g(\alpha_r, -\alpha_i, 0) + u\hat z`.

    Attributes
    ----------
    B, A : sympy expressions
        The solved coefficients (``B`` is 0 for the spin-only model, where the
        photon is not independent).
    ell : sympy Matrix (3x1)
        The Lax vector.
    residual : sympy Matrix
        :math:`\dot{\vec\ell} - 2\vec M\times\vec\ell` after substitution (zero).
    adiabatic : bool
    """

    n_atoms: int
    adiabatic: bool
    B: sp.Expr
    A: sp.Expr
    ell: sp.Matrix
    residual: sp.Matrix
    flow: BlochEquations


def _spin_vectors(sym):
    return [sp.Matrix([x, y, z]) for x, y, z in zip(sym.x, sym.y, sym.z)]


def derive_lax_vector(n_atoms: int = 2, adiabatic: bool = False) -> LaxDerivation:
    r"""Solve the Lax ansatz (see :class:`LaxDerivation`) for homogeneous :math:`g`, :math:`\kappa = 0`.

    The unknowns :math:`A, B` may depend on :math:`u` and the parameters but
    not on the state, so every coefficient of the polynomial
    :math:`\dot{\vec\ell} - 2\vec M\times\vec\ell` in the state variables must vanish:
    a linear system. Result: :math:`B = 2g/\Delta_c`,
    :math:`A = (2u - \Delta_c)/\Delta_c` (full model) and :math:`A = -1`
    (spin-only model), with :math:`\chi = g^2/\Delta_c`.
    """
    sym = model_symbols(n_atoms)
    g, dc, u = sym.g[0], sym.delta_c, sym.u
    chi = g ** 2 / dc
    H = hamiltonian(n_atoms, homogeneous=True)
    mf = mean_field_equations(n_atoms, equations=operator_equations(n_atoms, H=H, jumps=()))
    A, B = sp.symbols("A B")
    if adiabatic:
        a_eq = sp.solve(sp.Eq(mf.da, 0), sym.a)[0]
        flow = bloch_equations(mf, adiabatic_photon=a_eq)
        photon = to_bloch(a_eq, n_atoms)
        a_re, a_im = sp.re(photon), sp.im(photon)
        unknowns = [A]
        B_val = sp.Integer(0)
    else:
        flow = bloch_equations(mf)
        a_re, a_im = sym.a_re, sym.a_im
        unknowns = [A, B]
        B_val = B
    spins = _spin_vectors(sym)
    ell = sum((chi / 2 * s / (u - e) for s, e in zip(spins, sym.eps)), sp.zeros(3, 1))
    ell = ell + B_val * sp.Matrix([sym.a_re, -sym.a_im, 0]) + A * sp.Matrix([0, 0, 1])
    M = sp.Matrix([g * a_re, -g * a_im, u])
    d_ell = ell.applyfunc(flow.derivative)
    residual = (d_ell - 2 * M.cross(ell)).applyfunc(lambda e: sp.expand(sp.together(e) * sp.prod(
        [u - e_ for e_ in sym.eps])))
    variables = list(flow.rates)
    equations = []
    for comp in residual:
        poly = sp.Poly(sp.expand(comp), *variables)
        equations.extend(poly.coeffs())
    solution = sp.solve(equations, unknowns, dict=True)
    if len(solution) != 1:
        raise RuntimeError(f"the Lax ansatz has {len(solution)} solutions, expected one")
    sol = {k: sp.factor(v) for k, v in solution[0].items()}
    ell_solved = ell.subs(sol)
    final_residual = residual.subs(sol).applyfunc(sp.expand)
    return LaxDerivation(n_atoms, adiabatic, sp.factor(B_val.subs(sol)), sol[A], ell_solved,
                         final_residual, flow)


def lax_squared_symbolic(derivation: LaxDerivation) -> tuple[sp.Expr, sp.Expr]:
    r""":math:`\ell^2(u)` and its time derivative along the flow (the latter simplifies to 0)."""
    ell = derivation.ell
    L2 = (ell.T * ell)[0, 0]
    dL2 = derivation.flow.derivative(L2)
    return L2, sp.simplify(sp.together(dL2))


def lax_residues(derivation: LaxDerivation) -> dict:
    r"""Coefficients of the poles of :math:`\ell^2(u)` at :math:`u = \varepsilon_i`.

    With :math:`f_i(u) = (u-\varepsilon_i)\vec\ell(u)`, regular at :math:`\varepsilon_i`,
    :math:`\ell^2 = f_i\cdot f_i/(u-\varepsilon_i)^2`, so the double-pole coefficient is
    :math:`f_i(\varepsilon_i)^2 = (\chi/2)^2|\vec\sigma_i|^2` (the spin length) and the
    residue is :math:`R_i = 2 f_i(\varepsilon_i)\cdot f_i'(\varepsilon_i)
    = \chi\,\vec\sigma_i\cdot\big[\frac{\chi}{2}\sum_{j\ne i}\frac{\vec\sigma_j}{\varepsilon_i-\varepsilon_j}
    + B(\alpha_r, -\alpha_i, 0) + A(\varepsilon_i)\hat z\big]` — the Gaudin-type
    conserved quantities. Returns ``{"double": [...], "simple": [...]}``.
    """
    sym = model_symbols(derivation.n_atoms)
    u = sym.u
    double, simple = [], []
    def term_by_term(component, e, derivative):
        # (u - e) * component, evaluated (or differentiated) at u = e one term at a time,
        # which keeps the result in the readable sum-over-j form.
        total = sp.Integer(0)
        for term in sp.Add.make_args(sp.expand(component)):
            f = sp.cancel((u - e) * term)
            total += (sp.diff(f, u) if derivative else f).subs(u, e)
        return total

    for e in sym.eps:
        f0 = derivation.ell.applyfunc(lambda c, e=e: term_by_term(c, e, False))
        f1 = derivation.ell.applyfunc(lambda c, e=e: term_by_term(c, e, True))
        double.append(sp.factor((f0.T * f0)[0, 0]))
        simple.append(sum(2 * a * b for a, b in zip(f0, f1)))
    return {"double": double, "simple": simple}


def lax_large_u(derivation: LaxDerivation, order: int = 1) -> list:
    r"""Coefficients :math:`c_k` of :math:`\ell^2(u) - A(u)^2 = \sum_k c_k u^{-k}` at large :math:`u`.

    For the full model :math:`c_0 = \frac{4\chi}{\Delta_c}\big(\tfrac12\sum_i z_i + |\alpha|^2\big)`
    (the excitation number) and :math:`c_1 = \frac{2\chi}{\Delta_c}(E - \Delta_c N_{exc})`
    with :math:`E = \langle H\rangle` — :math:`\ell^2` generates both. Returns
    ``[c_0, ..., c_order]``.
    """
    sym = model_symbols(derivation.n_atoms)
    u, w = sym.u, sp.Symbol("w")
    ell = derivation.ell
    expr = sp.expand((ell.T * ell)[0, 0] - derivation.A ** 2)
    series = sp.series(expr.subs(u, 1 / w), w, 0, order + 1).removeO()
    return [sp.factor(sp.simplify(series.coeff(w, k))) for k in range(order + 1)]


# ============================================================================
# Continuum limit of the Lax vector (two-box density)
# ============================================================================
@dataclass(frozen=True)
class ContinuumLax:
    r"""Continuum limit of the spin part of the Lax vector for the two-box quench state.

    For atoms :math:`1\dots N` in the upper box at azimuth :math:`+\Delta\phi_0/2` and
    :math:`N+1\dots 2N` in the lower box at :math:`-\Delta\phi_0/2` (every spin in
    the equator), :math:`\frac{\chi}{2}\sum_i\vec\sigma_i/(u-\varepsilon_i)\to
    (\ell_x, \ell_y, 0)` with (units of :math:`\chi N`)

    .. math::

        \ell_x = \frac{2\cos(\Delta\phi_0/2)}{W}\left[\operatorname{artanh}\frac{W-2\varepsilon_0}{4u}
                 + \operatorname{artanh}\frac{W+2\varepsilon_0}{4u}\right],

        \ell_y = \frac{\sin(\Delta\phi_0/2)}{W}
                 \ln\frac{(4u)^2-(W-2\varepsilon_0)^2}{(4u)^2-(W+2\varepsilon_0)^2}.

    Attributes
    ----------
    box_integral : sympy expression
        :math:`\int_{lo}^{hi} d\varepsilon/(u-\varepsilon)` as sympy returns it.
    x_log, y_log : sympy expressions
        :math:`\ell_x, \ell_y` as sums of sympy's logarithms (principal branch).
    x_artanh, y_log_ratio : sympy expressions
        The forms of the source's Eq. 6.
    symbols : dict
        ``u``, ``eps0``, ``W``, ``delta_phi0`` symbols.
    """

    box_integral: sp.Expr
    x_log: sp.Expr
    y_log: sp.Expr
    x_artanh: sp.Expr
    y_log_ratio: sp.Expr
    symbols: dict

    def numeric(self, form: str = "artanh"):
        r"""A numpy function ``f(u, eps0, W, delta_phi0) -> (ell_x, ell_y)``.

        ``form`` is ``"artanh"`` (Eq. 6 of the source) or ``"log"`` (sympy's integral).
        """
        if form not in ("artanh", "log"):
            raise ValueError(f"form must be 'artanh' or 'log', got {form!r}")
        s = self.symbols
        args = (s["u"], s["eps0"], s["W"], s["delta_phi0"])
        exprs = (self.x_artanh, self.y_log_ratio) if form == "artanh" else (self.x_log, self.y_log)
        fx = sp.lambdify(args, exprs[0], modules=["numpy"])
        fy = sp.lambdify(args, exprs[1], modules=["numpy"])

        def f(u, eps0, W, delta_phi0=0.0):
            u = np.asarray(u, dtype=complex)
            with np.errstate(all="ignore"):
                return (np.asarray(fx(u, eps0, W, delta_phi0), dtype=complex) * np.ones_like(u),
                        np.asarray(fy(u, eps0, W, delta_phi0), dtype=complex) * np.ones_like(u))

        return f


    def lax_squared(self, u, eps0, W, delta_c, delta_phi0=0.0, photon_equilibrium=False):
        r"""Continuum :math:`\ell^2(u)` of the full model for the two-box quench state (units of :math:`\chi N`).

        .. math:: \ell^2 = \Big(\ell_x - \frac{2s\cos(\Delta\phi_0/2)}{\Delta_c}\Big)^2 + \ell_y^2
                  + \Big(\frac{2u-\Delta_c}{\Delta_c}\Big)^2,

        with :math:`s = 1` when the photon starts at :math:`a_{eq}(0)` (:math:`\kappa = 0`) and
        :math:`s = 0` for the vacuum. The photon term is
        :math:`\frac{2G}{\Delta_c}\mathrm{Re}\,\alpha_{eq} = -2\cos(\Delta\phi_0/2)/\Delta_c`,
        twice the :math:`\chi N\cos(\Delta\phi_0/2)/\Delta_c` printed in the source's Eq. 7.
        """
        delta_c = check.positive("delta_c", delta_c)
        W = check.positive("W", W)
        lx, ly = self.numeric("artanh")(u, eps0, W, delta_phi0)
        shift = 2.0 * np.cos(0.5 * delta_phi0) / delta_c if photon_equilibrium else 0.0
        u = np.asarray(u, dtype=complex)
        return (lx - shift) ** 2 + ly ** 2 + ((2.0 * u - delta_c) / delta_c) ** 2


@functools.cache
def continuum_lax() -> ContinuumLax:
    r"""Integrate :math:`\frac{\chi}{2}\sum_i\vec\sigma_i/(u-\varepsilon_i)` over the two-box density.

    Each box holds :math:`N` atoms with density :math:`2N/W` on an interval of
    width :math:`W/2`, so with :math:`\chi N = 1`,
    :math:`\frac{\chi}{2}\sum_{box}\frac{1}{u-\varepsilon_i}\to\frac{1}{W}\int_{box}\frac{d\varepsilon}{u-\varepsilon}`.

    Branches: the finite sum is analytic in :math:`u` except at its poles
    :math:`\varepsilon_i`; as :math:`N\to\infty` the poles merge into cuts on the
    two bands, across which the continuum function must jump by
    :math:`-2\pi i\,p(\varepsilon)` (Sokhotski–Plemelj) and nowhere else.
    sympy's antiderivative :math:`\log(lo-u) - \log(hi-u)` with principal
    logarithms has cuts :math:`[lo,\infty)` and :math:`[hi,\infty)` whose jumps
    cancel beyond :math:`hi`, leaving exactly the band. The principal
    :math:`\operatorname{artanh}` of the source has cuts on
    :math:`|u| \le |c|/4`; inside the gap the two terms jump by opposite
    amounts, so their sum again has cuts only on the bands.
    """
    u = sp.Symbol("u")
    e, lo, hi = sp.symbols("varepsilon lo hi", real=True)
    eps0 = sp.Symbol(r"\varepsilon_0", positive=True)
    W = sp.Symbol("W", positive=True)
    dphi = sp.Symbol(r"\Delta\phi_0", real=True)
    box = sp.integrate(1 / (u - e), (e, lo, hi), conds="none")
    (up_lo, up_hi), (low_lo, low_hi) = box_edges(eps0, W)
    upper = box.subs({lo: up_lo, hi: up_hi})
    lower = box.subs({lo: low_lo, hi: low_hi})
    # chi/2 * N * (2/W) = 1/W in units chi*N = 1
    x_log = sp.cos(dphi / 2) / W * (upper + lower)
    y_log = sp.sin(dphi / 2) / W * (upper - lower)
    x_artanh = 2 * sp.cos(dphi / 2) / W * (sp.atanh((W - 2 * eps0) / (4 * u)) + sp.atanh((W + 2 * eps0) / (4 * u)))
    y_ratio = sp.sin(dphi / 2) / W * sp.log(((4 * u) ** 2 - (W - 2 * eps0) ** 2) / ((4 * u) ** 2 - (W + 2 * eps0) ** 2))
    return ContinuumLax(box, x_log, y_log, x_artanh, y_ratio,
                        {"u": u, "eps0": eps0, "W": W, "delta_phi0": dphi, "lo": lo, "hi": hi})


# ============================================================================
# Numerical right-hand side from the derived equations
# ============================================================================
@functools.cache
def _lambdified_rhs(n_atoms: int, adiabatic: bool):
    sym = model_symbols(n_atoms)
    mf = mean_field_equations(n_atoms, loss=True)
    if adiabatic:
        mf = adiabatic_elimination(n_atoms, loss=True).spin_equations
    args = (list(sym.s), list(sym.z), sym.a, list(sym.eps), list(sym.g), sym.delta_c, sym.kappa)
    exprs = [list(mf.ds), list(mf.dz), mf.da]
    return sp.lambdify(args, exprs, modules=["numpy"])


def derived_rhs(y, eps, f, G, delta_c, kappa, adiabatic=False, inv_n=None):
    r"""Time derivative of the packed state ``y`` from the *sympy-derived* equations.

    Same arguments and layout as :func:`cavity_bcs._kernels.rhs` (``y =
    [x, y, z, Re alpha, Im alpha]``, units of :math:`\chi N`, ``inv_n`` =
    :math:`1/N`, default ``2/len(eps)``). Maps :math:`s_i = (x_i - iy_i)/2`,
    :math:`a = \sqrt N\alpha`, :math:`g_i = G f_i/\sqrt N`, evaluates the
    lambdified equations and maps back. ``len(eps)`` must be 1–8.
    """
    eps = np.asarray(eps, dtype=float)
    f = np.asarray(f, dtype=float)
    y = np.asarray(y, dtype=float)
    n = eps.size
    if not 1 <= n <= 8:
        raise ValueError(f"eps must have 1 to 8 entries for the symbolic right-hand side, got {n}")
    if f.shape != (n,) or y.shape != (3 * n + 2,):
        raise ValueError(f"f must have shape ({n},) and y shape ({3 * n + 2},), got {f.shape} and {y.shape}")
    delta_c = check.positive("delta_c", delta_c)
    kappa = check.nonnegative("kappa", kappa)
    inv_n = 2.0 / n if inv_n is None else check.positive("inv_n", inv_n)
    root_n = 1.0 / math.sqrt(inv_n)
    s = 0.5 * (y[:n] - 1j * y[n:2 * n])
    z = y[2 * n:3 * n]
    alpha = complex(y[3 * n], y[3 * n + 1])
    g = G * f / root_n
    ds, dz, da = _lambdified_rhs(n, bool(adiabatic))(list(s), list(z), alpha * root_n, list(eps), list(g),
                                                     delta_c, kappa)
    ds = np.asarray(ds, dtype=complex) * np.ones(n)
    dz = np.asarray(dz, dtype=complex) * np.ones(n)
    dalpha = complex(da) / root_n
    return np.concatenate([2 * ds.real, -2 * ds.imag, dz.real, [dalpha.real, dalpha.imag]])


# ============================================================================
# Display: equations that fit the page
# ============================================================================
_FRAC = re.compile(r"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}")
_GROUP = re.compile(r"([_^])\{([^{}]*)\}")


def _visible_width(tex: str) -> int:
    """Rough rendered width of LaTeX ``tex`` in symbols: a command is one symbol, a fraction
    is as wide as the wider of its parts, braces, scripts markers and sizes take no room."""
    tex = re.sub(r"\\(left|right|[Bb]igg?[lr]?)\b", "", tex)
    tex = re.sub(r"\\(operatorname|mathrm|text|rm)\{([^{}]*)\}", r"\2", tex)
    while True:  # innermost fractions and script groups first, until nothing changes
        new = _FRAC.sub(lambda m: max(m.group(1), m.group(2), key=_visible_width), tex)
        new = _GROUP.sub(r"\2", new)
        if new == tex:
            break
        tex = new
    tex = re.sub(r"\\[a-zA-Z]+", "x", tex)
    return len(re.sub(r"[{}^_\s&]|\\[,;!: ]", "", tex))


def latex_equation(lhs: str, expr, width: int = 44) -> str:
    r"""LaTeX for ``lhs = expr`` that fits the book's text column.

    Short equations come back on one line. When the rendered width (estimated in symbols,
    see ``width``: 44 symbols leave a margin in the 740-px text column of the rendered book) would be
    larger, the equation becomes an ``aligned`` block broken between the terms of a sum:
    of ``expr`` itself, or of the one sum inside a product (``prefactor (t1 + t2 + ...)``).
    Nothing is rewritten: the terms are sympy's own, in its printing order.
    """
    width = check.integer("width", width, minimum=10)
    body = sp.latex(expr)
    if _visible_width(lhs) + 1 + _visible_width(body) <= width:
        return f"{lhs} = {body}"
    prefix, inner, suffix = "", expr, ""
    if isinstance(expr, sp.Mul):
        sums = [f for f in expr.args if isinstance(f, sp.Add)]
        if len(sums) == 1:
            rest = sp.Mul(*[f for f in expr.args if f is not sums[0]])
            inner = sums[0]
            prefix = ("-" if rest == -1 else sp.latex(rest)) + r" \Big("
            suffix = r" \Big)"
    if not isinstance(inner, sp.Add):
        return f"{lhs} = {body}"  # nothing to break at: a product or a matrix stays whole
    pieces = []
    for k, term in enumerate(inner.as_ordered_terms()):
        tex = sp.latex(term)
        if k == 0:
            pieces.append(tex)
        elif tex.startswith("-"):
            pieces.append("- " + tex[1:])
        else:
            pieces.append("+ " + tex)
    lines, current = [], prefix + " " + pieces[0]
    budget = width - _visible_width(lhs) - 1
    for piece in pieces[1:]:
        if _visible_width(current + piece) > budget:
            lines.append(current)
            current = r"\quad " + piece
        else:
            current += " " + piece
    lines.append(current + suffix)
    return r"\begin{aligned}" + f"{lhs} &= " + r"\\ &\phantom{=}\ ".join(lines) + r"\end{aligned}"
