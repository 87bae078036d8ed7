"""Use case: an institution admin registers an integration (an OAuth 2 client)."""

from __future__ import annotations

from dataclasses import dataclass

from edtech.kernel.clock import Clock
from edtech.kernel.errors import FieldProblem, ForbiddenError, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.oneroster.domain.scopes import SCOPES, short
from edtech.oneroster.infrastructure.clients import add_client
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.security.keys import hash_secret, new_secret


@dataclass(frozen=True)
class RegisteredClient:
    client_id: str
    client_secret: str
    scopes: list[str]


class RegisterClient:
    """Institution admins register an integration with the scopes it may ask for; the secret
    is shown once. The integration writes grades in the name of the admin who registered it
    (as drafts: teachers publish)."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(
        self, principal: Principal, name: str, scopes: list[str]
    ) -> RegisteredClient:
        if not principal.is_institution_admin:
            raise ForbiddenError("only an institution admin registers integrations")
        wanted = sorted({short(s) for s in scopes})
        unknown = [s for s in wanted if s not in SCOPES]
        if unknown or not wanted:
            raise InvalidError(
                "unknown scopes",
                [FieldProblem(("scopes",), f"not OneRoster 1.2 scopes: {unknown or 'none given'}")],
            )
        client_id, secret = new_secret("or_", 12), new_secret("", 32)
        async with self.uow:
            await add_client(
                self.uow.session,
                {
                    "id": new_id(),
                    "institution_id": principal.institution_id,
                    "name": name,
                    "client_id": client_id,
                    "secret_hash": hash_secret(secret),
                    "scopes": wanted,
                    "acts_as": principal.person_id,
                    "publishes": False,
                    "created_at": self.clock.now(),
                },
            )
            await self.uow.commit()
        return RegisteredClient(client_id, secret, wanted)
