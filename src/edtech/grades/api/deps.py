"""Dependencies of the grades routes: the roster port and the read routes' permission checks.

Use cases come from `edtech.platform.http.deps.use_case(cls, roster)`."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends

from edtech.grades.application.common import require_gradebook_manager
from edtech.grades.application.ports import RosterFactory
from edtech.grades.domain import Editor
from edtech.grades.infrastructure.roster import InstitutionsRoster
from edtech.kernel.errors import ForbiddenError, NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.http.deps import ReadSessionDep, ServicesDep
from edtech.platform.services import Services

if TYPE_CHECKING:  # a type only: the routes run no SQL (the roster adapter does)
    from sqlalchemy.ext.asyncio import AsyncSession


def roster(services: Services) -> RosterFactory:
    """The use cases' roster port (`use_case(cls, roster)`): answers judged on today at the
    institution (its time zone, by the node's clock), bound to the unit of work's session."""
    clock = services.clock

    def bind(session: AsyncSession) -> InstitutionsRoster:
        return InstitutionsRoster(session, clock=clock)

    return bind


class Reader:
    """Permission checks for read routes, on the request's read-only session."""

    def __init__(self, services: Services, session: AsyncSession) -> None:
        self.session = session
        self.roster = roster(services)(session)

    async def manager(self, principal: Principal, section_id: uuid.UUID) -> Editor:
        return await require_gradebook_manager(self.roster, principal, section_id)

    async def may_view_grades(self, principal: Principal, student_id: uuid.UUID) -> None:
        """The student themselves, entitled guardians, their teachers and the office."""
        if not await self.roster.person_exists(principal.institution_id, student_id):
            raise NotFoundError("student not found")
        if not await self.roster.may_view_grades_of(principal, student_id):
            raise ForbiddenError("you may not see this student's grades")


def reader(services: ServicesDep, session: ReadSessionDep) -> Reader:
    return Reader(services, session)


ReaderDep = Annotated[Reader, Depends(reader)]
