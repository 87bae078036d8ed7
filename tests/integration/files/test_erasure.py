"""Erasing a person's files (an audit record of what went and what stayed, and why) and the
retention job — on a directory and on a real S3 API."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from edtech.app import create_app
from edtech.demo import DemoSummary, OtherSummary
from edtech.files.domain.erasure import RECORD_PACKAGE_DAYS
from edtech.files.infrastructure.tables import file_retention
from edtech.files.jobs import prune_files
from edtech.kernel.clock import FixedClock
from edtech.platform.storage import ObjectMissingError, ObjectStorage
from edtech.settings import Settings
from tests.integration.files.helpers import (
    FILES,
    PDF,
    attach,
    listed,
    open_family_account,
    pay,
    run_jobs,
    submit_excuse,
)
from tests.integration.grades.helpers import ok
from tests.roster import login


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC))


@pytest.fixture
def app(settings: Settings, clock: FixedClock) -> FastAPI:
    return create_app(settings, clock=clock)


async def kept(app: FastAPI, demo: DemoSummary, file_id: str) -> bool:
    store: ObjectStorage = app.state.services.components.get(ObjectStorage)
    try:
        await store.stat(f"{demo.institution_id}/{file_id}")
    except ObjectMissingError:
        return False
    return True


async def test_erasing_a_student_deletes_their_files_but_keeps_receipts_and_says_why(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary, other_institution: OtherSummary
) -> None:
    student = str(demo.person("student1@demo.test"))
    guardian_id = str(demo.person("guardian1@demo.test"))
    guardian = await login(client, "guardian1@demo.test")
    admin = await login(client, "admin@demo.test")
    acc = await login(client, "accountant@demo.test")
    excuse = await submit_excuse(client, guardian, demo.person("student1@demo.test"), "Flu")
    note = ok(await attach(client, excuse["id"], guardian, "note.pdf", PDF), 201)
    family = await open_family_account(client, acc, demo.person("student1@demo.test"))
    await pay(client, acc, family["id"], "10.00")
    assert await run_jobs(app) == 1
    [receipt] = await listed(client, acc, category="receipt")
    card = ok(
        await client.post(f"{FILES}/report-cards", json={"student_id": student}, headers=admin), 201
    )
    package = ok(
        await client.post(f"{FILES}/record-packages", json={"student_id": student}, headers=admin),
        201,
    )

    # only an institution admin of the person's institution
    for who in (acc, guardian, await login(client, "admin@other.test")):
        r = await client.post(f"{FILES}/erasures", json={"person_id": student}, headers=who)
        assert r.status_code == 404, r.text

    # the guardian who left: their upload about the child stays, no longer naming them
    by_guardian = ok(
        await client.post(f"{FILES}/erasures", json={"person_id": guardian_id}, headers=admin), 201
    )
    assert (by_guardian["deleted"], by_guardian["kept"]) == ([], [])
    assert [f["file_id"] for f in by_guardian["anonymised"]] == [note["id"]]
    assert await kept(app, demo, note["id"])

    erased = ok(
        await client.post(f"{FILES}/erasures", json={"person_id": student}, headers=admin), 201
    )
    assert erased["person_id"] == student
    assert erased["erased_by"] == str(demo.person("admin@demo.test"))
    assert {f["file_id"] for f in erased["deleted"]} == {note["id"], card["id"], package["id"]}
    assert [(f["file_id"], f["category"]) for f in erased["kept"]] == [(receipt["id"], "receipt")]
    assert "financial record" in erased["kept"][0]["why"]
    for gone in (note, card, package):
        assert not await kept(app, demo, gone["id"])
        assert (await client.get(f"{FILES}/{gone['id']}", headers=admin)).status_code == 404
    assert await kept(app, demo, receipt["id"])
    assert [f["id"] for f in await listed(client, admin, student_id=student)] == [receipt["id"]]

    again = ok(
        await client.post(f"{FILES}/erasures", json={"person_id": student}, headers=admin), 201
    )
    assert again["deleted"] == []  # nothing left to erase; the receipt still stays
    assert [f["file_id"] for f in again["kept"]] == [receipt["id"]]


async def test_record_packages_are_pruned_after_their_retention_other_files_stay(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary, clock: FixedClock
) -> None:
    student = str(demo.person("student1@demo.test"))
    admin = await login(client, "admin@demo.test")
    card = ok(
        await client.post(f"{FILES}/report-cards", json={"student_id": student}, headers=admin), 201
    )
    package = ok(
        await client.post(f"{FILES}/record-packages", json={"student_id": student}, headers=admin),
        201,
    )
    services = app.state.services
    assert await prune_files(services) == 0
    clock.advance(timedelta(days=RECORD_PACKAGE_DAYS) - timedelta(seconds=1))
    assert await prune_files(services) == 0
    clock.advance(timedelta(seconds=1))
    assert await prune_files(services) == 1
    assert not await kept(app, demo, package["id"])
    assert await kept(app, demo, card["id"])
    admin = await login(client, "admin@demo.test")  # the clock moved past the token
    assert [f["id"] for f in await listed(client, admin, student_id=student)] == [card["id"]]
    assert await prune_files(services) == 0


async def test_an_institution_sets_its_own_retention_and_the_pruning_job_follows_it(
    client: httpx.AsyncClient,
    app: FastAPI,
    demo: DemoSummary,
    other_institution: OtherSummary,
    clock: FixedClock,
) -> None:
    student = str(demo.person("student1@demo.test"))
    admin = await login(client, "admin@demo.test")
    other_admin = await login(client, "admin@other.test")
    periods = {
        c["category"]: c
        for c in ok(await client.get(f"{FILES}/retention", headers=admin), 200)["categories"]
    }
    assert periods["record_package"]["days"] == RECORD_PACKAGE_DAYS
    assert periods["report_card"]["days"] is None
    assert periods["receipt"]["min_days"] == 2557

    # Only institution administrators; out-of-range periods are refused and change nothing.
    accountant = await login(client, "accountant@demo.test")
    put = f"{FILES}/retention"
    r = await client.put(put, json={"periods": {"report_card": 10}}, headers=accountant)
    assert r.status_code == 403, r.text
    for bad in (
        {"receipt": 30},  # a financial record: seven years at least
        {"record_package": None},  # a copy: it must have a period
        {"record_package": 400},
        {"excuse_note": 0},
        {"report_card": True},
        {"no_such_category": 5},
    ):
        r = await client.put(put, json={"periods": bad}, headers=admin)
        assert r.status_code == 422, (bad, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    assert ok(await client.get(put, headers=admin), 200)["categories"] == list(periods.values())

    card = ok(
        await client.post(f"{FILES}/report-cards", json={"student_id": student}, headers=admin), 201
    )
    set_ = ok(await client.put(put, json={"periods": {"report_card": 10}}, headers=admin), 200)
    assert {c["category"]: c["days"] for c in set_["categories"]}["report_card"] == 10
    # Another institution keeps its defaults.
    theirs = ok(await client.get(put, headers=other_admin), 200)["categories"]
    assert {c["category"]: c["days"] for c in theirs}["report_card"] is None

    services = app.state.services
    clock.advance(timedelta(days=10) - timedelta(seconds=1))
    assert await prune_files(services) == 0
    clock.advance(timedelta(seconds=1))
    assert await prune_files(services) == 1
    assert not await kept(app, demo, card["id"])

    # Back to "as long as its record": a new card stays however long.
    admin = await login(client, "admin@demo.test")  # the clock moved past the token
    ok(await client.put(put, json={"periods": {"report_card": None}}, headers=admin), 200)
    again = ok(
        await client.post(f"{FILES}/report-cards", json={"student_id": student}, headers=admin), 201
    )
    clock.advance(timedelta(days=400))
    assert await prune_files(services) == 0
    assert await kept(app, demo, again["id"])


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)  # row locks: SQLite serialises whole transactions instead
async def test_two_administrators_saving_retention_at_once_keep_both_changes(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    """Saving merges into what is stored: a save that runs while another administrator's
    save holds the row waits for it and merges into its result, instead of overwriting it with
    what it read before."""
    admin = await login(client, "admin@demo.test")
    put = f"{FILES}/retention"
    ok(await client.put(put, json={"periods": {"report_card": 10}}, headers=admin), 200)

    row = file_retention.c
    async with app.state.services.session_factory() as other, other.begin():
        stored = await other.scalar(
            sa.select(row.periods)
            .where(row.institution_id == demo.institution_id)
            .with_for_update()
        )
        await other.execute(
            sa.update(file_retention)
            .where(row.institution_id == demo.institution_id)
            .values(periods={**stored, "excuse_note": 100})
        )
        saving = asyncio.create_task(
            client.put(put, json={"periods": {"attendance_letter": 50}}, headers=admin)
        )
        await asyncio.sleep(0.5)  # the save is waiting on the row, not done
        assert not saving.done()
    ok(await saving, 200)
    days = {
        c["category"]: c["days"]
        for c in ok(await client.get(put, headers=admin), 200)["categories"]
    }
    assert (days["report_card"], days["excuse_note"], days["attendance_letter"]) == (10, 100, 50)
