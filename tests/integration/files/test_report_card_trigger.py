"""The report-card trigger queues a whole class's cards in one statement, and a card already
queued for a student covers the next publication (its lock) without failing the transaction."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

import sqlalchemy as sa

from edtech.demo import DemoSummary
from edtech.files.jobs import GRADES_PUBLISHED, RENDER_REPORT_CARD, ReportCardTrigger
from edtech.kernel.clock import FixedClock
from edtech.kernel.events import DomainEvent
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.jobs import job_table
from edtech.settings import Settings


@dataclasses.dataclass(frozen=True, kw_only=True)
class Published(DomainEvent):
    """The grades slice's `grades.published`, as far as the trigger reads it."""

    type: ClassVar[str] = GRADES_PUBLISHED
    student_id: uuid.UUID


async def test_a_class_is_queued_in_one_statement_and_a_queued_card_covers_the_next(
    settings: Settings, demo: DemoSummary
) -> None:
    clock = FixedClock(datetime.now(UTC))
    trigger = ReportCardTrigger(clock)
    students = [uuid.uuid4() for _ in range(35)]

    def published(who: list[uuid.UUID]) -> list[DomainEvent]:
        return [
            Published(institution_id=demo.institution_id, occurred_at=clock.now(), student_id=s)
            for s in who
        ]

    engine = make_engine(settings.database_url)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    try:
        factory = make_session_factory(engine)
        sa.event.listen(engine.sync_engine, "before_cursor_execute", count)
        async with factory() as session, session.begin():
            await trigger.stage(session, published(students[:34]))
        assert len(statements) == 1, statements  # not one per student
        statements.clear()
        # The next publication: 34 cards already queued, one new student.
        async with factory() as session, session.begin():
            await trigger.stage(session, published(students))
        assert len(statements) == 1, statements
        sa.event.remove(engine.sync_engine, "before_cursor_execute", count)
        async with factory() as session:
            rows = (
                await session.execute(
                    sa.select(job_table.c.lock, job_table.c.args).where(
                        job_table.c.name == RENDER_REPORT_CARD
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    assert sorted(r.lock for r in rows) == sorted(f"report_card:{s}" for s in students)
    assert {r.args["student_id"] for r in rows} == {str(s) for s in students}
