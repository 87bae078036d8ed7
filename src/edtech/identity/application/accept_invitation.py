"""Use case: an invitee chooses a password through their link and is signed in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from edtech.identity.application.common import IssuedTokens, TokenIssuer, choose_password
from edtech.identity.application.open_invitation import usable_invitation
from edtech.identity.application.password_policy import PasswordPolicy
from edtech.identity.domain import (
    Account,
    AuthSession,
    LoginThrottle,
    RevokeReason,
    SignInsRevoked,
)
from edtech.identity.infrastructure import SqlAlchemyAccounts, SqlAlchemyAuthSessions
from edtech.identity.infrastructure.links import SqlAlchemyAudit
from edtech.institutions.public import person_grants_at
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ConflictError
from edtech.kernel.ids import new_id
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger

log = get_logger("edtech.identity")


@dataclass(frozen=True)
class Accepted:
    person_id: uuid.UUID
    tokens: IssuedTokens


class AcceptInvitation:
    """Accept an invitation: the invitee's login gets the chosen password, the link is spent,
    and the invitee is signed in as their person.

    The login's email is the invitation's. A link works once; an expired, used, revoked or
    unknown link is refused with a problem saying which and nothing changes. If the person
    already had a login (the first administrator's), its other sessions end. A person who left
    the roll, or whose institution is suspended, cannot accept.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        throttle: LoginThrottle,
        issuer: TokenIssuer,
        passwords: PasswordPolicy | None = None,
    ) -> None:
        self.uow, self.clock, self.throttle, self.issuer = uow, clock, throttle, issuer
        self.passwords = passwords or PasswordPolicy()

    async def __call__(
        self,
        token: str,
        password: str,
        client_address: str | None = None,
        user_agent: str | None = None,
    ) -> Accepted:
        now = self.clock.now()
        async with self.uow as uow:
            invitation = await usable_invitation(uow, self.throttle, token, now, client_address)
            # Hashed inside the transaction: the login's email is known only now (rare, and
            # a refused password changes nothing).
            password_hash = await choose_password(password, invitation.email, self.passwords)
            iid, person_id = invitation.institution_id, invitation.person_id
            if await person_grants_at(uow.session, iid, person_id, now) is None:
                raise ConflictError("This person can no longer sign in here.")
            accounts = SqlAlchemyAccounts(uow.session)
            holder = await accounts.by_email(invitation.email)
            if holder is not None and holder.person_id != person_id:
                raise ConflictError("Another login already uses this email.", field="email")
            account = await accounts.by_person(iid, person_id)
            sessions = SqlAlchemyAuthSessions(uow.session)
            if account is None:
                account = Account(
                    id=new_id(),
                    institution_id=iid,
                    person_id=person_id,
                    email=invitation.email,
                    password_hash=password_hash,
                    is_active=True,
                    created_at=now,
                )
                accounts.add(account)
            else:
                account.email = invitation.email
                account.password_hash = password_hash
                account.is_active = True
                await sessions.revoke_all(account.id, now, RevokeReason.LOGIN_CHANGED)
                # Sockets opened with the ended sessions close on every node.
                uow.emit(
                    SignInsRevoked(
                        institution_id=iid,
                        occurred_at=now,
                        person_id=person_id,
                        reason=RevokeReason.LOGIN_CHANGED,
                    )
                )
            invitation.accept(now)
            account.signed_in(now)
            family = AuthSession(
                id=new_id(),
                institution_id=iid,
                account_id=account.id,
                created_at=now,
                client_address=client_address,
                user_agent=(user_agent or "")[:300] or None,
            )
            sessions.add(family)
            await uow.session.flush()  # the account exists before its session refers to it
            issued, refresh = self.issuer.issue(account, family, now)
            sessions.add_token(refresh)
            await SqlAlchemyAudit(uow.session).record(
                institution_id=iid,
                at=now,
                action="invitation_accepted",
                actor=f"person:{person_id}",
                subject_person_id=person_id,
                client_address=client_address,
                detail={"invitation_id": str(invitation.id)},
            )
            try:
                await uow.commit()
            except IntegrityError as exc:  # a concurrent acceptance or the email taken
                raise ConflictError("This invitation was just used.") from exc
        log.info("invitation_accepted", person_id=str(person_id), account_id=str(account.id))
        return Accepted(person_id, issued)
