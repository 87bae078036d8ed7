"""Which roster record each outside `sourcedId` is, per institution and kind (Core statements:
a mapping log with no behaviour, read at the start of an import)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.kernel.ids import new_id
from edtech.oneroster.infrastructure.tables import source

FETCH_BY_ID = 5000
"""Up to this many imported rows of a kind are read by sourcedId; more, and the whole kind."""
IDS_PER_QUERY = 1000
STREAMED = 2000
"""`fetch_records(compare=True)` decodes this many rows at a time (then keeps their digests)."""
ROWS_PER_STATEMENT = 2000
"""`flush` writes this many rows per statement (an import flushes after each file)."""


def digest_of(record: Mapping[str, Any]) -> bytes:
    """A row as imported, reduced to 16 bytes: equal rows (same fields, same values, in any
    order) have equal digests."""
    text = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


@dataclass(slots=True)
class Source:
    """One mapped record: our id, 'active' or 'tobedeleted', and the row as it came in."""

    id: uuid.UUID | None
    kind: str
    sourced_id: str
    target_id: uuid.UUID
    status: str
    record: dict[str, Any]
    loaded: bool = True
    """False while `record` is not read yet (`load(records=...)`, then `fetch_records`)."""
    digest: bytes | None = None
    """While `record` is not read: the stored row's `digest_of`, when `fetch_records` was
    asked only to compare (an import's memory: 16 bytes, not the row decoded)."""

    def holds(self, record: Mapping[str, Any]) -> bool:
        """Whether the row as imported is `record` (False when it was not read)."""
        if self.loaded:
            return self.record == record
        return self.digest is not None and self.digest == digest_of(record)


class SqlAlchemySources:
    """The institution's sourcedId mappings on a session; `load` reads them once.

    With `batched`, `put` only records the change and `flush` writes them all at once (one
    executemany for the new rows, one for the changed ones): an import touches every row of
    a package, and one statement per row was a third of its round trips."""

    def __init__(
        self, session: AsyncSession, institution_id: uuid.UUID, *, batched: bool = False
    ) -> None:
        self.session = session
        self.institution_id = institution_id
        self.by_kind: dict[str, dict[str, Source]] = {}
        self.batched = batched
        self._inserts: dict[uuid.UUID, dict[str, Any]] = {}
        self._updates: dict[uuid.UUID, dict[str, Any]] = {}

    async def load(
        self,
        *,
        records: Collection[str] | None = None,
        kinds: Collection[str] | None = None,
        fields: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """Read the mappings. With `records`, only those kinds come with their row as imported
        (the rest are read for the rows that need them by `fetch_records`: a delta of a few
        hundred rows need not decode the 100,000 rows imported before); `fields` reads a few
        fields of a kind's rows instead (left not `loaded`); `kinds` reads only those kinds
        (the others by `load_named`)."""
        c = source.c
        mine = [c.institution_id == self.institution_id]
        if kinds is not None:
            mine.append(c.kind.in_(list(kinds)))
        if records is None:
            for row in (await self.session.execute(sa.select(source).where(*mine))).all():
                self._add(row.id, row.kind, row.sourced_id, row.target_id, row.status, row.record)
            return
        fields = fields or {}
        plain = sa.select(c.id, c.kind, c.sourced_id, c.target_id, c.status).where(
            *mine, c.kind.not_in([*records, *fields])
        )
        for row in (await self.session.execute(plain)).all():
            self._add(row.id, row.kind, row.sourced_id, row.target_id, row.status, None)
        for kind, names in fields.items():
            if kinds is not None and kind not in kinds:
                continue
            picked = [c.record[n].as_string() for n in names]
            stmt = sa.select(c.id, c.sourced_id, c.target_id, c.status, *picked).where(
                c.institution_id == self.institution_id, c.kind == kind
            )
            for id_, sourced_id, target_id, status, *values in (
                await self.session.execute(stmt)
            ).all():
                self._add(id_, kind, sourced_id, target_id, status, None)
                self.by_kind[kind][sourced_id].record = {
                    n: v for n, v in zip(names, values, strict=True) if v is not None
                }
        whole = sa.select(source).where(*mine, c.kind.in_(list(records)))
        for row in (await self.session.execute(whole)).all():
            self._add(row.id, row.kind, row.sourced_id, row.target_id, row.status, row.record)

    async def load_named(self, kind: str, sourced_ids: Iterable[str]) -> None:
        """The mappings of these sourcedIds, with their rows as imported (a kind `load` left
        out: a delta's enrollments, say, need not read the 60,000 imported before)."""
        wanted = [k for k in dict.fromkeys(sourced_ids) if k not in self.of_kind(kind)]
        c = source.c
        for i in range(0, len(wanted), IDS_PER_QUERY):
            stmt = sa.select(source).where(
                c.institution_id == self.institution_id,
                c.kind == kind,
                c.sourced_id.in_(wanted[i : i + IDS_PER_QUERY]),
            )
            for row in (await self.session.execute(stmt)).all():
                self._add(row.id, row.kind, row.sourced_id, row.target_id, row.status, row.record)

    def _add(
        self,
        id_: uuid.UUID,
        kind: str,
        sourced_id: str,
        target_id: uuid.UUID,
        status: str,
        record: dict[str, Any] | None,
    ) -> None:
        self.by_kind.setdefault(kind, {})[sourced_id] = Source(
            id_, kind, sourced_id, target_id, status, dict(record or {}), record is not None
        )

    async def fetch_records(
        self, kind: str, sourced_ids: Iterable[str], *, compare: bool = False
    ) -> None:
        """Read the imported rows of these mappings that `load` left out: by sourcedId when
        they are few, the whole kind when they are many. With `compare`, keep only each row's
        digest (enough for `Source.holds`), read a few thousand rows at a time."""
        mine = self.of_kind(kind)
        missing = [
            k
            for k in dict.fromkeys(sourced_ids)
            if k in mine and not mine[k].loaded and not (compare and mine[k].digest)
        ]
        if not missing:
            return
        c = source.c
        where = [c.institution_id == self.institution_id, c.kind == kind]
        if len(missing) > FETCH_BY_ID:
            chunks = [where]
        else:
            chunks = [
                [*where, c.sourced_id.in_(missing[i : i + IDS_PER_QUERY])]
                for i in range(0, len(missing), IDS_PER_QUERY)
            ]
        for chunk in chunks:
            stmt = sa.select(c.sourced_id, c.record).where(*chunk)
            if not compare:
                for sourced_id, record in (await self.session.execute(stmt)).all():
                    found = mine.get(sourced_id)
                    if found is not None and not found.loaded:
                        found.record, found.loaded, found.digest = dict(record), True, None
                continue
            result = await self.session.stream(stmt.execution_options(yield_per=STREAMED))
            async for partition in result.partitions():
                for sourced_id, record in partition:
                    found = mine.get(sourced_id)
                    if found is not None and not found.loaded:
                        found.digest = digest_of(record)

    def get(self, kind: str, sourced_id: str) -> Source | None:
        return self.by_kind.get(kind, {}).get(sourced_id)

    def of_kind(self, kind: str) -> dict[str, Source]:
        return self.by_kind.get(kind, {})

    def target(self, kind: str, sourced_id: str) -> uuid.UUID | None:
        found = self.get(kind, sourced_id)
        return None if found is None else found.target_id

    async def put(
        self,
        kind: str,
        sourced_id: str,
        target_id: uuid.UUID,
        status: str,
        record: dict[str, Any],
        now: datetime,
    ) -> None:
        found = self.get(kind, sourced_id)
        changes = {"target_id": target_id, "status": status, "record": record, "updated_at": now}
        if found is not None and found.id is not None:
            found.target_id, found.status, found.record = target_id, status, record
            found.loaded, found.digest = True, None
            if found.id in self._inserts:  # new in this batch: write it as it is now
                self._inserts[found.id].update(changes)
            elif self.batched:
                self._updates[found.id] = {"b_id": found.id, **changes}
            else:
                await self.session.execute(
                    sa.update(source).where(source.c.id == found.id).values(**changes)
                )
            return
        row_id = new_id()
        row = {
            "id": row_id,
            "institution_id": self.institution_id,
            "kind": kind,
            "sourced_id": sourced_id,
            **changes,
        }
        if self.batched:
            self._inserts[row_id] = row
        else:
            await self.session.execute(sa.insert(source).values(**row))
        self.by_kind.setdefault(kind, {})[sourced_id] = Source(
            row_id, kind, sourced_id, target_id, status, record
        )

    def unload(self, kind: str) -> None:
        """Forget the imported rows of a kind (an import's memory, once its file is applied);
        `fetch_records` reads them again if needed. Call after `flush`."""
        for found in self.of_kind(kind).values():
            if found.loaded or found.digest is not None:
                found.record, found.loaded, found.digest = {}, False, None

    async def flush(self) -> None:
        """Write the batched changes (nothing to do unless `batched`)."""
        inserts = list(self._inserts.values())
        for i in range(0, len(inserts), ROWS_PER_STATEMENT):
            await self.session.execute(sa.insert(source), inserts[i : i + ROWS_PER_STATEMENT])
        if self._updates:
            stmt = (
                sa.update(source)
                .where(source.c.id == sa.bindparam("b_id"))
                .values(
                    target_id=sa.bindparam("target_id"),
                    status=sa.bindparam("status"),
                    record=sa.bindparam("record"),
                    updated_at=sa.bindparam("updated_at"),
                )
            )
            updates = list(self._updates.values())
            for i in range(0, len(updates), ROWS_PER_STATEMENT):
                await self.session.execute(stmt, updates[i : i + ROWS_PER_STATEMENT])
        self._inserts, self._updates = {}, {}


async def sourced_ids_by_target(
    session: AsyncSession, institution_id: uuid.UUID, kind: str
) -> dict[uuid.UUID, tuple[str, str, dict[str, Any]]]:
    """Our id → (sourcedId, status, row as imported) for one kind (exports and the provider)."""
    stmt = sa.select(
        source.c.target_id, source.c.sourced_id, source.c.status, source.c.record
    ).where(source.c.institution_id == institution_id, source.c.kind == kind)
    return {
        r.target_id: (r.sourced_id, r.status, dict(r.record)) for r in await session.execute(stmt)
    }
