"""The token signer identity relies on: lifetimes by the application clock, forgeries refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from edtech.kernel.errors import AuthenticationError
from edtech.platform.security.tokens import TokenSigner, signing_key

SECRET = "a-secret-for-unit-tests"
NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)  # far from the wall clock on purpose


def test_a_token_is_valid_until_it_expires_by_the_given_clock() -> None:
    signer = TokenSigner(SECRET)
    token = signer.issue("access", "acc-1", NOW, timedelta(minutes=5), sid="s-1")
    claims = signer.verify(token, "access", NOW + timedelta(minutes=4, seconds=59))
    assert (claims["sub"], claims["sid"], claims["typ"]) == ("acc-1", "s-1", "access")
    with pytest.raises(AuthenticationError) as expired:
        signer.verify(token, "access", NOW + timedelta(minutes=5))
    assert expired.value.extra["reason"] == "expired"


def test_a_token_issued_in_the_future_is_refused() -> None:
    signer = TokenSigner(SECRET)
    token = signer.issue("access", "acc-1", NOW + timedelta(minutes=5), timedelta(minutes=10))
    with pytest.raises(AuthenticationError):
        signer.verify(token, "access", NOW)


def test_another_secret_or_another_type_is_refused() -> None:
    token = TokenSigner(SECRET).issue("access", "acc-1", NOW, timedelta(minutes=5))
    with pytest.raises(AuthenticationError):
        TokenSigner(SECRET + "x").verify(token, "access", NOW)
    with pytest.raises(AuthenticationError):
        TokenSigner(SECRET).verify(token, "qr", NOW)


def test_a_token_signed_with_the_raw_secret_is_refused() -> None:
    claims = {"iss": "edtech", "typ": "access", "sub": "a", "iat": 0, "exp": 2**40}
    raw = jwt.encode(claims, SECRET + "-padded-to-32-bytes-at-least", algorithm="HS256")
    with pytest.raises(AuthenticationError):
        TokenSigner(SECRET + "-padded-to-32-bytes-at-least").verify(raw, "access", NOW)


def test_the_signing_key_is_256_bits_whatever_the_secret_length() -> None:
    assert len(signing_key("sixteen-chars-ok")) == 32
    assert signing_key("a") != signing_key("b")
