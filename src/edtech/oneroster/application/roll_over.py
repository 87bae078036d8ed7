"""Use case: an institution admin closes a school year (year-end rollover)."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from edtech.institutions.public import RosterSync, roster_rows
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ForbiddenError, InvalidError, NotFoundError
from edtech.kernel.principal import Principal
from edtech.oneroster.domain.rollover import GRADUATING, next_grade
from edtech.platform.db.uow import UnitOfWork

ENDED_ROLES = frozenset({"student", "teacher"})
"""Roles tied to a year's classes; guardians and administrators keep theirs."""


@dataclass
class RolloverReport:
    """What a rollover did (or, previewed, would do)."""

    dry_run: bool
    on: date
    enrollments_ended: int = 0
    roles_ended: int = 0
    promoted: Counter[str] = field(default_factory=Counter)
    """`"09→10"` → how many students."""
    graduating: int = 0

    def as_data(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "on": self.on.isoformat(),
            "enrollments_ended": self.enrollments_ended,
            "roles_ended": self.roles_ended,
            "promoted": dict(sorted(self.promoted.items())),
            "graduating": self.graduating,
        }


class RollOver:
    """Closes a school year on a date (the first day it no longer holds): the open enrollments
    of every class in the year's terms end; the people enrolled in them lose their open student
    and teacher roles (guardian links and administrators' roles stay; people outside the
    year's classes are not touched); and each such student moves up a grade (09 → 10,
    KG → 01; grade 12 is counted as graduating and keeps its grade). Nothing is deleted:
    ended records keep their history, and the next year's import adds the new classes, roles
    and enrollments. A preview (`dry_run`, the default) reports the same counts and changes
    nothing. Only institution admins roll a year over."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(
        self, principal: Principal, school_year_id: uuid.UUID, on: date, *, dry_run: bool
    ) -> RolloverReport:
        if not principal.is_institution_admin:
            raise ForbiddenError("only an institution admin rolls a school year over")
        report = RolloverReport(dry_run=dry_run, on=on)
        async with self.uow:
            session = self.uow.session
            institution_id = principal.institution_id
            rows = await roster_rows(session, institution_id)
            terms = _terms_of(rows["academic_session"], school_year_id)
            sync = RosterSync(session, institution_id, self.clock.now())
            sections = {s.id for s in rows["section"] if s.term_id in terms}
            in_year: dict[uuid.UUID, set[str]] = {}  # who had the year's classes, and as what
            for e in rows["enrollment"]:
                if e.section_id in sections and _open(e, on):
                    in_year.setdefault(e.person_id, set()).add(getattr(e.role, "value", e.role))
                    report.enrollments_ended += await sync.end("enrollment", e.id, on)
            students: set[uuid.UUID] = set()
            for r in rows["role_assignment"]:
                role = getattr(r.role, "value", r.role)
                if r.person_id not in in_year or role not in ENDED_ROLES or not _open(r, on):
                    continue
                if role == "student":
                    students.add(r.person_id)
                report.roles_ended += await sync.end("role", r.id, on)
            for p in rows["person"]:
                if p.id not in students:
                    continue
                grade = next_grade(p.grade_level)
                if grade is not None:
                    await sync.put("user", p.id, {"grade_level": grade})
                    report.promoted[f"{p.grade_level}→{grade}"] += 1
                elif p.grade_level == GRADUATING:
                    report.graduating += 1
            if not dry_run:
                await self.uow.commit()
        return report


def _terms_of(sessions: list[Any], school_year_id: uuid.UUID) -> set[uuid.UUID]:
    """The school year and every session under it (terms, semesters, grading periods)."""
    year = next((s for s in sessions if s.id == school_year_id), None)
    if year is None:
        raise NotFoundError("no such school year")
    if getattr(year.kind, "value", year.kind) != "school_year":
        raise InvalidError("only a school year rolls over (this session is a term)")
    found = {school_year_id}
    grew = True
    while grew:
        under = {s.id for s in sessions if s.parent_id in found} - found
        found |= under
        grew = bool(under)
    return found


def _open(row: Any, on: date) -> bool:
    return row.ends_on is None or row.ends_on > on
