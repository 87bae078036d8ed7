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
from edtech.attendance.infrastructure.arrivals import ScanKey, SqlAlchemyArrivals
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


@dataclass(frozen=True)
class _Item:
    device: DevicePrincipal
    scan: ScanIn

    @property
    def key(self) -> tuple[uuid.UUID, str]:
        return (self.device.device_id, self.scan.scan_id)


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
        items = [_Item(device, scan) for device, scans in uploads for scan in scans]
        outcomes = await retrying(
            lambda: self._record(items), extra=(ConcurrentUploadError, StaleArrivalsError)
        )
        out, at = [], 0
        for _, scans in uploads:
            out.append(outcomes[at : at + len(scans)])
            at += len(scans)
        return out

    async def _record(self, items: Sequence[_Item]) -> list[ScanOutcome]:
        if not items:
            return []
        now = self.clock.now()
        institution_id = items[0].device.institution_id
        async with self.uow as uow:
            db = uow.session
            arrivals = SqlAlchemyArrivals(db)
            hashes = [credential_hash(institution_id, it.scan.credential) for it in items]
            found = await arrivals.resolve(
                institution_id,
                [
                    ScanKey(it.device.device_id, it.scan.scan_id, h, it.scan.scanned_at)
                    for it, h in zip(items, hashes, strict=True)
                ],
            )
            outcomes: dict[int, ScanOutcome] = {}
            first_of: dict[tuple[uuid.UUID, str], int] = {}
            fresh: list[int] = []
            for i, it in enumerate(items):
                scan = it.scan
                if it.key in found.known:
                    stored = found.known[it.key]
                    outcomes[i] = ScanOutcome(
                        scan.scan_id,
                        ScanResult.DUPLICATE,
                        student_id=stored.student_id,
                        session_id=stored.session_id,
                        original=stored.result,
                    )
                elif it.key in first_of:
                    outcomes[i] = ScanOutcome(scan.scan_id, ScanResult.DUPLICATE)
                else:
                    first_of[it.key] = i
                    problem = time_problem(scan.scanned_at, now)
                    if problem:
                        outcomes[i] = ScanOutcome(scan.scan_id, ScanResult.REJECTED, reason=problem)
                    else:
                        fresh.append(i)

            codes = await self.codes.system_codes(db, institution_id) if found.candidates else None
            targets: dict[int, tuple[Mark, AttendanceSession]] = {}
            for i in fresh:
                scan = items[i].scan
                student_id = found.students.get(hashes[i])
                if student_id is None:
                    outcomes[i] = ScanOutcome(scan.scan_id, ScanResult.UNKNOWN_CREDENTIAL)
                    continue
                target = pick_session(found.candidates.get(student_id, ()), scan.scanned_at)
                if target is None:
                    outcomes[i] = ScanOutcome(
                        scan.scan_id, ScanResult.NO_SESSION, student_id=student_id
                    )
                    continue
                targets[i] = target

            events: list[DomainEvent] = []
            changes: dict[int, MarkChange] = {}
            pending = dict(targets)
            for _ in range(RACES):
                assert codes is not None or not pending
                written = await _arrive(
                    arrivals, items, pending, codes, now, outcomes, changes, events
                )
                lost = {i: t for i, t in pending.items() if t[0].id not in written}
                if not lost:
                    break
                # Someone marked these first (the closer at close time, a teacher): read them
                # as committed now and decide again — closed, already marked, or try again.
                for i in lost:
                    changes.pop(i, None)
                again = await arrivals.reload({m.id for m, _ in lost.values()})
                pending = {}
                for i, (mark, _att) in lost.items():
                    pending[i] = next(
                        c for c in again.candidates[mark.student_id] if c[0].id == mark.id
                    )
            else:
                raise StaleArrivalsError

            # A repeat inside the batch reports what its first occurrence got.
            for i, it in enumerate(items):
                if outcomes[i].result == ScanResult.DUPLICATE and outcomes[i].original is None:
                    first = outcomes[first_of[it.key]]
                    outcomes[i] = replace(
                        first, result=ScanResult.DUPLICATE, original=first.result.value
                    )

            rows: list[dict[str, Any]] = [
                {
                    "device_id": items[i].device.device_id,
                    "scan_id": items[i].scan.scan_id,
                    "institution_id": institution_id,
                    "scanned_at": items[i].scan.scanned_at,
                    "received_at": now,
                    "result": outcomes[i].result.value,
                    "reason": outcomes[i].reason,
                    "student_id": outcomes[i].student_id,
                    "session_id": outcomes[i].session_id,
                }
                for i in first_of.values()
            ]
            if rows:
                inserted = await SqlAlchemyScans(db).insert_new(rows)
                if len(inserted) != len(rows):
                    raise ConcurrentUploadError
            await SqlAlchemyHistory(db).append([changes[i] for i in sorted(changes)])
            for event in events:
                uow.emit(event)
            await uow.commit()
        return [outcomes[i] for i in range(len(items))]


async def _arrive(
    arrivals: SqlAlchemyArrivals,
    items: Sequence[_Item],
    targets: dict[int, tuple[Mark, AttendanceSession]],
    codes: SystemCodes | None,
    now: datetime,
    outcomes: dict[int, ScanOutcome],
    changes: dict[int, MarkChange],
    events: list[DomainEvent],
) -> set[uuid.UUID]:
    """Apply the arrival rule to each target mark and write the marks that changed; returns
    the ids of marks written or left alone (a mark someone else changed meanwhile is not)."""
    changed: dict[uuid.UUID, Mark] = {}
    windows: dict[uuid.UUID, Windows] = {}
    for i, (mark, att) in targets.items():
        scan = items[i].scan
        if not att.takes_arrivals:
            outcomes[i] = ScanOutcome(
                scan.scan_id,
                ScanResult.SESSION_CLOSED,
                student_id=mark.student_id,
                session_id=att.id,
            )
            continue
        assert codes is not None
        arrival = windows.setdefault(att.id, att.windows).classify(scan.scanned_at)
        change = mark.arrive(
            codes[arrival.category],
            at=scan.scanned_at,
            minutes_late=arrival.minutes_late,
            source=Source.SCAN,
            actor_id=items[i].device.device_id,
            now=now,
        )
        if change is not None:
            changes[i] = change
            changed[mark.id] = mark
        outcomes[i] = ScanOutcome(
            scan.scan_id,
            ScanResult.ALREADY_MARKED if change is None else ScanResult.RECORDED,
            student_id=mark.student_id,
            session_id=att.id,
            category=mark.category.value if mark.category else None,
            minutes_late=mark.minutes_late,
        )
    untouched = {m.id for m, _ in targets.values()} - changed.keys()
    if not changed:
        return untouched
    sessions = {att.id: att for mark, att in targets.values() if mark.id in changed}
    scheduled = [s for s in sessions.values() if s.state == SessionState.SCHEDULED]
    opened = await arrivals.open_scheduled([s.id for s in scheduled], now)
    for att in scheduled:
        if att.id in opened:
            att.open(now)
            events.extend(att.pull_events())
    written = await arrivals.arrive(list(changed.values()), now)
    for i, (mark, _att) in targets.items():
        if i in changes and mark.id in written:
            events.extend(mark.pull_events())
    return untouched | written
