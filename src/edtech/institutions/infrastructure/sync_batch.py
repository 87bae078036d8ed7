"""Keeping the many rows of a roster in step with a system of record, set-based.

`RosterBatch` is `RosterSync` for the four kinds an import holds by the tens of thousands —
people, role assignments, enrollments and guardian links. It reads the institution's rows of
a kind once (one statement), decides every create, change and ending in memory by the same
domain rules (each new or changed record is built as its aggregate, so its checks run and its
events are recorded: a person added, enrolled, linked, assigned, an enrollment, role, link or
person ended), hands the events to `emit` (the unit of work's), and writes the rows with
`flush` in multi-row statements, a few thousand rows each, in foreign-key order. Like
`RosterSync` it applies no permission checks and never deletes.

Nothing is written until `flush`; the caller flushes before anything else reads these tables
(the import flushes after each file). The other kinds (orgs, sessions, courses, classes: a few
hundred rows) stay with `RosterSync`.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Collection
from datetime import date, datetime
from types import FunctionType, MethodType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.domain import Enrollment, GuardianLink, Person, RoleAssignment
from edtech.institutions.infrastructure.sync import convert_values
from edtech.institutions.infrastructure.tables import (
    enrollment,
    guardian_link,
    person,
    role_assignment,
)
from edtech.kernel.events import Aggregate, DomainEvent
from edtech.kernel.ids import new_id

CHUNK = 2000
"""Rows per INSERT or UPDATE statement."""
PREFETCH_BY_ID = 5000
"""Up to this many rows a file changes are read by id; more, and the whole kind is read."""
IDS_PER_QUERY = 1000

BATCH_KINDS: dict[str, tuple[type[Aggregate], sa.Table]] = {
    "user": (Person, person),
    "role": (RoleAssignment, role_assignment),
    "enrollment": (Enrollment, enrollment),
    "link": (GuardianLink, guardian_link),
}
"""The kinds kept here, in foreign-key order (people first)."""

INDEXED = frozenset({"section_id", "person_id", "student_id", "guardian_id"})
"""Columns the in-memory indexes (ties of a person, of a section, links of a pair) go by."""
_CREATED = {"user": "added", "role": "assigned", "enrollment": "enrolled", "link": "linked"}
Row = dict[str, Any]


class _Draft:
    """A row standing in for its aggregate, so the aggregate's own rules and event methods run
    on it (`__post_init__`, `check`, `enrolled`, `end`, …) without building a mapped instance:
    the ORM's instrumented constructor costs ~100 µs a row, a roster import makes 130,000.
    Attributes are the row's columns; methods are the aggregate's, bound to the draft; the
    events it records are kept in `events`."""

    def __init__(self, cls: type[Aggregate], row: Row) -> None:
        self.__dict__.update(row)
        self._cls = cls
        self.events: list[DomainEvent] = []

    def __getattr__(self, name: str) -> Any:  # only for what the row does not hold
        found = getattr(self._cls, name)
        return MethodType(found, self) if isinstance(found, FunctionType) else found

    def record(self, event: DomainEvent) -> None:
        self.events.append(event)

    def row(self, table: sa.Table) -> Row:
        return {c.name: self.__dict__[c.name] for c in table.columns}


def _defaults(cls: type[Aggregate]) -> Row:
    return {
        f.name: f.default
        for f in dataclasses.fields(cls)  # type: ignore[arg-type]
        if f.default is not dataclasses.MISSING
    }


def _open(row: Row, on: date) -> bool:
    """Not ended by `on` (active now or starting later)."""
    return row["ends_on"] is None or row["ends_on"] > on


class RosterBatch:
    """People, roles, enrollments and guardian links of one institution, changed in memory and
    written in multi-row statements by `flush`; events go to `emit` as they are recorded."""

    def __init__(
        self,
        session: AsyncSession,
        institution_id: uuid.UUID,
        now: datetime,
        emit: Callable[[DomainEvent], None],
        *,
        chunk: int = CHUNK,
    ) -> None:
        self.session = session
        self.institution_id = institution_id
        self.now = now
        self.emit = emit
        self.chunk = chunk
        self.rows: dict[str, dict[uuid.UUID, Row]] = {}
        self._new: dict[str, dict[uuid.UUID, Row]] = {k: {} for k in BATCH_KINDS}
        self._dirty: dict[str, dict[uuid.UUID, set[str]]] = {k: {} for k in BATCH_KINDS}
        self._complete: set[str] = set()
        """Kinds whose rows are all in `rows` (else only those `prefetch` read)."""
        self._emails: dict[str, uuid.UUID] = {}
        self._emails_read: set[str] = set()
        self._by_person: dict[str, dict[uuid.UUID, list[uuid.UUID]]] | None = None
        self._by_section: dict[uuid.UUID, list[uuid.UUID]] | None = None
        self._by_pair: dict[tuple[uuid.UUID, uuid.UUID], list[uuid.UUID]] | None = None
        self._defaults = {k: _defaults(cls) for k, (cls, _) in BATCH_KINDS.items()}
        self.statements = 0
        """Statements written by `flush` (for tests and benchmarks)."""

    # --- reading ------------------------------------------------------------------------

    async def load(self, kind: str) -> dict[uuid.UUID, Row]:
        """The institution's rows of `kind` by id, all of them, read in one statement the
        first time (rows read before by `prefetch`, and changed since, are kept as they are)."""
        if kind in self._complete:
            return self.rows[kind]
        table = BATCH_KINDS[kind][1]
        result = await self.session.execute(
            sa.select(table).where(table.c.institution_id == self.institution_id)
        )
        rows = self.rows.setdefault(kind, {})
        for r in result:
            if r.id not in rows:
                rows[r.id] = dict(r._mapping)
        self._complete.add(kind)
        if kind == "user":
            self._emails = {r["email"]: i for i, r in rows.items() if r["email"]}
        return rows

    async def prefetch(self, kind: str, ids: Collection[uuid.UUID]) -> None:
        """Read the rows a file is about to change: by id when they are few (a delta), all of
        the kind when they are many."""
        if kind in self._complete:
            return
        rows = self.rows.setdefault(kind, {})
        missing = [i for i in dict.fromkeys(ids) if i not in rows]
        if len(missing) > PREFETCH_BY_ID:
            await self.load(kind)
            return
        table = BATCH_KINDS[kind][1]
        for start in range(0, len(missing), IDS_PER_QUERY):
            result = await self.session.execute(
                sa.select(table).where(
                    table.c.institution_id == self.institution_id,
                    table.c.id.in_(missing[start : start + IDS_PER_QUERY]),
                )
            )
            for r in result:
                rows[r.id] = dict(r._mapping)
                if kind == "user" and r.email:
                    self._emails.setdefault(r.email, r.id)

    async def prefetch_emails(self, emails: Collection[str]) -> None:
        """Learn who holds these emails (the checks of a file's people), in a few statements."""
        if "user" in self._complete:
            return
        wanted = [e for e in dict.fromkeys(emails) if e and e not in self._emails_read]
        for start in range(0, len(wanted), IDS_PER_QUERY):
            chunk = wanted[start : start + IDS_PER_QUERY]
            result = await self.session.execute(
                sa.select(person.c.id, person.c.email).where(
                    person.c.institution_id == self.institution_id, person.c.email.in_(chunk)
                )
            )
            self._emails_read.update(chunk)
            for id_, email in result:
                self._held(id_, email)

    def _held(self, id_: uuid.UUID, email: str) -> None:
        """The database says `id_` holds `email`, unless this batch changed that row."""
        row = self.rows.get("user", {}).get(id_)
        if row is None or row["email"] == email:
            self._emails.setdefault(email, id_)

    async def exists(self, kind: str, id_: uuid.UUID) -> bool:
        return id_ in await self.load(kind)

    async def email_taken(self, email: str, but: uuid.UUID | None = None) -> bool:
        if "user" not in self._complete:
            await self.prefetch_emails([email])
        holder = self._emails.get(email)
        return holder is not None and holder != but

    async def open_link(
        self, student_id: uuid.UUID, guardian_id: uuid.UUID, on: date
    ) -> uuid.UUID | None:
        """The link between these two people that has not ended by `on`, if any."""
        links = await self.load("link")
        if self._by_pair is None:
            self._by_pair = {}
            for i, r in links.items():
                self._by_pair.setdefault((r["student_id"], r["guardian_id"]), []).append(i)
        for i in self._by_pair.get((student_id, guardian_id), ()):
            if _open(links[i], on):
                return i
        return None

    # --- changing -----------------------------------------------------------------------

    async def put(
        self, kind: str, id_: uuid.UUID | None, values: dict[str, Any]
    ) -> tuple[uuid.UUID, bool]:
        """Create the record (`id_` None) or change the given fields of an existing one, as
        `RosterSync.put` does; returns its id and whether anything changed."""
        cls, table = BATCH_KINDS[kind]
        values = convert_values(kind, values)
        rows = self.rows.setdefault(kind, {})
        if id_ is not None and id_ not in rows:
            await self.prefetch(kind, [id_])
        if id_ is not None and id_ in rows:
            row = rows[id_]
            changed = {n: v for n, v in values.items() if row[n] != v}
            if not changed:
                return id_, False
            if hasattr(cls, "check"):
                _Draft(cls, {**row, **changed}).check()
            if changed.keys() & INDEXED:
                self._forget(kind)
            if kind == "user" and "email" in changed:
                if row["email"] and self._emails.get(row["email"]) == id_:
                    del self._emails[row["email"]]
                if changed["email"]:
                    self._emails[changed["email"]] = id_
            row.update(changed)
            self._touch(kind, id_, changed)
            return id_, True
        extra: dict[str, Any] = {}
        if kind in ("user", "enrollment", "link"):
            extra["created_at"] = self.now
        new = id_ or new_id()
        draft = _Draft(
            cls,
            {
                **self._defaults[kind],
                **values,
                **extra,
                "id": new,
                "institution_id": self.institution_id,
            },
        )
        draft.__post_init__()  # the aggregate's checks (and a person's email made lower-case)
        getattr(draft, _CREATED[kind])(self.now)
        self._emit(draft)
        row = draft.row(table)
        rows[new] = row
        self._new[kind][new] = row
        self._index(kind, row)
        if kind == "user" and row["email"]:
            self._emails[row["email"]] = new
        return new, True

    async def end(self, kind: str, id_: uuid.UUID, on: date) -> bool:
        """End an enrollment, role, guardian link or person on `on` (the first day it no
        longer holds); a class's open enrollments end with it. False if nothing changed —
        as `RosterSync.end`."""
        if kind == "class":
            enrollments = await self.load("enrollment")
            ended = False
            for i in list(self._of_section(enrollments).get(id_, ())):
                if _open(enrollments[i], on):
                    self._end_tie("enrollment", enrollments[i], on)
                    ended = True
            return ended
        if kind not in BATCH_KINDS:
            return False
        await self.prefetch(kind, [id_])
        row = self.rows[kind].get(id_)
        if kind == "user":
            if row is None or not (row["ends_on"] is None or on < row["ends_on"]):
                return False
            for tie_kind in ("role", "enrollment", "link"):
                ties = await self.load(tie_kind)
                for i in list(self._of_person(tie_kind, ties).get(id_, ())):
                    if _open(ties[i], on):
                        self._end_tie(tie_kind, ties[i], on)
            draft = _Draft(Person, row)
            draft.end(on, self.now)
            self._emit(draft)
            row["ends_on"] = draft.ends_on
            self._touch("user", id_, {"ends_on"})
            return True
        if row is None or not _open(row, on):
            return False
        self._end_tie(kind, row, on)
        return True

    def _end_tie(self, kind: str, row: Row, on: date) -> None:
        draft = _Draft(BATCH_KINDS[kind][0], row)
        draft.end(max(on, row["begins_on"]), self.now)
        self._emit(draft)
        row["ends_on"] = draft.ends_on
        self._touch(kind, row["id"], {"ends_on"})

    def _emit(self, draft: _Draft) -> None:
        for event in draft.events:
            self.emit(event)

    def _touch(self, kind: str, id_: uuid.UUID, columns: Any) -> None:
        if id_ not in self._new[kind]:  # a new row is inserted as it is at flush
            self._dirty[kind].setdefault(id_, set()).update(columns)

    # --- indexes of ties, built when an ending needs them --------------------------------

    def _of_section(self, enrollments: dict[uuid.UUID, Row]) -> dict[uuid.UUID, list[uuid.UUID]]:
        if self._by_section is None:
            self._by_section = {}
            for i, r in enrollments.items():
                self._by_section.setdefault(r["section_id"], []).append(i)
        return self._by_section

    def _of_person(self, kind: str, ties: dict[uuid.UUID, Row]) -> dict[uuid.UUID, list[uuid.UUID]]:
        if self._by_person is None:
            self._by_person = {}
        index = self._by_person.get(kind)
        if index is None:
            index = self._by_person[kind] = {}
            for i, r in ties.items():
                for column in ("student_id", "guardian_id") if kind == "link" else ("person_id",):
                    index.setdefault(r[column], []).append(i)
        return index

    def _index(self, kind: str, row: Row) -> None:
        """Add a new row to the indexes built so far."""
        i = row["id"]
        if kind == "enrollment" and self._by_section is not None:
            self._by_section.setdefault(row["section_id"], []).append(i)
        if kind == "link" and self._by_pair is not None:
            self._by_pair.setdefault((row["student_id"], row["guardian_id"]), []).append(i)
        index = None if self._by_person is None else self._by_person.get(kind)
        if index is not None:
            for column in ("student_id", "guardian_id") if kind == "link" else ("person_id",):
                index.setdefault(row[column], []).append(i)

    def _forget(self, kind: str) -> None:
        """A row whose indexed columns changed makes the indexes over its kind stale."""
        if kind == "enrollment":
            self._by_section = None
        if kind == "link":
            self._by_pair = None
        if self._by_person is not None:
            self._by_person.pop(kind, None)

    # --- writing ------------------------------------------------------------------------

    async def flush(self) -> None:
        """Write what changed: new rows (multi-row INSERTs, people first), then changed
        columns (one executemany UPDATE per kind and set of columns)."""
        written: dict[str, list[uuid.UUID]] = {}
        for kind, (_, table) in BATCH_KINDS.items():
            new = list(self._new[kind].values())
            for start in range(0, len(new), self.chunk):
                await self.session.execute(sa.insert(table), new[start : start + self.chunk])
                self.statements += 1
            written[kind] = list(self._new[kind])
            self._new[kind] = {}
        for kind, (_, table) in BATCH_KINDS.items():
            groups: dict[tuple[str, ...], list[Row]] = {}
            rows = self.rows.get(kind, {})
            for id_, columns in self._dirty[kind].items():
                key = tuple(sorted(columns))
                row = rows[id_]
                groups.setdefault(key, []).append({"b_id": id_, **{c: row[c] for c in key}})
            for key, params in groups.items():
                stmt = (
                    sa.update(table)
                    .where(table.c.id == sa.bindparam("b_id"))
                    .values({c: sa.bindparam(c) for c in key})
                )
                for start in range(0, len(params), self.chunk):
                    await self.session.execute(stmt, params[start : start + self.chunk])
                    self.statements += 1
            self._dirty[kind] = {}
        self._evict(written)

    def _evict(self, written: dict[str, list[uuid.UUID]]) -> None:
        """Forget the rows just inserted (an import's memory): they are in the database now,
        where `prefetch` and `load` find them again if a later file needs them."""
        for kind, ids in written.items():
            if not ids:
                continue
            rows = self.rows.get(kind, {})
            for i in ids:
                rows.pop(i, None)
            self._complete.discard(kind)
            self._forget(kind)
