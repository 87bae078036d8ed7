"""Use case: a signed-in person asks to sign in with a new email address."""

from __future__ import annotations

import asyncio

from edtech.identity.application.common import (
    EMAIL_PATH,
    EMAIL_TOKEN_PREFIX,
    Links,
    Message,
    email_change_message,
    email_change_notice,
)
from edtech.identity.domain import check_email
from edtech.identity.domain.links import EmailChange
from edtech.identity.infrastructure import SqlAlchemyAccounts
from edtech.identity.infrastructure.links import SqlAlchemyAudit, SqlAlchemyEmailChanges
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError, NotFoundError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.mail import Mail, require_mail
from edtech.platform.security.keys import hash_secret, new_secret
from edtech.platform.security.passwords import verify_password


class RequestEmailChange:
    """Ask to sign in with a new email address, proving the current password.

    The login keeps its address until the link mailed to the new one is followed (single-use,
    valid `EDTECH_PASSWORD_RESET_TTL_SECONDS`); the old address is told. An address another login
    uses is a conflict (409). When this node cannot send mail, nothing happens (503).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, mail: Mail, links: Links) -> None:
        self.uow, self.clock, self.mail, self.links = uow, clock, mail, links

    async def __call__(
        self,
        principal: Principal,
        current_password: str,
        new_email: str,
        client_address: str | None = None,
    ) -> list[Message]:
        """The messages to send (to the new address, and a notice to the old one)."""
        require_mail(self.mail)
        email = check_email(new_email)
        now = self.clock.now()
        async with self.uow as uow:
            accounts = SqlAlchemyAccounts(uow.session)
            account = await accounts.get(principal.account_id)
            if account is None:
                raise NotFoundError("This login no longer exists.")
            old, stored = account.email, account.password_hash
        if not await asyncio.to_thread(verify_password, current_password, stored):
            raise InvalidError(
                "The current password is wrong.",
                [FieldProblem(("current_password",), "not your current password")],
            )
        token = new_secret(EMAIL_TOKEN_PREFIX)
        async with self.uow as uow:
            holder = await SqlAlchemyAccounts(uow.session).by_email(email)
            if holder is not None:
                raise ConflictError("Another login already uses this email.", field="new_email")
            change = EmailChange(
                id=new_id(),
                institution_id=principal.institution_id,
                account_id=principal.account_id,
                new_email=email,
                token_hash=hash_secret(token),
                created_at=now,
                expires_at=now + self.links.reset_ttl,
            )
            SqlAlchemyEmailChanges(uow.session).add(change)
            await SqlAlchemyAudit(uow.session).record(
                institution_id=principal.institution_id,
                at=now,
                action="email_change_requested",
                actor=f"person:{principal.person_id}",
                subject_person_id=principal.person_id,
                client_address=client_address,
                detail={"new_email": email},
            )
            await uow.commit()
        return [
            email_change_message(email, self.links.url(EMAIL_PATH, token), change.expires_at),
            email_change_notice(old, email),
        ]
