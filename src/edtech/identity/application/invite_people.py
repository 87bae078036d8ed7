"""Use case: the office invites people — one, a list, or a group — to choose a password."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from edtech.identity.application.common import (
    INVITATION_PATH,
    Links,
    Message,
    actor_of,
    invitation_message,
)
from edtech.identity.domain.links import Invitation
from edtech.identity.infrastructure import SqlAlchemyAccounts
from edtech.identity.infrastructure.links import SqlAlchemyAudit, SqlAlchemyInvitations
from edtech.institutions.public import (
    contacts,
    guardians_of_section,
    institution_settings,
    people_with_roles,
    school_clock,
    section_in_institution,
    students_of_section,
)
from edtech.kernel.clock import Clock
from edtech.kernel.errors import FieldProblem, ForbiddenError, InvalidError, UnavailableError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal, Role
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.mail import Mail, require_mail
from edtech.platform.observability.logging import get_logger
from edtech.platform.security.keys import hash_secret

log = get_logger("edtech.identity")

MAX_INVITATIONS = 500
"""At most this many people per request (mail is sent while the request waits)."""


@dataclass(frozen=True)
class InviteTargets:
    """Who to invite: these people, and/or everyone holding a role, the students of a section,
    the guardians of a section's students (their union, each person once)."""

    person_ids: tuple[uuid.UUID, ...] = ()
    role: Role | None = None
    students_of_section: uuid.UUID | None = None
    guardians_of_section: uuid.UUID | None = None


class Outcome(enum.StrEnum):
    SENT = "sent"  # a new invitation was mailed
    RESENT = "resent"  # the live invitation was mailed again (same link)
    HAS_LOGIN = "has_login"  # nothing sent: the person has a login (use password reset)
    NO_EMAIL = "no_email"  # nothing sent: the person has no email address
    EMAIL_TAKEN = "email_taken"  # nothing sent: another login uses the person's email
    FAILED = "failed"  # the mail server refused: the invitation stays pending, retry later


@dataclass
class InvitationResult:
    person_id: uuid.UUID
    outcome: Outcome
    invitation_id: uuid.UUID | None = None
    expires_at: datetime | None = None
    _message: Message | None = field(default=None, repr=False)


class InvitePeople:
    """Invite people of the institution to choose a password, by mail.

    Only institution administrators may. Each invited person gets a single-use link valid
    `EDTECH_INVITATION_TTL_SECONDS` (7 days), sent to their roster email. Inviting someone
    who has a live invitation sends the same link again (idempotent); people who already have
    a login, have no email, or whose email another login uses are reported and skipped. When
    this node cannot send mail, nothing is created (503).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, mail: Mail, links: Links) -> None:
        self.uow, self.clock, self.mail, self.links = uow, clock, mail, links

    async def __call__(
        self, principal: Principal, targets: InviteTargets, client_address: str | None = None
    ) -> list[InvitationResult]:
        if not principal.is_institution_admin:
            raise ForbiddenError("Only institution administrators may invite people.")
        require_mail(self.mail)
        now = self.clock.now()
        iid = principal.institution_id
        results: list[InvitationResult] = []
        async with self.uow as uow:
            today = (await school_clock(uow.session, self.clock, iid)).today()
            ids = await self._resolve(uow, iid, targets, today)
            people = await contacts(uow.session, iid, ids, today)
            unknown = [i for i, pid in enumerate(targets.person_ids) if pid not in people]
            if unknown:
                raise InvalidError(
                    "no such person",
                    [FieldProblem(("person_ids", i), "no such person") for i in unknown],
                )
            school = await institution_settings(uow.session, iid)
            school_name = school.name if school is not None else "Your school"
            accounts = SqlAlchemyAccounts(uow.session)
            invitations = SqlAlchemyInvitations(uow.session)
            live = await invitations.live_of(list(people), now)
            audit = SqlAlchemyAudit(uow.session)
            for person_id in ids:
                contact = people[person_id]
                invitation = live.get(person_id)
                if invitation is None:
                    outcome = await self._refusal(accounts, person_id, iid, contact.email)
                    if outcome is not None:
                        results.append(InvitationResult(person_id, outcome))
                        continue
                    assert contact.email is not None
                    invitation = self._new(iid, person_id, contact.email, principal, now)
                    invitations.add(invitation)
                    outcome = Outcome.SENT
                else:
                    outcome = Outcome.RESENT
                token = self.links.invitation_token(invitation.id)
                if invitation.token_hash != hash_secret(token):
                    # Made under another secret key (rotated, or a command line run with
                    # another one): the stored hash follows the link now sent.
                    invitation.token_hash = hash_secret(token)
                url = self.links.url(INVITATION_PATH, token)
                message = invitation_message(
                    invitation.email, contact.display_name, school_name, url, invitation.expires_at
                )
                results.append(
                    InvitationResult(
                        person_id, outcome, invitation.id, invitation.expires_at, message
                    )
                )
                await audit.record(
                    institution_id=iid,
                    at=now,
                    action="invitation_sent" if outcome is Outcome.SENT else "invitation_resent",
                    actor=actor_of(principal.person_id),
                    subject_person_id=person_id,
                    client_address=client_address,
                    detail={"invitation_id": str(invitation.id)},
                )
            await uow.commit()
        await self._send(results, iid)
        log.info(
            "people_invited",
            by=str(principal.person_id),
            sent=sum(r.outcome in (Outcome.SENT, Outcome.RESENT) for r in results),
            skipped=sum(r.invitation_id is None for r in results),
        )
        return results

    async def _resolve(
        self, uow: UnitOfWork, iid: uuid.UUID, targets: InviteTargets, today: date
    ) -> list[uuid.UUID]:
        session = uow.session
        ids: list[uuid.UUID] = list(targets.person_ids)
        if targets.role is not None:
            ids += await people_with_roles(session, iid, today, [targets.role])
        for loc, section_id in (
            ("students_of_section", targets.students_of_section),
            ("guardians_of_section", targets.guardians_of_section),
        ):
            if section_id is None:
                continue
            if not await section_in_institution(session, iid, section_id):
                raise InvalidError("no such section", [FieldProblem((loc,), "no such section")])
            if loc == "students_of_section":
                ids += await students_of_section(session, iid, section_id, today)
            else:
                ids += await guardians_of_section(session, iid, section_id, today)
        unique = list(dict.fromkeys(ids))
        if not unique:
            raise InvalidError("nobody to invite", [FieldProblem(("person_ids",), "empty")])
        if len(unique) > MAX_INVITATIONS:
            raise InvalidError(
                f"at most {MAX_INVITATIONS} people per request",
                [FieldProblem(("person_ids",), f"{len(unique)} people")],
            )
        return unique

    @staticmethod
    async def _refusal(
        accounts: SqlAlchemyAccounts, person_id: uuid.UUID, iid: uuid.UUID, email: str | None
    ) -> Outcome | None:
        if await accounts.by_person(iid, person_id) is not None:
            return Outcome.HAS_LOGIN
        if not email:
            return Outcome.NO_EMAIL
        if await accounts.by_email(email) is not None:
            return Outcome.EMAIL_TAKEN
        return None

    def _new(
        self,
        iid: uuid.UUID,
        person_id: uuid.UUID,
        email: str,
        principal: Principal,
        now: datetime,
    ) -> Invitation:
        invitation_id = new_id()
        return Invitation(
            id=invitation_id,
            institution_id=iid,
            person_id=person_id,
            email=email,
            token_hash=hash_secret(self.links.invitation_token(invitation_id)),
            created_at=now,
            expires_at=now + self.links.invitation_ttl,
            invited_by=principal.person_id,
        )

    async def _send(self, results: list[InvitationResult], iid: uuid.UUID) -> None:
        """Mail each invitation after commit; record which went (a failed one stays pending)."""
        sent: list[uuid.UUID] = []
        for result in results:
            if result._message is None:
                continue
            try:
                await self.mail.send(
                    result._message.to, result._message.subject, result._message.text
                )
            except UnavailableError:
                result.outcome = Outcome.FAILED
                continue
            assert result.invitation_id is not None
            sent.append(result.invitation_id)
        if not sent:
            return
        async with self.uow as uow:
            invitations = SqlAlchemyInvitations(uow.session)
            now = self.clock.now()
            for invitation_id in sent:
                invitation = await invitations.get(iid, invitation_id)
                if invitation is not None:
                    invitation.mark_sent(now)
            await uow.commit()
