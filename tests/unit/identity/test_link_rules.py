"""Invitation states and the single use of links, without I/O."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from edtech.identity.application.common import Links
from edtech.identity.domain.links import (
    Invitation,
    InvitationState,
    LinkExpiredError,
    LinkRevokedError,
    LinkUsedError,
    PasswordReset,
)
from edtech.kernel.errors import ConflictError

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
LINKS = Links("https://s.example/", "k" * 40, timedelta(days=7), timedelta(hours=1))


def invitation() -> Invitation:
    return Invitation(
        id=uuid.uuid4(),
        institution_id=uuid.uuid4(),
        person_id=uuid.uuid4(),
        email="a@b.example",
        token_hash="h",
        created_at=NOW,
        expires_at=NOW + timedelta(days=7),
    )


def test_an_invitation_goes_pending_sent_opened_accepted() -> None:
    i = invitation()
    assert i.state(NOW) is InvitationState.PENDING
    i.mark_sent(NOW)
    assert i.state(NOW) is InvitationState.SENT
    i.mark_opened(NOW)
    assert i.state(NOW) is InvitationState.OPENED
    i.accept(NOW)
    assert i.state(NOW) is InvitationState.ACCEPTED
    with pytest.raises(LinkUsedError):
        i.accept(NOW)
    with pytest.raises(ConflictError):
        i.revoke(NOW)


def test_expired_and_revoked_invitations_are_refused_saying_which() -> None:
    late = invitation()
    assert late.state(late.expires_at) is InvitationState.EXPIRED
    with pytest.raises(LinkExpiredError):
        late.accept(late.expires_at)
    withdrawn = invitation()
    withdrawn.revoke(NOW)
    with pytest.raises(LinkRevokedError):
        withdrawn.mark_opened(NOW)


def test_the_same_invitation_always_has_the_same_link_and_others_differ() -> None:
    one, two = uuid.uuid4(), uuid.uuid4()
    assert LINKS.invitation_token(one) == LINKS.invitation_token(one)
    assert LINKS.invitation_token(one) != LINKS.invitation_token(two)
    other_key = Links("https://s.example", "j" * 40, timedelta(days=7), timedelta(hours=1))
    assert other_key.invitation_token(one) != LINKS.invitation_token(one)
    assert LINKS.url("/app/invitation", "t") == "https://s.example/app/invitation?token=t"


def test_a_reset_link_works_once_within_its_hour() -> None:
    reset = PasswordReset(
        id=uuid.uuid4(),
        institution_id=uuid.uuid4(),
        account_id=uuid.uuid4(),
        token_hash="h",
        created_at=NOW,
        expires_at=NOW + timedelta(hours=1),
    )
    with pytest.raises(LinkExpiredError):
        reset.use(NOW + timedelta(hours=1))
    reset.use(NOW)
    with pytest.raises(LinkUsedError):
        reset.use(NOW)
