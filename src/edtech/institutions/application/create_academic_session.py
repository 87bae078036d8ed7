"""Use case: an admin adds a school year, term or grading period to the calendar."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from edtech.institutions.application.common import (
    UseCase,
)
from edtech.institutions.domain import (
    AcademicSession,
    School,
    SessionKind,
)
from edtech.institutions.policy import Policy
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


@dataclass(frozen=True)
class NewAcademicSession:
    kind: SessionKind
    title: str
    starts_on: date
    ends_on: date
    school_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    closes_on: date | None = None


class CreateAcademicSession(UseCase):
    """A school year, term or grading period; each lies inside its parent's dates."""

    async def __call__(self, principal: Principal, cmd: NewAcademicSession) -> uuid.UUID:
        Policy.require_admin(principal, cmd.school_id)
        async with self.uow:
            roster = self.roster()
            if (
                cmd.school_id is not None
                and await roster.get(School, principal.institution_id, cmd.school_id) is None
            ):
                raise InvalidError(
                    "unknown school", [FieldProblem(("school_id",), "no such school")]
                )
            session = AcademicSession(
                id=new_id(),
                institution_id=principal.institution_id,
                kind=cmd.kind,
                title=cmd.title,
                starts_on=cmd.starts_on,
                ends_on=cmd.ends_on,
                school_id=cmd.school_id,
                parent_id=cmd.parent_id,
                closes_on=cmd.closes_on,
            )
            if cmd.parent_id is not None:
                parent = await roster.get(AcademicSession, principal.institution_id, cmd.parent_id)
                if parent is None:
                    raise InvalidError(
                        "unknown parent", [FieldProblem(("parent_id",), "no such session")]
                    )
                session.check_parent(parent)
            roster.add(session)
            await self.commit()
        return session.id
