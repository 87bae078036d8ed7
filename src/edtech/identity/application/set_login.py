"""Use case: an administrator gives a person a login, or changes it."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from edtech.identity.application.password_policy import PasswordPolicy
from edtech.identity.domain import Account, RevokeReason, SignInsRevoked, check_email
from edtech.identity.infrastructure import SqlAlchemyAccounts, SqlAlchemyAuthSessions
from edtech.institutions.public import person_grants_at
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ConflictError, ForbiddenError, NotFoundError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger
from edtech.platform.security.passwords import hash_password

log = get_logger("edtech.identity")


@dataclass(frozen=True)
class SetLoginCommand:
    person_id: uuid.UUID
    email: str
    password: str
    is_active: bool = True


class SetLogin:
    """Give a person of the institution a login (email + password), or replace it.

    Only institution admins may. An email belongs to one login in the whole system (409
    otherwise). The password must satisfy the password policy (long enough, not a common
    password, not containing the email's local part, not easy to guess). Changing a login signs
    the person out everywhere: whoever knew the old password keeps no session.
    """

    def __init__(
        self, uow: UnitOfWork, clock: Clock, passwords: PasswordPolicy | None = None
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.passwords = passwords or PasswordPolicy()

    async def __call__(self, principal: Principal, cmd: SetLoginCommand) -> tuple[Account, bool]:
        """Returns the account and whether it was created."""
        if not principal.is_institution_admin:
            raise ForbiddenError("Only institution administrators may set logins.")
        email = check_email(cmd.email)
        await asyncio.to_thread(self.passwords.check, cmd.password, email)
        password_hash = await asyncio.to_thread(hash_password, cmd.password)
        now = self.clock.now()
        async with self.uow as uow:
            person = await person_grants_at(
                uow.session, principal.institution_id, cmd.person_id, now
            )
            if person is None:
                raise NotFoundError("Person not found.")
            accounts = SqlAlchemyAccounts(uow.session)
            holder = await accounts.by_email(email)
            if holder is not None and holder.person_id != cmd.person_id:
                raise ConflictError("Another login already uses this email.", field="email")
            account = await accounts.by_person(principal.institution_id, cmd.person_id)
            created = account is None
            if account is None:
                account = Account(
                    id=new_id(),
                    institution_id=principal.institution_id,
                    person_id=cmd.person_id,
                    email=email,
                    password_hash=password_hash,
                    is_active=cmd.is_active,
                    created_at=now,
                )
                accounts.add(account)
            else:
                account.email = email
                account.password_hash = password_hash
                account.is_active = cmd.is_active
                await SqlAlchemyAuthSessions(uow.session).revoke_all(
                    account.id, now, RevokeReason.LOGIN_CHANGED
                )
                uow.emit(
                    SignInsRevoked(
                        institution_id=account.institution_id,
                        occurred_at=now,
                        person_id=account.person_id,
                        reason=RevokeReason.LOGIN_CHANGED,
                    )
                )
            try:
                await uow.commit()
            except IntegrityError as exc:  # a concurrent request took the email or the person
                raise ConflictError("Another login already uses this email.") from exc
        log.info(
            "login_set",
            by=str(principal.person_id),
            person_id=str(cmd.person_id),
            account_id=str(account.id),
            created=created,
        )
        return account, created
