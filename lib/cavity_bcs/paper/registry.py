r"""The registry of the paper's claims: each claim with a check that recomputes it.

Every claim is a function returning a :class:`Check` — the number the book gets,
whether it supports the paper's statement, and a short comment. The test suite
runs every registered claim (``tests/test_claims.py``) and the book's claims
ledger renders the same registry, so the page and the tests cannot drift apart.

A claim whose check does *not* support the paper is kept, with
``expect=False``: the ledger shows it as refuted and the test asserts that it
stays refuted (it would fail if the disagreement silently went away).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Check", "Claim", "CLAIMS", "claim", "run_all", "ledger_markdown"]


@dataclass(frozen=True)
class Check:
    value: str
    passed: bool
    comment: str = ""

    def __post_init__(self):
        object.__setattr__(self, "passed", bool(self.passed))


@dataclass(frozen=True)
class Claim:
    key: str
    statement: str
    source: str
    chapter: str
    test: str
    check: Callable[[], Check]
    expect: bool = True


CLAIMS: dict[str, Claim] = {}


def claim(key, statement, source, chapter, expect=True):
    """Register a check function as the evidence for one claim of the paper."""
    def register(fn):
        CLAIMS[key] = Claim(key, statement, source, chapter, f"tests/test_claims.py::test_claim[{key}]",
                            fn, expect)
        return fn
    return register


def run_all():
    """Run every claim; returns a list of ``(Claim, Check)``."""
    return [(c, c.check()) for c in CLAIMS.values()]


_CACHE = {}


def _cached(key, fn):
    if key not in _CACHE:
        _CACHE[key] = fn()
    return _CACHE[key]


def ledger_markdown(results) -> str:
    """The claims ledger as a Markdown table, from :func:`run_all`'s output."""
    def cell(text):
        return text.replace("|", "\\|")

    lines = ["| # | Claim of the paper | Source | Book's number | Status | Where |",
             "|---|---|---|---|---|---|"]
    for k, (c, r) in enumerate(results, 1):
        if r.passed and c.expect:
            status = "**reproduced**"
        elif not r.passed and not c.expect:
            status = "**refuted** (documented)"
        else:
            status = "**CHANGED — investigate**"
        value = r.value + (f" — {r.comment}" if r.comment else "")
        lines.append(f"| {k} | {cell(c.statement)} | {c.source} | {cell(value)} | {status} | "
                     f"[chapter]({c.chapter}.ipynb), test `{c.key}` |")
    return "\n".join(lines)
