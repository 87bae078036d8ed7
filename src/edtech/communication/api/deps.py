"""Dependencies of the communication routes: the use cases' collaborators and the roster."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from edtech.communication.application import Collaborators
from edtech.communication.infrastructure import RosterDirectory
from edtech.platform.http.deps import ReadSessionDep, ServicesDep, UnitOfWorkDep


def collaborators(services: ServicesDep, uow: UnitOfWorkDep) -> Collaborators:
    return Collaborators(uow=uow, clock=services.clock, directory_factory=RosterDirectory)


CollaboratorsDep = Annotated[Collaborators, Depends(collaborators)]


def read_directory(services: ServicesDep, session: ReadSessionDep) -> RosterDirectory:
    return RosterDirectory(session, services.clock.now().date())


DirectoryDep = Annotated[RosterDirectory, Depends(read_directory)]
