"""Keeping the roster in step with an outside system of record (a SIS through OneRoster).

`RosterSync` creates, changes and ends roster aggregates by id inside the caller's unit of
work, so every change records its event (a person enrolled, an enrollment or a role ended, a
guardian linked) and open subscriptions that lose their basis are told, exactly as for hand
edits (ADR-0004). It applies no permission checks: the caller (an import run by an
institution admin) has made them. Ending never deletes: an ended record keeps its history.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.domain import (
    AcademicSession,
    ClassType,
    Course,
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    OrgType,
    Person,
    RoleAssignment,
    School,
    Section,
    SessionKind,
)
from edtech.institutions.infrastructure.repositories import SqlAlchemyRoster
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Role

KINDS: dict[str, type] = {
    "org": School,
    "academicSession": AcademicSession,
    "course": Course,
    "class": Section,
    "user": Person,
    "role": RoleAssignment,
    "enrollment": Enrollment,
    "link": GuardianLink,
}
"""The roster aggregate behind each kind of synced record."""

_CONVERT: dict[str, Any] = {
    "org_type": OrgType,
    "kind": SessionKind,
    "class_type": ClassType,
    "role": None,  # Role or EnrollmentRole, by kind
}


def convert_values(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """A synced record's values with enumerations as the domain's types."""
    out = dict(values)
    for name, conv in _CONVERT.items():
        if name in out and out[name] is not None:
            if name == "role":
                conv = EnrollmentRole if kind == "enrollment" else Role
            out[name] = conv(out[name])
    return out


class RosterSync:
    """Create, change and end roster records of one institution on the caller's session."""

    def __init__(self, session: AsyncSession, institution_id: uuid.UUID, now: datetime) -> None:
        self.roster = SqlAlchemyRoster(session)
        self.session = session
        self.institution_id = institution_id
        self.now = now

    async def exists(self, kind: str, id_: uuid.UUID) -> bool:
        return await self.roster.get(KINDS[kind], self.institution_id, id_) is not None

    async def put(
        self, kind: str, id_: uuid.UUID | None, values: dict[str, Any]
    ) -> tuple[uuid.UUID, bool]:
        """Create the record (`id_` None) or change the given fields of an existing one;
        returns its id and whether anything changed."""
        cls = KINDS[kind]
        values = convert_values(kind, values)
        if id_ is not None:
            obj = await self.roster.get(cls, self.institution_id, id_)
            if obj is not None:
                changed = False
                for name, value in values.items():
                    if getattr(obj, name) != value:
                        setattr(obj, name, value)
                        changed = True
                if changed and hasattr(obj, "check"):
                    obj.check()
                return id_, changed
        extra: dict[str, Any] = {}
        if kind in ("user", "enrollment", "link"):
            extra["created_at"] = self.now
        obj = cls(id=id_ or new_id(), institution_id=self.institution_id, **values, **extra)
        for created in ("added", "enrolled", "linked", "assigned"):
            if hasattr(obj, created):
                getattr(obj, created)(self.now)
        self.roster.add(obj)
        # no relationship() ties the roster's tables together: flush each record so the next
        # one's foreign keys find it
        await self.session.flush()
        return obj.id, True

    async def open_link(
        self, student_id: uuid.UUID, guardian_id: uuid.UUID, on: date
    ) -> uuid.UUID | None:
        """The link between these two people that has not ended by `on`, if any."""
        return await self.roster.open_link_id(self.institution_id, student_id, guardian_id, on)

    async def end(self, kind: str, id_: uuid.UUID, on: date) -> bool:
        """End an enrollment, role, guardian link or person on `on` (the first day it no
        longer holds); a class's open enrollments end with it. False if nothing changed."""
        if kind == "class":
            ended = False
            for e in await self.roster.open_enrollments_of_section(self.institution_id, id_, on):
                e.end(max(on, e.begins_on), self.now)
                ended = True
            return ended
        if kind not in ("enrollment", "role", "link", "user"):
            return False
        if kind == "user":
            person = await self.roster.get(Person, self.institution_id, id_)
            if person is None or not person.is_current(on):
                return False
            for tie in await self.roster.open_ties(self.institution_id, id_, on):
                tie.end(max(on, tie.begins_on), self.now)
            person.end(on, self.now)
            return True
        obj: Enrollment | RoleAssignment | GuardianLink | None
        if kind == "enrollment":
            obj = await self.roster.get(Enrollment, self.institution_id, id_)
        elif kind == "role":
            obj = await self.roster.get(RoleAssignment, self.institution_id, id_)
        else:
            obj = await self.roster.get(GuardianLink, self.institution_id, id_)
        if obj is None or (obj.ends_on is not None and obj.ends_on <= on):
            return False
        obj.end(max(on, obj.begins_on), self.now)
        return True
