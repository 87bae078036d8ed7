"""Consecutive absence is its own signal: three school days missed in a row raise it with the
days and the sessions as evidence, below the chronic-absence percentage too."""

from __future__ import annotations

import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from edtech.attendance.infrastructure.tables import attendance_mark, attendance_session
from edtech.insights.application.recompute_signals import RecomputeSignals
from edtech.kernel.clock import FixedClock
from edtech.platform.db.uow import UnitOfWork
from tests.integration.attendance.helpers import School
from tests.integration.insights.helpers import four_days_and_an_absence, make_counsellor
from tests.roster import login


async def test_three_days_missed_in_a_row_raise_the_consecutive_absence_signal(
    client: httpx.AsyncClient, school: School, app: FastAPI, clock: FixedClock
) -> None:
    counsellor = await make_counsellor(client, school)
    await four_days_and_an_absence(client, school, app)  # absent today in S01
    institution = school.demo.institution_id
    student = school.person("student1@demo.test")
    services = app.state.services
    async with services.session_factory() as db:  # the two days before: absent too
        s, m = attendance_session, attendance_mark
        days = sorted(
            set(
                (
                    await db.scalars(
                        sa.select(s.c.day)
                        .join(m, m.c.session_id == s.c.id)
                        .where(m.c.student_id == student)
                    )
                ).all()
            )
        )
        before = days[-3:-1]
        ids = sa.select(s.c.id).where(s.c.day.in_(before))
        await db.execute(
            m.update()
            .where(m.c.student_id == student, m.c.session_id.in_(ids))
            .values(category="absent")
        )
        await db.commit()
    await RecomputeSignals(UnitOfWork(services.session_factory), clock)(institution, [student])

    r = await client.get(
        "/api/v1/insights/signals", params={"student_id": str(student)}, headers=counsellor
    )
    assert r.status_code == 200, r.text
    signals = {s["indicator"]: s for s in r.json()["items"]}
    consecutive = signals["consecutive_absence"]
    assert consecutive["level"] == "alert"
    assert (consecutive["missed"], consecutive["counted"]) == (3, 3)
    first, last = before[0], days[-1]
    assert consecutive["evidence"] == (
        f"Absent 3 school days in a row, {first.day} {first:%b} to {last.day} {last:%b} "
        "(5 sessions)"  # S01 and S02 on the two days before, S01 today
    )
    assert len(consecutive["links"]) == 5
    # 5 of 9 sessions missed: the chronic-absence signal says so, in its own words
    assert signals["absence"]["level"] == "alert"
    assert signals["absence"]["evidence"].endswith("(5 of 9)")
    assert "in a row" not in signals["absence"]["evidence"]
    # Only a student's counsellors see it: not the student
    own = await login(client, "student1@demo.test")
    assert (await client.get("/api/v1/insights/signals", headers=own)).status_code == 403
