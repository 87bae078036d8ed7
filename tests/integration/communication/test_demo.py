"""The slice's demo data: seeded once, visible to guardian1 and teacher1."""

from __future__ import annotations

from edtech.communication.public import seed_demo
from edtech.demo import DemoSummary
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.settings import Settings
from tests.integration.communication.helpers import People


async def test_seed_demo_is_idempotent_and_visible(
    settings: Settings, demo: DemoSummary, people: People
) -> None:
    engine = make_engine(settings.database_url)
    try:
        factory = make_session_factory(engine)
        assert await seed_demo(factory, demo) is True
        assert await seed_demo(factory, demo) is False
    finally:
        await engine.dispose()
    teacher = await people.as_("teacher1@demo.test")
    listing = (await people.client.get("/api/v1/conversations", headers=teacher)).json()
    (conv,) = listing["items"]
    assert conv["context"] == {"kind": "student", "id": str(demo.student1_id)}
    assert conv["unread"] == 1  # the guardian's last message
    guardian = await people.as_("guardian1@demo.test")
    history = await people.client.get(
        f"/api/v1/conversations/{conv['id']}/messages", headers=guardian
    )
    assert len(history.json()["items"]) == 3
    announcements = (await people.client.get("/api/v1/announcements", headers=guardian)).json()
    assert [a["title"] for a in announcements["items"]] == ["Field trip on Friday"]
