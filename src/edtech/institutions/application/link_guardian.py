"""Use case: an admin of a student's school links an adult to the student as a guardian."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from edtech.institutions.application.common import (
    UseCase,
)
from edtech.institutions.domain import GuardianLink, Person
from edtech.institutions.policy import Policy
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


@dataclass(frozen=True)
class NewGuardianLink:
    student_id: uuid.UUID
    guardian_id: uuid.UUID
    relationship: str = "guardian"
    legal_guardian: bool = True
    lives_with: bool = True
    contact_priority: int = 1
    custody_restriction: bool = False
    custody_note: str | None = None
    can_view_attendance: bool = True
    can_view_grades: bool = True
    can_view_billing: bool = True
    can_message: bool = True
    begins_on: date | None = None


class LinkGuardian(UseCase):
    """Admins of the student's school link an adult to the student; one open link per pair."""

    async def __call__(self, principal: Principal, cmd: NewGuardianLink) -> uuid.UUID:
        Policy.require_people_admin(principal)
        async with self.uow:
            roster = self.roster()
            problems = [
                FieldProblem((name,), "no such current person")
                for name, pid in (("student_id", cmd.student_id), ("guardian_id", cmd.guardian_id))
                if not (
                    (p := await roster.get(Person, principal.institution_id, pid))
                    and p.is_current(await self.today(principal.institution_id))
                )
            ]
            if problems:
                raise InvalidError("unknown student or guardian", problems)
            # The family belongs to the child's school: its admins decide who guards the child.
            await (await self.policy(principal.institution_id)).require_manager_of(
                principal, cmd.student_id
            )
            fields = {k: v for k, v in cmd.__dict__.items() if k != "begins_on"}
            link = GuardianLink(
                id=new_id(),
                institution_id=principal.institution_id,
                begins_on=cmd.begins_on or await self.today(principal.institution_id),
                created_at=self.now(),
                **fields,
            )
            if await roster.open_link(
                principal.institution_id, cmd.student_id, cmd.guardian_id, link.begins_on
            ):
                raise ConflictError("this adult is already linked to this student")
            link.linked(self.now())
            roster.add(link)
            await self.commit()
        return link.id
