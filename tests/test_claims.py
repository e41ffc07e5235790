"""Every registered claim of the paper is recomputed; refuted claims must stay refuted."""
import pytest

from cavity_bcs.claims import CLAIMS


@pytest.mark.parametrize("key", list(CLAIMS))
def test_claim(key):
    claim = CLAIMS[key]
    result = claim.check()
    assert result.passed is claim.expect, f"{key}: {result.value} ({result.comment})"


def test_ledger_has_at_least_twelve_claims():
    assert len(CLAIMS) >= 12
