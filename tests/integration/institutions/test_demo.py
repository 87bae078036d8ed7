"""The demo seed: its promises (sizes, fixed logins, meetings today) and its idempotency."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from edtech.demo import FULL, SMALL, DemoSummary, seed_demo
from edtech.institutions.public import meetings_on, roster_counts
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.settings import Settings
from tests.roster import login


async def _row_counts(settings: Settings, demo: DemoSummary) -> dict[str, int]:
    engine = make_engine(settings.database_url)
    try:
        async with make_session_factory(engine)() as session:
            return await roster_counts(session, demo.institution_id)
    finally:
        await engine.dispose()


async def test_seeding_twice_creates_nothing_new(
    settings: Settings, demo: DemoSummary, demo_password_hash: str
) -> None:
    assert demo.created
    before = await _row_counts(settings, demo)
    engine = make_engine(settings.database_url)
    try:
        again = await seed_demo(
            make_session_factory(engine), SMALL, password_hash=demo_password_hash
        )
        bigger = await seed_demo(
            make_session_factory(engine), FULL, password_hash=demo_password_hash
        )
    finally:
        await engine.dispose()
    assert not again.created
    assert not bigger.created
    assert again.institution_id == demo.institution_id
    assert again.section_ids == demo.section_ids
    assert again.people == demo.people
    assert await _row_counts(settings, demo) == before
    assert before == demo.counts


async def test_full_demo_keeps_its_promises(settings: Settings, demo_password_hash: str) -> None:
    steps: list[tuple[str, int, int]] = []
    engine = make_engine(settings.database_url)
    try:
        factory = make_session_factory(engine)
        summary = await seed_demo(
            factory,
            FULL,
            lambda step, done, total: steps.append((step, done, total)),
            password_hash=demo_password_hash,
        )
        async with factory() as session:
            today = datetime.now(UTC).date()
            meeting_today = {
                m.section_id for m in await meetings_on(session, summary.institution_id, today)
            }
    finally:
        await engine.dispose()
    assert len(summary.school_ids) == 2
    assert len(summary.section_ids) >= 12
    assert summary.counts["guardian_link"] >= 450
    assert sum(1 for e in summary.people if e.startswith("student")) >= 300
    assert sum(1 for e in summary.people if e.startswith("teacher")) >= 20
    for login_email in (
        "admin@demo.test",
        "accountant@demo.test",
        "officer@demo.test",
        "guardian1@demo.test",
    ):
        assert login_email in summary.people
    assert meeting_today == set(summary.section_ids)
    assert steps[-1][1] == steps[-1][2]
    assert [done for _, done, _ in steps] == sorted(done for _, done, _ in steps)


async def test_fixed_demo_logins_work(client: httpx.AsyncClient, demo: DemoSummary) -> None:
    for email in (
        "admin@demo.test",
        "accountant@demo.test",
        "officer@demo.test",
        "student1@demo.test",
    ):
        headers = await login(client, email)
        me = (await client.get("/api/v1/me", headers=headers)).json()
        assert me["person"]["email"] == email
        assert me["institution"]["name"] == "Demo School District"
