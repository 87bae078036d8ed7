"""One student's recompute after a mark change is a few statements, whatever their history:
the thresholds, one read of their attendance, one locked read of their signals — and, only
when a level changes, one read of the sections the change goes to and writes for what
changed."""

from __future__ import annotations

from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from edtech.attendance.infrastructure.tables import attendance_mark
from edtech.insights.application.recompute_signals import RecomputeSignals
from edtech.kernel.clock import FixedClock
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.db.uow import UnitOfWork
from edtech.settings import Settings
from tests.integration.attendance.helpers import School
from tests.integration.insights.helpers import four_days_and_an_absence


async def test_one_students_recompute_reads_three_times_and_once_more_only_when_a_level_changes(
    client: httpx.AsyncClient, school: School, app: FastAPI, settings: Settings, clock: FixedClock
) -> None:
    await four_days_and_an_absence(client, school, app)
    institution = school.demo.institution_id
    student = school.person("student1@demo.test")
    engine = make_engine(settings.database_url)
    statements: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    sa.event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        factory = make_session_factory(engine)

        def recompute() -> RecomputeSignals:
            return RecomputeSignals(UnitOfWork(factory), clock)

        await recompute()(institution, [student])  # the signal exists (whatever it was)
        statements.clear()
        assert await recompute()(institution, [student]) == 0
        # Thresholds, attendance (one statement, however many sessions), the locked signal:
        # nothing written when nothing changed.
        assert statements == ["SELECT", "WITH", "SELECT"], statements

        async with factory() as db:  # a teacher's correction: the absence becomes present
            m = attendance_mark
            await db.execute(
                m.update()
                .where(m.c.student_id == student, m.c.category == "absent")
                .values(category="present")
            )
            await db.commit()
        statements.clear()
        await recompute()(institution, [student])
        # Both attendance signals changed (one absence fewer, no day missed in a row): one
        # more read, the student's sections today (their teachers get the change), then the
        # writes.
        assert statements[:4] == ["SELECT", "WITH", "SELECT", "SELECT"], statements
        assert set(statements[4:]) == {"UPDATE"}, statements
    finally:
        await engine.dispose()
