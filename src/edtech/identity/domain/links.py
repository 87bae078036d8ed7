"""Links sent by mail: invitations (and the first administrator's setup link), password resets.

A link carries a secret token; only its SHA-256 hash is stored. Each link is single-use,
expires, and (for invitations) can be revoked. Every refusal says why with its own problem
code, and changes nothing.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime

from edtech.kernel.errors import ConflictError, DomainError


class LinkInvalidError(DomainError):
    """No such link: mistyped, forged, or from another deployment (400 problem)."""

    code = "link_invalid"

    def __init__(self, message: str = "This link is not valid.") -> None:
        super().__init__(message)


class LinkExpiredError(LinkInvalidError):
    code = "link_expired"

    def __init__(self) -> None:
        super().__init__("This link has expired: ask for a new one.")


class LinkUsedError(LinkInvalidError):
    code = "link_used"

    def __init__(self) -> None:
        super().__init__("This link has already been used.")


class LinkRevokedError(LinkInvalidError):
    code = "link_revoked"

    def __init__(self) -> None:
        super().__init__("This link has been withdrawn: ask the school for a new one.")


class InvitationState(enum.StrEnum):
    """Where a person stands with joining (the office chases those who never did)."""

    NONE = "none"  # never invited
    PENDING = "pending"  # created, not sent (a setup link printed, or mail failed)
    SENT = "sent"
    OPENED = "opened"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    REVOKED = "revoked"


LIVE_STATES = frozenset({InvitationState.PENDING, InvitationState.SENT, InvitationState.OPENED})


@dataclass(eq=False)
class Invitation:
    """An invitation of one person to set a password and so get a login.

    At most one live invitation per person: inviting again re-sends the same one (the same
    link), so sending is idempotent. Accepting is once; a revoked or expired invitation is
    refused; an accepted one cannot be revoked.
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    person_id: uuid.UUID
    email: str
    token_hash: str
    created_at: datetime
    expires_at: datetime
    invited_by: uuid.UUID | None = None
    sent_at: datetime | None = None
    send_count: int = 0
    opened_at: datetime | None = None
    accepted_at: datetime | None = None
    revoked_at: datetime | None = None

    def state(self, now: datetime) -> InvitationState:
        if self.revoked_at is not None:
            return InvitationState.REVOKED
        if self.accepted_at is not None:
            return InvitationState.ACCEPTED
        if self.expires_at <= now:
            return InvitationState.EXPIRED
        if self.opened_at is not None:
            return InvitationState.OPENED
        if self.sent_at is not None:
            return InvitationState.SENT
        return InvitationState.PENDING

    def is_live(self, now: datetime) -> bool:
        return self.state(now) in LIVE_STATES

    def check_usable(self, now: datetime) -> None:
        state = self.state(now)
        if state is InvitationState.REVOKED:
            raise LinkRevokedError()
        if state is InvitationState.ACCEPTED:
            raise LinkUsedError()
        if state is InvitationState.EXPIRED:
            raise LinkExpiredError()

    def mark_sent(self, at: datetime) -> None:
        self.sent_at = at
        self.send_count += 1

    def mark_opened(self, at: datetime) -> None:
        """The invitee followed the link (first time only)."""
        self.check_usable(at)
        if self.opened_at is None:
            self.opened_at = at

    def accept(self, at: datetime) -> None:
        self.check_usable(at)
        self.accepted_at = at

    def revoke(self, at: datetime) -> None:
        """Withdraw the link; revoking twice keeps the first time."""
        if self.accepted_at is not None:
            raise ConflictError("This invitation was accepted already.")
        if self.revoked_at is None:
            self.revoked_at = at


@dataclass(eq=False)
class PasswordReset:
    """A short-lived, single-use permission to choose a new password for one login."""

    id: uuid.UUID
    institution_id: uuid.UUID
    account_id: uuid.UUID
    token_hash: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    client_address: str | None = None

    def use(self, at: datetime) -> None:
        if self.used_at is not None:
            raise LinkUsedError()
        if self.expires_at <= at:
            raise LinkExpiredError()
        self.used_at = at


PASSWORD_CHANGED = "password_changed"
"""Why the other sessions of a login ended when its owner changed the password."""
PASSWORD_RESET = "password_reset"
"""Why every session of a login ended when a reset link set a new password."""


@dataclass(eq=False)
class EmailChange:
    """A login's request to use a new email address, proven by a link sent to that address.

    Until the link is followed the login keeps its old address; the link is single-use and
    short-lived, and following it fails if another login took the address meanwhile.
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    account_id: uuid.UUID
    new_email: str
    token_hash: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def use(self, at: datetime) -> None:
        if self.used_at is not None:
            raise LinkUsedError()
        if self.expires_at <= at:
            raise LinkExpiredError()
        self.used_at = at


EMAIL_CHANGED = "email_changed"
"""Why every session of a login ended when its email address changed."""
