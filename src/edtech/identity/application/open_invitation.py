"""Use case: an invitee follows their link; the office sees the invitation was opened."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from edtech.identity.application.common import LINK_ADDRESS, count_attempt, refuse_if_throttled
from edtech.identity.domain import LoginThrottle
from edtech.identity.domain.links import Invitation, LinkInvalidError
from edtech.identity.infrastructure import SqlAlchemyLoginAttempts
from edtech.identity.infrastructure.links import SqlAlchemyInvitations
from edtech.institutions.public import display_names, institution_settings
from edtech.kernel.clock import Clock
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.security.keys import hash_secret


@dataclass(frozen=True)
class InvitationView:
    """What the page behind an invitation link shows before the invitee chooses a password."""

    person_id: uuid.UUID
    display_name: str
    email: str
    institution_name: str
    expires_at: datetime


async def usable_invitation(
    uow: UnitOfWork, throttle: LoginThrottle, token: str, now: datetime, client: str | None
) -> Invitation:
    """The invitation a token opens, in `uow`; a token matching none counts as a failure from
    the client's address (throttled like sign-in), and every refusal says why."""
    attempts = SqlAlchemyLoginAttempts(uow.session)
    subjects = [(LINK_ADDRESS, client)] if client else []
    await refuse_if_throttled(attempts, throttle, subjects, now)
    invitation = await SqlAlchemyInvitations(uow.session).by_token_hash(hash_secret(token))
    if invitation is None:
        if subjects:
            await count_attempt(attempts, throttle, subjects, now)
            await uow.commit()
        raise LinkInvalidError()
    invitation.check_usable(now)
    return invitation


class OpenInvitation:
    """Show who an invitation link is for, and mark it opened (first time only).

    Expired, used, revoked or unknown links are refused with a problem saying which, and
    nothing changes; unknown tokens count against the client's address like failed sign-ins.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, throttle: LoginThrottle) -> None:
        self.uow, self.clock, self.throttle = uow, clock, throttle

    async def __call__(self, token: str, client_address: str | None = None) -> InvitationView:
        now = self.clock.now()
        async with self.uow as uow:
            invitation = await usable_invitation(uow, self.throttle, token, now, client_address)
            invitation.mark_opened(now)
            iid = invitation.institution_id
            names = await display_names(uow.session, iid, [invitation.person_id])
            school = await institution_settings(uow.session, iid)
            view = InvitationView(
                person_id=invitation.person_id,
                display_name=names.get(invitation.person_id, ""),
                email=invitation.email,
                institution_name=school.name if school is not None else "",
                expires_at=invitation.expires_at,
            )
            await uow.commit()
        return view
