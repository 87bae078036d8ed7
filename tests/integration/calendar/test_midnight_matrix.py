"""Every date the roster, identity, attendance, communication, grades, billing and calendar
judge is the school's date, at every instant of the midnight matrix (tests/midnight.py; a
bounded profile of it unless EDTECH_MIDNIGHT_FULL=1): an enrollment or a role that begins on the
school's today counts, one that begins tomorrow does not — whatever the UTC date.

One database per dialect: the test walks the matrix on the node's clock, moving the school to
each instant's zone, so the whole matrix costs seconds, not a database per instant."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from edtech.attendance.infrastructure.roster import InstitutionsRoster as AttendanceRoster
from edtech.billing.infrastructure.roster import InstitutionsRoster as BillingRoster
from edtech.calendar.infrastructure.tables import calendar_day
from edtech.communication.infrastructure import RosterDirectory
from edtech.grades.infrastructure.roster import InstitutionsRoster as GradesRoster
from edtech.institutions.infrastructure.tables import (
    enrollment,
    institution,
    role_assignment,
    school,
)
from edtech.institutions.public import Policy, person_grants_at
from edtech.kernel.principal import Role
from tests.integration.attendance.helpers import School
from tests.midnight import Instant, profile
from tests.roster import login


async def _move_school(app: FastAPI, at: School, instant: Instant, begins_on: date) -> None:
    """The demo institution keeps `instant.zone` (its schools none of their own), student1's
    S01 enrollment and teacher1's teacher role begin on `begins_on`, and no day is declared."""
    demo = at.demo
    student1 = demo.person("student1@demo.test")
    teacher1 = demo.person("teacher1@demo.test")
    async with app.state.services.session_factory() as session:
        await session.execute(
            sa.update(institution)
            .where(institution.c.id == demo.institution_id)
            .values(timezone=instant.zone)
        )
        await session.execute(
            sa.update(school)
            .where(school.c.institution_id == demo.institution_id)
            .values(timezone=None)
        )
        await session.execute(
            sa.update(enrollment)
            .where(
                enrollment.c.person_id == student1, enrollment.c.section_id == demo.section_ids[0]
            )
            .values(begins_on=begins_on)
        )
        await session.execute(
            sa.update(role_assignment)
            .where(role_assignment.c.person_id == teacher1, role_assignment.c.role == "teacher")
            .values(begins_on=begins_on)
        )
        await session.execute(sa.delete(calendar_day))
        await session.commit()


async def _check(app: FastAPI, at: School, instant: Instant, counted: bool) -> None:
    clock = at.clock
    demo, student1 = at.demo, at.person("student1@demo.test")
    teacher1 = at.person("teacher1@demo.test")
    iid, s01 = demo.institution_id, demo.section_ids[0]
    async with app.state.services.session_factory() as session:
        attendance = AttendanceRoster.on_clock(clock)(session)
        grades = GradesRoster(session, clock=clock)
        policy = await Policy.at_school(session, clock, iid)
        days = {
            "institutions": policy.today,
            "grades": await grades.today(iid),
            "communication": await RosterDirectory(session, clock).day(iid),
            "billing": await BillingRoster(session).today(iid, clock),
        }
        assert days == dict.fromkeys(days, instant.school_day), instant
        members = {
            "attendance": student1 in await attendance.students_of_section(iid, s01),
            "grades": student1 in await grades.students_of_section(iid, s01),
            "institutions": student1 in await policy.students_of_section(iid, s01),
        }
        assert members == dict.fromkeys(members, counted), instant
        # The grants every token, sign-in and socket carries (identity's principal).
        grants = await person_grants_at(session, iid, teacher1, clock.now())
        assert grants is not None
        assert any(g.role == Role.TEACHER for g in grants.grants) is counted, instant


async def test_dates_are_the_schools_at_every_instant_of_the_midnight_matrix(
    client: httpx.AsyncClient, school: School, app: FastAPI
) -> None:
    demo = school.demo
    s01 = demo.section_ids[0]
    student1 = str(school.person("student1@demo.test"))
    teacher1 = str(school.person("teacher1@demo.test"))
    admin: dict[str, str] = {}
    signed_in_at = None
    for instant in profile():
        school.clock.advance(instant.at - school.clock.now())
        if signed_in_at is None or abs(instant.at - signed_in_at) > timedelta(hours=12):
            admin, signed_in_at = await login(client, "admin@demo.test"), instant.at
        for begins, counted in ((0, True), (1, False)):
            await _move_school(app, school, instant, instant.school_day + timedelta(days=begins))
            await _check(app, school, instant, counted)
            # The read policy of the roster routes judges the same day.
            r = await client.get(
                f"/api/v1/sections/{s01}/roster", params={"role": "student"}, headers=admin
            )
            assert r.status_code == 200, r.text
            listed = {e["person_id"] for e in r.json()["items"]}
            assert (student1 in listed) is counted, instant
            # The office's invitation list by role judges roles on the same day.
            r = await client.get(
                "/api/v1/invitations", params={"role": "teacher", "limit": 100}, headers=admin
            )
            assert r.status_code == 200, r.text
            holders = {p["person_id"] for p in r.json()["items"]}
            assert (teacher1 in holders) is counted, instant
        # A day declared without a date is today at the school; the day before is refused.
        r = await client.post(
            "/api/v1/calendar/days",
            json={"kind": "closure", "reason": "Storm", "school_id": str(demo.school_ids[0])},
            headers=admin,
        )
        assert r.status_code == 201, r.text
        assert r.json()["day"] == instant.school_day.isoformat(), instant
        yesterday = (instant.school_day - timedelta(days=1)).isoformat()
        r = await client.post(
            "/api/v1/calendar/days",
            json={
                "kind": "holiday",
                "reason": "Late",
                "day": yesterday,
                "school_id": str(demo.school_ids[0]),
            },
            headers=admin,
        )
        assert r.status_code == 422, (instant, r.text)
