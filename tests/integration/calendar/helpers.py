"""Helpers of the calendar tests: reading sessions and outbox rows straight from the database."""

from __future__ import annotations

import json
import uuid
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI


async def rows(app: FastAPI, sql: str, **params: Any) -> list[Any]:
    """Rows of a read-only SQL query on the node's database."""
    async with app.state.services.session_factory() as session:
        return list((await session.execute(sa.text(sql), params)).all())


async def absence_events(app: FastAPI) -> list[dict[str, Any]]:
    """The data of every `attendance.absence_reported` event committed so far."""
    found = await rows(
        app, "SELECT data FROM outbox_event WHERE type = 'attendance.absence_reported'"
    )
    return [d if isinstance(d, dict) else json.loads(d) for (d,) in found]


def ids(values: list[Any]) -> set[str]:
    return {str(uuid.UUID(str(v))) for v in values}
