"""Who may do what to which roster object, answered in domain terms (used by every slice).

One place decides: an admin of this institution or school; a teacher of this section; a
guardian of this student with this flag and no custody restriction; the student themselves.
Everything is scoped to the caller's institution, so another tenant's ids are simply unknown.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.domain import GUARDIAN_FLAGS, EnrollmentRole
from edtech.institutions.infrastructure.meetings import school_clock
from edtech.institutions.infrastructure.tables import enrollment, guardian_link, person, section
from edtech.institutions.policy.belonging import Belonging, belonging
from edtech.institutions.policy.scopes import (
    OFFICE_ROLES,
    TEACHING_ROLES,
    Scopes,
    active,
    teaching,
)
from edtech.institutions.policy.views import GuardianLinkView, SectionMembership, link_view
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ForbiddenError
from edtech.kernel.principal import Principal, Role

__all__ = [
    "OFFICE_ROLES",
    "TEACHING_ROLES",
    "Belonging",
    "GuardianLinkView",
    "Policy",
    "SectionMembership",
    "active",
]


class Policy(Scopes):
    """Permission questions about roster objects, answered from the database.

    `today` is the date the dated roles, enrollments and links are judged on: the school day
    of the institution (`Policy.at_school`), or a date the caller chose (UTC today when none is
    given, for callers with no institution to judge by).
    """

    def __init__(self, session: AsyncSession, *, today: date | None = None) -> None:
        super().__init__(today or datetime.now(UTC).date())
        self.session = session

    @classmethod
    async def at_school(
        cls, session: AsyncSession, clock: Clock, institution_id: uuid.UUID
    ) -> Policy:
        """The policy judging dated rows on today's date in the institution's time zone."""
        return cls(session, today=(await school_clock(session, clock, institution_id)).today())

    # -- plain facts ------------------------------------------------------------------------

    async def section_in_institution(
        self, institution_id: uuid.UUID, section_id: uuid.UUID
    ) -> bool:
        return await self.school_of_section(institution_id, section_id) is not None

    async def school_of_section(
        self, institution_id: uuid.UUID, section_id: uuid.UUID
    ) -> uuid.UUID | None:
        school_id: uuid.UUID | None = await self.session.scalar(
            _SCHOOL_OF_SECTION, {"institution_id": institution_id, "section_id": section_id}
        )
        return school_id

    async def person_in_institution(self, institution_id: uuid.UUID, person_id: uuid.UUID) -> bool:
        stmt = sa.select(person.c.id).where(
            person.c.institution_id == institution_id, person.c.id == person_id
        )
        return await self.session.scalar(stmt) is not None

    def _members(
        self, institution_id: uuid.UUID, section_id: Any, roles: tuple[str, ...]
    ) -> sa.Select[Any]:
        return (
            sa.select(enrollment.c.person_id)
            .where(
                enrollment.c.institution_id == institution_id,
                enrollment.c.section_id == section_id,
                enrollment.c.role.in_(roles),
                active(enrollment, self.today),
            )
            .correlate(None)
        )

    async def students_of_section(
        self, institution_id: uuid.UUID, section_id: uuid.UUID
    ) -> list[uuid.UUID]:
        """Students enrolled in the section today, by family then given name."""
        stmt = (
            sa.select(person.c.id)
            .where(
                person.c.id.in_(
                    self._members(institution_id, section_id, (EnrollmentRole.STUDENT.value,))
                )
            )
            .order_by(person.c.family_name, person.c.given_name, person.c.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def teachers_of_section(
        self, institution_id: uuid.UUID, section_id: uuid.UUID
    ) -> list[uuid.UUID]:
        """Teachers and aides of the section today, primary teacher first."""
        stmt = (
            sa.select(enrollment.c.person_id)
            .where(
                enrollment.c.institution_id == institution_id,
                enrollment.c.section_id == section_id,
                enrollment.c.role.in_(TEACHING_ROLES),
                active(enrollment, self.today),
            )
            .order_by(
                enrollment.c.is_primary.desc(), enrollment.c.role.desc(), enrollment.c.person_id
            )
        )
        return list(dict.fromkeys((await self.session.scalars(stmt)).all()))

    async def sections_of_person(
        self, institution_id: uuid.UUID, person_id: uuid.UUID
    ) -> list[SectionMembership]:
        """The sections a person is enrolled in today, with their role there."""
        stmt = (
            sa.select(enrollment.c.section_id, enrollment.c.role, enrollment.c.is_primary)
            .where(
                enrollment.c.institution_id == institution_id,
                enrollment.c.person_id == person_id,
                active(enrollment, self.today),
            )
            .order_by(enrollment.c.section_id)
        )
        rows = (await self.session.execute(stmt)).all()
        return [SectionMembership(r.section_id, r.role, r.is_primary) for r in rows]

    async def guardians_to_notify(
        self, institution_id: uuid.UUID, student_id: uuid.UUID, flag: str
    ) -> list[uuid.UUID]:
        """Guardians whose link allows `flag`, with no custody restriction, by contact priority."""
        if flag not in GUARDIAN_FLAGS:
            raise ValueError(f"unknown guardian flag {flag!r}")
        stmt = (
            sa.select(guardian_link.c.guardian_id)
            .join(person, person.c.id == guardian_link.c.guardian_id)
            .where(
                guardian_link.c.institution_id == institution_id,
                guardian_link.c.student_id == student_id,
                active(guardian_link, self.today),
                guardian_link.c.custody_restriction.is_(False),
                guardian_link.c[flag].is_(True),
                sa.or_(person.c.ends_on.is_(None), person.c.ends_on > self.today),
            )
            .order_by(guardian_link.c.contact_priority, guardian_link.c.guardian_id)
        )
        return list(dict.fromkeys((await self.session.scalars(stmt)).all()))

    async def guardians_to_notify_many(
        self, institution_id: uuid.UUID, student_ids: Iterable[uuid.UUID], flag: str
    ) -> dict[uuid.UUID, list[uuid.UUID]]:
        """`guardians_to_notify` for many students in one query: every student in `student_ids`
        is a key (with an empty list when nobody is to be told)."""
        if flag not in GUARDIAN_FLAGS:
            raise ValueError(f"unknown guardian flag {flag!r}")
        wanted = list(dict.fromkeys(student_ids))
        found: dict[uuid.UUID, list[uuid.UUID]] = {sid: [] for sid in wanted}
        stmt = _GUARDIANS_TO_NOTIFY[flag]
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            params = {"institution_id": institution_id, "students": chunk, "today": self.today}
            for student_id, guardian_id in (await self.session.execute(stmt, params)).all():
                if guardian_id not in found[student_id]:
                    found[student_id].append(guardian_id)
        return found

    # -- decisions about a principal ---------------------------------------------------------

    @staticmethod
    def require_admin(principal: Principal, school_id: uuid.UUID | None = None) -> None:
        """Institution admins may change anything; school admins what belongs to their school."""
        if not principal.is_admin_of(school_id):
            raise ForbiddenError("only an administrator of this school may change this")

    @staticmethod
    def require_people_admin(principal: Principal) -> None:
        """People belong to the whole institution: its admins or any school admin manage them."""
        if not (principal.is_institution_admin or principal.has_role(Role.SCHOOL_ADMIN)):
            raise ForbiddenError("only an administrator may change people and families")

    async def belonging(self, institution_id: uuid.UUID, person_id: uuid.UUID) -> Belonging:
        """The schools a person belongs to (their roles, sections, and children's schools)."""
        return await belonging(self.session, institution_id, person_id, self.today)

    async def may_manage_person(self, principal: Principal, person_id: uuid.UUID) -> bool:
        """A school admin manages the people of their own schools only (see `belonging`)."""
        if principal.is_institution_admin:
            return True
        found = await self.belonging(principal.institution_id, person_id)
        return found.managed_by(principal)

    async def require_manager_of(self, principal: Principal, person_id: uuid.UUID) -> None:
        """Refuse (403) a change to a person of a school the caller does not administer."""
        if not await self.may_manage_person(principal, person_id):
            raise ForbiddenError("only an administrator of this person's school may change this")

    async def may_view_person(self, principal: Principal, person_id: uuid.UUID) -> bool:
        stmt = sa.select(person.c.id).where(
            person.c.id == person_id, self.visible_people(principal)
        )
        return await self.session.scalar(stmt) is not None

    async def may_view_section(self, principal: Principal, section_id: uuid.UUID) -> bool:
        stmt = sa.select(section.c.id).where(
            section.c.id == section_id, self.visible_sections(principal)
        )
        return await self.session.scalar(stmt) is not None

    async def teaches_section(self, principal: Principal, section_id: uuid.UUID) -> bool:
        """True if the principal is a teacher or aide of the section today."""
        params = {
            "institution_id": principal.institution_id,
            "person_id": principal.person_id,
            "section_id": section_id,
            "today": self.today,
        }
        return await self.session.scalar(_TEACHES_SECTION, params) is not None

    async def is_member(self, principal: Principal, section_id: uuid.UUID) -> bool:
        """True if the principal is enrolled in the section today (student, teacher or aide)."""
        stmt = self.own_sections(principal).where(enrollment.c.section_id == section_id)
        return await self.session.scalar(stmt) is not None

    async def may_view_roster(self, principal: Principal, section_id: uuid.UUID) -> bool:
        """A section's roster is for the office and the section's own teachers and aides."""
        if not await self.section_in_institution(principal.institution_id, section_id):
            return False
        return self.is_office(principal) or await self.teaches_section(principal, section_id)

    async def may_manage_section(self, principal: Principal, section_id: uuid.UUID) -> bool:
        """Teachers of the section and admins of its school run it (attendance, gradebook)."""
        school_id = await self.school_of_section(principal.institution_id, section_id)
        if school_id is None:
            return False
        return principal.is_admin_of(school_id) or await self.teaches_section(principal, section_id)

    async def guardian_link(
        self, principal: Principal, student_id: uuid.UUID
    ) -> GuardianLinkView | None:
        """The principal's active link to the student, or None (no link, or custody-restricted)."""
        stmt = (
            sa.select(guardian_link)
            .where(
                guardian_link.c.institution_id == principal.institution_id,
                guardian_link.c.guardian_id == principal.person_id,
                guardian_link.c.student_id == student_id,
                guardian_link.c.custody_restriction.is_(False),
                active(guardian_link, self.today),
            )
            .order_by(guardian_link.c.contact_priority)
            .limit(1)
        )
        row = (await self.session.execute(stmt)).first()
        return None if row is None else link_view(row._mapping)

    async def children_links(self, principal: Principal) -> list[GuardianLinkView]:
        """The principal's usable links to children (custody-restricted ones are left out)."""
        stmt = (
            sa.select(guardian_link)
            .where(
                guardian_link.c.institution_id == principal.institution_id,
                guardian_link.c.guardian_id == principal.person_id,
                guardian_link.c.custody_restriction.is_(False),
                active(guardian_link, self.today),
            )
            .order_by(guardian_link.c.student_id)
        )
        return [link_view(r._mapping) for r in (await self.session.execute(stmt)).all()]

    async def may_view_student(
        self, principal: Principal, student_id: uuid.UUID, flag: str | None = None
    ) -> bool:
        """May the principal see this student's records (of the kind `flag` names, for guardians)?

        The student themselves and office roles: yes. Teachers: students of their sections.
        Guardians: their children, if the link allows `flag` and no custody restriction exists.
        """
        if flag is not None and flag not in GUARDIAN_FLAGS:
            raise ValueError(f"unknown guardian flag {flag!r}")
        if not await self.person_in_institution(principal.institution_id, student_id):
            return False
        if principal.person_id == student_id or self.is_office(principal):
            return True
        taught = self.students_taught(principal).where(enrollment.c.person_id == student_id)
        if await self.session.scalar(taught) is not None:
            return True
        link = await self.guardian_link(principal, student_id)
        return link is not None and link.allows(flag)

    async def may_message(self, principal: Principal, person_id: uuid.UUID) -> bool:
        """Who may write to whom: staff to anyone they can see; a guardian to their children's
        teachers (if the link allows messaging); a student to their teachers. Never to oneself."""
        if person_id == principal.person_id or not await self.may_view_person(principal, person_id):
            return False
        if principal.is_staff:
            return True
        teachers_of_mine = self._teachers_of(principal, self.own_sections(principal))
        if await self.session.scalar(teachers_of_mine.where(enrollment.c.person_id == person_id)):
            return True
        messaging_children = self.children(principal).where(guardian_link.c.can_message.is_(True))
        stmt = (
            sa.select(enrollment.c.person_id)
            .where(
                enrollment.c.institution_id == principal.institution_id,
                enrollment.c.person_id == person_id,
                enrollment.c.role.in_(TEACHING_ROLES),
                active(enrollment, self.today),
                enrollment.c.section_id.in_(
                    sa.select(enrollment.c.section_id)
                    .where(
                        enrollment.c.person_id.in_(messaging_children),
                        active(enrollment, self.today),
                    )
                    .correlate(None)
                ),
            )
            .limit(1)
        )
        return await self.session.scalar(stmt) is not None


# The statements of the questions asked on hot paths (a class's publication, a chat message),
# built once with bound parameters rather than at each call.
_INSTITUTION = sa.bindparam("institution_id", type_=sa.Uuid())
_SECTION = sa.bindparam("section_id", type_=sa.Uuid())
_PERSON = sa.bindparam("person_id", type_=sa.Uuid())
_TODAY = sa.bindparam("today", type_=sa.Date())

_SCHOOL_OF_SECTION = sa.select(section.c.school_id).where(
    section.c.institution_id == _INSTITUTION, section.c.id == _SECTION
)

_TEACHES_SECTION = teaching(_INSTITUTION, _PERSON, _TODAY).where(
    enrollment.c.section_id == _SECTION
)


def _guardians_to_notify(flag: str) -> sa.Select[Any]:
    return (
        sa.select(guardian_link.c.student_id, guardian_link.c.guardian_id)
        .join(person, person.c.id == guardian_link.c.guardian_id)
        .where(
            guardian_link.c.institution_id == _INSTITUTION,
            guardian_link.c.student_id.in_(
                sa.bindparam("students", expanding=True, type_=guardian_link.c.student_id.type)
            ),
            active(guardian_link, _TODAY),
            guardian_link.c.custody_restriction.is_(False),
            guardian_link.c[flag].is_(True),
            sa.or_(person.c.ends_on.is_(None), person.c.ends_on > _TODAY),
        )
        .order_by(guardian_link.c.contact_priority, guardian_link.c.guardian_id)
    )


_GUARDIANS_TO_NOTIFY = {flag: _guardians_to_notify(flag) for flag in GUARDIAN_FLAGS}
