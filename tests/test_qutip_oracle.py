"""QuTiP 5 as an outside oracle: the exact dynamics and the master equation against qutip.sesolve/mesolve.

Everything on the QuTiP side is built here from the Hamiltonian as written in the book,
H = sum_i eps_i sz_i + sum_i g_i (s+_i a + s-_i a^dag) + delta_c a^dag a, with g = sqrt(delta_c/N)
(units of chi N), the Lindblad operators sqrt(kappa) a, sqrt(gamma) s-_i and sqrt(dephasing/2) sz_i in
QuTiP's convention (the library's sqrt(kappa/2) a etc. with its factor-2 dissipator are the same
generator), and the quench state (every spin along +x, a coherent photon). Only the library's model
parameters (eps_i, g_i) are shared.
"""
from __future__ import annotations

import numpy as np
import pytest

import cavity_bcs as cb

qutip = pytest.importorskip("qutip", reason="QuTiP (the outside oracle) is not installed")


def _operators(n_atoms, n_fock):
    up = qutip.basis(2, 0)  # sigma^z = +1: the excited level
    ids = [qutip.qeye(2)] * n_atoms

    def site(op, i):
        ops = list(ids)
        ops[i] = op
        return qutip.tensor(*ops, qutip.qeye(n_fock))

    a = qutip.tensor(*ids, qutip.destroy(n_fock))
    sp = [site(qutip.sigmap(), i) for i in range(n_atoms)]  # |up><down|
    sz = [site(qutip.sigmaz(), i) for i in range(n_atoms)]
    plus = (up + qutip.basis(2, 1)).unit()
    return a, sp, sz, plus


def _qutip_run(model, t, photon=0.0, n_fock=None):
    n, N = model.n_atoms, model.n_pairs
    beta = complex(photon) * np.sqrt(N)
    # room for every atom to emit, plus the coherent state's Poisson tail to below 1e-12
    n_fock = n_fock or (n + 1 + (int(np.ceil(abs(beta) ** 2 + 6 * abs(beta) + 6)) if beta else 0))
    a, sp, sz, plus = _operators(n, n_fock)
    g = model.g * np.asarray(model.couplings)
    H = model.delta_c * a.dag() * a
    for i in range(n):
        H += model.eps[i] * sz[i] + g[i] * (sp[i] * a + sp[i].dag() * a.dag())
    psi0 = qutip.tensor(*([plus] * n), qutip.coherent(n_fock, beta))
    S_plus = sum(sp) / N
    e_ops = [S_plus, a.dag() * a / N, a / np.sqrt(N)]
    c_ops = []
    if model.kappa > 0:
        c_ops.append(np.sqrt(model.kappa) * a)
    c_ops += [np.sqrt(model.gamma) * s.dag() for s in sp] if model.gamma > 0 else []
    c_ops += [np.sqrt(model.dephasing / 2) * z for z in sz] if model.dephasing > 0 else []
    options = {"atol": 1e-12, "rtol": 1e-10, "nsteps": 100_000}
    if c_ops:
        out = qutip.mesolve(H, qutip.ket2dm(psi0), t, c_ops=c_ops, e_ops=e_ops, options=options)
    else:
        out = qutip.sesolve(H, psi0, t, e_ops=e_ops, options=options)
    return [np.asarray(v) for v in out.expect]


CLOSED = {
    "two-box, 6 atoms": dict(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=6),
    "random energies, cosine couplings": dict(eps0=0.0, W=0.0, delta_c=3.5, n_atoms=6,
                                              energies=np.random.default_rng(3).uniform(-3, 3, 6),
                                              coupling_profile=np.cos(3.7 * np.arange(6))),
}


@pytest.mark.parametrize("name", list(CLOSED))
@pytest.mark.parametrize("photon", [0.0, 0.3 - 0.2j])
def test_exact_quench_equals_qutip_sesolve(name, photon):
    model = cb.Model(**CLOSED[name])
    t = np.linspace(0.0, 3.0, 31)
    mine = cb.exact_quench(model, t[-1], t.size, photon=photon)
    s_plus, n_photon, alpha = _qutip_run(model, t, photon)
    assert np.max(np.abs(mine.coherence - np.abs(s_plus))) < 1e-7
    assert np.max(np.abs(mine.n_photon - n_photon)) < 1e-7
    assert np.max(np.abs(np.abs(mine.photon) - np.abs(alpha))) < 1e-7


@pytest.mark.parametrize("kwargs", [
    dict(eps0=6.0, W=8.0, delta_c=6.0, n_atoms=4, kappa=0.5),
    dict(eps0=2.0, W=1.0, delta_c=3.0, n_atoms=4, kappa=0.3, gamma=0.2, dephasing=0.1,
         coupling_profile=np.cos(3.7 * np.arange(4))),
], ids=["photon loss", "loss, decay, dephasing, cosine couplings"])
def test_exact_master_equation_equals_qutip_mesolve(kwargs):
    model = cb.Model(**kwargs)
    t = np.linspace(0.0, 3.0, 31)
    photon = 0.2 + 0.1j
    mine = cb.exact_master_equation(model, t[-1], t.size, photon=photon)
    s_plus, n_photon, alpha = _qutip_run(model, t, photon)
    assert np.max(np.abs(mine.coherence - np.abs(s_plus))) < 1e-6
    assert np.max(np.abs(mine.n_photon - n_photon)) < 1e-6
    assert np.max(np.abs(np.abs(mine.photon) - np.abs(alpha))) < 1e-6
