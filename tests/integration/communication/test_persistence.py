"""Messages as mapped: an edit based on a version that moved meanwhile is a conflict, and
nothing of the losing edit is stored."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from edtech.communication.infrastructure import SqlAlchemyMessages, conflicts_as
from edtech.kernel.errors import ConflictError
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.db.uow import UnitOfWork
from tests.integration.communication.helpers import People

G1, T1 = "guardian1@demo.test", "teacher1@demo.test"


async def test_concurrent_edits_of_one_message_store_only_the_first(
    people: People, database_url: str
) -> None:
    student1 = str(people.id("student1@demo.test"))
    conv = (await people.start(G1, T1, context={"kind": "student", "id": student1})).json()["id"]
    posted = (await people.post(G1, conv, "First words")).json()
    message_id = uuid.UUID(posted["id"])
    later = datetime.fromisoformat(posted["created_at"]) + timedelta(minutes=1)
    guardian, inst = people.id(G1), people.demo.institution_id
    engine = make_engine(database_url)
    try:
        factory = make_session_factory(engine)
        first, second = UnitOfWork(factory), UnitOfWork(factory)
        async with first, second:
            mine = await SqlAlchemyMessages(first.session).get(inst, uuid.UUID(conv), message_id)
            theirs = await SqlAlchemyMessages(second.session).get(inst, uuid.UUID(conv), message_id)
            assert mine is not None
            assert theirs is not None
            assert mine.edit(guardian, "Second words", later)
            await first.commit()
            assert theirs.edit(guardian, "Other words", later)
            with pytest.raises(ConflictError):
                async with conflicts_as("the message changed meanwhile"):
                    await second.commit()
    finally:
        await engine.dispose()
    r = await people.client.get(
        f"/api/v1/conversations/{conv}/messages", headers=await people.as_(G1)
    )
    (stored,) = [m for m in r.json()["items"] if m["id"] == str(message_id)]
    assert (stored["body"], stored["version"]) == ("Second words", 2)
