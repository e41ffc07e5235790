"""Every registered claim of the paper is recomputed; refuted claims must stay refuted."""
from pathlib import Path

import pytest

from cavity_bcs.paper import CLAIMS, ledger_markdown

BOOK = Path(__file__).resolve().parents[1] / "book"
_RESULTS = {}
# claims whose checks run sweeps of tens of seconds (measured on the 2-core machine)
SLOW = {"resonance-position", "fig3-raw-photon-minimum"}


def _result(key):
    # each check runs once per session, however many tests look at it
    if key not in _RESULTS:
        _RESULTS[key] = CLAIMS[key].check()
    return _RESULTS[key]


@pytest.mark.parametrize("key", [pytest.param(k, marks=pytest.mark.slow) if k in SLOW else k for k in CLAIMS])
def test_claim(key):
    claim, result = CLAIMS[key], _result(key)
    assert result.passed is claim.expect, f"{key}: {result.value} ({result.comment})"


def test_ledger_has_at_least_thirty_claims():
    assert len(CLAIMS) >= 30


@pytest.mark.parametrize("key", list(CLAIMS))
def test_claim_points_at_an_existing_chapter(key):
    assert (BOOK / f"{CLAIMS[key].chapter}.ipynb").is_file(), CLAIMS[key].chapter


@pytest.mark.parametrize("key", [k for k, c in CLAIMS.items() if not c.expect])
def test_refuted_claim_explains_itself(key):
    # a refutation without an explanation is not documented
    assert _result(key).comment.startswith("refuted")


def test_ledger_flags_a_changed_claim():
    from cavity_bcs.paper import Check, Claim
    fake = Claim("k", "s", "src", "ch", "t", lambda: Check("v", False), expect=True)
    assert "CHANGED" in ledger_markdown([(fake, fake.check())])
