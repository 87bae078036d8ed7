"""Use case: an institution admin changes one of its sign-in providers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from edtech.identity.application.add_sso_provider import SsoPolicy, require_institution_admin
from edtech.identity.domain.sso import check_domains, check_issuer
from edtech.identity.infrastructure.links import SqlAlchemyAudit
from edtech.identity.infrastructure.sso import SqlAlchemySsoProviders
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


@dataclass(frozen=True)
class SsoProviderChange:
    """Only the fields given change (None: unchanged)."""

    display_name: str | None = None
    issuer: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    allowed_domains: list[str] | None = None
    passwords_allowed: bool | None = None
    enabled: bool | None = None


class UpdateSsoProvider:
    """Change a sign-in provider of the caller's institution: turn it off (`enabled` false;
    sign-ins already made stay), narrow its domains, rotate its client secret, or say whether
    passwords are still allowed. Another institution's provider is 404."""

    def __init__(self, uow: UnitOfWork, clock: Clock, policy: SsoPolicy) -> None:
        self.uow, self.clock, self.policy = uow, clock, policy

    async def __call__(
        self, principal: Principal, provider_id: uuid.UUID, change: SsoProviderChange
    ) -> None:
        require_institution_admin(principal)
        now = self.clock.now()
        async with self.uow as uow:
            provider = await SqlAlchemySsoProviders(uow.session).of_institution(
                principal.institution_id, provider_id
            )
            if provider is None:
                raise NotFoundError("No such sign-in provider.")
            if change.display_name is not None:
                provider.display_name = change.display_name
            if change.issuer is not None:
                provider.issuer = check_issuer(change.issuer, self.policy.allow_insecure_issuers)
            if change.client_id is not None:
                provider.client_id = change.client_id
            if change.client_secret is not None:
                provider.client_secret = change.client_secret
            if change.allowed_domains is not None:
                provider.allowed_domains = check_domains(change.allowed_domains)
            if change.passwords_allowed is not None:
                provider.passwords_allowed = change.passwords_allowed
            if change.enabled is not None:
                provider.enabled = change.enabled
            provider.updated_at = now
            changed = sorted(k for k, v in vars(change).items() if v is not None)
            await SqlAlchemyAudit(uow.session).record(
                institution_id=principal.institution_id,
                at=now,
                action="sso_provider_changed",
                actor=f"person:{principal.person_id}",
                detail={"provider": provider.name, "changed": changed},
            )
            await uow.commit()
