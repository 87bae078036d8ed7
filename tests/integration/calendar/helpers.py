"""Helpers of the calendar tests: reading sessions and outbox rows straight from the database."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI


async def rows(app: FastAPI, sql: str, **params: Any) -> list[Any]:
    """Rows of a read-only SQL query on the node's database."""
    async with app.state.services.session_factory() as session:
        return list((await session.execute(sa.text(sql), params)).all())


async def absence_events(app: FastAPI) -> int:
    found = await rows(
        app, "SELECT count(*) FROM outbox_event WHERE type = 'attendance.absence_reported'"
    )
    return int(found[0][0])


def ids(values: list[Any]) -> set[str]:
    return {str(uuid.UUID(str(v))) for v in values}
