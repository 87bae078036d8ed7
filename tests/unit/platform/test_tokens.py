"""Signed tokens: forged, expired and wrong-type tokens are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from edtech.kernel.errors import AuthenticationError
from edtech.platform.security.tokens import TokenSigner

SECRET = "a-secret-of-sufficient-length-for-hs256"
NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def test_token_round_trips_its_claims() -> None:
    signer = TokenSigner(SECRET)
    token = signer.issue("access", "acc-1", NOW, timedelta(minutes=5), pid="p-1")
    claims = signer.verify(token, "access", NOW + timedelta(minutes=4))
    assert claims["sub"] == "acc-1"
    assert claims["pid"] == "p-1"


def test_expired_token_is_refused() -> None:
    signer = TokenSigner(SECRET)
    token = signer.issue("access", "acc-1", NOW, timedelta(minutes=5))
    with pytest.raises(AuthenticationError, match="expired"):
        signer.verify(token, "access", NOW + timedelta(minutes=5))


def test_token_signed_with_another_secret_is_refused() -> None:
    token = TokenSigner("another-secret-of-good-length-for-hs256").issue(
        "access", "acc-1", NOW, timedelta(minutes=5)
    )
    with pytest.raises(AuthenticationError):
        TokenSigner(SECRET).verify(token, "access", NOW)


def test_token_of_another_type_is_refused() -> None:
    signer = TokenSigner(SECRET)
    token = signer.issue("qr", "s-1", NOW, timedelta(seconds=15))
    with pytest.raises(AuthenticationError):
        signer.verify(token, "access", NOW)


def test_a_token_verified_before_is_still_checked_for_type_and_expiry() -> None:
    signer = TokenSigner(SECRET)
    token = signer.issue("access", "acc-1", NOW, timedelta(minutes=5))
    assert signer.verify(token, "access", NOW)["sub"] == "acc-1"
    signer.verify(token, "access", NOW)["sub"] = "tampered"  # a caller's copy, not the memo's
    assert signer.verify(token, "access", NOW)["sub"] == "acc-1"
    with pytest.raises(AuthenticationError, match="expired"):
        signer.verify(token, "access", NOW + timedelta(minutes=5))
    with pytest.raises(AuthenticationError, match="Invalid"):
        signer.verify(token, "qr", NOW)


def test_the_verified_tokens_kept_are_bounded_and_a_forgery_is_never_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("edtech.platform.security.tokens.VERIFIED_KEPT", 3)
    signer = TokenSigner(SECRET)
    tokens = [signer.issue("access", f"acc-{i}", NOW, timedelta(minutes=5)) for i in range(5)]
    for token in tokens:
        signer.verify(token, "access", NOW)
    assert list(signer._verified) == tokens[2:]  # the oldest let go first
    forged = tokens[4][:-2] + ("AA" if not tokens[4].endswith("AA") else "BB")
    with pytest.raises(AuthenticationError):
        signer.verify(forged, "access", NOW)
    assert forged not in signer._verified
    expired = signer.issue("access", "acc-5", NOW - timedelta(minutes=10), timedelta(minutes=5))
    with pytest.raises(AuthenticationError, match="expired"):
        signer.verify(expired, "access", NOW)
    assert expired not in signer._verified  # nor one that failed its type or times
