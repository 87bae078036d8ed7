"""The ports the grades use cases talk through: the roster (another slice) and the stores."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import date
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.grades.domain import GradingPeriod
from edtech.kernel.principal import Principal


class Roster(Protocol):
    """What the gradebook needs to know about sections, people and families."""

    async def today(self, institution_id: uuid.UUID) -> date:
        """Today at the institution, in its time zone (grade locks are judged on it)."""
        ...

    async def school_of_section(
        self, institution_id: uuid.UUID, section_id: uuid.UUID
    ) -> uuid.UUID | None: ...

    async def may_manage_section(self, principal: Principal, section_id: uuid.UUID) -> bool: ...

    async def teaches_section(self, principal: Principal, section_id: uuid.UUID) -> bool:
        """Enrolled in the section today as a teacher or an aide."""
        ...

    async def students_of_section(
        self, institution_id: uuid.UUID, section_id: uuid.UUID
    ) -> list[uuid.UUID]: ...

    async def person_exists(self, institution_id: uuid.UUID, person_id: uuid.UUID) -> bool: ...

    async def may_view_grades_of(self, principal: Principal, student_id: uuid.UUID) -> bool: ...

    async def guardians_to_notify_many(
        self, institution_id: uuid.UUID, student_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, list[uuid.UUID]]: ...

    async def grading_period(
        self, institution_id: uuid.UUID, period_id: uuid.UUID
    ) -> GradingPeriod | None: ...

    async def display_names(
        self, institution_id: uuid.UUID, person_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, str]: ...


RosterFactory = Callable[[AsyncSession], Roster]
"""Binds the roster to the unit of work's (or a read) session."""
