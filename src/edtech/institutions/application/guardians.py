"""Use cases for guardian links: who is whose guardian, with which rights."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from edtech.institutions.application.common import UseCase, not_found, refuse_nulls
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
                    and p.is_current(self.today())
                )
            ]
            if problems:
                raise InvalidError("unknown student or guardian", problems)
            # The family belongs to the child's school: its admins decide who guards the child.
            await self.policy().require_manager_of(principal, cmd.student_id)
            fields = {k: v for k, v in cmd.__dict__.items() if k != "begins_on"}
            link = GuardianLink(
                id=new_id(),
                institution_id=principal.institution_id,
                begins_on=cmd.begins_on or self.today(),
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


class UpdateGuardianLink(UseCase):
    """Change a link's relationship, priority, flags or custody restriction; effective at once.

    Only admins of the student's school (or the institution) change a child's family links.
    """

    FIELDS = frozenset(
        {
            "relationship",
            "legal_guardian",
            "lives_with",
            "contact_priority",
            "custody_restriction",
            "custody_note",
            "can_view_attendance",
            "can_view_grades",
            "can_view_billing",
            "can_message",
        }
    )

    async def __call__(
        self, principal: Principal, link_id: uuid.UUID, changes: Mapping[str, Any]
    ) -> None:
        refuse_nulls(changes, *(self.FIELDS - {"custody_note"}))
        Policy.require_people_admin(principal)
        async with self.uow:
            link = await self.roster().get(GuardianLink, principal.institution_id, link_id)
            if link is None:
                raise not_found("guardian link")
            await self.policy().require_manager_of(principal, link.student_id)
            link.change({k: v for k, v in changes.items() if k in self.FIELDS}, self.now())
            await self.commit()


class EndGuardianLink(UseCase):
    """End a link (it stays as history); the adult loses access from `ends_on`.

    Only admins of the student's school (or the institution) end a child's family links.
    """

    async def __call__(
        self, principal: Principal, link_id: uuid.UUID, ends_on: date | None = None
    ) -> None:
        Policy.require_people_admin(principal)
        async with self.uow:
            link = await self.roster().get(GuardianLink, principal.institution_id, link_id)
            if link is None:
                raise not_found("guardian link")
            await self.policy().require_manager_of(principal, link.student_id)
            link.end(ends_on or self.today(), self.now())
            await self.commit()
