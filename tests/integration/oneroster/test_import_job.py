"""A roster upload runs as a background job: 202 with the import's resource, its progress and
outcome on `oneroster.import.{id}` for the institution's administrators, and over REST."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy import event

from edtech.demo import DemoSummary, OtherSummary
from edtech.oneroster.application.common import APPLY_ORDER
from edtech.oneroster.application.import_package import ImportPackage
from edtech.oneroster.infrastructure.imports import progress_port, uows_port
from edtech.platform.http.deps import use_case
from edtech.platform.jobs import job_table
from tests.integration.attendance.helpers import Socket
from tests.integration.oneroster.helpers import (
    imported,
    package,
    run_jobs,
    texts,
    upload,
    zipped,
)
from tests.roster import login


async def test_an_upload_is_queued_and_its_progress_and_report_reach_the_admin_live(
    client: httpx.AsyncClient,
    app: FastAPI,
    live_server: object,
    demo: DemoSummary,
    database_url: str,
) -> None:
    admin = await login(client, "admin@demo.test")
    r = await upload(client, admin, package("bulk"))
    assert r.status_code == 202, r.text
    queued = r.json()
    assert queued["state"] == "queued"
    assert queued["report"] is None
    assert r.headers["location"] == f"/api/v1/roster/imports/{queued['id']}"
    assert queued["channel"] == f"oneroster.import.{queued['id']}"
    # nothing is imported before the job runs
    people = await client.get("/api/v1/people", params={"q": "t-ada"}, headers=admin)
    assert people.json()["items"] == []

    ws = await Socket.open(live_server.ws_url, admin)  # type: ignore[attr-defined]
    try:
        assert (await ws.subscribe(queued["channel"]))["ok"]
        assert await run_jobs(app) == 1
        finished = await ws.event("oneroster.import_finished")
        started = await ws.event("oneroster.import_progressed")
    finally:
        await ws.close()
    assert started["data"]["phase"] == "started"
    assert finished["data"]["state"] == "succeeded"
    assert finished["data"]["report"]["entities"]["user"]["created"] == 11
    assert finished["data"]["problem"] is None
    applying = [
        e["data"]["file"]
        for e in ws.events
        if e["type"] == "oneroster.import_progressed" and e["data"]["phase"] == "applying"
    ]
    if database_url.startswith("postgresql"):
        # one step per file, in the order records are applied (each refers to earlier ones)
        assert applying == [
            "orgs",
            "academicSessions",
            "courses",
            "classes",
            "users",
            "roles",
            "enrollments",
            "demographics",
        ]
        assert [e["data"]["done"] for e in ws.events if e["data"].get("phase") == "applying"] == [
            1,
            2,
            3,
            4,
            5,
            6,
            7,
            8,
        ]
    else:  # SQLite has one writer: no step while the import's transaction is open
        assert applying == []
    offsets = [e["offset"] for e in ws.events]
    assert offsets == sorted(offsets)

    done = await client.get(r.headers["location"], headers=admin)
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["state"] == "succeeded"
    assert body["report"] == finished["data"]["report"]
    assert body["progress"]["phase"] == "finished"
    assert body["job"]["state"] == "succeeded"
    assert body["finished_at"] is not None
    people = await client.get("/api/v1/people", params={"q": "t-ada"}, headers=admin)
    assert len(people.json()["items"]) == 1


async def test_a_job_run_again_after_its_import_ended_changes_nothing(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    r = await upload(client, admin, package("bulk"))
    await run_jobs(app)
    first = (await client.get(r.headers["location"], headers=admin)).json()
    assert first["state"] == "succeeded"
    # a retry of the job (the node died after the import committed) must not import twice
    await use_case(ImportPackage, progress_port, uows_port)(app.state.services)(
        uuid.UUID(first["id"])
    )
    again = (await client.get(r.headers["location"], headers=admin)).json()
    assert again == first


async def test_a_refused_package_is_a_failed_import_whose_problems_reach_the_channel(
    client: httpx.AsyncClient, app: FastAPI, live_server: object, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    files = texts("bulk")
    files["users.csv"] = files["users.csv"].replace(b"t-alan,,,true", b"t-alan,,,True")
    r = await upload(client, admin, zipped(files))
    assert r.status_code == 202, r.text
    ws = await Socket.open(live_server.ws_url, admin)  # type: ignore[attr-defined]
    try:
        assert (await ws.subscribe(r.json()["channel"]))["ok"]
        await run_jobs(app)
        finished = await ws.event("oneroster.import_finished")
    finally:
        await ws.close()
    assert finished["data"]["state"] == "failed"
    assert finished["data"]["report"] is None
    errors = finished["data"]["problem"]["errors"]
    assert ["users.csv", 4, "enabledUser"] in [e["loc"] for e in errors]
    body = (await client.get(r.headers["location"], headers=admin)).json()
    assert body["state"] == "failed"
    assert body["problem"] == finished["data"]["problem"]


async def test_only_the_institutions_admins_follow_or_read_an_import(
    client: httpx.AsyncClient,
    app: FastAPI,
    live_server: object,
    demo: DemoSummary,
    other_institution: OtherSummary,
) -> None:
    admin = await login(client, "admin@demo.test")
    r = await upload(client, admin, package("bulk"))
    channel, location = r.json()["channel"], r.headers["location"]
    teacher = await login(client, "teacher1@demo.test")
    principal = await login(client, "schooladmin@demo.test")  # one school's, not the roster's
    stranger = await login(client, "admin@other.test")
    assert (await client.get(location, headers=teacher)).status_code == 403
    assert (await client.get(location, headers=principal)).status_code == 403
    assert (await client.get(location, headers=stranger)).status_code == 404
    for who in (teacher, principal, stranger):
        ws = await Socket.open(live_server.ws_url, who)  # type: ignore[attr-defined]
        try:
            assert (await ws.subscribe(channel))["ok"] is False
        finally:
            await ws.close()
    not_a_zip = await upload(client, admin, b"sourcedId,status\r\n")
    assert not_a_zip.status_code == 422, not_a_zip.text


async def test_an_import_whose_job_died_reads_as_failed_with_the_jobs_error(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    r = await upload(client, admin, package("bulk"))
    async with app.state.services.session_factory() as session:
        # the job's last attempt crashed (say the node ran out of memory): the dead letter
        await session.execute(
            sa.update(job_table)
            .where(job_table.c.args["import_id"].as_string() == r.json()["id"])
            .values(state="failed", attempts=3, last_error="MemoryError: ")
        )
        await session.commit()
    body = (await client.get(r.headers["location"], headers=admin)).json()
    assert body["state"] == "failed"
    assert body["problem"] == {"code": "job_failed", "detail": "MemoryError: "}
    assert body["job"] == {"state": "failed", "attempts": 3, "error": "MemoryError: "}


async def test_an_import_writes_its_sourcedid_map_in_batches_not_row_by_row(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    statements: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "oneroster_source" in statement and statement.lstrip().startswith(("INSERT", "UPDATE")):
            statements.append(statement.split()[0])

    engine = app.state.services.engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        report = await imported(client, app, admin, package("bulk"))
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert sum(e["created"] for e in report["entities"].values()) > 50
    # ~60 mapping rows: one executemany per file (written after each), never one per row
    assert set(statements) == {"INSERT"}
    assert len(statements) <= len(APPLY_ORDER) + 1  # + the guardian links, applied last
