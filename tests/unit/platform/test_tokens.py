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
