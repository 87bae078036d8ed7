"""The close-time sweep racing a scan batch (PostgreSQL, where the two really run at once).

The closer is driven deterministically: each time the batch's transaction is about to write,
the closer closes the oldest due session in its own transaction and commits. The batch must
still answer every item — `recorded`, or `session_closed` for the session closed under it —
and never fail as a whole.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.util import await_

from edtech.attendance.application.close_due_sessions import CloseDueSessions
from edtech.attendance.application.plan_sessions import PlanSessions
from edtech.attendance.infrastructure.roster import InstitutionsRoster
from edtech.kernel.clock import FixedClock
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.db.uow import UnitOfWork
from edtech.settings import Settings
from tests import databases
from tests.integration.attendance.helpers import School, scan
from tests.services import need

pytestmark = pytest.mark.postgres


@pytest.fixture
async def database_url(request: pytest.FixtureRequest) -> str:
    need("PostgreSQL")
    url: str = request.getfixturevalue("postgres_database")
    await databases.truncate_all(url)
    return url


class Closer:
    """Closes one due session before the first write of each transaction of the app's engine."""

    def __init__(self, app: FastAPI, settings: Settings, clock: FixedClock) -> None:
        self.engine = make_engine(settings.database_url)
        self.close = CloseDueSessions(
            UnitOfWork(make_session_factory(self.engine)), clock, InstitutionsRoster.on_clock(clock)
        )
        self.closed = 0
        # Per connection: other work of the node (its job runner, the outbox publisher) begins
        # transactions on the same engine meanwhile, and must not re-arm the batch's.
        self.armed: set[Any] = set()
        self.app_engine = app.state.services.engine.sync_engine
        sa.event.listen(self.app_engine, "begin", self._begin)
        sa.event.listen(self.app_engine, "before_cursor_execute", self._before)

    def _begin(self, conn: Any) -> None:
        self.armed.add(conn)

    def _before(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        writes = statement.lstrip().upper().startswith(("INSERT", "UPDATE"))
        if conn in self.armed and writes and "attendance_" in statement:
            self.armed.discard(conn)
            # Inside the request's greenlet: run the closer to its commit, then go on.
            self.closed += await_(self.close(limit=1))

    async def stop(self) -> None:
        sa.event.remove(self.app_engine, "begin", self._begin)
        sa.event.remove(self.app_engine, "before_cursor_execute", self._before)
        await self.engine.dispose()


@pytest.fixture
async def closer(app: FastAPI, settings: Settings, clock: FixedClock) -> AsyncIterator[Closer]:
    c = Closer(app, settings, clock)
    try:
        yield c
    finally:
        await c.stop()


async def past_marks(settings: Settings, school: School) -> list[tuple[str, str, Any]]:
    """Plan the last six days and return (card, session id, start) of every card holder's mark."""
    engine = make_engine(settings.database_url)
    try:
        factory = make_session_factory(engine)
        today = school.clock.now().date()
        await PlanSessions(
            UnitOfWork(factory), school.clock, InstitutionsRoster.on_clock(school.clock)
        )(None, school.demo.institution_id, today - timedelta(days=6), today - timedelta(days=1))
        async with factory() as s:
            rows = (
                await s.execute(
                    sa.text(
                        "select m.student_id, s.id, s.starts_at from attendance_mark m "
                        "join attendance_session s on s.id = m.session_id "
                        "where s.closes_at <= :now order by s.starts_at"
                    ),
                    {"now": school.clock.now()},
                )
            ).all()
    finally:
        await engine.dispose()
    card = {
        pid: f"CARD-{email.removeprefix('student').split('@')[0]}"
        for email, pid in school.demo.people.items()
        if email.startswith("student")
    }
    return [(card[r[0]], str(r[1]), r[2]) for r in rows if r[0] in card]


async def test_batch_racing_the_closer_answers_every_item_and_never_fails_whole(
    client: httpx.AsyncClient, settings: Settings, school: School, closer: Closer
) -> None:
    marks = await past_marks(settings, school)
    sessions = {sid for _, sid, _ in marks}
    assert len(sessions) >= 5, "the race needs more due sessions than the retries"
    items = [(f"race-{n}", c, at + timedelta(minutes=1)) for n, (c, _, at) in enumerate(marks)]

    r = await scan(client, *items)

    assert r.status_code == 200, r.text
    assert closer.closed >= 1
    engine = make_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            closed = {
                str(row[0])
                for row in await conn.execute(
                    sa.text("select id from attendance_session where state = 'closed'")
                )
            }
            sources = {
                (str(row[0]), str(row[1])): row[2]
                for row in await conn.execute(
                    sa.text("select session_id, student_id, source from attendance_mark")
                )
            }
            history = (
                await conn.execute(
                    sa.text("select count(*) from attendance_mark_change where source = 'scan'")
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    assert closed, "the closer closed a session of the batch"
    results = r.json()["results"]
    assert len(results) == len(items)
    for result, (_, session_id, _) in zip(results, marks, strict=True):
        key = (session_id, result["student_id"])
        if session_id in closed:
            assert result["result"] == "session_closed", result
            assert sources[key] == "auto"  # marked absent by the closer, not by the scan
        else:
            assert result["result"] == "recorded", result
            assert sources[key] == "scan"
    recorded = sum(1 for x in results if x["result"] == "recorded")
    assert history == recorded
    assert r.json()["counts"] == {"recorded": recorded, "session_closed": len(items) - recorded}
