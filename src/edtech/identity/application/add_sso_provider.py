"""Use case: an institution admin lets the institution's people sign in with an OpenID
provider (Google, Microsoft, or any other), or changes how."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from edtech.identity.domain.sso import (
    SsoProvider,
    check_domains,
    check_issuer,
    check_provider_name,
)
from edtech.identity.infrastructure.links import SqlAlchemyAudit
from edtech.identity.infrastructure.sso import SqlAlchemySsoProviders
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ConflictError, ForbiddenError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


@dataclass(frozen=True)
class SsoProviderCommand:
    name: str
    display_name: str
    issuer: str
    client_id: str
    client_secret: str
    allowed_domains: list[str]
    passwords_allowed: bool = True
    enabled: bool = True


@dataclass(frozen=True)
class SsoPolicy:
    """The node's rule for issuers: https only, unless `EDTECH_SSO_ALLOW_INSECURE_ISSUERS`
    lets a loopback http issuer in (tests, a provider on the same machine)."""

    allow_insecure_issuers: bool = False


def require_institution_admin(principal: Principal) -> None:
    if not principal.is_institution_admin:
        raise ForbiddenError("Only institution administrators configure sign-in providers.")


class AddSsoProvider:
    """Add a sign-in provider to the caller's institution (institution admins).

    The issuer must be an https URL (its discovery document is read at each sign-in); only
    people whose verified address is in one of `allowed_domains` get in. The name (`google`,
    `microsoft`, …) is unique in the institution. The client secret is never shown again.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, policy: SsoPolicy) -> None:
        self.uow, self.clock, self.policy = uow, clock, policy

    async def __call__(self, principal: Principal, cmd: SsoProviderCommand) -> uuid.UUID:
        require_institution_admin(principal)
        now = self.clock.now()
        provider = SsoProvider(
            id=new_id(),
            institution_id=principal.institution_id,
            name=check_provider_name(cmd.name),
            display_name=cmd.display_name,
            issuer=check_issuer(cmd.issuer, self.policy.allow_insecure_issuers),
            client_id=cmd.client_id,
            client_secret=cmd.client_secret,
            allowed_domains=check_domains(cmd.allowed_domains),
            passwords_allowed=cmd.passwords_allowed,
            enabled=cmd.enabled,
            created_at=now,
            updated_at=now,
        )
        async with self.uow as uow:
            providers = SqlAlchemySsoProviders(uow.session)
            if await providers.by_name(principal.institution_id, provider.name) is not None:
                raise ConflictError("A provider of this name exists.", field="name")
            providers.add(provider)
            await SqlAlchemyAudit(uow.session).record(
                institution_id=principal.institution_id,
                at=now,
                action="sso_provider_added",
                actor=f"person:{principal.person_id}",
                detail={"provider": provider.name, "issuer": provider.issuer},
            )
            try:
                await uow.commit()
            except IntegrityError as exc:
                raise ConflictError("A provider of this name exists.", field="name") from exc
        return provider.id
