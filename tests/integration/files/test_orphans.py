"""A file's bytes are written before its row; when the row then fails to commit, the bytes are
deleted again — no object is left that no row points to (on a directory and on S3); and what a
node that died between the two left behind is swept a day later."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy.exc
from fastapi import FastAPI

from edtech.app import create_app
from edtech.demo import DemoSummary
from edtech.files.application.common import removed_on_failure, store
from edtech.files.application.sweep_orphans import GRACE
from edtech.files.domain import Category
from edtech.files.infrastructure.repository import SqlAlchemyFiles
from edtech.files.jobs import sweep_orphans
from edtech.kernel.clock import FixedClock
from edtech.platform.storage import ObjectMissingError, ObjectStorage, sha256_hex
from edtech.settings import Settings
from tests.integration.files.helpers import (
    PDF,
    attach,
    declaration,
    request_slot,
    send_bytes,
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


async def keys_kept(storage: ObjectStorage, keys: list[str]) -> list[str]:
    kept = []
    for key in keys:
        try:
            await storage.stat(key)
        except ObjectMissingError:
            continue
        kept.append(key)
    return kept


class LaterStepFailed(Exception):
    pass


async def save(
    app: FastAPI, demo: DemoSummary, subjects: list[uuid.UUID], fail: bool, seen: list[list[str]]
) -> str:
    """Store a file and commit its row, as the use cases do; `seen` gets the list of keys
    written (the one `removed_on_failure` deletes on failure)."""
    services = app.state.services
    storage: ObjectStorage = services.components.get(ObjectStorage)
    async with services.uow() as uow, removed_on_failure(storage) as written:
        seen.append(written)
        file = await store(
            SqlAlchemyFiles(uow.session),
            storage,
            institution_id=demo.institution_id,
            category=Category.EXCUSE_NOTE,
            record=("excuse", uuid.UUID(int=2)),
            filename="note.pdf",
            content_type="application/pdf",
            data=PDF,
            subjects=subjects,
            by=None,
            now=services.clock.now(),
            written=written,
        )
        assert await keys_kept(storage, written) == written  # the bytes went first
        if fail:
            raise LaterStepFailed
        await uow.commit()
    return file.storage_key


@pytest.mark.parametrize("failure", ["row refused by the database", "later step failed"])
async def test_bytes_whose_row_does_not_commit_are_deleted(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary, failure: str
) -> None:
    storage: ObjectStorage = app.state.services.components.get(ObjectStorage)
    student = demo.person("student1@demo.test")
    refused = failure.startswith("row")
    # a subject who is nobody: the database refuses the file's subject row (foreign key)
    subjects = [uuid.UUID(int=1)] if refused else [student]
    expected = sqlalchemy.exc.IntegrityError if refused else LaterStepFailed
    seen: list[list[str]] = []
    with pytest.raises(expected):
        await save(app, demo, subjects, not refused, seen)
    [written] = seen
    assert len(written) == 1  # the bytes were written…
    assert await keys_kept(storage, written) == []  # …and deleted when the row failed

    # a block that commits keeps its bytes
    key = await save(app, demo, [student], False, [])
    assert await keys_kept(storage, [key]) == [key]


async def test_the_sweep_deletes_day_old_objects_no_file_or_slot_points_at(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary, clock: FixedClock
) -> None:
    storage: ObjectStorage = app.state.services.components.get(ObjectStorage)
    guardian = await login(client, "guardian1@demo.test")
    excuse = await submit_excuse(client, guardian, demo.person("student1@demo.test"), "Flu")
    note = ok(await attach(client, excuse["id"], guardian, "note.pdf", PDF), 201)
    slot = ok(await request_slot(client, excuse["id"], guardian, declaration("n.pdf", PDF)), 201)
    assert (await send_bytes(client, slot, PDF)).status_code in (200, 204)
    # what a node that died after writing the bytes, before committing the row, leaves
    stray = f"{demo.institution_id}/{uuid.UUID(int=7)}"
    await storage.put(stray, PDF, content_type="application/pdf", sha256=sha256_hex(PDF))
    keys = [stray, f"{demo.institution_id}/{note['id']}", f"{demo.institution_id}/{slot['id']}"]

    assert await sweep_orphans(app.state.services) == 0  # too young: its commit may be coming
    assert await keys_kept(storage, keys) == keys
    clock.advance(GRACE + timedelta(minutes=10))  # the stores date objects by the wall clock
    assert await sweep_orphans(app.state.services) == 1
    assert await keys_kept(storage, keys) == keys[1:]  # the file and the pending slot stay
    assert await sweep_orphans(app.state.services) == 0
