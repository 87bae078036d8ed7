"""One student's recompute after a mark change is a few statements, whatever their history:
the thresholds, one read of their attendance, one locked read of their signals — and, only
when a level changes, one read of the sections the change goes to and writes for what
changed. A class's grade publication is recomputed in as many statements for the whole class
as for one student, its changed signals written in one batched UPDATE."""

from __future__ import annotations

from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from edtech.attendance.infrastructure.tables import attendance_mark
from edtech.insights.application.recompute_signals import RecomputeSignals
from edtech.insights.infrastructure.tables import grade_standing
from edtech.kernel.clock import FixedClock
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.jobs import job_table
from edtech.settings import Settings
from tests.integration.attendance.helpers import School
from tests.integration.grades.helpers import item, make_book
from tests.integration.insights.helpers import (
    drain_jobs,
    four_days_and_an_absence,
    grade_and_publish,
)


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


async def test_a_class_publications_recompute_takes_as_many_statements_as_one_students(
    client: httpx.AsyncClient,
    school: School,
    settings: Settings,
    clock: FixedClock,
    database_url: str,
) -> None:
    book = await make_book(client, school.demo, database_url)
    first, *others = book.students
    assert others, "the section needs more than one student"
    # `first`: 0.4 × 90 + 0.6 × 80 = 84 %; everyone else 0.4 × 80 + 0.6 × 70 = 74 % (nobody
    # failing: the same signals for all, so the same writes).
    items = [item(book.homework1, first, "9"), item(book.test1, first, "40")]
    for student in others:
        items += [item(book.homework1, student, "8"), item(book.test1, student, "35")]
    await grade_and_publish(client, book, None, items)  # every graded student
    institution = school.demo.institution_id
    engine = make_engine(settings.database_url)
    statements: list[str] = []

    def count(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        statements.append(" ".join(statement.split())[:70])

    sa.event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        factory = make_session_factory(engine)

        async def recompute(graded: list[Any]) -> list[str]:
            statements.clear()
            await RecomputeSignals(UnitOfWork(factory), clock)(institution, graded=graded)
            return list(statements)

        one = await recompute([first])
        rest = await recompute(others)

        # The same statements for the rest of the class as for one student: their standings
        # and signals read, computed and saved together — the changed signals too, in one
        # batched UPDATE (written whole, so rows changing different columns share it).
        assert rest == one, (one, rest)
        assert any(s.startswith("INSERT INTO grade_standing") for s in one), one
        assert sum(s.startswith("UPDATE student_signal") for s in rest) == 1, rest
        async with factory() as db:
            t = grade_standing
            saved = dict(
                (
                    await db.execute(
                        sa.select(t.c.student_id, t.c.percent).where(
                            t.c.institution_id == institution, t.c.section_id == book.section_id
                        )
                    )
                ).all()
            )
        assert {s: float(p) for s, p in saved.items()} == {
            first: 84.0,
            **dict.fromkeys(others, 74.0),
        }
        # Nothing changed since: the whole class's recompute reads as much and writes nothing.
        again = await recompute(book.students)
        # (One read of the signals where the first claim read them, created the missing ones
        # and read them again.)
        reads = list(dict.fromkeys(s for s in one if s.startswith("SELECT")))
        assert again == reads, (one, again)
    finally:
        await engine.dispose()


async def test_a_class_published_several_times_in_a_row_is_recomputed_by_one_job(
    client: httpx.AsyncClient, school: School, database_url: str, app: FastAPI
) -> None:
    """Publications merge into the institution's waiting recompute: one job names every
    student they graded, and running it leaves each student's standing as if each publication
    had had its own."""
    book = await make_book(client, school.demo, database_url)
    first, second, *_ = book.students
    await grade_and_publish(client, book, first, [item(book.homework1, first, "9")])
    await grade_and_publish(client, book, second, [item(book.homework1, second, "7")])
    await grade_and_publish(
        client, book, None, [item(book.test1, first, "40"), item(book.test1, second, "30")]
    )
    lock = f"insights.recompute.graded:{school.demo.institution_id}"
    engine = make_engine(database_url)
    try:
        async with make_session_factory(engine)() as db:
            waiting = (
                await db.execute(
                    sa.select(job_table.c.args).where(
                        job_table.c.name == "insights.recompute", job_table.c.state == "queued"
                    )
                )
            ).all()
            assert [dict(r.args) for r in waiting] == [
                {
                    "institution_id": str(school.demo.institution_id),
                    "students": [],
                    "sessions": [],
                    "graded": sorted([str(first), str(second)]),
                }
            ]
            assert await db.scalar(sa.select(job_table.c.lock).where(job_table.c.lock == lock))
        await drain_jobs(app)
        async with make_session_factory(engine)() as db:
            runs = await db.scalar(
                sa.select(sa.func.count()).where(job_table.c.name == "insights.recompute")
            )
            assert runs == 1
            t = grade_standing
            saved = dict(
                (
                    await db.execute(
                        sa.select(t.c.student_id, t.c.percent).where(
                            t.c.section_id == book.section_id
                        )
                    )
                ).all()
            )
        # first: 0.4 × 90 + 0.6 × 80; second: 0.4 × 70 + 0.6 × 60
        assert {s: float(p) for s, p in saved.items()} == {first: 84.0, second: 64.0}
    finally:
        await engine.dispose()
