"""Every registered claim of the paper is recomputed; refuted claims must stay refuted."""
from pathlib import Path

import pytest

from cavity_bcs.paper import CLAIMS, Check, ledger_markdown

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


@pytest.mark.parametrize("key", [k for k, c in CLAIMS.items() if c.status != "reproduced"])
def test_refuted_or_partly_claim_explains_itself(key):
    # a refutation or a partial agreement without its reason is not documented
    assert _result(key).comment.startswith(CLAIMS[key].status)


def test_every_status_is_used_and_every_row_names_its_chapter():
    from cavity_bcs.paper import CHAPTERS, STATUSES
    assert {c.status for c in CLAIMS.values()} == set(STATUSES)
    table = ledger_markdown([(c, Check(c.key, c.expect, c.status)) for c in CLAIMS.values()])
    for c in CLAIMS.values():
        number = CHAPTERS[c.chapter].split()[1]
        assert f"[Ch. {number}]({c.chapter}.ipynb \"{CHAPTERS[c.chapter]}\")" in table


def test_status_must_fit_the_expected_result():
    from cavity_bcs.paper import claim
    with pytest.raises(ValueError, match="status"):
        claim("x", "s", "src", "04_quench_resonance", expect=False, status="partly")
    with pytest.raises(ValueError, match="chapter"):
        claim("x", "s", "src", "chapter", expect=True)


def test_ledger_flags_a_changed_claim():
    from cavity_bcs.paper import Claim
    fake = Claim("k", "s", "src", "ch", "t", lambda: Check("v", False), expect=True)
    assert "CHANGED" in ledger_markdown([(fake, fake.check())])
