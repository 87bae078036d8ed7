"""An announcement's notifications are planned in its transaction set-wise: on PostgreSQL the
statements the planning sends are the same text for 3 recipients as for 9 (one prepared
statement each, whatever the audience), and what every recipient's notification has in common
— the sender's title and body — is bound once, not once per recipient."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy import event

from edtech.communication.domain.events import AnnouncementPublished
from edtech.grades.domain.events import GradesPublished
from edtech.institutions.public import display_names
from edtech.notifications.application.plan_notifications import RUNG_JOB, RUNGS_JOB
from edtech.notifications.domain import MANDATORY, Category, Channel
from edtech.notifications.infrastructure.repository import SqlNotifications
from edtech.notifications.infrastructure.tables import notification, notification_attempt
from edtech.platform.jobs.table import job_table as job
from tests.integration.attendance.helpers import School
from tests.integration.notifications.announcing import S01_GUARDIANS
from tests.integration.notifications.events import emit, grades_published, overdue
from tests.roster import login

BODY = "The district closes every school today because of the storm. " * 4


@contextmanager
def statements(app: FastAPI) -> Iterator[list[tuple[str, Any]]]:
    """Each statement the node's engine sends meanwhile, with its parameters."""
    seen: list[tuple[str, Any]] = []
    engine = app.state.services.engine.sync_engine

    def record(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def urgent(school: School, recipients: list[uuid.UUID]) -> AnnouncementPublished:
    return AnnouncementPublished(
        institution_id=school.demo.institution_id,
        occurred_at=school.clock.now(),
        announcement_id=uuid.uuid4(),
        sender_id=school.demo.person("teacher1@demo.test"),
        title="School closed today",
        body=BODY,
        priority="urgent",
        requires_ack=False,
        published_at=school.clock.now(),
        recipient_ids=tuple(recipients),
    )


async def announced_to_s01(
    app: FastAPI, school: School
) -> tuple[list[uuid.UUID], list[tuple[str, Any]]]:
    """An urgent announcement to S01's nine guardians: them, and the statements it sent."""
    guardians = [school.demo.person(email) for email in S01_GUARDIANS]
    with statements(app) as seen:
        await emit(app, urgent(school, guardians))
    return guardians, seen


def planning(seen: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The statements of the notifications' planning (not the outbox's)."""
    return [(s, p) for s, p in seen if "notification" in s or s.startswith("INSERT INTO job ")]


def flat(values: Any) -> Iterator[Any]:
    if isinstance(values, list | tuple | dict):
        for v in values.values() if isinstance(values, dict) else values:
            yield from flat(v)
    else:
        yield values


def on_postgresql(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite inserts row by row (executemany)")


@pytest.mark.usefixtures("live_server")  # the node running: its engine is disposed after
async def test_planning_sends_the_same_statements_for_any_number_of_recipients(
    app: FastAPI, school: School, database_url: str
) -> None:
    on_postgresql(database_url)
    guardians = [school.demo.person(email) for email in S01_GUARDIANS]
    with statements(app) as few:
        await emit(app, urgent(school, guardians[:3]))
    with statements(app) as many:
        await emit(app, urgent(school, guardians))
    assert len(guardians) == 9
    assert planning(few)
    assert [s for s, _ in planning(few)] == [s for s, _ in planning(many)]


@pytest.mark.usefixtures("live_server")
async def test_the_title_and_body_every_notification_shares_are_bound_once(
    app: FastAPI, school: School, database_url: str
) -> None:
    on_postgresql(database_url)
    _, seen = await announced_to_s01(app, school)
    [parameters] = [p for s, p in planning(seen) if "INSERT INTO notification (" in s]
    assert sum(1 for value in flat(parameters) if value == BODY) == 1


@pytest.mark.usefixtures("live_server")
async def test_the_notifications_their_attempts_and_jobs_are_written_by_one_statement(
    app: FastAPI, school: School, database_url: str
) -> None:
    on_postgresql(database_url)
    guardians, seen = await announced_to_s01(app, school)
    written = [s for s, _ in planning(seen) if s.startswith(("INSERT", "WITH"))]
    assert len(written) == 2, written
    batch, together = written
    assert batch.startswith("INSERT INTO notification_batch ")
    assert together.startswith("WITH")
    assert "INSERT INTO notification (" in together
    assert "INSERT INTO notification_attempt" in together
    assert "INSERT INTO job " in together
    # ... the attempts and jobs only when every notification was new
    assert together.count("WHERE (SELECT count(*) FROM t0) = $") == 2
    async with app.state.services.session_factory() as session:
        ids = (
            await session.scalars(
                sa.select(notification.c.id).where(notification.c.person_id.in_(guardians))
            )
        ).all()
        attempts = (
            await session.execute(
                sa.select(notification_attempt.c.notification_id, notification_attempt.c.channel)
            )
        ).all()
        queued = (await session.scalars(sa.select(job.c.args).where(job.c.name == RUNGS_JOB))).all()
    assert len(ids) == 9
    assert {i for i, _ in attempts} == set(ids)
    # one job's chunk per attempt, each once
    chunks = [(uuid.UUID(i), args["channel"]) for args in queued for i in args["notification_ids"]]
    assert sorted(chunks) == sorted(tuple(a) for a in attempts)


@pytest.mark.usefixtures("live_server")
async def test_an_event_raised_again_gives_rungs_to_its_new_recipients_only(
    app: FastAPI, school: School
) -> None:
    """The same event again (a retried job's) with two recipients more: the one already told
    keeps their notification, attempts and jobs; the new ones get theirs, in chunks."""
    told = school.demo.guardian1_id
    new = [school.demo.person(f"guardian{k}@demo.test") for k in (2, 3)]
    await emit(app, overdue(school))
    before = await rungs_of(app, told)
    assert before[1] == ["email", "push"]
    assert before[2] == [(RUNG_JOB, "email"), (RUNG_JOB, "push")]  # alone: a job per rung
    await emit(app, dataclasses.replace(overdue(school), recipients=(told, *new)))
    assert await rungs_of(app, told) == before
    for person_id in new:
        ids, attempts, jobs = await rungs_of(app, person_id)
        assert len(ids) == 1
        assert attempts == ["email", "push"]
        assert jobs == [(RUNGS_JOB, "email"), (RUNGS_JOB, "push")]


async def rungs_of(
    app: FastAPI, person_id: uuid.UUID
) -> tuple[list[uuid.UUID], list[str], list[tuple[str, str]]]:
    """The person's notifications, their attempts' channels and their jobs (name, channel)."""
    async with app.state.services.session_factory() as session:
        ids = list(
            (
                await session.scalars(
                    sa.select(notification.c.id).where(notification.c.person_id == person_id)
                )
            ).all()
        )
        channels = (
            await session.scalars(
                sa.select(notification_attempt.c.channel).where(
                    notification_attempt.c.notification_id.in_(ids)
                )
            )
        ).all()
        queued = (await session.execute(sa.select(job.c.name, job.c.args))).all()
    mine = {str(i) for i in ids}
    jobs = [
        (name, args["channel"])
        for name, args in queued
        if mine & {args.get("notification_id"), *args.get("notification_ids", ())}
    ]
    return ids, sorted(channels), sorted(jobs)


def besides_outbox(seen: list[tuple[str, Any]]) -> list[str]:
    return [s for s, _ in seen if "outbox_event" not in s and "channel_state" not in s]


def published(school: School, publication: uuid.UUID, n: int) -> list[GradesPublished]:
    """A class's publication: one event per student, each to the student and a guardian."""
    events = []
    for k in range(1, n + 1):
        student = school.demo.person(f"student{k}@demo.test")
        guardian = school.demo.person(f"guardian{k}@demo.test")
        events.append(
            dataclasses.replace(
                grades_published(school, ()),
                publication_id=publication,
                student_id=student,
                recipients=(student, guardian),
            )
        )
    return events


@pytest.mark.usefixtures("live_server")
async def test_a_class_publication_is_planned_in_as_many_statements_for_6_students_as_for_2(
    app: FastAPI, school: School
) -> None:
    with statements(app) as few:
        await emit(app, *published(school, uuid.uuid4(), 2))
    six = uuid.uuid4()
    with statements(app) as many:
        await emit(app, *published(school, six, 6))
    assert planning(few)
    # Besides the outbox (one statement on PostgreSQL, two per event on SQLite): the names,
    # the preferences, the institution's rules and settings, the notifications, their
    # attempts and jobs, and the report cards' jobs — as many for 6 students as for 2.
    assert len(besides_outbox(many)) == len(besides_outbox(few)), besides_outbox(many)
    # The school's settings (its zone, locale and name) are read once, with the names.
    [school_read] = [s for s in besides_outbox(many) if "FROM institution" in s]
    assert "person.given_name" in school_read
    # Each guardian is told about their own child, by name.
    async with app.state.services.session_factory() as session:
        rows = (
            await session.execute(
                sa.select(notification.c.person_id, notification.c.body).where(
                    notification.c.source_key.like(f"{six}:%")
                )
            )
        ).all()
    assert len(rows) == 6
    for k in range(1, 7):
        guardian = school.demo.person(f"guardian{k}@demo.test")
        [body] = [r.body for r in rows if r.person_id == guardian]
        student = school.demo.person(f"student{k}@demo.test")
        names = await names_of(app, school, student)
        assert names in body, (names, body)


async def names_of(app: FastAPI, school: School, person_id: uuid.UUID) -> str:
    async with app.state.services.session_factory() as session:
        found = await display_names(session, school.demo.institution_id, [person_id])
    return found[person_id]


async def test_preferences_and_mandatory_categories_are_read_in_one_statement(
    app: FastAPI, client: httpx.AsyncClient, school: School
) -> None:
    guardian = await login(client, "guardian1@demo.test")
    off = {"categories": {"billing": {"email": False}}}
    r = await client.put("/api/v1/me/notification-preferences", json=off, headers=guardian)
    assert r.status_code == 200, r.text
    admin = await login(client, "admin@demo.test")
    r = await client.put(
        "/api/v1/notification-policy", json={"mandatory": ["absence"]}, headers=admin
    )
    assert r.status_code == 200, r.text
    demo, elsewhere = school.demo.institution_id, uuid.uuid4()
    chose, did_not = school.demo.guardian1_id, school.demo.person("guardian2@demo.test")
    async with app.state.services.session_factory() as session:
        with statements(app) as seen:
            prefs, mandatory = await SqlNotifications(session).rules(
                [chose, did_not, chose], [demo, elsewhere]
            )
    # one statement of the notifications' tables (the node's own background reads, its
    # outbox resync say, may run meanwhile)
    assert len(planning(seen)) == 1, seen
    assert set(prefs) == {chose}
    assert prefs[chose].switches[(Category.BILLING, Channel.EMAIL)] is False
    assert mandatory == {demo: frozenset({Category.ABSENCE}), elsewhere: MANDATORY}
