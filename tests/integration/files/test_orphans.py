"""A file's bytes are written before its row; when the row then fails to commit, the bytes are
deleted again — no object is left that no row points to (on a directory and on S3)."""

from __future__ import annotations

import uuid

import httpx
import pytest
import sqlalchemy.exc
from fastapi import FastAPI

from edtech.demo import DemoSummary
from edtech.files.application.common import removed_on_failure, store
from edtech.files.domain import Category
from edtech.files.infrastructure.repository import SqlAlchemyFiles
from edtech.platform.storage import ObjectMissingError, ObjectStorage
from tests.integration.files.helpers import PDF


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
