"""Identity's pure rules: emails, refresh tokens, session revocation, throttling, devices."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from edtech.identity.domain import (
    AuthSession,
    Device,
    LoginThrottle,
    RefreshTokenExpiredError,
    RefreshTokenReusedError,
    RevokeReason,
    check_email,
    normalize_email,
)
from edtech.kernel.errors import AuthenticationError, InvalidError

NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def a_session() -> AuthSession:
    return AuthSession(
        id=uuid.uuid4(), institution_id=uuid.uuid4(), account_id=uuid.uuid4(), created_at=NOW
    )


def test_emails_are_trimmed_and_lowercased() -> None:
    assert normalize_email("  Teacher1@Demo.TEST ") == "teacher1@demo.test"


@pytest.mark.parametrize("email", ["admin@demo.test", "a.b+c@school.example.org"])
def test_check_email_accepts_addresses_including_reserved_test_domains(email: str) -> None:
    assert check_email(email) == email


@pytest.mark.parametrize("email", ["", "nobody", "a@b", "a b@c.d", "@demo.test", "a@@demo.test"])
def test_check_email_refuses_what_is_not_an_address(email: str) -> None:
    with pytest.raises(InvalidError):
        check_email(email)


def test_a_new_refresh_token_lives_for_its_ttl_and_belongs_to_the_family() -> None:
    family = a_session()
    token = family.issue_refresh_token("h" * 64, NOW, timedelta(days=30))
    assert token.session_id == family.id
    assert token.institution_id == family.institution_id
    assert token.expires_at == NOW + timedelta(days=30)
    assert family.last_refreshed_at == NOW
    token.check_spendable(NOW + timedelta(days=29))


def test_a_spent_refresh_token_is_reuse_even_after_it_expired() -> None:
    token = a_session().issue_refresh_token("h" * 64, NOW, timedelta(minutes=5))
    token.used_at = NOW + timedelta(minutes=1)
    with pytest.raises(RefreshTokenReusedError):
        token.check_spendable(NOW + timedelta(minutes=2))
    with pytest.raises(RefreshTokenReusedError):
        token.check_spendable(NOW + timedelta(hours=1))


def test_an_expired_refresh_token_cannot_be_spent() -> None:
    token = a_session().issue_refresh_token("h" * 64, NOW, timedelta(minutes=5))
    with pytest.raises(RefreshTokenExpiredError):
        token.check_spendable(NOW + timedelta(minutes=5))


def test_revoking_keeps_the_first_time_and_reason_and_stops_issuing() -> None:
    family = a_session()
    family.revoke(NOW, RevokeReason.REUSE_DETECTED)
    family.revoke(NOW + timedelta(hours=1), RevokeReason.LOGOUT)
    assert family.is_revoked
    assert (family.revoked_at, family.revoked_reason) == (NOW, RevokeReason.REUSE_DETECTED)
    with pytest.raises(AuthenticationError):
        family.issue_refresh_token("h" * 64, NOW, timedelta(minutes=5))


THROTTLE = LoginThrottle(max_failures=3, window=timedelta(minutes=5))


def test_throttle_allows_attempts_below_the_limit() -> None:
    assert THROTTLE.retry_after(2, NOW, NOW) is None
    assert THROTTLE.retry_after(0, None, NOW) is None


def test_throttle_locks_for_a_window_after_the_last_failure() -> None:
    assert THROTTLE.retry_after(3, NOW, NOW) == 300
    assert THROTTLE.retry_after(3, NOW, NOW + timedelta(seconds=299, microseconds=1)) == 1
    assert THROTTLE.retry_after(3, NOW, NOW + timedelta(seconds=300)) is None


def test_throttle_counts_failures_inside_the_window_only() -> None:
    assert THROTTLE.since(NOW) == NOW - timedelta(minutes=5)


def test_a_device_keeps_only_its_key_hash_and_a_short_prefix() -> None:
    device = Device.register(
        institution_id=uuid.uuid4(),
        school_id=uuid.uuid4(),
        name="Gate",
        location=None,
        key="dev_abcdefghijklmnop",
        key_hash="f" * 64,
        now=NOW,
    )
    assert device.key_prefix == "dev_abcd"
    assert "abcdefghijklmnop" not in repr(vars(device).get("key_hash"))
    assert not device.is_revoked
    device.revoke(NOW)
    device.revoke(NOW + timedelta(days=1))
    assert device.revoked_at == NOW
