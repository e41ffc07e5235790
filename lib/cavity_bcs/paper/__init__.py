r"""The paper's claims, one module per chapter, each with a check that recomputes it.

Importing this package registers every claim in :data:`CLAIMS` (in chapter order);
``import cavity_bcs`` does not import it (``cavity_bcs.claims`` loads it on first
use). The test suite runs every claim (``tests/test_claims.py``) and the book's
claims ledger renders the same registry, so the page and the tests cannot drift.
"""
from . import ch02_adiabatic, ch04_quench, ch05_phases, ch06_equilibrium, ch07_experiment, ch08_quantum  # noqa: F401
from .registry import CHAPTERS, CLAIMS, STATUSES, Check, Claim, claim, ledger_markdown, run_all

__all__ = ["Check", "Claim", "CLAIMS", "CHAPTERS", "STATUSES", "claim", "run_all", "ledger_markdown"]
