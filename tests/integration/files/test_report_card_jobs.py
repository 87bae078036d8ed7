"""Report cards rendered again, as a job, when a student's results are published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from edtech.app import create_app
from edtech.demo import DemoSummary
from edtech.files.jobs import REPORT_CARD_DELAY
from edtech.kernel.clock import FixedClock
from edtech.settings import Settings
from tests.integration.files.helpers import (
    download,
    listed,
    pdf_text,
    publish_grades,
    run_jobs,
)
from tests.integration.grades.helpers import item, ok
from tests.roster import login


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC))


@pytest.fixture
def app(settings: Settings, clock: FixedClock) -> FastAPI:
    return create_app(settings, clock=clock)


async def test_publishing_results_renders_each_students_report_card_again(
    client: httpx.AsyncClient,
    app: FastAPI,
    demo: DemoSummary,
    database_url: str,
    clock: FixedClock,
) -> None:
    book, s1, s2 = await publish_grades(client, demo, database_url)
    admin = await login(client, "admin@demo.test")
    await run_jobs(app)  # what else the publication queued (insights' recompute) runs now
    # The cards are queued a minute ahead (later publications join in): none yet.
    assert await listed(client, admin, category="report_card") == []
    clock.advance(REPORT_CARD_DELAY)
    assert await run_jobs(app) == 2  # one card each for the two students published
    cards = await listed(client, admin, category="report_card", student_id=str(s1))
    [card] = cards
    guardian = await login(client, "guardian1@demo.test")
    shown = ok(await client.get(f"/api/v1/students/{s1}/grades", headers=guardian))
    text = " ".join(pdf_text((await download(client, card, guardian)).content).split())
    assert f"{shown['sections'][0]['total']['percent']} %" in text
    assert "Homework 1 9 10" in text
    assert len(await listed(client, admin, category="report_card", student_id=str(s2))) == 1

    # student1's homework is corrected and published again: a new card, with the new points
    url = f"/api/v1/sections/{book.section_id}/results/batch"
    ok(
        await client.post(
            url, json={"items": [item(book.homework1, s1, "7")]}, headers=book.teacher
        )
    )
    r = await client.post(
        f"/api/v1/assessments/{book.homework1}/publications", json={}, headers=book.teacher
    )
    ok(r, 201)
    clock.advance(REPORT_CARD_DELAY + timedelta(seconds=1))
    assert await run_jobs(app) >= 1
    newest, older = await listed(client, admin, category="report_card", student_id=str(s1))
    assert older["id"] == card["id"]
    text = " ".join(pdf_text((await download(client, newest, guardian)).content).split())
    assert "Homework 1 7 10" in text
