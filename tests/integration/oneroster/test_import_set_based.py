"""The import is set-based: the number of statements it sends does not grow with the package
(rows are read in a few queries and written in multi-row statements), a re-import writes
nothing, and a delta reads only what it names."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from bench.oneroster_import import bulk_zip, delta_zip, generate
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from edtech.demo import DemoSummary
from tests.integration.oneroster.helpers import imported, school_year, writes
from tests.roster import login

STUDENTS = 100
"""6 staff, 150 guardians, 9 classes, 600 student enrollments: 1,134 rows."""


@contextmanager
def counted(engine: AsyncEngine) -> Iterator[list[str]]:
    """Statements sent inside the block (an executemany, or a page of one, counts once)."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(" ".join(str(args[2]).split()).lower())

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


async def test_a_bulk_import_sends_a_few_statements_per_file_not_one_per_row(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    files = generate(STUDENTS, school_year()[0])
    rows = sum(len(r) for r in files.values())
    engine = app.state.services.engine
    with counted(engine) as bulk:
        report = await imported(client, app, admin, bulk_zip(files))
    assert report["entities"]["enrollment"]["created"] == STUDENTS * 6 + STUDENTS * 9 // 100
    assert report["entities"]["link"]["created"] == STUDENTS * 3 // 2
    # row by row it took two or three statements a row (3,000+); orgs, sessions, courses and
    # classes (30 rows here) still go one by one
    assert len(bulk) < 200, (rows, len(bulk))

    with counted(engine) as again:
        report = await imported(client, app, admin, bulk_zip(files))
    assert writes(report) == 0
    assert not [s for s in again if _writes_roster(s)], again
    assert len(again) < 60, again

    with counted(engine) as delta:
        report = await imported(client, app, admin, delta_zip(files, 20))
    assert report["entities"]["user"]["changed"] == 10
    assert report["entities"]["enrollment"]["changed"] == 10
    assert len(delta) < 60, delta
    assert sum(_writes_roster(s) for s in delta) <= 4, delta  # people, enrollments, sources


ROSTER = ("person", "role_assignment", "enrollment", "guardian_link", "oneroster_source")


def _writes_roster(statement: str) -> bool:
    return any(
        statement.startswith((f"insert into {t} ", f"update {t} ", f"delete from {t} "))
        for t in ROSTER
    )
