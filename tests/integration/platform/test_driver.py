"""`DriverStatement`: a statement sent on the driver connection answers what the session would —
the same rows and values, in the session's transaction (begun by it when first, flushed
before it, rolled back with it), failures as SQLAlchemy's errors, seen by statement
listeners — and on SQLite it is the session's own statement."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import registry

from edtech.platform.db.bulk import among_bound
from edtech.platform.db.driver import DriverStatement
from edtech.platform.db.types import UTCDateTime


class Kind(enum.Enum):
    PLAIN = "plain"
    FANCY = "fancy"


test_metadata = sa.MetaData()
thing = sa.Table(
    "driver_test_thing",
    test_metadata,
    sa.Column("id", sa.Uuid(), primary_key=True),
    sa.Column("name", sa.String(40), nullable=False, unique=True),
    sa.Column("args", sa.JSON(), nullable=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("kind", sa.Enum(Kind, native_enum=False), nullable=False, default=Kind.PLAIN),
)


class Thing:
    """`thing` mapped, for the flush before a driver statement."""

    def __init__(self, id: uuid.UUID, name: str, at: datetime) -> None:
        self.id, self.name, self.at = id, name, at


registry().map_imperatively(Thing, thing)

AT = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)


def _things(*, postgresql: bool) -> sa.Select[Any]:
    return (
        sa.select(thing.c.id, thing.c.name, thing.c.args, thing.c.at.label("when"), thing.c.kind)
        .where(among_bound(thing.c.name, "names", postgresql=postgresql))
        .order_by(thing.c.name)
    )


THINGS = DriverStatement(_things(postgresql=True), elsewhere=_things(postgresql=False))
ADD = DriverStatement(
    sa.insert(thing).values(
        id=sa.bindparam("id"),
        name=sa.bindparam("name"),
        args=sa.bindparam("args"),
        at=AT,
        kind=sa.bindparam("kind", Kind.PLAIN),
    )
)

on_postgresql = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


async def _add(
    session: AsyncSession, name: str, args: Any = None, kind: Kind = Kind.PLAIN
) -> uuid.UUID:
    id_ = uuid.uuid4()
    row = {"id": id_, "name": name, "args": args, "at": AT, "kind": kind}
    await session.execute(thing.insert(), row)
    return id_


async def test_rows_are_the_sessions_rows(factory: async_sessionmaker[AsyncSession]) -> None:
    async with factory() as session, session.begin():
        a = await _add(session, "a", {"k": [1, None], "s": "é"}, Kind.FANCY)
        await _add(session, "b")
        await _add(session, "c")
        params = {"names": ["a", "b", "z"]}
        rows = await THINGS.rows(session, params)
        through_session = (await session.execute(_things(postgresql=False), params)).all()

    assert [tuple(r) for r in rows] == [tuple(r) for r in through_session]
    assert [[type(v) for v in r] for r in rows] == [[type(v) for v in r] for r in through_session]
    first = rows[0]
    assert (first.id, first.name, first.args, first.when, first.kind) == (
        a,
        "a",
        {"k": [1, None], "s": "é"},
        AT,
        Kind.FANCY,  # the Enum column's result type
    )
    assert first.when.tzinfo is not None  # the UTC column's own result type
    assert first._mapping["name"] == "a"
    assert [r.name for r in rows] == ["a", "b"]


@on_postgresql
async def test_a_driver_statement_is_in_the_sessions_transaction(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    async with factory(autoflush=True) as session:  # (edtech's sessions flush when told)
        await ADD.rows(session, {"id": uuid.uuid4(), "name": "first", "args": None})  # begins it
        seen = (await session.execute(sa.select(thing.c.name))).scalars().all()
        session.add(Thing(uuid.uuid4(), "pending", AT))  # flushed before the next one
        names = [r.name for r in await THINGS.rows(session, {"names": ["first", "pending"]})]
        await session.rollback()
        assert (seen, names) == (["first"], ["first", "pending"])
        assert await THINGS.rows(session, {"names": ["first", "pending"]}) == []
        await ADD.rows(
            session, {"id": uuid.uuid4(), "name": "kept", "args": [1], "kind": Kind.FANCY}
        )
        await session.commit()
    async with factory() as session:
        kept = await THINGS.rows(session, {"names": ["kept"]})
    assert [(r.name, r.args, r.kind) for r in kept] == [("kept", [1], Kind.FANCY)]


@on_postgresql
async def test_a_failure_is_sqlalchemys_error_and_the_transaction_rolls_back(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    async with factory() as session:
        await ADD.rows(session, {"id": uuid.uuid4(), "name": "twice", "args": None})
        with pytest.raises(sa.exc.IntegrityError) as raised:
            await ADD.rows(session, {"id": uuid.uuid4(), "name": "twice", "args": None})
        assert getattr(raised.value.orig, "sqlstate", None) == "23505"
        await session.rollback()
        assert await THINGS.rows(session, {"names": ["twice"]}) == []
        await ADD.rows(session, {"id": uuid.uuid4(), "name": "twice", "args": None})
        await session.commit()
    async with factory() as session:
        assert len(await THINGS.rows(session, {"names": ["twice"]})) == 1


@on_postgresql
async def test_statement_listeners_see_it(factory: async_sessionmaker[AsyncSession]) -> None:
    seen: list[tuple[str, str]] = []

    def before(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        seen.append(("before", statement))

    def after(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        seen.append(("after", statement))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
    sa.event.listen(sa.engine.Engine, "after_cursor_execute", after)
    try:
        async with factory() as session, session.begin():
            await THINGS.rows(session, {"names": ["a"]})
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", before)
        sa.event.remove(sa.engine.Engine, "after_cursor_execute", after)
    ours = [(when, text) for when, text in seen if "driver_test_thing" in text]
    assert [when for when, _ in ours] == ["before", "after"]
    assert "= ANY" in ours[0][1].upper()
    assert " IN " not in ours[0][1]


@on_postgresql
async def test_an_expanding_in_is_refused(factory: async_sessionmaker[AsyncSession]) -> None:
    expanding = DriverStatement(_things(postgresql=False))
    async with factory() as session:
        with pytest.raises(TypeError, match="expanding IN"):
            await expanding.rows(session, {"names": ["a"]})


RENAME = DriverStatement(
    sa.update(thing).where(thing.c.name == sa.bindparam("old")).values(name=sa.bindparam("new"))
)


async def test_a_statement_without_rows_answers_none(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    async with factory() as session, session.begin():
        await _add(session, "old")
        assert await RENAME.rows(session, {"old": "old", "new": "new"}) == []
        assert [r.name for r in await THINGS.rows(session, {"names": ["old", "new"]})] == ["new"]
