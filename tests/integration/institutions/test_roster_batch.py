"""`RosterBatch`: people, roles, enrollments and guardian links created, changed and ended in
memory by the aggregates' rules, written in a few multi-row statements, every event recorded."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from edtech.demo import DemoSummary
from edtech.institutions.infrastructure.tables import enrollment, guardian_link, person
from edtech.institutions.public import RosterBatch, sections_of_institution
from edtech.kernel.errors import InvalidError
from edtech.kernel.events import DomainEvent
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.db.uow import UnitOfWork
from edtech.settings import Settings

STUDENTS = 120


class RecordingSink:
    event_types = None

    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    async def stage(self, session: AsyncSession, events: Sequence[DomainEvent]) -> object:
        self.events.extend(events)
        return None

    async def committed(self, staged: object) -> None:
        return None


@contextmanager
def counted(engine: AsyncEngine) -> Iterator[list[str]]:
    """The statements sent to the database inside the block (an executemany counts once)."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


def types(events: Sequence[DomainEvent]) -> Counter[str]:
    return Counter(type(e).__name__ for e in events)


async def test_a_batch_writes_a_roster_in_a_few_statements_and_records_every_event(
    settings: Settings, demo: DemoSummary
) -> None:
    engine = make_engine(settings.database_url)
    sink = RecordingSink()
    today = datetime.now(UTC).date()
    now = datetime.now(UTC)
    try:
        factory = make_session_factory(engine)
        async with factory() as session:
            section = (await sections_of_institution(session, demo.institution_id))[0][0]
            demo_open = await session.scalar(
                sa.select(sa.func.count()).where(
                    enrollment.c.section_id == section, enrollment.c.ends_on.is_(None)
                )
            )
        uow = UnitOfWork(factory, [sink])
        async with uow:
            batch = RosterBatch(uow.session, demo.institution_id, now, uow.emit)
            with counted(engine) as statements:
                students, guardians = [], []
                for n in range(STUDENTS):
                    sid, _ = await batch.put(
                        "user",
                        None,
                        {"given_name": f"S{n}", "family_name": "B", "email": f"S{n}@B.example"},
                    )
                    gid, _ = await batch.put(
                        "user", None, {"given_name": f"G{n}", "family_name": "B", "email": None}
                    )
                    await batch.put(
                        "role", None, {"person_id": sid, "role": "student", "begins_on": today}
                    )
                    await batch.put(
                        "enrollment",
                        None,
                        {
                            "section_id": section,
                            "person_id": sid,
                            "role": "student",
                            "begins_on": today,
                        },
                    )
                    await batch.put(
                        "link",
                        None,
                        {"student_id": sid, "guardian_id": gid, "begins_on": today},
                    )
                    students.append(sid)
                    guardians.append(gid)
                assert await batch.email_taken("s0@b.example")  # stored lower-case
                assert not await batch.email_taken("s0@b.example", but=students[0])
                await batch.flush()
            # 5 × 120 rows: a statement or two per table (and one read of the emails), not
            # one per row
            assert len(statements) <= 10, statements
            await uow.commit()
        assert types(sink.events) == {
            "PersonAdded": 2 * STUDENTS,
            "RoleAssigned": STUDENTS,
            "PersonEnrolled": STUDENTS,
            "GuardianLinked": STUDENTS,
        }
        async with factory() as session:
            mine = person.c.institution_id == demo.institution_id
            assert await session.scalar(
                sa.select(sa.func.count()).where(mine, person.c.email == "s7@b.example")
            )
            flags = (
                await session.execute(
                    sa.select(guardian_link).where(guardian_link.c.student_id == students[0])
                )
            ).one()
            assert flags.can_view_grades  # the link's defaults
            assert flags.contact_priority == 1

        # a second transaction: a change, no change, endings (a person takes their ties along)
        sink.events.clear()
        later = today + timedelta(days=1)
        uow = UnitOfWork(factory, [sink])
        async with uow:
            batch = RosterBatch(uow.session, demo.institution_id, now, uow.emit)
            assert await batch.put("user", students[1], {"given_name": "Renamed"}) == (
                students[1],
                True,
            )
            assert await batch.put("user", students[2], {"given_name": "S2"}) == (
                students[2],
                False,
            )
            (e,) = await enrollments_of(uow.session, students[3])
            with pytest.raises(InvalidError):  # the aggregate's rule: only teachers are primary
                await batch.put("enrollment", e, {"is_primary": True})
            assert await batch.end("user", students[4], later)
            assert not await batch.end("user", students[4], later)  # already gone
            (e5,) = await enrollments_of(uow.session, students[5])
            assert await batch.end("enrollment", e5, later)
            assert not await batch.end("enrollment", e5, later)
            assert await batch.end("class", section, later) is True  # the others' enrollments
            await batch.flush()
            await uow.commit()
        assert types(sink.events) == {
            "PersonEnded": 1,
            "RoleEnded": 1,
            "GuardianLinkEnded": 1,
            "EnrollmentEnded": STUDENTS + (demo_open or 0),  # the class took all along
        }
        async with factory() as session:
            ends = await session.execute(
                sa.select(enrollment.c.person_id, enrollment.c.ends_on).where(
                    enrollment.c.section_id == section
                )
            )
            assert {d for _, d in ends} == {later}
            names = await session.execute(
                sa.select(person.c.given_name, person.c.ends_on).where(
                    person.c.id.in_([students[1], students[4]])
                )
            )
            assert sorted(names, key=lambda r: r.given_name) == [
                ("Renamed", None),
                ("S4", later),
            ]
    finally:
        await engine.dispose()


async def enrollments_of(session: AsyncSession, person_id: uuid.UUID) -> list[uuid.UUID]:
    ids = await session.scalars(
        sa.select(enrollment.c.id).where(enrollment.c.person_id == person_id)
    )
    return list(ids)
