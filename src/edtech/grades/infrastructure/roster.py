"""The roster port, answered by the institutions slice's public module."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.grades.domain import GradingPeriod
from edtech.institutions import public as institutions
from edtech.kernel.clock import Clock
from edtech.kernel.principal import Principal

GRADES_FLAG = "can_view_grades"
"""The guardian-link flag that lets a guardian see (and be told about) a child's grades."""


class InstitutionsRoster:
    """Sections, enrollments and families as the gradebook needs them, judged on `today`, or —
    given a clock — on today at each institution asked about, in its time zone."""

    def __init__(
        self, session: AsyncSession, today: date | None = None, *, clock: Clock | None = None
    ) -> None:
        self.session = session
        self._today, self._clock = today, clock
        self._policies: dict[uuid.UUID, institutions.Policy] = {}

    async def _policy(self, institution_id: uuid.UUID) -> institutions.Policy:
        policy = self._policies.get(institution_id)
        if policy is None:
            if self._clock is None:
                policy = institutions.Policy(self.session, today=self._today)
            else:
                policy = await institutions.Policy.at_school(
                    self.session, self._clock, institution_id
                )
            self._policies[institution_id] = policy
        return policy

    async def today(self, institution_id: uuid.UUID) -> date:
        """The day dated facts (enrollments, grade locks) are judged on at the institution."""
        return (await self._policy(institution_id)).today

    async def school_of_section(
        self, institution_id: uuid.UUID, section_id: uuid.UUID
    ) -> uuid.UUID | None:
        return await (await self._policy(institution_id)).school_of_section(
            institution_id, section_id
        )

    async def teaches_section(self, principal: Principal, section_id: uuid.UUID) -> bool:
        return await (await self._policy(principal.institution_id)).teaches_section(
            principal, section_id
        )

    async def may_manage_section(self, principal: Principal, section_id: uuid.UUID) -> bool:
        return await (await self._policy(principal.institution_id)).may_manage_section(
            principal, section_id
        )

    async def students_of_section(
        self, institution_id: uuid.UUID, section_id: uuid.UUID
    ) -> list[uuid.UUID]:
        return await (await self._policy(institution_id)).students_of_section(
            institution_id, section_id
        )

    async def person_exists(self, institution_id: uuid.UUID, person_id: uuid.UUID) -> bool:
        return await (await self._policy(institution_id)).person_in_institution(
            institution_id, person_id
        )

    async def may_view_grades_of(self, principal: Principal, student_id: uuid.UUID) -> bool:
        return await (await self._policy(principal.institution_id)).may_view_student(
            principal, student_id, GRADES_FLAG
        )

    async def guardians_to_notify_many(
        self, institution_id: uuid.UUID, student_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, list[uuid.UUID]]:
        return await (await self._policy(institution_id)).guardians_to_notify_many(
            institution_id, student_ids, GRADES_FLAG
        )

    async def grading_period(
        self, institution_id: uuid.UUID, period_id: uuid.UUID
    ) -> GradingPeriod | None:
        info = await institutions.academic_session(self.session, institution_id, period_id)
        if info is None or info.kind != "grading_period":
            return None
        return GradingPeriod(info.id, info.title, info.starts_on, info.ends_on, info.closes_on)

    async def current_grading_period(
        self, institution_id: uuid.UUID, term_id: uuid.UUID, today: date
    ) -> GradingPeriod | None:
        """The term's grading period containing `today`, else its first one."""
        infos = await institutions.academic_sessions_under(
            self.session, institution_id, term_id, kind="grading_period"
        )
        periods = [GradingPeriod(i.id, i.title, i.starts_on, i.ends_on, i.closes_on) for i in infos]
        return next((p for p in periods if p.starts_on <= today <= p.ends_on), None) or (
            periods[0] if periods else None
        )

    async def display_names(
        self, institution_id: uuid.UUID, person_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, str]:
        return await institutions.display_names(self.session, institution_id, person_ids)
