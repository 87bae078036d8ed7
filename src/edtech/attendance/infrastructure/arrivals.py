"""Set-based reads and writes for scan batches: resolve a whole batch in one query, mark the
arrivals in one conditional statement (PostgreSQL; SQLite, the embedded store, row by row).

Marks are built as plain domain objects from rows, not loaded into the ORM session: a batch
never flushes an ORM unit of work, so the session's optimistic version (which the closer and
hand edits write) is never checked, and a mark is only written while it is still unmarked at
the version we read.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import class_mapper

from edtech.attendance.domain import AttendanceSession, Mark, SessionState
from edtech.attendance.infrastructure.arrival_sql import (
    ARRIVE,
    ARRIVE_FIELDS,
    BATCH,
    MARK_COLUMNS,
    MARK_FIELDS,
    SESSION_COLUMNS,
    SESSION_FIELDS,
)
from edtech.attendance.infrastructure.records import StoredScan
from edtech.attendance.infrastructure.sql import CHUNK
from edtech.attendance.infrastructure.tables import (
    attendance_credential,
    attendance_mark,
    attendance_scan,
    attendance_session,
)

_m, _s, _k, _c = attendance_mark, attendance_session, attendance_scan, attendance_credential
_NEW_MARK = class_mapper(Mark).class_manager.new_instance
_NEW_SESSION = class_mapper(AttendanceSession).class_manager.new_instance


@dataclass(frozen=True)
class ScanKey:
    """One scan to resolve: its device and id there, its credential hash and its time."""

    device_id: uuid.UUID
    scan_id: str
    value_hash: str
    at: datetime


@dataclass
class Resolution:
    """What the database knows about a batch: earlier scans, card holders, candidate marks.

    Marks and sessions are fresh domain objects, one per id (two scans of one student in one
    session share the mark, so the second finds it marked)."""

    known: dict[tuple[uuid.UUID, str], StoredScan] = field(default_factory=dict)
    students: dict[str, uuid.UUID] = field(default_factory=dict)
    candidates: dict[uuid.UUID, list[tuple[Mark, AttendanceSession]]] = field(default_factory=dict)
    _marks: dict[uuid.UUID, Mark] = field(default_factory=dict)
    _sessions: dict[uuid.UUID, AttendanceSession] = field(default_factory=dict)

    def add_candidate(self, row: Any) -> tuple[Mark, AttendanceSession]:
        mark_id = row.m_id
        mark = self._marks.get(mark_id)
        if mark is None:
            session_id = row.s_id
            att = self._sessions.get(session_id)
            if att is None:
                att = _NEW_SESSION()
                att.__dict__.update({f: getattr(row, f"s_{f}") for f in SESSION_FIELDS})
                self._sessions[session_id] = att
            # As the ORM's loader does: state set straight into the instance (the instrumented
            # constructor costs several times more, for a thousand marks per batch).
            mark = _NEW_MARK()
            mark.__dict__.update({f: getattr(row, f"m_{f}") for f in MARK_FIELDS})
            self._marks[mark_id] = mark
            self.candidates.setdefault(mark.student_id, []).append((mark, att))
        return mark, self._sessions[mark.session_id]


class SqlAlchemyArrivals:
    """Scan batches against marks and sessions, in as few statements as the dialect allows."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.postgres = session.get_bind().dialect.name == "postgresql"

    async def resolve(self, institution_id: uuid.UUID, scans: Sequence[ScanKey]) -> Resolution:
        """Earlier uploads of these scan ids, the holders of these cards, and the holders'
        marks in sessions whose window holds the scan time (any school of the institution)."""
        out = Resolution()
        if not scans:
            return out
        if not self.postgres:
            return await self._resolve_stepwise(out, institution_id, scans)
        for start in range(0, len(scans), CHUNK * 2):
            chunk = scans[start : start + CHUNK * 2]
            params = {
                "device_ids": [s.device_id for s in chunk],
                "scan_ids": [s.scan_id for s in chunk],
                "hashes": [s.value_hash for s in chunk],
                "ats": [s.at for s in chunk],
                "institution_id": institution_id,
            }
            for row in await self.session.execute(BATCH, params):
                if row.k_result is not None:
                    out.known[(row.device_id, row.scan_id)] = StoredScan(
                        row.k_result, row.k_reason, row.k_student_id, row.k_session_id
                    )
                    continue
                if row.c_student_id is not None:
                    out.students[row.value_hash] = row.c_student_id
                if row.m_id is not None:
                    out.add_candidate(row)
        return out

    async def _resolve_stepwise(
        self,
        out: Resolution,
        institution_id: uuid.UUID,
        scans: Sequence[ScanKey],
    ) -> Resolution:
        """SQLite (no arrays): the same answers in a few statements per chunk."""
        by_device: dict[uuid.UUID, list[str]] = {}
        for s in scans:
            by_device.setdefault(s.device_id, []).append(s.scan_id)
        for device_id, scan_ids in by_device.items():
            ids = list(dict.fromkeys(scan_ids))
            for start in range(0, len(ids), CHUNK):
                stmt = sa.select(_k).where(
                    _k.c.device_id == device_id, _k.c.scan_id.in_(ids[start : start + CHUNK])
                )
                for r in await self.session.execute(stmt):
                    out.known[(device_id, r.scan_id)] = StoredScan(
                        r.result, r.reason, r.student_id, r.session_id
                    )
        fresh = [s for s in scans if (s.device_id, s.scan_id) not in out.known]
        hashes = list(dict.fromkeys(s.value_hash for s in fresh))
        for start in range(0, len(hashes), CHUNK):
            stmt = sa.select(_c.c.value_hash, _c.c.student_id).where(
                _c.c.institution_id == institution_id,
                _c.c.value_hash.in_(hashes[start : start + CHUNK]),
                _c.c.revoked_at.is_(None),
            )
            out.students.update(
                {r.value_hash: r.student_id for r in await self.session.execute(stmt)}
            )
        identified = [s for s in fresh if s.value_hash in out.students]
        if not identified:
            return out
        earliest = min(s.at for s in identified)
        latest = max(s.at for s in identified)
        students = list(dict.fromkeys(out.students[s.value_hash] for s in identified))
        for start in range(0, len(students), CHUNK):
            stmt = (
                sa.select(*MARK_COLUMNS, *SESSION_COLUMNS)
                .join_from(_m, _s, _s.c.id == _m.c.session_id)
                .where(
                    _s.c.institution_id == institution_id,
                    _s.c.opens_at <= latest,
                    _s.c.closes_at > earliest,
                    _m.c.student_id.in_(students[start : start + CHUNK]),
                )
            )
            for row in await self.session.execute(stmt):
                out.add_candidate(row)
        return out

    async def reload(self, mark_ids: Iterable[uuid.UUID]) -> Resolution:
        """These marks and their sessions as committed now (after losing a race for them)."""
        out = Resolution()
        ids = list(dict.fromkeys(mark_ids))
        for start in range(0, len(ids), CHUNK):
            stmt = (
                sa.select(*MARK_COLUMNS, *SESSION_COLUMNS)
                .join_from(_m, _s, _s.c.id == _m.c.session_id)
                .where(_m.c.id.in_(ids[start : start + CHUNK]))
            )
            for row in await self.session.execute(stmt):
                out.add_candidate(row)
        return out

    async def open_scheduled(
        self, session_ids: Iterable[uuid.UUID], now: datetime
    ) -> set[uuid.UUID]:
        """Open those of these sessions that are still scheduled; returns the ones opened.

        A session the closer got first stays closed (no error): its marks are no longer
        unmarked, so the scans for it come out as `session_closed`."""
        ids = list(dict.fromkeys(session_ids))
        opened: set[uuid.UUID] = set()
        for start in range(0, len(ids), CHUNK):
            stmt = (
                sa.update(_s)
                .where(
                    _s.c.id.in_(ids[start : start + CHUNK]),
                    _s.c.state == SessionState.SCHEDULED.value,
                )
                .values(state=SessionState.OPEN.value, version=_s.c.version + 1)
                .returning(_s.c.id)
            )
            opened.update((await self.session.scalars(stmt)).all())
        return opened

    async def arrive(self, marks: Sequence[Mark], now: datetime) -> set[uuid.UUID]:
        """Write the arrivals already applied to `marks` (their `version` is the new one, their
        `updated_by` the device), each only where the row is still unmarked at the version
        before; returns the ids of the marks written."""
        if not marks:
            return set()
        written: set[uuid.UUID] = set()
        if self.postgres:
            for start in range(0, len(marks), CHUNK * 2):
                chunk = marks[start : start + CHUNK * 2]
                params = {
                    "ids": [m.id for m in chunk],
                    "versions": [m.version for m in chunk],
                    "codes": [m.official_code for m in chunk],
                    "categories": [m.category.value if m.category else None for m in chunk],
                    "minutes": [m.minutes_late for m in chunk],
                    "arrivals": [m.arrived_at for m in chunk],
                    "sources": [m.source.value if m.source else None for m in chunk],
                    "actors": [m.updated_by for m in chunk],
                    "now": now,
                }
                written.update((await self.session.scalars(ARRIVE, params)).all())
            return written
        for mark in marks:
            stmt = (
                sa.update(_m)
                .where(
                    _m.c.id == mark.id,
                    _m.c.version == mark.version - 1,
                    _m.c.official_code.is_(None),
                )
                .values(
                    **{f: getattr(mark, f) for f in ARRIVE_FIELDS},
                    version=mark.version,
                    updated_at=now,
                    updated_by=mark.updated_by,
                )
                .returning(_m.c.id)
            )
            written.update((await self.session.scalars(stmt)).all())
        return written
