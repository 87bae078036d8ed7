"""The grades aggregates as mapped: optimistic locking at flush, categories kept in place."""

from __future__ import annotations

import uuid

import httpx
import pytest

from edtech.demo import DemoSummary
from edtech.grades.infrastructure.repositories import SqlAlchemyAssessments, conflicts_as
from edtech.kernel.errors import ConflictError
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.db.uow import UnitOfWork
from tests.integration.grades.helpers import make_book, ok


async def test_a_write_based_on_a_version_that_moved_meanwhile_is_a_conflict(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    book = await make_book(client, demo, database_url)
    engine = make_engine(database_url)
    try:
        factory = make_session_factory(engine)
        first, second = UnitOfWork(factory), UnitOfWork(factory)
        async with first, second:
            mine = await SqlAlchemyAssessments(first.session).get(
                demo.institution_id, book.homework1
            )
            theirs = await SqlAlchemyAssessments(second.session).get(
                demo.institution_id, book.homework1
            )
            assert mine is not None
            assert theirs is not None
            mine.title, mine.version = "Mine", mine.version + 1
            await first.commit()
            theirs.title, theirs.version = "Theirs", theirs.version + 1
            with pytest.raises(ConflictError):
                async with conflicts_as("the assessment"):
                    await second.commit()
    finally:
        await engine.dispose()
    r = await client.get(f"/api/v1/assessments/{book.homework1}", headers=book.teacher)
    assert ok(r)["title"] == "Mine"


async def test_reconfiguring_keeps_categories_by_id_and_drops_the_rest(
    client: httpx.AsyncClient, demo: DemoSummary, database_url: str
) -> None:
    book = await make_book(client, demo, database_url)
    url = f"/api/v1/sections/{book.section_id}/gradebook"
    before = ok(await client.get(url, headers=book.teacher))
    body = {
        "weighting": "weighted",
        "post_policy": "manual",
        "total_scheme_id": str(book.letter_scheme),
        "categories": [
            {"id": str(book.tests), "name": " Exams ", "weight_ppm": 700_000},
            {"id": str(book.homework), "name": "Homework", "weight_ppm": 200_000},
            {"name": "Projects", "weight_ppm": 100_000},
        ],
        "version": before["version"],
    }
    after = ok(await client.put(url, json=body, headers=book.teacher))
    assert after["version"] == before["version"] + 1
    names = [(c["name"], c["weight_ppm"]) for c in after["categories"]]
    assert names == [("Exams", 700_000), ("Homework", 200_000), ("Projects", 100_000)]
    assert [uuid.UUID(c["id"]) for c in after["categories"][:2]] == [book.tests, book.homework]
    # read back from the database, in the order given
    again = ok(await client.get(url, headers=book.teacher))
    assert [c["name"] for c in again["categories"]] == ["Exams", "Homework", "Projects"]
    body["categories"] = body["categories"][:2]  # type: ignore[index]
    body["categories"][0]["weight_ppm"] = 800_000  # type: ignore[index]
    body["version"] = again["version"]
    dropped = ok(await client.put(url, json=body, headers=book.teacher))
    assert [c["name"] for c in dropped["categories"]] == ["Exams", "Homework"]
