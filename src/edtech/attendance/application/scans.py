"""Use case: record a device's scans (one, or an offline batch of up to 1,000)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from edtech.attendance.application.common import code_book, retrying
from edtech.attendance.domain import (
    AttendanceSession,
    Mark,
    MarkChange,
    ScanResult,
    Source,
    credential_hash,
    time_problem,
)
from edtech.attendance.infrastructure.records import SqlAlchemyCredentials, SqlAlchemyScans
from edtech.attendance.infrastructure.repositories import SqlAlchemyHistory, SqlAlchemyMarks
from edtech.kernel.clock import Clock
from edtech.kernel.principal import DevicePrincipal
from edtech.platform.db.uow import UnitOfWork


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


def pick_session(
    candidates: Sequence[tuple[Mark, AttendanceSession]], at: datetime
) -> tuple[Mark, AttendanceSession] | None:
    """The session the student is expected in at `at`: the latest to start whose window holds it."""
    holding = [c for c in candidates if c[1].windows.contains(at)]
    return max(holding, key=lambda c: c[1].starts_at) if holding else None


class RecordScans:
    """Resolve each scan: credential → student → the session they are expected in at the scan's
    time → present or tardy by the session's windows.

    Each scan is idempotent by (device, scan id): a replay reports `duplicate` with the first
    result. A student already marked is not marked again. The whole batch commits in one
    transaction, so it is applied entirely or not at all; a scan too far in the future or older
    than offline retention is rejected with the reason.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, device: DevicePrincipal, scans: Sequence[ScanIn]) -> list[ScanOutcome]:
        return await retrying(lambda: self._record(device, scans), extra=(ConcurrentUploadError,))

    async def _record(self, device: DevicePrincipal, scans: Sequence[ScanIn]) -> list[ScanOutcome]:
        now = self.clock.now()
        institution_id = device.institution_id
        async with self.uow as uow:
            db = uow.session
            known = await SqlAlchemyScans(db).known(device.device_id, [s.scan_id for s in scans])
            outcomes: dict[int, ScanOutcome] = {}
            first_of: dict[str, int] = {}
            fresh: list[int] = []
            for i, scan in enumerate(scans):
                if scan.scan_id in known:
                    stored = known[scan.scan_id]
                    outcomes[i] = ScanOutcome(
                        scan.scan_id,
                        ScanResult.DUPLICATE,
                        student_id=stored.student_id,
                        session_id=stored.session_id,
                        original=stored.result,
                    )
                elif scan.scan_id in first_of:
                    outcomes[i] = ScanOutcome(scan.scan_id, ScanResult.DUPLICATE)
                else:
                    first_of[scan.scan_id] = i
                    problem = time_problem(scan.scanned_at, now)
                    if problem:
                        outcomes[i] = ScanOutcome(scan.scan_id, ScanResult.REJECTED, reason=problem)
                    else:
                        fresh.append(i)

            hashes = {i: credential_hash(institution_id, scans[i].credential) for i in fresh}
            students = await SqlAlchemyCredentials(db).students_by_hash(
                institution_id, list(hashes.values())
            )
            identified = [i for i in fresh if hashes[i] in students]
            by_student: dict[uuid.UUID, list[tuple[Mark, AttendanceSession]]] = {}
            if identified:
                times = [scans[i].scanned_at for i in identified]
                for mark, att in await SqlAlchemyMarks(db).candidates(
                    institution_id,
                    [students[hashes[i]] for i in identified],
                    min(times),
                    max(times),
                ):
                    by_student.setdefault(mark.student_id, []).append((mark, att))
            book = await code_book(db, institution_id) if by_student else None

            changes: list[MarkChange] = []
            for i in fresh:
                scan = scans[i]
                student_id = students.get(hashes[i])
                if student_id is None:
                    outcomes[i] = ScanOutcome(scan.scan_id, ScanResult.UNKNOWN_CREDENTIAL)
                    continue
                found = pick_session(by_student.get(student_id, ()), scan.scanned_at)
                if found is None:
                    outcomes[i] = ScanOutcome(
                        scan.scan_id, ScanResult.NO_SESSION, student_id=student_id
                    )
                    continue
                mark, att = found
                if not att.takes_arrivals:
                    outcomes[i] = ScanOutcome(
                        scan.scan_id,
                        ScanResult.SESSION_CLOSED,
                        student_id=student_id,
                        session_id=att.id,
                    )
                    continue
                assert book is not None
                arrival = att.windows.classify(scan.scanned_at)
                change = mark.arrive(
                    book.system(arrival.category),
                    at=scan.scanned_at,
                    minutes_late=arrival.minutes_late,
                    source=Source.SCAN,
                    actor_id=device.device_id,
                    now=now,
                )
                result = ScanResult.ALREADY_MARKED if change is None else ScanResult.RECORDED
                if change is not None:
                    changes.append(change)
                    att.open(now)
                outcomes[i] = ScanOutcome(
                    scan.scan_id,
                    result,
                    student_id=student_id,
                    session_id=att.id,
                    category=mark.category.value if mark.category else None,
                    minutes_late=mark.minutes_late,
                )

            # A repeat inside the batch reports what its first occurrence got.
            for i, scan in enumerate(scans):
                if outcomes[i].result == ScanResult.DUPLICATE and outcomes[i].original is None:
                    first = outcomes[first_of[scan.scan_id]]
                    outcomes[i] = replace(
                        first, result=ScanResult.DUPLICATE, original=first.result.value
                    )

            rows: list[dict[str, Any]] = [
                {
                    "device_id": device.device_id,
                    "scan_id": scans[i].scan_id,
                    "institution_id": institution_id,
                    "scanned_at": scans[i].scanned_at,
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
            await SqlAlchemyHistory(db).append(changes)
            await uow.commit()
        return [outcomes[i] for i in range(len(scans))]
