"""A small gradebook on the demo school, set up through the API like a teacher would."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.demo import DemoScale, DemoSummary, seed_demo
from edtech.grades.domain import Result
from edtech.grades.infrastructure.loading import assessments_query
from edtech.grades.infrastructure.repositories import SqlAlchemyResults
from edtech.grades.public import seed_demo as seed_grades
from edtech.kernel.principal import Principal, Role, RoleGrant
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.db.uow import UnitOfWork
from edtech.settings import Settings
from tests.roster import login


async def fetch(url: str, sql: str, **params: Any) -> list[Any]:
    """Rows of a raw query on the test database (to look at what the API committed)."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(sa.text(sql), params)).all())
    finally:
        await engine.dispose()


async def grading_periods(url: str, term_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """The demo term's grading periods by title ("Fall Q1" closed, "Fall Q2" open on our date)."""
    rows = await fetch(
        url,
        "SELECT id, title FROM academic_session WHERE parent_id = :t AND kind = 'grading_period'",
        t=str(term_id) if url.startswith("postgres") else term_id.hex,
    )
    return {r.title: uuid.UUID(str(r.id)) for r in rows}


async def outbox(url: str, channel_prefix: str, event_type: str | None = None) -> list[Any]:
    """Committed events on channels starting with `channel_prefix`: (channel, type, data)."""
    sql = "SELECT channel, type, data FROM outbox_event WHERE channel LIKE :c"
    if event_type:
        sql += " AND type = :t"
    rows = await fetch(url, sql + " ORDER BY id", c=f"{channel_prefix}%", t=event_type)
    return [
        (r.channel, r.type, r.data if isinstance(r.data, dict) else json.loads(r.data))
        for r in rows
    ]


@dataclass
class Book:
    """teacher1's section with Homework 40 % / Tests 60 %, a letter total and two assessments."""

    section_id: uuid.UUID
    teacher: dict[str, str]
    students: list[uuid.UUID]
    period_id: uuid.UUID
    closed_period_id: uuid.UUID
    points_scheme: uuid.UUID
    letter_scheme: uuid.UUID
    homework: uuid.UUID
    tests: uuid.UUID
    homework1: uuid.UUID
    test1: uuid.UUID


def ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, f"{r.request.method} {r.request.url}: {r.status_code} {r.text}"
    return r.json()


async def create_assessment(
    client: httpx.AsyncClient,
    book: Book,
    title: str,
    category: uuid.UUID,
    max_points: str,
    **extra: Any,
) -> uuid.UUID:
    body = {
        "title": title,
        "category_id": str(category),
        "grading_period_id": str(extra.pop("period", book.period_id)),
        "scheme_id": str(extra.pop("scheme", book.points_scheme)),
        "max_points": max_points,
        "due_at": datetime(2026, 11, 20, 15, tzinfo=UTC).isoformat(),
        **extra,
    }
    r = await client.post(
        f"/api/v1/sections/{book.section_id}/assessments", json=body, headers=book.teacher
    )
    return uuid.UUID(ok(r, 201)["id"])


async def make_book(client: httpx.AsyncClient, demo: DemoSummary, database_url: str) -> Book:
    teacher = await login(client, "teacher1@demo.test")
    section_id = demo.section_ids[0]
    periods = await grading_periods(database_url, demo.term_id)
    points = ok(
        await client.post(
            "/api/v1/grade-schemes", json={"name": "Points", "kind": "points"}, headers=teacher
        ),
        201,
    )
    bands = [
        {"letter": letter, "min_percent": low}
        for letter, low in (("A", 90), ("B", 80), ("C", 70), ("D", 60), ("F", 0))
    ]
    letters = ok(
        await client.post(
            "/api/v1/grade-schemes",
            json={"name": "A-F", "kind": "letter", "bands": bands},
            headers=teacher,
        ),
        201,
    )
    gb = ok(
        await client.put(
            f"/api/v1/sections/{section_id}/gradebook",
            json={
                "weighting": "weighted",
                "post_policy": "manual",
                "total_scheme_id": letters["id"],
                "categories": [
                    {"name": "Homework", "weight_ppm": 400_000},
                    {"name": "Tests", "weight_ppm": 600_000},
                ],
                "version": 0,
            },
            headers=teacher,
        )
    )
    grid = ok(await client.get(f"/api/v1/sections/{section_id}/gradebook/grid", headers=teacher))
    book = Book(
        section_id=section_id,
        teacher=teacher,
        students=[uuid.UUID(row["student_id"]) for row in grid["items"]],
        period_id=periods["Fall Q2"],
        closed_period_id=periods["Fall Q1"],
        points_scheme=uuid.UUID(points["id"]),
        letter_scheme=uuid.UUID(letters["id"]),
        homework=uuid.UUID(gb["categories"][0]["id"]),
        tests=uuid.UUID(gb["categories"][1]["id"]),
        homework1=uuid.uuid4(),
        test1=uuid.uuid4(),
    )
    book.homework1 = await create_assessment(client, book, "Homework 1", book.homework, "10")
    book.test1 = await create_assessment(client, book, "Test 1", book.tests, "50")
    return book


def item(assessment: uuid.UUID, student: uuid.UUID, value: Any, **extra: Any) -> dict[str, Any]:
    return {"assessment_id": str(assessment), "student_id": str(student), "value": value, **extra}


CLASS = 35
"""Students in a section of `two_classes`: issue #20's publication target is a 35-student
section."""


async def two_classes(settings: Settings, demo_password_hash: str) -> DemoSummary:
    """Two schools of one 35-student section each (two guardians per student); teacher1's
    section has a gradebook with three assessments and a draft for every student."""
    scale = DemoScale(sections=2, students=2 * CLASS, teachers=2, second_guardians=2 * CLASS)
    engine = make_engine(settings.database_url)
    try:
        factory = make_session_factory(engine)
        summary = await seed_demo(factory, scale, password_hash=demo_password_hash)
        assert await seed_grades(factory, summary)
        return summary
    finally:
        await engine.dispose()


def teacher(school: DemoSummary) -> Principal:
    """teacher1 of `two_classes`, as a principal."""
    return Principal(
        uuid.uuid4(),
        school.teacher1_id,
        school.institution_id,
        "Teacher One",
        frozenset({RoleGrant(Role.TEACHER)}),
    )


async def assessments_and_students(
    factory: Any, school: DemoSummary
) -> tuple[list[uuid.UUID], list[uuid.UUID]]:
    """The assessments of teacher1's section of `two_classes`, and its students."""
    iid, section = school.institution_id, school.section_ids[0]
    async with factory() as session:
        assessments = [a.id for a in (await session.scalars(assessments_query(iid, section)))]
        results = await SqlAlchemyResults(session).for_assessments(iid, assessments[:1])
    return assessments, [r.student_id for r in results]


@asynccontextmanager
async def one_moved_meanwhile(
    settings: Settings, school: DemoSummary
) -> AsyncIterator[tuple[UnitOfWork, list[Result]]]:
    """A unit of work holding the results of the first assessment of teacher1's section of
    `two_classes`, after which another committed a change to the last of them (its version
    moved): writing them all is then a conflict."""
    engine = make_engine(settings.database_url)
    try:
        factory = make_session_factory(engine)
        assessments, _ = await assessments_and_students(factory, school)
        iid = school.institution_id
        async with UnitOfWork(factory) as mine, UnitOfWork(factory) as theirs:
            results = await SqlAlchemyResults(mine.session).for_assessments(iid, assessments[:1])
            moved = await SqlAlchemyResults(theirs.session).for_assessments(iid, assessments[:1])
            moved[-1].version += 1
            moved[-1].updated_by = school.teacher1_id
            await theirs.commit()
            yield mine, results
    finally:
        await engine.dispose()


@asynccontextmanager
async def counting(
    settings: Settings,
) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], list[str]]]:
    """A session factory on an engine of its own, and every statement that engine sends (its
    first 60 characters, whitespace folded) — the caller clears the list before what it counts."""
    engine = make_engine(settings.database_url)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(" ".join(statement.split())[:60])

    sa.event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield make_session_factory(engine), statements
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", count)
        await engine.dispose()
