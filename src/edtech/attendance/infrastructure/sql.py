"""SQL helpers shared by the attendance repositories."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

CHUNK = 500
"""Rows per statement for IN lists and bulk inserts (well under both dialects' parameter caps)."""


def dialect_insert(session: AsyncSession) -> Any:
    """The dialect's INSERT (for ON CONFLICT DO NOTHING, which both dialects spell alike)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
