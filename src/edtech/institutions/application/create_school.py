"""Use case: an institution admin adds a school."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from edtech.institutions.application.common import (
    UseCase,
)
from edtech.institutions.domain import (
    OrgType,
    School,
)
from edtech.institutions.policy import Policy
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


@dataclass(frozen=True)
class NewSchool:
    name: str
    org_type: OrgType = OrgType.SCHOOL
    parent_id: uuid.UUID | None = None
    timezone: str | None = None
    sourced_id: str | None = None


class CreateSchool(UseCase):
    """Institution admins add schools; names are unique within the institution."""

    async def __call__(self, principal: Principal, cmd: NewSchool) -> uuid.UUID:
        Policy.require_admin(principal)
        async with self.uow:
            roster = self.roster()
            if (
                cmd.parent_id is not None
                and await roster.get(School, principal.institution_id, cmd.parent_id) is None
            ):
                raise InvalidError(
                    "unknown parent", [FieldProblem(("parent_id",), "no such school")]
                )
            if await roster.school_name_taken(principal.institution_id, cmd.name):
                raise ConflictError(f"a school named {cmd.name!r} exists")
            school = School(
                id=new_id(),
                institution_id=principal.institution_id,
                name=cmd.name,
                org_type=cmd.org_type,
                parent_id=cmd.parent_id,
                timezone=cmd.timezone,
                sourced_id=cmd.sourced_id,
            )
            roster.add(school)
            await self.commit()
        return school.id
