"""Use case: record a device's scans (one, or an offline batch of up to 1,000)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from edtech.attendance.application.common import SystemCodeCache, SystemCodes, retrying
from edtech.attendance.domain import (
    AttendanceSession,
    Mark,
    MarkChange,
    ScanResult,
    SessionState,
    Source,
    Windows,
    credential_hash,
    time_problem,
)
from edtech.attendance.infrastructure.arrivals import Resolution, ScanKey, SqlAlchemyArrivals
from edtech.attendance.infrastructure.records import SqlAlchemyScans
from edtech.attendance.infrastructure.repositories import SqlAlchemyHistory
from edtech.kernel.clock import Clock
from edtech.kernel.events import DomainEvent
from edtech.kernel.principal import DevicePrincipal
from edtech.platform.db.uow import UnitOfWork

RACES = 3
"""Rounds of re-reading marks that another writer changed between our read and our write."""


@dataclass(frozen=True)
class ScanIn:
    scan_id: str
    credential: str
    scanned_at: datetime


@dataclass(frozen=True)
class ScanOutcome:
    """What became of one scan; `original` is the first result when this one is a duplicate."""

    scan_id: str
    result: ScanResult
    reason: str | None = None
    student_id: uuid.UUID | None = None
    session_id: uuid.UUID | None = None
    category: str | None = None
    minutes_late: int | None = None
    original: str | None = None


class ConcurrentUploadError(Exception):
    """Another transaction stored some of these scans first: start over, they are duplicates now."""


class StaleArrivalsError(Exception):
    """Marks kept changing under the batch for several rounds: start the batch over."""


def pick_session(
    candidates: Sequence[tuple[Mark, AttendanceSession]], at: datetime
) -> tuple[Mark, AttendanceSession] | None:
    """The session the student is expected in at `at`: the latest to start whose window holds
    it; of sessions starting together (a timetable clash), the one created first (ids are
    time-ordered), so the same scan always lands in the same session."""
    holding = [c for c in candidates if c[1].windows.contains(at)]
    return max(holding, key=lambda c: (c[1].starts_at, -c[1].id.int)) if holding else None


Upload = tuple[DevicePrincipal, Sequence[ScanIn]]
"""One request's scans, with the device that sent them."""


class RecordScans:
    """Resolve each scan: credential → student → the session they are expected in at the scan's
    time → present or tardy by the session's windows.

    Each scan is idempotent by (device, scan id): a replay reports `duplicate` with the first
    result. A student already marked is not marked again. The whole batch commits in one
    transaction, so it is applied entirely or not at all; a scan too far in the future or older
    than offline retention is rejected with the reason. A session closed (or a mark changed)
    by someone else while the batch is applied never fails the batch: those scans get
    `session_closed` (or `already_marked`).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, codes: SystemCodeCache | None = None) -> None:
        self.uow, self.clock = uow, clock
        self.codes = codes or SystemCodeCache()

    async def __call__(self, device: DevicePrincipal, scans: Sequence[ScanIn]) -> list[ScanOutcome]:
        return (await self.uploads([(device, scans)]))[0]

    async def uploads(self, uploads: Sequence[Upload]) -> list[list[ScanOutcome]]:
        """Several devices' uploads of one institution in one transaction; outcomes per upload."""
        if len({device.institution_id for device, _ in uploads}) > 1:
            raise ValueError("uploads of one institution only")
        outcomes = await retrying(
            lambda: self._record(uploads), extra=(ConcurrentUploadError, StaleArrivalsError)
        )
        out, at = [], 0
        for _, scans in uploads:
            out.append(outcomes[at : at + len(scans)])
            at += len(scans)
        return out

    async def _record(self, uploads: Sequence[Upload]) -> list[ScanOutcome]:
        """One attempt: resolve every scan, decide the arrivals, write; all in one transaction."""
        now = self.clock.now()
        batch = [_Scan.of(device, scan) for device, scans in uploads for scan in scans]
        if not batch:
            return []
        institution_id = batch[0].device.institution_id
        async with self.uow as uow:
            session = uow.session
            arrivals = SqlAlchemyArrivals(session)
            found = await arrivals.resolve(institution_id, [s.key for s in batch])
            arriving = _resolve(batch, found, now)
            codes: SystemCodes = (
                await self.codes.system_codes(session, institution_id) if found.candidates else {}
            )
            events: list[DomainEvent] = []
            for _ in range(RACES):
                changed = _decide(arriving, codes, now)
                lost = await _write_marks(arrivals, arriving, changed, now, events)
                if not lost:
                    break
                # Someone marked these first (the closer at close time, a teacher): read them
                # as committed now and decide again — closed, already marked, or try again.
                arriving = await _reread(arrivals, lost)
            else:
                raise StaleArrivalsError
            return await _write_scans(uow, batch, events, now)


@dataclass(slots=True)
class _Scan:
    """One scan of a batch, and what has become of it so far."""

    device: DevicePrincipal
    scan: ScanIn
    key: ScanKey
    outcome: ScanOutcome | None = None
    """What became of it, once decided (a repeat within the batch: once its first is)."""
    is_new: bool = False
    """Neither uploaded before nor a repeat within the batch: it gets stored."""
    first: _Scan | None = None
    """The earlier scan of this batch with the same (device, scan id): this one repeats it."""
    target: tuple[Mark, AttendanceSession] | None = None
    """The student's mark in the session they are expected in (while the arrival is decided)."""
    change: MarkChange | None = None
    """What the arrival changed on that mark, once it is decided and written."""

    @classmethod
    def of(cls, device: DevicePrincipal, scan: ScanIn) -> _Scan:
        value_hash = credential_hash(device.institution_id, scan.credential)
        return cls(
            device, scan, ScanKey(device.device_id, scan.scan_id, value_hash, scan.scanned_at)
        )

    @property
    def mark(self) -> Mark:
        assert self.target is not None, "a scan without a target marks nobody"
        return self.target[0]

    def settle(self, result: ScanResult, **facts: Any) -> None:
        self.outcome = ScanOutcome(self.scan.scan_id, result, **facts)

    def row(self, now: datetime) -> dict[str, Any]:
        """Its row in `attendance_scan`: what makes a later upload of it a duplicate."""
        outcome = self.outcome
        assert outcome is not None, "a scan is stored once decided"
        return {
            "device_id": self.key.device_id,
            "scan_id": self.key.scan_id,
            "institution_id": self.device.institution_id,
            "scanned_at": self.scan.scanned_at,
            "received_at": now,
            "result": outcome.result.value,
            "reason": outcome.reason,
            "student_id": outcome.student_id,
            "session_id": outcome.session_id,
        }


def _resolve(batch: Sequence[_Scan], found: Resolution, now: datetime) -> list[_Scan]:
    """Settle every scan that marks nobody (a duplicate, a time out of bounds, an unknown card,
    no session at that time); return the others, each with its target mark."""
    firsts: dict[tuple[uuid.UUID, str], _Scan] = {}
    arriving: list[_Scan] = []
    for s in batch:
        key = (s.key.device_id, s.key.scan_id)
        stored = found.known.get(key)
        if stored is not None:
            s.settle(
                ScanResult.DUPLICATE,
                student_id=stored.student_id,
                session_id=stored.session_id,
                original=stored.result,
            )
            continue
        if key in firsts:
            s.first = firsts[key]  # settled once its first occurrence is (`_write_scans`)
            continue
        firsts[key] = s
        s.is_new = True
        problem = time_problem(s.scan.scanned_at, now)
        student_id = found.students.get(s.key.value_hash)
        if problem:
            s.settle(ScanResult.REJECTED, reason=problem)
        elif student_id is None:
            s.settle(ScanResult.UNKNOWN_CREDENTIAL)
        else:
            s.target = pick_session(found.candidates.get(student_id, ()), s.scan.scanned_at)
            if s.target is None:
                s.settle(ScanResult.NO_SESSION, student_id=student_id)
            else:
                arriving.append(s)
    return arriving


def _decide(arriving: Sequence[_Scan], codes: SystemCodes, now: datetime) -> dict[uuid.UUID, Mark]:
    """Apply the arrival rule to each scan's target mark (no I/O); return the marks it changed.

    Of two scans of one student, the first marks and the second finds the mark marked."""
    changed: dict[uuid.UUID, Mark] = {}
    windows: dict[uuid.UUID, Windows] = {}  # computed once per session, not once per scan
    for s in arriving:
        assert s.target is not None, "an arriving scan has its target"
        mark, att = s.target
        if not att.takes_arrivals:
            s.change = None
            s.settle(ScanResult.SESSION_CLOSED, student_id=mark.student_id, session_id=att.id)
            continue
        window = windows.get(att.id)
        if window is None:
            window = windows[att.id] = att.windows
        arrival = window.classify(s.scan.scanned_at)
        s.change = mark.arrive(
            codes[arrival.category],
            at=s.scan.scanned_at,
            minutes_late=arrival.minutes_late,
            source=Source.SCAN,
            actor_id=s.device.device_id,
            now=now,
        )
        if s.change is not None:
            changed[mark.id] = mark
        s.settle(
            ScanResult.RECORDED if s.change else ScanResult.ALREADY_MARKED,
            student_id=mark.student_id,
            session_id=att.id,
            category=mark.category.value if mark.category else None,
            minutes_late=mark.minutes_late,
        )
    return changed


async def _write_marks(
    arrivals: SqlAlchemyArrivals,
    arriving: Sequence[_Scan],
    changed: dict[uuid.UUID, Mark],
    now: datetime,
    events: list[DomainEvent],
) -> list[_Scan]:
    """Open the scheduled sessions that get an arrival and write the changed marks, each only
    if nobody else wrote it since we read it; return the scans whose mark someone else did."""
    if not changed:
        return []
    sessions: dict[uuid.UUID, AttendanceSession] = {}
    for s in arriving:
        assert s.target is not None, "an arriving scan has its target"
        mark, att = s.target
        if mark.id in changed:
            sessions[att.id] = att
    scheduled = [att for att in sessions.values() if att.state == SessionState.SCHEDULED]
    opened = await arrivals.open_scheduled([att.id for att in scheduled], now)
    for att in scheduled:
        if att.id in opened:
            att.open(now)
            events.extend(att.pull_events())
    written = await arrivals.arrive(list(changed.values()), now)
    lost: list[_Scan] = []
    for s in arriving:
        mark = s.mark
        if mark.id in changed and mark.id not in written:
            s.change = None
            lost.append(s)
        elif s.change is not None:
            events.extend(mark.pull_events())
    return lost


async def _reread(arrivals: SqlAlchemyArrivals, lost: Sequence[_Scan]) -> list[_Scan]:
    """The lost scans again, each with its mark (and session) as committed now."""
    again = await arrivals.reload({s.mark.id for s in lost})
    for s in lost:
        mark = s.mark
        s.target = next(c for c in again.candidates[mark.student_id] if c[0].id == mark.id)
    return list(lost)


async def _write_scans(
    uow: UnitOfWork, batch: Sequence[_Scan], events: Sequence[DomainEvent], now: datetime
) -> list[ScanOutcome]:
    """Store each new scan with its outcome and the marks' history, emit the events, commit;
    return every scan's outcome, in order.

    A repeat inside the batch reports what its first occurrence got."""
    session = uow.session
    outcomes: list[ScanOutcome] = []
    for s in batch:
        if s.first is not None:
            first = s.first.outcome
            assert first is not None, "the first occurrence of a scan is decided"
            s.outcome = replace(first, result=ScanResult.DUPLICATE, original=first.result.value)
        assert s.outcome is not None, "every scan of the batch is decided"
        outcomes.append(s.outcome)
    rows = [s.row(now) for s in batch if s.is_new]
    if rows:
        inserted = await SqlAlchemyScans(session).insert_new(rows)
        if len(inserted) != len(rows):
            raise ConcurrentUploadError
    await SqlAlchemyHistory(session).append([s.change for s in batch if s.change])
    for event in events:
        uow.emit(event)
    await uow.commit()
    return outcomes
