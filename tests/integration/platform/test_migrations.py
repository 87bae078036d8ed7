"""Migrations: one linear history that upgrades, downgrades and matches the model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from edtech.platform.db.engine import make_engine
from edtech.platform.db.migrations import alembic_config, downgrade, upgrade
from edtech.slices import metadata as all_tables
from tests import databases
from tests.services import need


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all (not the migrated template)."""
    if request.param == "sqlite":
        yield databases.sqlite_url(tmp_path / "empty.sqlite")
        return
    need("PostgreSQL")
    url = databases.create_empty_postgres_database()
    yield url
    databases.drop_postgres_database(url)


async def _table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))
    finally:
        await engine.dispose()


def test_history_is_linear() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1
    assert len(script.get_bases()) == 1


async def test_upgrade_then_downgrade_to_base_then_upgrade_again(empty_database: str) -> None:
    await upgrade(empty_database)
    model_tables = {t.name for t in all_tables().sorted_tables}
    assert model_tables <= await _table_names(empty_database)
    await downgrade(empty_database, "base")
    assert await _table_names(empty_database) <= {"alembic_version"}
    await upgrade(empty_database)
    assert model_tables <= await _table_names(empty_database)


async def test_every_step_downgrades_cleanly(empty_database: str) -> None:
    """The stairway: up one, down one, up one, for each revision in order."""
    script = ScriptDirectory.from_config(alembic_config())
    revisions = list(reversed(list(script.walk_revisions())))
    for rev in revisions:
        await upgrade(empty_database, rev.revision)
        await downgrade(empty_database, rev.down_revision or "base")  # type: ignore[arg-type]
        await upgrade(empty_database, rev.revision)


async def test_migrated_schema_matches_the_model(empty_database: str) -> None:
    await upgrade(empty_database)
    engine = make_engine(empty_database)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": True}), all_tables()
                )
            )
    finally:
        await engine.dispose()
    assert diff == [], f"migrations and model differ: {diff}"
