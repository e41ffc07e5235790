r"""Second-order cumulant equations derived with sympy (the oracle of :mod:`cavity_bcs.quantum.cumulants`).

For a *few explicit atoms* (sites ``1..n``, symbolic :math:`\varepsilon_i`, :math:`g_i`),
this module

1. writes the Heisenberg–Lindblad equations
   :math:`\partial_t O = i[H,O] + \sum_L(2L^\dagger OL - \{L^\dagger L, O\})` (the book's
   form, :func:`cavity_bcs.symbolic.derivation.heisenberg`) of every first moment
   (:math:`\sigma^-_i, \sigma^z_i, a`) and every second moment (:math:`\sigma^+_i\sigma^-_j,
   \sigma^-_i\sigma^-_j, \sigma^z_i\sigma^-_j, \sigma^z_i\sigma^z_j` for :math:`i \ne j`;
   :math:`\sigma^\mp_i a, \sigma^z_i a`; :math:`a^\dagger a, aa`), with the jumps
   :math:`\sqrt{\kappa/2}\,a`, :math:`\sqrt{\gamma/2}\,\sigma^-_i`,
   :math:`\tfrac12\sqrt{\gamma_\phi}\,\sigma^z_i` (book form: :math:`\kappa` the cavity
   energy-loss rate, :math:`\gamma` spontaneous decay, :math:`\gamma_\phi` dephasing);
2. takes expectation values with the **cumulant truncation** of the requested order:
   each canonical monomial (one Pauli factor per atom, photon normal ordered) is
   expanded over the set partitions of its factors,
   :math:`\langle ABC\rangle = \langle A\rangle\langle B\rangle\langle C\rangle
   + \langle A\rangle C_{BC} + \langle B\rangle C_{AC} + \langle C\rangle C_{AB} + C_{ABC}`,
   keeping blocks of size :math:`\le` ``order`` (``order=1`` is the mean-field
   factorisation of :func:`~cavity_bcs.symbolic.derivation.mean_field`, ``order=2`` sets
   every third- and fourth-order cumulant to zero);
3. turns the moment equations into equations of the cumulants,
   :math:`\dot C_{XY} = \partial_t\langle XY\rangle - \partial_t\langle X\rangle\,\langle Y\rangle
   - \langle X\rangle\,\partial_t\langle Y\rangle`;
4. exposes the **class structure** (:func:`class_structure`): every equation involves
   at most the one or two atoms its variable names plus *one* other atom :math:`k`,
   linearly, through the cavity's source :math:`\sum_k g_k\sigma^-_k`; so for classes
   of identical atoms the sum over :math:`k` becomes
   :math:`g_i(\text{self term}) + \sum_{c'}(n_{c'} - \delta_{c c_i})\,g_{c'}(\text{pair term})`;
5. evaluates the derived equations numerically on the packed state of the numba
   kernel (:func:`derived_cumulant_rhs`), so the tests prove the kernel integrates
   exactly these equations.

Variables (atom-resolved; ``n`` atoms)
--------------------------------------
Means :math:`s_i = \langle\sigma^-_i\rangle`, :math:`z_i = \langle\sigma^z_i\rangle` (real),
:math:`\alpha = \langle a\rangle`. Cumulants :math:`C_{XY} = \langle XY\rangle - \langle X\rangle\langle Y\rangle`:

* spin–spin, :math:`i \ne j`: :math:`P_{ij} = C(\sigma^+_i,\sigma^-_j)` (:math:`P_{ji} = P_{ij}^*`),
  :math:`Q_{ij} = C(\sigma^-_i,\sigma^-_j)` (symmetric), :math:`R_{ij} = C(\sigma^z_i,\sigma^-_j)`
  (no symmetry), :math:`Z_{ij} = C(\sigma^z_i,\sigma^z_j)` (real, symmetric);
* spin–photon: :math:`A^-_i = C(\sigma^-_i, a)`, :math:`A^+_i = C(\sigma^+_i, a)`,
  :math:`A^z_i = C(\sigma^z_i, a)`; those with :math:`a^\dagger` are their conjugates;
* photon: :math:`n = C(a^\dagger, a) = \langle a^\dagger a\rangle - |\alpha|^2` (real) and
  :math:`m = C(a, a) = \langle aa\rangle - \alpha^2`.

A cumulant of two operators of the *same* atom never appears: the canonical form
reduces :math:`\sigma^+_i\sigma^-_i = (1+\sigma^z_i)/2`, :math:`(\sigma^z_i)^2 = 1`, … before
any expectation value is taken.

Units here are the bare ones of the Hamiltonian (:math:`\hbar = 1`, :math:`g_i`, :math:`a`);
:func:`derived_cumulant_rhs` maps them to the kernel's scaled variables.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

from .. import _validate as check
from .derivation import (
    Operator,
    annihilation,
    creation,
    hamiltonian,
    heisenberg,
    model_symbols,
    sigma_minus,
    sigma_plus,
    sigma_z,
)

__all__ = ["CumulantSymbols", "cumulant_symbols", "jump_operators", "expectation",
           "CumulantEquations", "cumulant_equations", "ClassStructure", "class_structure",
           "derived_cumulant_rhs", "second_order_operators", "flow_derivative", "conservation_laws"]

I = sp.I
MAX_ATOMS = 6


# ============================================================================
# Symbols
# ============================================================================
@dataclass(frozen=True)
class CumulantSymbols:
    r"""Symbols of the atom-resolved cumulant variables for ``n_atoms`` atoms.

    ``s[i]``, ``z[i]`` (real), ``a``: the means; ``P[i, j]`` (``i < j``), ``Q[i, j]``
    (``i < j``), ``R[i, j]`` (``i != j``), ``Z[i, j]`` (``i < j``, real): spin–spin cumulants
    (0-based site indices); ``Am[i]``, ``Ap[i]``, ``Az[i]``: spin–photon cumulants;
    ``n`` (real), ``m``: photon cumulants; ``eps``, ``g``, ``delta_c``, ``kappa`` from
    :func:`~cavity_bcs.symbolic.derivation.model_symbols`, plus ``gamma`` and ``dephasing``.
    """

    n_atoms: int
    s: tuple
    z: tuple
    a: sp.Symbol
    P: dict
    Q: dict
    R: dict
    Z: dict
    Am: tuple
    Ap: tuple
    Az: tuple
    n: sp.Symbol
    m: sp.Symbol
    eps: tuple
    g: tuple
    delta_c: sp.Symbol
    kappa: sp.Symbol
    gamma: sp.Symbol
    dephasing: sp.Symbol

    def variables(self, order: int = 2) -> list:
        """The independent variables in a fixed order (means, then second-order cumulants)."""
        out = [*self.s, *self.z, self.a]
        if order >= 2:
            pairs = [(i, j) for i in range(self.n_atoms) for j in range(self.n_atoms) if i < j]
            ordered = [(i, j) for i in range(self.n_atoms) for j in range(self.n_atoms) if i != j]
            out += [self.P[p] for p in pairs] + [self.Q[p] for p in pairs]
            out += [self.R[p] for p in ordered] + [self.Z[p] for p in pairs]
            out += [*self.Am, *self.Ap, *self.Az, self.n, self.m]
        return out


@functools.cache
def cumulant_symbols(n_atoms: int) -> CumulantSymbols:
    """The :class:`CumulantSymbols` of ``n_atoms`` atoms (1 to ``MAX_ATOMS``)."""
    n_atoms = check.integer("n_atoms", n_atoms, minimum=1, maximum=MAX_ATOMS)
    base = model_symbols(n_atoms)
    r = range(n_atoms)
    pairs = [(i, j) for i in r for j in r if i < j]
    ordered = [(i, j) for i in r for j in r if i != j]
    return CumulantSymbols(
        n_atoms=n_atoms, s=base.s, z=base.z, a=base.a,
        P={(i, j): sp.Symbol(f"P_{{{i + 1}{j + 1}}}") for i, j in pairs},
        Q={(i, j): sp.Symbol(f"Q_{{{i + 1}{j + 1}}}") for i, j in pairs},
        R={(i, j): sp.Symbol(f"R_{{{i + 1}{j + 1}}}") for i, j in ordered},
        Z={(i, j): sp.Symbol(f"Z_{{{i + 1}{j + 1}}}", real=True) for i, j in pairs},
        Am=tuple(sp.Symbol(f"A^-_{{{i + 1}}}") for i in r),
        Ap=tuple(sp.Symbol(f"A^+_{{{i + 1}}}") for i in r),
        Az=tuple(sp.Symbol(f"A^z_{{{i + 1}}}") for i in r),
        n=sp.Symbol("n_c", real=True), m=sp.Symbol("m_c"),
        eps=base.eps, g=base.g, delta_c=base.delta_c, kappa=base.kappa,
        gamma=sp.Symbol(r"\gamma", nonnegative=True),
        dephasing=sp.Symbol(r"\gamma_\phi", nonnegative=True),
    )


def jump_operators(n_atoms: int, kappa=True, gamma=True, dephasing=True) -> tuple:
    r"""Jumps in the book's form: :math:`\sqrt{\kappa/2}\,a`, :math:`\sqrt{\gamma/2}\,\sigma^-_i`,
    :math:`\tfrac12\sqrt{\gamma_\phi}\,\sigma^z_i` (textbook :math:`\sqrt\kappa a`, :math:`\sqrt\gamma\sigma^-_i`,
    :math:`\sqrt{\gamma_\phi/2}\,\sigma^z_i`)."""
    sym = cumulant_symbols(n_atoms)
    jumps = []
    if kappa:
        jumps.append(sp.sqrt(sym.kappa / 2) * annihilation())
    for i in range(n_atoms):
        if gamma:
            jumps.append(sp.sqrt(sym.gamma / 2) * sigma_minus(i + 1))
        if dephasing:
            jumps.append(sp.sqrt(sym.dephasing) / 2 * sigma_z(i + 1))
    return tuple(jumps)


# ============================================================================
# Expectation values with the cumulant truncation
# ============================================================================
# A factor of a canonical monomial: (site, kind) for a Pauli operator (site >= 1,
# kind "+", "-", "z"), (0, "ad") / (0, "a") for the photon.
def _mean(sym, factor):
    site, kind = factor
    if site == 0:
        return sym.a if kind == "a" else sp.conjugate(sym.a)
    s = sym.s[site - 1]
    return {"-": s, "+": sp.conjugate(s), "z": sym.z[site - 1]}[kind]


def _cumulant(sym, f1, f2):
    r"""The symbol (or its conjugate) of the cumulant :math:`C(f_1, f_2)` of two factors."""
    (i, k1), (j, k2) = sorted([f1, f2])
    if i == 0 and j == 0:  # photon-photon
        kinds = tuple(sorted((k1, k2)))
        if kinds == ("a", "ad"):
            return sym.n
        return sym.m if kinds == ("a", "a") else sp.conjugate(sym.m)
    if i == 0:  # photon first after sorting: (0, photon), (site, spin)
        (j, spin), photon = (j, k2), k1
        table = {"-": sym.Am, "+": sym.Ap, "z": sym.Az}
        if photon == "a":
            return table[spin][j - 1]
        partner = {"-": "+", "+": "-", "z": "z"}[spin]  # C(X, a^dag) = C(X^dag, a)^*
        return sp.conjugate(table[partner][j - 1])
    if i == j:
        raise ValueError("a canonical monomial has at most one Pauli factor per atom")
    i, j = i - 1, j - 1  # i < j
    key = (k1, k2)
    if key == ("-", "-"):
        return sym.Q[(i, j)]
    if key == ("+", "+"):
        return sp.conjugate(sym.Q[(i, j)])
    if key == ("+", "-"):
        return sym.P[(i, j)]
    if key == ("-", "+"):
        return sp.conjugate(sym.P[(i, j)])
    if key == ("z", "z"):
        return sym.Z[(i, j)]
    if k1 == "z":
        return sym.R[(i, j)] if k2 == "-" else sp.conjugate(sym.R[(i, j)])
    # k2 == "z": C(sigma_i, sigma^z_j) = R_{ji} or its conjugate
    return sym.R[(j, i)] if k1 == "-" else sp.conjugate(sym.R[(j, i)])


def _partitions(items, max_block):
    """Set partitions of ``items`` into blocks of at most ``max_block`` elements."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in _partitions(rest, max_block):
        yield [[first], *part]
        if max_block >= 2:
            for k, block in enumerate(part):
                if len(block) < max_block:
                    yield [*part[:k], [first, *block], *part[k + 1:]]


def _factors(mono):
    spins, m, n = mono
    return [(site, kind) for site, kind in spins] + [(0, "ad")] * m + [(0, "a")] * n


def expectation(op: Operator, n_atoms: int, order: int = 2) -> sp.Expr:
    r""":math:`\langle O\rangle` with every cumulant of order above ``order`` set to zero.

    ``op`` is expanded in canonical monomials; each monomial's factors (distinct atoms
    and a normal-ordered photon, which all commute inside the product) are summed over
    the set partitions into blocks of at most ``order`` factors, a block of one being a
    mean and a block of two a second-order cumulant (:class:`CumulantSymbols`). For
    ``order=1`` this is the mean-field factorisation.
    """
    order = check.integer("order", order, minimum=1, maximum=2)
    sym = cumulant_symbols(n_atoms)
    total = sp.Integer(0)
    for mono, coef in op.terms.items():
        factors = _factors(mono)
        value = sp.Integer(0)
        for part in _partitions(factors, order):
            term = sp.Integer(1)
            for block in part:
                term *= _mean(sym, block[0]) if len(block) == 1 else _cumulant(sym, *block)
            value += term
        total += coef * value
    return sp.expand(total)


# ============================================================================
# The equations
# ============================================================================
def second_order_operators(n_atoms: int) -> dict:
    r"""The product operator :math:`XY` behind each second-order cumulant symbol, as
    ``{symbol: (X, Y)}``."""
    sym = cumulant_symbols(n_atoms)
    a = annihilation()
    out = {}
    for (i, j), v in sym.P.items():
        out[v] = (sigma_plus(i + 1), sigma_minus(j + 1))
    for (i, j), v in sym.Q.items():
        out[v] = (sigma_minus(i + 1), sigma_minus(j + 1))
    for (i, j), v in sym.R.items():
        out[v] = (sigma_z(i + 1), sigma_minus(j + 1))
    for (i, j), v in sym.Z.items():
        out[v] = (sigma_z(i + 1), sigma_z(j + 1))
    for i in range(n_atoms):
        out[sym.Am[i]] = (sigma_minus(i + 1), a)
        out[sym.Ap[i]] = (sigma_plus(i + 1), a)
        out[sym.Az[i]] = (sigma_z(i + 1), a)
    out[sym.n] = (creation(), a)
    out[sym.m] = (a, a)
    return out


@dataclass(frozen=True)
class CumulantEquations:
    r"""Truncated equations :math:`\dot v = F(v)` for every variable of :class:`CumulantSymbols`.

    ``rates`` maps each variable (sympy symbol) to its time derivative (bare units);
    ``moments`` maps each second-order variable to :math:`\partial_t\langle XY\rangle` before
    the means' derivatives are subtracted; ``order`` is the truncation order.
    """

    n_atoms: int
    order: int
    rates: dict
    moments: dict


@functools.cache
def cumulant_equations(n_atoms: int = 3, order: int = 2, loss: bool = True) -> CumulantEquations:
    r"""Derive the cumulant equations of ``n_atoms`` atoms (with :math:`\kappa,\gamma,\gamma_\phi`
    symbols when ``loss``).

    First moments: :math:`\dot s_i = \langle\partial_t\sigma^-_i\rangle`, etc., exact in terms
    of second moments, which are then written as means plus cumulants. Second-order
    cumulants: :math:`\dot C_{XY} = \langle\partial_t(XY)\rangle_{trunc} - \langle\partial_tX\rangle\langle Y\rangle
    - \langle X\rangle\langle\partial_tY\rangle` (``order=2`` only; ``order=1`` has the means only).
    """
    order = check.integer("order", order, minimum=1, maximum=2)
    sym = cumulant_symbols(n_atoms)
    H = hamiltonian(n_atoms)
    jumps = jump_operators(n_atoms) if loss else ()

    @functools.cache
    def rate_of_mean(factor):
        site, kind = factor
        op = (annihilation() if kind == "a" else creation()) if site == 0 else \
            {"-": sigma_minus, "+": sigma_plus, "z": sigma_z}[kind](site)
        return expectation(heisenberg(H, op, jumps), n_atoms, order)

    rates = {}
    for i in range(n_atoms):
        rates[sym.s[i]] = rate_of_mean((i + 1, "-"))
        rates[sym.z[i]] = rate_of_mean((i + 1, "z"))
    rates[sym.a] = rate_of_mean((0, "a"))
    moments = {}
    if order == 2:
        for v, (X, Y) in second_order_operators(n_atoms).items():
            fx = _single_factor(X)
            fy = _single_factor(Y)
            moment = expectation(heisenberg(H, X * Y, jumps), n_atoms, 2)
            moments[v] = moment
            rates[v] = sp.expand(moment - rate_of_mean(fx) * _mean(sym, fy) - _mean(sym, fx) * rate_of_mean(fy))
    return CumulantEquations(n_atoms, order, rates, moments)


def _single_factor(op: Operator):
    (mono,) = op.terms
    (factor,) = _factors(mono)
    return factor


def flow_derivative(expr: sp.Expr, equations: CumulantEquations) -> sp.Expr:
    r"""Time derivative of ``expr`` (a function of the variables and their conjugates) along the
    truncated flow: :math:`\sum_v \partial_v E\,\dot v + \partial_{v^*}E\,\dot v^*`."""
    expr = sp.expand(sp.sympify(expr))
    bars = {}
    for v in equations.rates:
        if not v.is_real:
            bars[v] = sp.Symbol(v.name + "^*")
    expr = expr.subs({sp.conjugate(v): b for v, b in bars.items()})
    total = sp.Integer(0)
    for v, rate in equations.rates.items():
        total += sp.diff(expr, v) * rate
        if v in bars:
            total += sp.diff(expr, bars[v]) * sp.conjugate(rate)
    back = {b: sp.conjugate(v) for v, b in bars.items()}
    return sp.expand(total.subs(back))


def conservation_laws(n_atoms: int = 3, order: int = 2) -> dict:
    r"""Excitations and energy as expressions in the cumulant variables, with their rates.

    :math:`K = \tfrac12\sum_i\langle\sigma^z_i\rangle + \langle a^\dagger a\rangle` and
    :math:`E = \langle H\rangle` are expectation values of operators (no truncation is
    needed: they are linear in first and second moments), and
    :math:`\dot K = \langle\partial_tK\rangle`, :math:`\dot E = \langle\partial_tE\rangle` are sums of
    Heisenberg derivatives that cancel as *operators* before any truncation. So both are
    invariants of the truncated equations without loss. Returns
    ``{name: (expression, rate without loss, rate with loss)}``.
    """
    sym = cumulant_symbols(n_atoms)
    n_exc = creation() * annihilation()
    for i in range(n_atoms):
        n_exc = n_exc + sp.Rational(1, 2) * sigma_z(i + 1)
    out = {}
    lossless = {sym.kappa: 0, sym.gamma: 0, sym.dephasing: 0}
    eq = cumulant_equations(n_atoms, order, True)
    for name, op in (("excitations", n_exc), ("energy", hamiltonian(n_atoms))):
        expr = expectation(op, n_atoms, order)
        rate = flow_derivative(expr, eq)
        out[name] = (expr, sp.simplify(rate.subs(lossless)), sp.simplify(rate))
    return out


# ============================================================================
# Class structure
# ============================================================================
@dataclass(frozen=True)
class ClassStructure:
    r"""How each equation depends on atoms other than those its variable names.

    ``own[v]``: the part of :math:`\dot v` that involves only the atoms of ``v`` (and the
    photon); ``other[v]``: the rest, a sum :math:`\sum_k T_k` of terms each involving
    exactly one further atom :math:`k` (``max_others`` is the largest number of further
    atoms found in one term: 1 for the second-order equations, which is what makes the
    class reduction exact); ``atoms[v]``: the atoms of ``v`` (0-based).
    """

    n_atoms: int
    own: dict
    other: dict
    atoms: dict
    max_others: int


def _atom_labels(sym):
    labels = {}
    for i in range(sym.n_atoms):
        for s in (sym.s[i], sym.z[i], sym.eps[i], sym.g[i], sym.Am[i], sym.Ap[i], sym.Az[i]):
            labels[s] = {i}
    for table in (sym.P, sym.Q, sym.R, sym.Z):
        for (i, j), s in table.items():
            labels[s] = {i, j}
    return labels


def class_structure(n_atoms: int = 3) -> ClassStructure:
    r"""Split every second-order equation into terms of its own atoms and of one other atom.

    For classes of identical atoms (same :math:`\varepsilon`, :math:`g`, state) the
    permutation symmetry makes every atom-resolved variable a function of the classes
    of its atoms only, and a term :math:`T_k` of one further atom :math:`k` sums to
    :math:`\sum_{c'}(n_{c'} - \delta_{c'c_i} - \delta_{c'c_j})\,T_{c'}` — the counts
    exclude the atoms the variable already names, whose contributions are in ``own``
    (the single-atom identities :math:`\sigma^\pm_i\sigma^\mp_i = (1\pm\sigma^z_i)/2`,
    :math:`\sigma^-_i\sigma^-_i = 0`, :math:`(\sigma^z_i)^2 = 1` have already been applied
    there). This is the structure the numba kernel implements.
    """
    sym = cumulant_symbols(n_atoms)
    eq = cumulant_equations(n_atoms, 2, True)
    labels = _atom_labels(sym)
    atoms_of = {}
    own, other = {}, {}
    max_others = 0
    for v, rate in eq.rates.items():
        mine = labels.get(v, set())
        atoms_of[v] = tuple(sorted(mine))
        o, t = sp.Integer(0), sp.Integer(0)
        for term in sp.Add.make_args(sp.expand(rate)):
            involved = set()
            for s in term.free_symbols:
                involved |= labels.get(s, set())
            extra = involved - mine
            max_others = max(max_others, len(extra))
            if extra:
                t += term
            else:
                o += term
        own[v], other[v] = o, t
    return ClassStructure(n_atoms, own, other, atoms_of, max_others)


# ============================================================================
# Numerical evaluation on the kernel's packed state
# ============================================================================
@functools.cache
def _lambdified(n_atoms: int, order: int):
    sym = cumulant_symbols(n_atoms)
    eq = cumulant_equations(n_atoms, order, True)
    variables = sym.variables(order)
    params = [*sym.eps, *sym.g, sym.delta_c, sym.kappa, sym.gamma, sym.dephasing]
    exprs = [eq.rates[v] for v in variables]
    return variables, sp.lambdify([variables, params], exprs, modules=["numpy"])


def derived_cumulant_rhs(y, eps, f, w, G, delta_c, kappa, gamma, dephasing, inv_n, order=2):
    r"""Time derivative of the kernel's packed class state ``y`` from the *sympy-derived* equations.

    The classes (``eps``, ``f``, integer weights ``w``) are expanded into
    :math:`\sum_c w_c` explicit atoms (at most ``MAX_ATOMS``); each atom-resolved
    variable takes the value of its classes (the pair cumulant of two different atoms
    of class :math:`c` is the kernel's same-class cumulant), the lambdified
    atom-resolved equations are evaluated, and the derivatives are read back at a
    representative atom (pair) of each class (pair of classes). Before that, the
    derivatives of *every* representative are checked to agree (to 1e-10): the
    derived equations preserve the class structure. Scalings are those of
    :mod:`cavity_bcs.quantum._cumulant_kernels` (:math:`g_i = Gf_i\sqrt{\texttt{inv\_n}}`,
    :math:`a = \alpha/\sqrt{\texttt{inv\_n}}`, second-order cumulants times :math:`N` with
    one :math:`1/\sqrt N` per photon factor).
    """
    from ..quantum import _cumulant_kernels as kern

    order = check.integer("order", order, minimum=1, maximum=2)
    eps = np.asarray(eps, dtype=float)
    f = np.asarray(f, dtype=float)
    w = np.asarray(w)
    K = eps.size
    if not np.all(w == np.round(w)) or np.any(w < 1):
        raise ValueError(f"w must hold positive integers (atoms per class), got {w}")
    w = w.astype(int)
    n = int(w.sum())
    if not 1 <= n <= MAX_ATOMS:
        raise ValueError(f"the classes must hold 1 to {MAX_ATOMS} atoms in all, got {n}")
    cls = np.repeat(np.arange(K), w)
    st = kern.unpack(np.asarray(y, dtype=float), K, order)
    rn = math.sqrt(inv_n)  # 1/sqrt(N)
    N = 1.0 / inv_n
    variables, fn = _lambdified(n, order)
    sym = cumulant_symbols(n)
    value = {}
    for i in range(n):
        c = cls[i]
        value[sym.s[i]] = st["s"][c]
        value[sym.z[i]] = st["z"][c]
    value[sym.a] = st["alpha"] / rn
    if order == 2:
        for (i, j) in sym.P:
            ci, cj = cls[i], cls[j]
            value[sym.P[(i, j)]] = st["P"][ci, cj] / N
            value[sym.Q[(i, j)]] = st["Q"][ci, cj] / N
            value[sym.Z[(i, j)]] = st["Z"][ci, cj] / N
        for (i, j) in sym.R:
            value[sym.R[(i, j)]] = st["R"][cls[i], cls[j]] / N
        for i in range(n):
            c = cls[i]
            value[sym.Am[i]] = st["Am"][c] * rn
            value[sym.Ap[i]] = st["Ap"][c] * rn
            value[sym.Az[i]] = st["Az"][c] * rn
        value[sym.n] = st["n"]
        value[sym.m] = st["m"]
    g = G * f[cls] * rn
    params = [*eps[cls], *g, delta_c, kappa, gamma, dephasing]
    rates = dict(zip(variables, (complex(r) for r in np.broadcast_arrays(*fn([value[v] for v in variables],
                                                                             params)))))

    def pick(entries, scale):
        """One value per class (pair) from its atom representatives, after checking they agree."""
        out = {}
        for key, sym_v in entries:
            r = complex(rates[sym_v]) * scale
            if key in out and not np.isclose(out[key], r, rtol=1e-10, atol=1e-10):
                raise AssertionError(f"derived rates break the class structure at {sym_v}: {out[key]} vs {r}")
            out.setdefault(key, r)
        return out

    d = {k: np.zeros_like(v) for k, v in st.items()}
    for c, r in pick([(cls[i], sym.s[i]) for i in range(n)], 1.0).items():
        d["s"][c] = r
    for c, r in pick([(cls[i], sym.z[i]) for i in range(n)], 1.0).items():
        d["z"][c] = r.real
    d["alpha"] = complex(rates[sym.a]) * rn
    if order == 2:
        for name, table, conj_lower in (("P", sym.P, True), ("Q", sym.Q, False), ("Z", sym.Z, False)):
            entries = []
            for (i, j), v in table.items():
                entries.append(((cls[i], cls[j]), v))
            vals = pick(entries, N)
            for (ci, cj), r in vals.items():
                r = r.real if name == "Z" else r
                d[name][ci, cj] = r
                d[name][cj, ci] = np.conj(r) if conj_lower else r
            if name == "P":  # diagonal (same class) entries of a Hermitian matrix are real
                for c in range(K):
                    d["P"][c, c] = d["P"][c, c].real
        for (ci, cj), r in pick([((cls[i], cls[j]), v) for (i, j), v in sym.R.items()], N).items():
            d["R"][ci, cj] = r
        for key, table in (("Am", sym.Am), ("Ap", sym.Ap), ("Az", sym.Az)):
            for c, r in pick([(cls[i], table[i]) for i in range(n)], 1.0 / rn).items():
                d[key][c] = r
        d["n"] = complex(rates[sym.n]).real
        d["m"] = complex(rates[sym.m])
    return kern.pack(d, K, order)
