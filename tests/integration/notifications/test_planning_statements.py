"""An announcement's notifications are planned in its transaction set-wise: on PostgreSQL the
statements the planning sends are the same text for 3 recipients as for 9 (one prepared
statement each, whatever the audience), and what every recipient's notification has in common
— the sender's title and body — is bound once, not once per recipient."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import event

from edtech.communication.domain.events import AnnouncementPublished
from tests.integration.attendance.helpers import School
from tests.integration.notifications.announcing import S01_GUARDIANS
from tests.integration.notifications.events import emit

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
    guardians = [school.demo.person(email) for email in S01_GUARDIANS]
    with statements(app) as seen:
        await emit(app, urgent(school, guardians))
    [parameters] = [p for s, p in planning(seen) if s.startswith("INSERT INTO notification (")]
    assert sum(1 for value in flat(parameters) if value == BODY) == 1
