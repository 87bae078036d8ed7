"""The outbox in the database: offsets allocated in the transaction, rows read for publishing,
recovery and pruning. Offsets follow commit order per channel and never skip."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.platform.db.bulk import among_bound
from edtech.platform.db.driver import DriverStatement
from edtech.platform.db.engine import dialect_insert
from edtech.realtime.infrastructure import channel_state, command_receipt, outbox_event
from edtech.realtime.protocol import event_frame, json_text


@dataclass(frozen=True)
class OutboxRow:
    """One event on one channel at one offset, as stored and as published."""

    id: int
    channel: str
    offset: int
    type: str
    data: Mapping[str, Any]
    occurred_at: datetime

    def frame(self) -> str:
        return event_frame(self.channel, self.offset, self.type, self.data, self.occurred_at)


@dataclass(frozen=True)
class Position:
    """Where a channel stands: its last committed offset and the epoch of its sequence."""

    offset: int
    epoch: str


def new_epoch() -> str:
    return secrets.token_hex(4)


async def allocate(
    session: AsyncSession, counts: Mapping[str, int], now: datetime
) -> dict[str, Position]:
    """Reserve the next `counts[channel]` offsets of each channel; returns, per channel, the
    LAST offset reserved and the channel's epoch.

    An upsert that increments in place, sent for all channels at once in name order (SQLAlchemy
    renders the parameter sets as one multi-row VALUES): on PostgreSQL it row-locks each channel
    until commit, in name order, so a concurrent transaction on the same channels waits (never
    deadlocks) and takes the following offsets; SQLite serialises writers. Either way offsets
    are handed out in commit order, without gaps.
    """
    insert = dialect_insert(session)
    upsert = insert(channel_state)
    stmt = upsert.on_conflict_do_update(
        index_elements=[channel_state.c.channel],
        set_={
            "last_offset": channel_state.c.last_offset + upsert.excluded.last_offset,
            "updated_at": upsert.excluded.updated_at,
        },
    ).returning(
        channel_state.c.channel,
        channel_state.c.last_offset,
        channel_state.c.epoch,
        sort_by_parameter_order=True,
    )
    params = [
        {"channel": c, "last_offset": counts[c], "epoch": new_epoch(), "updated_at": now}
        for c in sorted(counts)
    ]
    rows = (await session.execute(stmt, params)).all() if params else []
    return {str(r.channel): Position(int(r.last_offset), str(r.epoch)) for r in rows}


async def insert_rows(session: AsyncSession, values: Sequence[dict[str, Any]]) -> list[int]:
    """Insert outbox rows; returns their ids in the order given."""
    if not values:
        return []
    result = await session.execute(
        sa.insert(outbox_event).returning(outbox_event.c.id, sort_by_parameter_order=True),
        list(values),
    )
    return [int(r) for r in result.scalars()]


@dataclass(frozen=True)
class NewRow:
    """An event to append to a channel (its offset comes from `append`)."""

    channel: str
    type: str
    data: Mapping[str, Any]
    institution_id: uuid.UUID | None
    occurred_at: datetime


# Allocation and insert in one round trip (PostgreSQL): the upsert reserves each channel's
# offsets — one row per channel, in name order (`ord`), row-locked until commit exactly as
# `allocate` does — and the insert numbers the events from what it returned. Arrays bind every
# event at once, so the text, and the server's prepared statement, is the same for any batch.
# Every committed event's statement: sent on the driver connection (ADR-0023).
_APPEND = DriverStatement(
    sa.text(
        """
WITH reserved AS (
    INSERT INTO channel_state AS s (channel, last_offset, epoch, updated_at)
    SELECT a.channel, a.n, a.epoch, :now_a
    FROM unnest(CAST(:a_channel AS text[]), CAST(:a_n AS bigint[]), CAST(:a_epoch AS text[]))
        WITH ORDINALITY AS a(channel, n, epoch, ord)
    ORDER BY a.ord
    ON CONFLICT (channel) DO UPDATE
        SET last_offset = s.last_offset + excluded.last_offset, updated_at = excluded.updated_at
    RETURNING s.channel, s.last_offset
)
INSERT INTO outbox_event (channel, "offset", type, data, institution_id, occurred_at, created_at)
SELECT e.channel, r.last_offset - e.n + e.i, e.type, CAST(e.data AS json), e.inst, e.occ, :now_e
FROM unnest(
    CAST(:e_channel AS text[]), CAST(:e_i AS bigint[]), CAST(:e_n AS bigint[]),
    CAST(:e_type AS text[]), CAST(:e_data AS text[]), CAST(:e_inst AS uuid[]),
    CAST(:e_occ AS timestamptz[])
) WITH ORDINALITY AS e(channel, i, n, type, data, inst, occ, ord)
JOIN reserved r ON r.channel = e.channel
ORDER BY e.ord
RETURNING id, channel, "offset"
"""
    )
)


def _encoded(data: Sequence[Mapping[str, Any]]) -> list[str]:
    """Each row's data as JSON, encoded once per distinct object: an event sent to 10,000
    inboxes shares one payload."""
    seen: dict[int, str] = {}
    out = []
    for d in data:
        text = seen.get(id(d))
        if text is None:
            text = seen[id(d)] = json_text(dict(d))
        out.append(text)
    return out


async def append(session: AsyncSession, rows: Sequence[NewRow], now: datetime) -> list[OutboxRow]:
    """Give `rows` the next offsets of their channels and insert them (uncommitted); returns
    them in channel-name order, each channel's in the order given.

    PostgreSQL: one statement (`_APPEND`). Elsewhere: `allocate`, then `insert_rows`.
    """
    by_channel: dict[str, list[NewRow]] = {}
    for row in rows:
        by_channel.setdefault(row.channel, []).append(row)
    if not by_channel:
        return []
    ordered = [(c, i, r) for c in sorted(by_channel) for i, r in enumerate(by_channel[c], 1)]
    if session.get_bind().dialect.name != "postgresql":
        reserved = await allocate(session, {c: len(v) for c, v in by_channel.items()}, now)
        values: list[dict[str, Any]] = [
            {
                "channel": c,
                "offset": reserved[c].offset - len(by_channel[c]) + i,
                "type": r.type,
                "data": dict(r.data),
                "institution_id": r.institution_id,
                "occurred_at": r.occurred_at,
                "created_at": now,
                "published_at": None,
            }
            for c, i, r in ordered
        ]
        return [
            OutboxRow(id_, v["channel"], v["offset"], v["type"], v["data"], v["occurred_at"])
            for id_, v in zip(await insert_rows(session, values), values, strict=True)
        ]
    channels = sorted(by_channel)
    params = {
        "now_a": now,
        "a_channel": channels,
        "a_n": [len(by_channel[c]) for c in channels],
        "a_epoch": [new_epoch() for _ in channels],
        "now_e": now,
        "e_channel": [c for c, _, _ in ordered],
        "e_i": [i for _, i, _ in ordered],
        "e_n": [len(by_channel[c]) for c, _, _ in ordered],
        "e_type": [r.type for _, _, r in ordered],
        "e_data": _encoded([r.data for _, _, r in ordered]),
        "e_inst": [r.institution_id for _, _, r in ordered],
        "e_occ": [r.occurred_at for _, _, r in ordered],
    }
    if any(r.occurred_at.tzinfo is None for _, _, r in ordered):
        raise ValueError("naive datetime given to a UTC column")
    row_ids: dict[tuple[str, int], int] = {}
    last: dict[str, int] = {}
    for id_, channel, offset in await _APPEND.rows(session, params):
        row_ids[(str(channel), int(offset))] = int(id_)
        last[str(channel)] = max(last.get(str(channel), 0), int(offset))
    out: list[OutboxRow] = []
    for c in channels:
        first = last[c] - len(by_channel[c]) + 1
        for offset, r in enumerate(by_channel[c], start=first):
            out.append(
                OutboxRow(row_ids[(c, offset)], c, offset, r.type, dict(r.data), r.occurred_at)
            )
    return out


async def position(session: AsyncSession, channel: str, now: datetime) -> Position:
    """The committed position of `channel`, giving it an epoch (at offset 0) if it had none.

    Channel-state rows are never deleted, so a channel's epoch only changes if its sequence
    is reset outside the application (a database restored from backup, say).
    """
    insert = dialect_insert(session)
    await session.execute(
        insert(channel_state)
        .values(channel=channel, last_offset=0, epoch=new_epoch(), updated_at=now)
        .on_conflict_do_nothing(index_elements=[channel_state.c.channel])
    )
    row = (
        await session.execute(
            sa.select(channel_state.c.last_offset, channel_state.c.epoch).where(
                channel_state.c.channel == channel
            )
        )
    ).one()
    return Position(int(row.last_offset), str(row.epoch))


async def positions(session: AsyncSession, channels: Sequence[str]) -> dict[str, int]:
    """Last committed offsets of `channels` (those that have a row)."""
    out: dict[str, int] = {}
    for start in range(0, len(channels), 500):
        chunk = list(channels[start : start + 500])
        rows = await session.execute(
            sa.select(channel_state.c.channel, channel_state.c.last_offset).where(
                channel_state.c.channel.in_(chunk)
            )
        )
        out.update({r.channel: int(r.last_offset) for r in rows})
    return out


_COLUMNS = (
    outbox_event.c.id,
    outbox_event.c.channel,
    outbox_event.c.offset,
    outbox_event.c.type,
    outbox_event.c.data,
    outbox_event.c.occurred_at,
)


def _row(r: Any) -> OutboxRow:
    return OutboxRow(r.id, r.channel, int(r.offset), r.type, r.data, r.occurred_at)


async def read_range(session: AsyncSession, channel: str, after: int, upto: int) -> list[OutboxRow]:
    """Rows of `channel` with after < offset <= upto, in offset order (what remains of them)."""
    rows = await session.execute(
        sa.select(*_COLUMNS)
        .where(
            outbox_event.c.channel == channel,
            outbox_event.c.offset > after,
            outbox_event.c.offset <= upto,
        )
        .order_by(outbox_event.c.offset)
    )
    return [_row(r) for r in rows]


async def claim_unpublished(
    session: AsyncSession, created_before: datetime, limit: int
) -> list[OutboxRow]:
    """Lock a batch of unpublished rows (PostgreSQL: SKIP LOCKED, so nodes share the work)."""
    rows = await session.execute(
        sa.select(*_COLUMNS)
        .where(outbox_event.c.published_at.is_(None), outbox_event.c.created_at < created_before)
        .order_by(outbox_event.c.channel, outbox_event.c.offset)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [_row(r) for r in rows]


def _mark(*, postgresql: bool) -> sa.Update:
    return (
        sa.update(outbox_event)
        .where(among_bound(outbox_event.c.id, "ids", postgresql=postgresql))
        .values(published_at=sa.bindparam("now"))
    )


_MARK = DriverStatement.per_dialect(_mark)
"""Rows marked published: after each batch's publish, on the driver connection (PostgreSQL:
one statement text whatever the number of ids)."""


async def mark_published(session: AsyncSession, ids: Sequence[int], now: datetime) -> None:
    for start in range(0, len(ids), 500):
        await _MARK.rows(session, {"ids": list(ids[start : start + 500]), "now": now})


async def prune(session: AsyncSession, before: datetime) -> int:
    """Delete published rows and `send` receipts older than `before`; returns rows deleted."""
    events = await session.execute(
        sa.delete(outbox_event).where(
            outbox_event.c.published_at.is_not(None), outbox_event.c.created_at < before
        )
    )
    receipts = await session.execute(
        sa.delete(command_receipt).where(command_receipt.c.created_at < before)
    )
    return int(getattr(events, "rowcount", 0) or 0) + int(getattr(receipts, "rowcount", 0) or 0)
