"""The rules of single sign-on that need no network: ID-token claims, issuers, domains, PKCE,
attempts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from edtech.identity.application.start_sso import pkce_challenge
from edtech.identity.domain.sso import (
    SsoAttempt,
    SsoEmailUnverifiedError,
    SsoStateExpiredError,
    SsoStateUsedError,
    SsoTokenError,
    check_domains,
    check_id_token_claims,
    check_issuer,
)
from edtech.kernel.errors import InvalidError

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def claims(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "iss": "https://accounts.example",
        "aud": "client",
        "sub": "123",
        "iat": NOW.timestamp(),
        "exp": NOW.timestamp() + 600,
        "nonce": "n-1",
        "email": "Ana@Hill.Example",
        "email_verified": True,
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def check(**changes: Any) -> Any:
    return check_id_token_claims(claims(**changes), client_id="client", nonce="n-1", now=NOW)


def test_a_good_token_gives_the_subject_and_the_lowercased_address() -> None:
    identity = check()
    assert (identity.subject, identity.email) == ("123", "ana@hill.example")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"exp": NOW.timestamp() - 61}, "sso_token_expired"),
        ({"iat": NOW.timestamp() + 120}, "sso_bad_signature"),
        ({"exp": None}, "sso_bad_signature"),
        ({"nonce": "n-2"}, "sso_nonce_mismatch"),
        ({"nonce": None}, "sso_nonce_mismatch"),
        ({"aud": ["client", "other"], "azp": "other"}, "sso_wrong_audience"),
        ({"sub": ""}, "sso_bad_signature"),
    ],
)
def test_claims_that_do_not_hold_are_refused_with_their_code(
    changes: dict[str, Any], code: str
) -> None:
    with pytest.raises(SsoTokenError) as refused:
        check(**changes)
    assert refused.value.code == code


def test_the_providers_clock_may_be_a_minute_off() -> None:
    assert check(exp=NOW.timestamp() - 59, iat=NOW.timestamp() + 59).subject == "123"


@pytest.mark.parametrize("verified", [False, None, "false", 1])
def test_an_unverified_address_is_refused(verified: Any) -> None:
    with pytest.raises(SsoEmailUnverifiedError):
        check(email_verified=verified)


def test_issuers_are_https_and_plain_http_only_on_loopback_when_allowed() -> None:
    assert check_issuer("https://accounts.google.com/", False) == "https://accounts.google.com"
    assert check_issuer("http://127.0.0.1:9000", True) == "http://127.0.0.1:9000"
    for bad, allow in [
        ("http://127.0.0.1:9000", False),
        ("http://login.example", True),
        ("https://login.example?x=1", False),
        ("ftp://login.example", False),
        ("https://user@login.example", False),
    ]:
        with pytest.raises(InvalidError):
            check_issuer(bad, allow)


def test_domains_are_lowercase_once_and_never_empty() -> None:
    assert check_domains(["Hill.Example", "@hill.example", "b.example"]) == [
        "b.example",
        "hill.example",
    ]
    for bad in ([], ["not a domain"], ["*"]):
        with pytest.raises(InvalidError):
            check_domains(bad)


def test_pkce_challenge_is_rfc_7636s_example() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_an_attempt_is_used_once_and_not_after_it_expires() -> None:
    def attempt() -> SsoAttempt:
        return SsoAttempt(
            id=uuid.uuid4(),
            institution_id=uuid.uuid4(),
            provider_id=uuid.uuid4(),
            state_hash="h",
            nonce="n",
            code_verifier="v",
            created_at=NOW,
            expires_at=NOW + timedelta(minutes=10),
        )

    once = attempt()
    once.use(NOW)
    with pytest.raises(SsoStateUsedError):
        once.use(NOW)
    with pytest.raises(SsoStateExpiredError):
        attempt().use(NOW + timedelta(minutes=10))
