"""The `Roster` port answered by the institutions slice's public API."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.attendance.domain import PlannedMeeting
from edtech.institutions.public import Policy, display_names, meetings_on, section_zone
from edtech.kernel.clock import Clock
from edtech.kernel.principal import Principal

FLAG = "can_view_attendance"


class InstitutionsRoster:
    """Roster facts and permissions as of `today`, read in the caller's session."""

    def __init__(self, session: AsyncSession, today: date) -> None:
        self.session = session
        self.policy = Policy(session, today=today)

    @classmethod
    def on_clock(cls, clock: Clock) -> Callable[[AsyncSession], InstitutionsRoster]:
        """The roster factory of the use cases: bound to a session, judged on the day (UTC)
        of `clock` when bound."""
        return lambda session: cls(session, clock.now().date())

    def as_of(self, day: date) -> InstitutionsRoster:
        return InstitutionsRoster(self.session, day)

    async def meetings_on(
        self, institution_id: uuid.UUID, day: date, section_ids: Sequence[uuid.UUID] | None
    ) -> list[PlannedMeeting]:
        wanted = None if section_ids is None else set(section_ids)
        if wanted is not None and len(wanted) == 1:
            meetings = await meetings_on(self.session, institution_id, day, next(iter(wanted)))
        else:
            meetings = await meetings_on(self.session, institution_id, day)
        schools: dict[uuid.UUID, uuid.UUID | None] = {}
        out: list[PlannedMeeting] = []
        for m in meetings:
            if wanted is not None and m.section_id not in wanted:
                continue
            if m.section_id not in schools:
                schools[m.section_id] = await self.policy.school_of_section(
                    institution_id, m.section_id
                )
            school_id = schools[m.section_id]
            if school_id is not None:
                out.append(PlannedMeeting(m.section_id, school_id, day, m.starts_at, m.ends_at))
        return out

    async def school_of_section(
        self, institution_id: uuid.UUID, section_id: uuid.UUID
    ) -> uuid.UUID | None:
        return await self.policy.school_of_section(institution_id, section_id)

    async def zone_of_section(self, institution_id: uuid.UUID, section_id: uuid.UUID) -> ZoneInfo:
        zone = await section_zone(self.session, institution_id, section_id)
        return ZoneInfo(zone or "UTC")

    async def students_of_section(
        self, institution_id: uuid.UUID, section_id: uuid.UUID
    ) -> list[uuid.UUID]:
        return await self.policy.students_of_section(institution_id, section_id)

    async def teaches_section(self, principal: Principal, section_id: uuid.UUID) -> bool:
        return await self.policy.teaches_section(principal, section_id)

    async def guardian_allows(self, principal: Principal, student_id: uuid.UUID) -> bool:
        link = await self.policy.guardian_link(principal, student_id)
        return link is not None and link.allows(FLAG)

    async def may_view_student(self, principal: Principal, student_id: uuid.UUID) -> bool:
        return await self.policy.may_view_student(principal, student_id, flag=FLAG)

    async def guardians_to_notify(
        self, institution_id: uuid.UUID, student_id: uuid.UUID
    ) -> list[uuid.UUID]:
        return await self.policy.guardians_to_notify(institution_id, student_id, FLAG)

    async def names(
        self, institution_id: uuid.UUID, person_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, str]:
        return await display_names(self.session, institution_id, person_ids)
