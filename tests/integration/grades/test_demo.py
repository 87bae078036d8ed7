"""The demo gradebook: drafts ready for teacher1 to publish, seeded once."""

from __future__ import annotations

import httpx

from edtech.demo import DemoSummary
from edtech.grades.public import seed_demo
from edtech.platform.db.engine import make_engine, make_session_factory
from tests.integration.grades.helpers import ok, outbox
from tests.roster import login


async def test_demo_gradebook_has_drafts_teacher1_can_publish_to_guardian1(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    engine = make_engine(database_url)
    try:
        factory = make_session_factory(engine)
        assert await seed_demo(factory, demo) is True
        assert await seed_demo(factory, demo) is False
    finally:
        await engine.dispose()
    teacher = await login(client, "teacher1@demo.test")
    section = demo.section_ids[0]
    grid = ok(await client.get(f"/api/v1/sections/{section}/gradebook/grid", headers=teacher))
    assert len(grid["assessments"]) == 3
    row = next(r for r in grid["items"] if r["student_id"] == str(demo.student1_id))
    assert all(c["draft"] is not None and c["published"] is None for c in row["cells"])
    assert row["teacher_total"] is not None
    assert row["published_total"] is None
    first = grid["assessments"][0]["id"]
    ok(
        await client.post(f"/api/v1/assessments/{first}/publications", json={}, headers=teacher),
        201,
    )
    (event,) = await outbox(database_url, f"user.{demo.guardian1_id}", "grades.published")
    assert event[2]["assessment_id"] == first
    assert event[2]["total"]["letter"] in {"A", "B", "C", "D", "F"}
