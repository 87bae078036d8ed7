"""The roster port, answered by `edtech.institutions.public` (the only roster module we use)."""

from __future__ import annotations

import uuid
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.billing.domain.catalogue import StudentProfile
from edtech.institutions import public as roster
from edtech.kernel.clock import Clock, school_zone
from edtech.kernel.principal import Principal, Role

BILLING_FLAG = "can_view_billing"


class InstitutionsRoster:
    """Billing's view of the roster, bound to a session (a use case's, or a read route's):
    currency, students, and who may see whose bills."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def today(self, institution_id: uuid.UUID, clock: Clock) -> date:
        return (await roster.school_clock(self.session, clock, institution_id)).today()

    async def zone(self, institution_id: uuid.UUID) -> ZoneInfo:
        """The institution's time zone: the days of its statements are judged in it."""
        return school_zone(await roster.school_zone_name(self.session, institution_id))

    async def currency(self, institution_id: uuid.UUID) -> str | None:
        found = await roster.institution_settings(self.session, institution_id)
        return None if found is None else found.currency

    async def student_profile(
        self, institution_id: uuid.UUID, student_id: uuid.UUID, on: date
    ) -> StudentProfile | None:
        found = await roster.roster_profile(self.session, institution_id, student_id, on)
        if found is None or not any(g.role == Role.STUDENT for g in found.grants):
            return None
        level = await roster.grade_level(self.session, institution_id, student_id)
        return StudentProfile(
            student_id=student_id,
            grade_levels=frozenset({level} if level else ()),
            school_ids=frozenset(
                g.school_id for g in found.grants if g.role == Role.STUDENT and g.school_id
            ),
            section_ids=frozenset(s for s, role in found.memberships if role == "student"),
        )

    async def billing_guardians(
        self, institution_id: uuid.UUID, student_ids: list[uuid.UUID]
    ) -> list[uuid.UUID]:
        """Guardians to tell about a family's bills: those allowed to see any of its students."""
        policy = roster.Policy(self.session)
        out: dict[uuid.UUID, None] = {}
        for sid in student_ids:
            for gid in await policy.guardians_to_notify(institution_id, sid, BILLING_FLAG):
                out[gid] = None
        return list(out)

    async def billing_children(self, principal: Principal) -> set[uuid.UUID]:
        """The students whose bills this guardian may see (`can_view_billing`, no custody bar)."""
        links = await roster.Policy(self.session).children_links(principal)
        return {link.student_id for link in links if link.allows(BILLING_FLAG)}
