"""Migrated test databases: a SQLite template copied per test, a PostgreSQL database per run."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import sqlalchemy as sa

from edtech.platform.db.engine import make_engine
from edtech.platform.db.migrations import upgrade
from edtech.slices import metadata as all_tables
from tests.services import POSTGRES_URL


def run_blocking(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine to completion on its own loop in a thread (safe inside a running loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def make_sqlite_template(directory: Path) -> Path:
    path = directory / "template.sqlite"
    run_blocking(upgrade(sqlite_url(path)))
    return path


def fresh_sqlite(template: Path, directory: Path) -> str:
    target = directory / f"db-{uuid.uuid4().hex[:8]}.sqlite"
    shutil.copyfile(template, target)
    return sqlite_url(target)


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def postgres_url_for(name: str) -> str:
    base, _, _ = POSTGRES_URL.rpartition("/")
    return f"{base}/{name}"


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_empty_postgres_database() -> str:
    """Create a throw-away database with no tables; returns its URL."""
    name = f"edtech_test_{uuid.uuid4().hex[:12]}"
    run_blocking(_admin(f'CREATE DATABASE "{name}"'))
    return postgres_url_for(name)


def create_postgres_database() -> str:
    """Create and migrate a throw-away database; returns its URL."""
    url = create_empty_postgres_database()
    run_blocking(upgrade(url))
    return url


def drop_postgres_database(url: str) -> None:
    name = url.rpartition("/")[2]
    run_blocking(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def truncate_all(url: str) -> None:
    """Empty every table of the model (not alembic_version) so each test starts clean."""
    names = ", ".join(f'"{t.name}"' for t in all_tables().sorted_tables)
    if not names:
        return
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            # A connection an earlier test left open (a node stopped mid-transaction) would hold
            # its locks for ever and TRUNCATE would wait on it: every other session of this
            # per-run database is a leftover, so end them; and never wait silently.
            await conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            await conn.execute(sa.text("SET LOCAL lock_timeout = '30s'"))
            await conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()
