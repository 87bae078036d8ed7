"""Alembic environment: async, batch mode for SQLite, one linear history for both dialects."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

from edtech.platform.db.engine import make_engine
from edtech.slices import metadata as all_tables

metadata = all_tables()

config = context.config


def _do_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(_do_run)
            await conn.commit()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:  # called from edtech.platform.db.migrations inside a running loop
        _do_run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or os.environ.get(
        "EDTECH_DATABASE_URL", "sqlite+aiosqlite:///./edtech.db"
    )
    asyncio.run(_run_async(url))


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run them online")
run_migrations_online()
