"""The `Roster` port answered by the institutions slice's public API."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.attendance.domain import PlannedMeeting
from edtech.calendar.public import day_plan, rotation_schools
from edtech.institutions.public import (
    Policy,
    display_names,
    meetings_on,
    school_zone_name,
    section_zone,
    sections_in_term_on,
)
from edtech.kernel.clock import Clock, school_zone
from edtech.kernel.principal import Principal

FLAG = "can_view_attendance"


class InstitutionsRoster:
    """Roster facts and permissions as of a day, read in the caller's session: `today` when
    given, else today at each institution asked about (in its time zone, by `clock`)."""

    def __init__(
        self, session: AsyncSession, today: date | None = None, *, clock: Clock | None = None
    ) -> None:
        if today is None and clock is None:
            raise ValueError("a roster needs a day or a clock to judge dated rows by")
        self.session = session
        self._today, self._clock = today, clock
        self._policies: dict[uuid.UUID, Policy] = {}

    @classmethod
    def on_clock(cls, clock: Clock) -> Callable[[AsyncSession], InstitutionsRoster]:
        """The roster factory of the use cases: bound to a session, judging dated rows on
        today's date at the institution asked about (its time zone, never the UTC date)."""
        return lambda session: cls(session, clock=clock)

    def as_of(self, day: date) -> InstitutionsRoster:
        return InstitutionsRoster(self.session, day)

    async def _policy(self, institution_id: uuid.UUID) -> Policy:
        policy = self._policies.get(institution_id)
        if policy is None:
            if self._today is not None:
                policy = Policy(self.session, today=self._today)
            else:
                assert self._clock is not None
                policy = await Policy.at_school(self.session, self._clock, institution_id)
            self._policies[institution_id] = policy
        return policy

    async def meetings_on(
        self, institution_id: uuid.UUID, day: date, section_ids: Sequence[uuid.UUID] | None
    ) -> list[PlannedMeeting]:
        """The day's meetings: each section's weekly pattern, or its rotation's meetings where
        its school keeps a rotation; none at a school closed that day (the calendar)."""
        wanted = None if section_ids is None else set(section_ids)
        if wanted is not None and len(wanted) == 1:
            meetings = await meetings_on(self.session, institution_id, day, next(iter(wanted)))
        else:
            meetings = await meetings_on(self.session, institution_id, day)
        policy = await self._policy(institution_id)
        schools: dict[uuid.UUID, uuid.UUID | None] = {}
        weekly: list[PlannedMeeting] = []
        for m in meetings:
            if wanted is not None and m.section_id not in wanted:
                continue
            if m.section_id not in schools:
                schools[m.section_id] = await policy.school_of_section(institution_id, m.section_id)
            school_id = schools[m.section_id]
            if school_id is not None:
                weekly.append(PlannedMeeting(m.section_id, school_id, day, m.starts_at, m.ends_at))
        school_ids = {m.school_id for m in weekly} | await rotation_schools(
            self.session, institution_id
        )
        in_term = await sections_in_term_on(self.session, institution_id, day, school_ids)
        out: list[PlannedMeeting] = []
        for school_id in school_ids:
            plan = await day_plan(self.session, institution_id, school_id, day)
            if not plan.school_day:
                continue
            out += [
                m
                for m in weekly
                if m.school_id == school_id and m.section_id not in plan.rotation_sections
            ]
            zone = school_zone(await school_zone_name(self.session, institution_id, school_id))
            out += [
                PlannedMeeting(
                    r.section_id,
                    school_id,
                    day,
                    datetime.combine(day, r.starts_at, zone).astimezone(UTC),
                    datetime.combine(day, r.ends_at, zone).astimezone(UTC),
                )
                for r in plan.meetings
                if in_term.get(r.section_id) == school_id
                and (wanted is None or r.section_id in wanted)
            ]
        return sorted(out, key=lambda m: (m.starts_at, str(m.section_id)))

    async def school_of_section(
        self, institution_id: uuid.UUID, section_id: uuid.UUID
    ) -> uuid.UUID | None:
        return await (await self._policy(institution_id)).school_of_section(
            institution_id, section_id
        )

    async def zone_of_section(self, institution_id: uuid.UUID, section_id: uuid.UUID) -> ZoneInfo:
        zone = await section_zone(self.session, institution_id, section_id)
        return ZoneInfo(zone or "UTC")

    async def students_of_section(
        self, institution_id: uuid.UUID, section_id: uuid.UUID
    ) -> list[uuid.UUID]:
        return await (await self._policy(institution_id)).students_of_section(
            institution_id, section_id
        )

    async def teaches_section(self, principal: Principal, section_id: uuid.UUID) -> bool:
        return await (await self._policy(principal.institution_id)).teaches_section(
            principal, section_id
        )

    async def guardian_allows(self, principal: Principal, student_id: uuid.UUID) -> bool:
        link = await (await self._policy(principal.institution_id)).guardian_link(
            principal, student_id
        )
        return link is not None and link.allows(FLAG)

    async def may_view_student(self, principal: Principal, student_id: uuid.UUID) -> bool:
        return await (await self._policy(principal.institution_id)).may_view_student(
            principal, student_id, flag=FLAG
        )

    async def guardians_to_notify(
        self, institution_id: uuid.UUID, student_id: uuid.UUID
    ) -> list[uuid.UUID]:
        return await (await self._policy(institution_id)).guardians_to_notify(
            institution_id, student_id, FLAG
        )

    async def names(
        self, institution_id: uuid.UUID, person_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, str]:
        return await display_names(self.session, institution_id, person_ids)
