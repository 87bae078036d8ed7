"""Use case: a platform operator opens a new school — tenant, first administrator, setup link."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from edtech.identity.application.common import (
    INVITATION_PATH,
    Links,
    choose_password,
    invitation_message,
    unusable_password,
)
from edtech.identity.application.password_policy import PasswordPolicy
from edtech.identity.domain import Account, check_email
from edtech.identity.domain.links import Invitation
from edtech.identity.infrastructure import SqlAlchemyAccounts
from edtech.identity.infrastructure.links import SqlAlchemyAudit, SqlAlchemyInvitations
from edtech.institutions.public import NewTenant, open_institution
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ConflictError, UnavailableError
from edtech.kernel.ids import new_id
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.mail import Mail, require_mail
from edtech.platform.observability.logging import get_logger
from edtech.platform.security.keys import hash_secret

log = get_logger("edtech.identity")


@dataclass(frozen=True)
class Provisioned:
    institution_id: uuid.UUID
    admin_person_id: uuid.UUID
    account_id: uuid.UUID
    invitation_id: uuid.UUID | None
    setup_url: str | None
    expires_at: datetime | None
    mailed: bool = False


class ProvisionInstitution:
    """Open a new institution with its first institution administrator.

    In one transaction: the tenant (slug unique, valid zone, locale and currency), a person
    holding `institution_admin`, their login (the admin's email, unique across logins), and —
    unless a password is given — a setup link: a single-use invitation, valid
    `EDTECH_INVITATION_TTL_SECONDS`, through which the administrator chooses a password. With
    `send`, the link is mailed to the administrator (503 before anything is created when this
    node cannot send mail; if the mail server refuses the message, the institution stays created
    and `mailed` says false — the administrator then uses "forgot password"); otherwise it is
    returned (the command line prints it).
    """

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        mail: Mail,
        links: Links,
        passwords: PasswordPolicy | None = None,
    ) -> None:
        self.uow, self.clock, self.mail, self.links = uow, clock, mail, links
        self.passwords = passwords or PasswordPolicy()

    async def __call__(
        self,
        tenant: NewTenant,
        *,
        actor: str,
        password: str | None = None,
        send: bool = False,
        client_address: str | None = None,
    ) -> Provisioned:
        if send:
            require_mail(self.mail)
        email = check_email(tenant.admin_email)
        password_hash = (
            await choose_password(password, email, self.passwords)
            if password is not None
            else await unusable_password()
        )
        now = self.clock.now()
        invitation: Invitation | None = None
        token: str | None = None
        async with self.uow as uow:
            accounts = SqlAlchemyAccounts(uow.session)
            if await accounts.by_email(email) is not None:
                raise ConflictError("Another login already uses this email.", field="admin_email")
            opened = await open_institution(uow.session, tenant, now)
            await uow.session.flush()  # the person exists before its login refers to it
            account = Account(
                id=new_id(),
                institution_id=opened.institution_id,
                person_id=opened.admin_person_id,
                email=email,
                password_hash=password_hash,
                is_active=True,
                created_at=now,
            )
            accounts.add(account)
            if password is None:
                invitation_id = new_id()
                token = self.links.invitation_token(invitation_id)
                invitation = Invitation(
                    id=invitation_id,
                    institution_id=opened.institution_id,
                    person_id=opened.admin_person_id,
                    email=email,
                    token_hash=hash_secret(token),
                    created_at=now,
                    expires_at=now + self.links.invitation_ttl,
                )
                SqlAlchemyInvitations(uow.session).add(invitation)
            await SqlAlchemyAudit(uow.session).record(
                institution_id=opened.institution_id,
                at=now,
                action="institution_provisioned",
                actor=actor,
                subject_person_id=opened.admin_person_id,
                client_address=client_address,
                detail={"slug": tenant.slug, "setup_link": invitation is not None},
            )
            try:
                await uow.commit()
            except IntegrityError as exc:  # a concurrent request took the slug or the email
                raise ConflictError("The slug or the email was taken meanwhile.") from exc
        url = self.links.url(INVITATION_PATH, token) if token is not None else None
        mailed = False
        if send and invitation is not None and url is not None:
            message = invitation_message(
                email, f"{tenant.admin_given_name}", tenant.name, url, invitation.expires_at
            )
            try:
                await self.mail.send(message.to, message.subject, message.text)
            except UnavailableError:
                # The institution exists: refusing now would only make a retry a 409. The
                # administrator gets in with "forgot password" once mail works again.
                mailed = False
            else:
                mailed = True
                async with self.uow as uow:
                    sent = await SqlAlchemyInvitations(uow.session).get(
                        invitation.institution_id, invitation.id
                    )
                    if sent is not None:
                        sent.mark_sent(self.clock.now())
                    await uow.commit()
        log.info(
            "institution_provisioned",
            institution_id=str(opened.institution_id),
            admin_person_id=str(opened.admin_person_id),
            by=actor,
        )
        return Provisioned(
            institution_id=opened.institution_id,
            admin_person_id=opened.admin_person_id,
            account_id=account.id,
            invitation_id=invitation.id if invitation is not None else None,
            setup_url=None if send else url,
            expires_at=invitation.expires_at if invitation is not None else None,
            mailed=mailed,
        )
