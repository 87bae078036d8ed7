"""`insights.recompute_all` (a threshold changed) covers every enrolled student, not only those
who already have a signal: a lowered threshold can raise a first one."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import FastAPI

from edtech.insights.infrastructure.tables import student_signal
from edtech.insights.slice import recompute_all
from edtech.institutions.public import sections_of_institution, students_of_section
from tests.integration.attendance.helpers import School


async def test_recompute_all_gives_every_enrolled_student_their_signals(
    school: School, app: FastAPI
) -> None:
    # The app's node is not served here (no lifespan): its engine is disposed by the test, or
    # its pooled connections are left for the garbage collector to find in another test.
    services = app.state.services
    institution = school.demo.institution_id
    try:
        async with services.session_factory() as db:
            enrolled: set[object] = set()
            for section_id, _ in await sections_of_institution(db, institution):
                enrolled.update(await students_of_section(db, institution, section_id))
            t = student_signal
            assert await db.scalar(sa.select(sa.func.count()).select_from(t)) == 0
        assert len(enrolled) > 2

        await recompute_all(services, {"institution_id": str(institution)})

        async with services.session_factory() as db:
            rows = (
                await db.execute(
                    sa.select(t.c.student_id, t.c.indicator).where(
                        t.c.institution_id == institution
                    )
                )
            ).all()
        assert {r.student_id for r in rows} == enrolled
        by_student: dict[object, set[str]] = {}
        for r in rows:
            by_student.setdefault(r.student_id, set()).add(
                str(getattr(r.indicator, "value", r.indicator))
            )
        assert all({"absence", "consecutive_absence"} <= kinds for kinds in by_student.values()), (
            by_student
        )
    finally:
        await services.engine.dispose()
