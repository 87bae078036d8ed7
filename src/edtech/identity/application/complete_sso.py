"""Use case: the browser came back from the provider; prove who it is and sign them in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.identity.application.common import IssuedTokens, Links, TokenIssuer, unusable_password
from edtech.identity.application.start_sso import SSO_CALLBACK_PATH
from edtech.identity.domain import Account, AuthSession
from edtech.identity.domain.sso import (
    InstitutionSuspendedError,
    SsoDomainNotAllowedError,
    SsoIdentity,
    SsoProvider,
    SsoStateError,
    SsoUnknownPersonError,
    VerifiedIdentity,
    check_id_token_claims,
)
from edtech.identity.infrastructure import SqlAlchemyAccounts, SqlAlchemyAuthSessions
from edtech.identity.infrastructure.links import SqlAlchemyAudit, SqlAlchemyInvitations
from edtech.identity.infrastructure.oidc import OpenIdClient
from edtech.identity.infrastructure.sso import (
    SqlAlchemySsoAttempts,
    SqlAlchemySsoIdentities,
    SqlAlchemySsoProviders,
)
from edtech.institutions.public import institution_suspended, person_grants_at, person_with_email
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ConflictError
from edtech.kernel.ids import new_id
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger
from edtech.platform.security.keys import hash_secret

log = get_logger("edtech.identity")


@dataclass(frozen=True)
class SsoSignedIn:
    person_id: uuid.UUID
    tokens: IssuedTokens
    linked: bool
    """True the first time this provider identity was linked to the login."""


@dataclass(frozen=True)
class _Pending:
    provider: SsoProvider
    nonce: str
    code_verifier: str


class CompleteSso:
    """Finish a sign-in with a provider: the `state` must be one this deployment sent, less
    than ten minutes ago, never used; the code is exchanged with the PKCE verifier; the ID
    token must be signed by a key of the provider's JWKS, issued by the provider to this
    client, unexpired, carry the sign-in's nonce and a verified email of an allowed domain.

    The person is found by the provider's subject once linked; the first time by the verified
    email: the login with that address, or else the one person of the institution's roster
    with it, who has no login yet and is given one (no password; their open invitations are
    withdrawn). Nobody else is created. Then they are signed in exactly as with a password.
    Each refusal has its own problem code; the attempt is spent whatever the outcome.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        oidc: OpenIdClient,
        links: Links,
        issuer: TokenIssuer,
    ) -> None:
        self.uow, self.clock, self.oidc, self.links, self.issuer = uow, clock, oidc, links, issuer

    async def __call__(
        self,
        state: str,
        code: str,
        client_address: str | None = None,
        user_agent: str | None = None,
    ) -> SsoSignedIn:
        now = self.clock.now()
        pending = await self._spend(state, now)
        provider = pending.provider
        metadata = await self.oidc.metadata(provider.issuer)
        id_token = await self.oidc.exchange_code(
            metadata,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            code=code,
            redirect_uri=self.links.url_of(SSO_CALLBACK_PATH),
            code_verifier=pending.code_verifier,
        )
        claims = await self.oidc.verify(metadata, id_token, provider.client_id)
        identity = check_id_token_claims(
            claims, client_id=provider.client_id, nonce=pending.nonce, now=now
        )
        if not provider.allows(identity.email):
            raise SsoDomainNotAllowedError()
        try:
            signed_in = await self._sign_in(provider, identity, now, client_address, user_agent)
        except IntegrityError as exc:  # the same identity linked by a concurrent sign-in
            raise ConflictError("This sign-in raced another: try again.") from exc
        log.info(
            "sso_sign_in_succeeded",
            provider=provider.name,
            person_id=str(signed_in.person_id),
            institution_id=str(provider.institution_id),
            linked=signed_in.linked,
            client=client_address,
        )
        return signed_in

    async def _spend(self, state: str, now: datetime) -> _Pending:
        """The attempt `state` names, spent (committed) before anything is asked of the
        provider, so a callback works once whatever its outcome."""
        async with self.uow as uow:
            attempt = await SqlAlchemySsoAttempts(uow.session).by_state_hash(hash_secret(state))
            if attempt is None:
                raise SsoStateError()
            attempt.use(now)
            provider = await SqlAlchemySsoProviders(uow.session).get(attempt.provider_id)
            await uow.commit()
            if provider is None or not provider.enabled:
                raise SsoStateError("This sign-in provider was turned off.")
            uow.session.expunge(provider)
            return _Pending(provider, attempt.nonce, attempt.code_verifier)

    async def _sign_in(
        self,
        provider: SsoProvider,
        identity: VerifiedIdentity,
        now: datetime,
        client_address: str | None,
        user_agent: str | None,
    ) -> SsoSignedIn:
        iid = provider.institution_id
        async with self.uow as uow:
            if await institution_suspended(uow.session, iid):
                raise InstitutionSuspendedError()
            identities = SqlAlchemySsoIdentities(uow.session)
            accounts = SqlAlchemyAccounts(uow.session)
            link = await identities.by_subject(provider.id, identity.subject)
            linked = link is None
            if link is not None:
                account = await accounts.get(link.account_id)
                link.last_used_at, link.email = now, identity.email
            else:
                account = await self._account_for(uow.session, iid, identity.email, now)
            if account is None or not account.is_active or account.institution_id != iid:
                raise SsoUnknownPersonError()
            if await person_grants_at(uow.session, iid, account.person_id, now) is None:
                raise SsoUnknownPersonError()
            if link is None:
                identities.add(
                    SsoIdentity(
                        id=new_id(),
                        institution_id=iid,
                        provider_id=provider.id,
                        subject=identity.subject,
                        account_id=account.id,
                        email=identity.email,
                        created_at=now,
                        last_used_at=now,
                    )
                )
            account.signed_in(now)
            family = AuthSession(
                id=new_id(),
                institution_id=iid,
                account_id=account.id,
                created_at=now,
                client_address=client_address,
                user_agent=(user_agent or "")[:300] or None,
            )
            sessions = SqlAlchemyAuthSessions(uow.session)
            sessions.add(family)
            await uow.session.flush()  # the account exists before its session refers to it
            issued, refresh = self.issuer.issue(account, family, now)
            sessions.add_token(refresh)
            await SqlAlchemyAudit(uow.session).record(
                institution_id=iid,
                at=now,
                action="sso_linked" if linked else "sso_signed_in",
                actor=f"person:{account.person_id}",
                subject_person_id=account.person_id,
                client_address=client_address,
                detail={"provider": provider.name, "email": identity.email},
            )
            await uow.commit()
            return SsoSignedIn(account.person_id, issued, linked)

    async def _account_for(
        self, session: AsyncSession, iid: uuid.UUID, email: str, now: datetime
    ) -> Account | None:
        """The login a first sign-in with `email` belongs to: the login with that address,
        else a new one for the one person of the roster with it who has none."""
        accounts = SqlAlchemyAccounts(session)
        account = await accounts.by_email(email)
        if account is not None:
            return account if account.institution_id == iid else None
        person_id = await person_with_email(session, iid, email)
        if person_id is None or await accounts.by_person(iid, person_id) is not None:
            return None
        account = Account(
            id=new_id(),
            institution_id=iid,
            person_id=person_id,
            email=email,
            password_hash=await unusable_password(),
            is_active=True,
            created_at=now,
        )
        accounts.add(account)
        # They joined: a link mailed earlier must not set a password behind their back.
        await SqlAlchemyInvitations(session).revoke_live(person_id, now)
        return account
