"""Dependencies of the communication routes: the directory port for use cases (built with
`edtech.platform.http.deps.use_case(cls, directory_port)`) and the read routes' directory."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends

from edtech.communication.application import DirectoryFactory, DirectoryPort, roster_directory
from edtech.communication.application.ports import AttachmentClaims, Callers, NoAttachments
from edtech.communication.infrastructure import RosterDirectory
from edtech.identity.public import principals_in
from edtech.kernel.principal import Principal
from edtech.platform.http.deps import ReadSessionDep, ServicesDep
from edtech.platform.services import Services

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


def directory_port(services: Services) -> DirectoryPort:
    """The use cases' directory port: the roster judged on the node clock's date."""
    return roster_directory(services.clock)


def directory_factory(services: Services) -> DirectoryFactory:
    """The directory for use cases that choose the day it judges on (the sender's school day,
    as their sign-in read it)."""
    return RosterDirectory


def attachments_port(services: Services) -> AttachmentClaims:
    """The files slice's claims on attached files (a node component); a node built without
    that slice carries no files."""
    return services.components.find(AttachmentClaims) or NoAttachments()  # type: ignore[type-abstract]


def callers_port(services: Services) -> Callers:
    """Who access tokens name, read on the session of the work done for them (identity's
    `principals_in`)."""

    async def callers(
        session: AsyncSession, tokens: Sequence[str]
    ) -> Sequence[Principal | Exception]:
        return await principals_in(services, session, tokens)

    return callers


def read_directory(services: ServicesDep, session: ReadSessionDep) -> RosterDirectory:
    return RosterDirectory(session, services.clock)


DirectoryDep = Annotated[RosterDirectory, Depends(read_directory)]
