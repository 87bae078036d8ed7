"""`insert_many`: rows in order, JSON and UTC datetimes as the ORM writes them, conflicts skipped
and the inserted rows' ids returned — on both dialects (PostgreSQL binds one array a column)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.platform.db.bulk import Rows, insert_columns, insert_many, insert_together
from edtech.platform.db.types import UTCDateTime

test_metadata = sa.MetaData()
item = sa.Table(
    "bulk_test_item",
    test_metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("key", sa.String(40), nullable=False, unique=True),
    sa.Column("n", sa.Integer(), nullable=False),
    sa.Column("args", sa.JSON(), nullable=True),
    sa.Column("at", UTCDateTime(), nullable=False),
)

part = sa.Table(
    "bulk_test_part",
    test_metadata,
    sa.Column("item_id", sa.Uuid(), sa.ForeignKey("bulk_test_item.id"), primary_key=True),
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("args", sa.JSON(), nullable=True),
)


def rows(keys: list[str], at: datetime) -> list[dict[str, Any]]:
    return [
        {
            "id": uuid.uuid4(),
            "key": k,
            "n": i,
            "args": {"k": k, "list": [i, None]} if i % 2 == 0 else None,
            "at": at + timedelta(seconds=i),
        }
        for i, k in enumerate(keys)
    ]


async def test_rows_are_inserted_in_order_with_their_json_and_utc_times(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    at = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    given = rows([f"k{i}" for i in range(2500)], at)
    async with factory() as session, session.begin():
        await insert_many(session, item, given)
    async with factory() as session:
        got = (await session.execute(sa.select(item).order_by(item.c.n))).mappings().all()
    assert [dict(r) for r in got] == given


async def test_conflicting_rows_are_skipped_and_only_the_inserted_ids_returned(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    at = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    first = rows(["a", "b"], at)
    async with factory() as session, session.begin():
        await insert_many(session, item, first)
    again = rows(["b", "c", "a", "d"], at)
    async with factory() as session, session.begin():
        inserted = await insert_many(
            session, item, again, skip_conflicts_on=("key",), returning="id"
        )
    assert sorted(inserted) == sorted([again[1]["id"], again[3]["id"]])
    assert all(isinstance(i, uuid.UUID) for i in inserted)
    async with factory() as session, session.begin():
        none = await insert_many(session, item, rows(["a"], at), skip_conflicts_on=())
    assert none == []
    async with factory() as session:
        keys = (await session.scalars(sa.select(item.c.key).order_by(item.c.key))).all()
    assert keys == ["a", "b", "c", "d"]


async def test_a_naive_datetime_is_refused(factory: async_sessionmaker[AsyncSession]) -> None:
    async with factory() as session, session.begin():
        with pytest.raises((ValueError, sa.exc.StatementError)):
            await insert_many(session, item, rows(["x"], datetime(2026, 12, 5, 9, 0)))


async def test_columns_and_values_every_row_shares_make_the_same_rows(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    at = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    given = rows([f"k{i}" for i in range(1200)], at)
    shared = {"args": {"same": [1, None]}, "at": at}
    async with factory() as session, session.begin():
        inserted = await insert_columns(
            session,
            item,
            {name: [r[name] for r in given] for name in ("id", "key", "n")},
            shared,
            skip_conflicts_on=("key",),
            returning="id",
        )
    assert inserted == [r["id"] for r in given]
    async with factory() as session:
        got = (await session.execute(sa.select(item).order_by(item.c.n))).mappings().all()
    assert [dict(r) for r in got] == [{**r, **shared} for r in given]
    async with factory() as session, session.begin():
        with pytest.raises(ValueError, match="one length"):
            await insert_columns(session, item, {"id": [uuid.uuid4()], "key": []}, shared)


def together(keys: list[str], at: datetime) -> tuple[Rows, Rows]:
    """Items and two parts of each, which reference them."""
    given = rows(keys, at)
    items = Rows(
        item,
        {name: [r[name] for r in given] for name in ("id", "key", "n", "args")},
        {"at": at},
        skip_conflicts_on=("key",),
    )
    parts = Rows(
        part,
        {"item_id": [r["id"] for r in given for _ in "ab"], "name": [*"ab"] * len(given)},
        {"args": {"of": "part"}},
    )
    return items, parts


async def test_rows_that_reference_rows_inserted_with_them_are_inserted_only_if_all_of_those_were(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    at = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    items, parts = together(["a", "b", "c"], at)
    async with factory() as session, session.begin():
        inserted = await insert_together(session, items, "id", [parts])
    assert sorted(inserted) == sorted(items.columns["id"])
    async with factory() as session:
        got = (await session.execute(sa.select(part).order_by(part.c.name))).all()
    assert sorted(got) == sorted(
        (i, name, {"of": "part"}) for i in items.columns["id"] for name in "ab"
    )
    # "b" is there: the new "d" is inserted, none of the parts (the caller plans the new ones')
    again, their_parts = together(["b", "d"], at)
    async with factory() as session, session.begin():
        inserted = await insert_together(session, again, "id", [their_parts])
    assert inserted == [again.columns["id"][1]]
    async with factory() as session:
        keys = (await session.scalars(sa.select(item.c.key).order_by(item.c.key))).all()
        count = await session.scalar(sa.select(sa.func.count()).select_from(part))
    assert keys == ["a", "b", "c", "d"]
    assert count == 6
    async with factory() as session, session.begin():
        assert await insert_together(session, Rows(item, {"id": []}), "id", [parts]) == []
