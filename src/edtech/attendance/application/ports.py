"""What attendance needs from outside the slice: the roster (sections, students, families)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.attendance.domain import PlannedMeeting
from edtech.kernel.principal import Principal

__all__ = ["PlannedMeeting", "Roster", "RosterFactory"]


class Roster(Protocol):
    """The roster as attendance sees it (answered by the institutions slice)."""

    async def meetings_on(
        self, institution_id: uuid.UUID, day: date, section_ids: Sequence[uuid.UUID] | None
    ) -> list[PlannedMeeting]:
        """Meetings of the institution's sections (or of `section_ids`) on `day`."""
        ...

    async def school_of_section(
        self, institution_id: uuid.UUID, section_id: uuid.UUID
    ) -> uuid.UUID | None: ...

    async def zone_of_section(self, institution_id: uuid.UUID, section_id: uuid.UUID) -> ZoneInfo:
        """The zone the section meets in: a session's day is its start's date there."""
        ...

    async def students_of_section(
        self, institution_id: uuid.UUID, section_id: uuid.UUID
    ) -> list[uuid.UUID]: ...

    async def teaches_section(self, principal: Principal, section_id: uuid.UUID) -> bool: ...

    async def guardian_allows(self, principal: Principal, student_id: uuid.UUID) -> bool:
        """A guardian of the student with `can_view_attendance` and no custody restriction."""
        ...

    async def may_view_student(self, principal: Principal, student_id: uuid.UUID) -> bool:
        """The student, the office, their teachers, or an entitled guardian."""
        ...

    async def guardians_to_notify(
        self, institution_id: uuid.UUID, student_id: uuid.UUID
    ) -> list[uuid.UUID]: ...

    def as_of(self, day: date) -> Roster:
        """The same roster judged on `day` (enrollments, roles and links of that day)."""
        ...

    async def names(
        self, institution_id: uuid.UUID, person_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, str]: ...


RosterFactory = Callable[[AsyncSession], Roster]
"""The roster read in a database session: a use case binds it to `uow.session`, a read route
to its read session. It judges dated facts on the node clock's today (`Roster.as_of` for
another day)."""
