r"""The registry of the paper's claims: each claim with a check that recomputes it.

Every claim is a function returning a :class:`Check` — the number the book gets,
whether it supports the paper's statement, and a short comment. The test suite
runs every registered claim (``tests/test_claims.py``) and the book's claims
ledger renders the same registry, so the page and the tests cannot drift apart.

Each claim has one of three statuses (:data:`STATUSES`), each with its reason in the
check's comment:

* ``"reproduced"`` — the book's number supports the statement;
* ``"partly"`` — the statement holds only approximately; the check passes when the book's
  number agrees with it to the stated degree, and its comment (starting "partly:") says
  what differs;
* ``"refuted"`` — the check does *not* support the paper (``passed`` is False, its comment
  starts with "refuted"), and the test asserts that it stays refuted (it would fail if the
  disagreement silently went away).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Check", "Claim", "CLAIMS", "CHAPTERS", "STATUSES", "claim", "run_all", "ledger_markdown"]

#: The statuses a claim can have in the ledger.
STATUSES = ("reproduced", "partly", "refuted")

#: Short names of the chapters, as the ledger's "Where" column shows them.
CHAPTERS = {
    "01_model": "Ch. 1 The model",
    "02_adiabatic_elimination": "Ch. 2 Adiabatic elimination",
    "03_derivation": "Ch. 3 Derivation",
    "04_quench_resonance": "Ch. 4 Quench and resonance",
    "05_dynamical_phases": "Ch. 5 Dynamical phases",
    "06_equilibrium": "Ch. 6 Equilibrium",
    "07_loss_experiment": "Ch. 7 Loss and the experiment",
    "08_beyond_mean_field": "Ch. 8 Beyond mean field",
}


@dataclass(frozen=True)
class Check:
    """The evidence for one claim: the rendered ``value``, whether it supports the claim, a ``comment``.

    ``numbers`` names the values that prose elsewhere quotes (the claims page glues each one as
    ``"<claim key>.<name>"``), so a sentence about a claim reads the number the check computed.
    """

    value: str
    passed: bool
    comment: str = ""
    numbers: dict = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "passed", bool(self.passed))
        object.__setattr__(self, "numbers", {str(k): float(v) for k, v in self.numbers.items()})


@dataclass(frozen=True)
class Claim:
    key: str
    statement: str
    source: str
    chapter: str
    test: str
    check: Callable[[], Check]
    expect: bool = True
    status: str = "reproduced"


#: Every registered claim by its key, in registration order (filled by :func:`claim`).
CLAIMS: dict[str, Claim] = {}


def claim(key, statement, source, chapter, expect=True, status=None):
    """Register a check function as the evidence for one claim of the paper.

    ``status`` is one of :data:`STATUSES`; by default "reproduced" when ``expect`` (the check
    passes) and "refuted" otherwise. A "partly" claim's check passes (``expect=True``).
    """
    status = status or ("reproduced" if expect else "refuted")
    if status not in STATUSES or (status == "refuted") == bool(expect):
        raise ValueError(f"claim {key!r}: status {status!r} does not fit expect={expect!r}")
    if chapter not in CHAPTERS:
        raise ValueError(f"claim {key!r}: unknown chapter {chapter!r}; known: {sorted(CHAPTERS)}")

    def register(fn):
        CLAIMS[key] = Claim(key, statement, source, chapter, f"tests/test_claims.py::test_claim[{key}]",
                            fn, expect, status)
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
    """The claims ledger as a Markdown table, from :func:`run_all`'s output.

    A claim whose check no longer gives its expected result is marked "CHANGED — investigate".
    """
    def cell(text):
        return text.replace("|", "\\|")

    lines = ["| # | Claim of the paper (source) | Book's number | Status | Where |",
             "|---|---|---|---|---|"]
    for k, (c, r) in enumerate(results, 1):
        if r.passed is c.expect:
            status = f"**{c.status}**"
        else:
            status = "**CHANGED — investigate**"
        value = r.value + (f" — {r.comment}" if r.comment else "")
        title = CHAPTERS.get(c.chapter, c.chapter)
        short = title.split(" ", 2)[0] + " " + title.split(" ", 2)[1] if title.startswith("Ch. ") else title
        lines.append(f"| {k} | {cell(c.statement)} ({c.source})<br><small>test: {c.key}</small> | {cell(value)} | "
                     f"{status} | [{short}]({c.chapter}.ipynb \"{title}\") |")
    return "\n".join(lines)
