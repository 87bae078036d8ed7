"""Repositories of records around marks: scans, credentials, absence notes, QR check-ins."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.attendance.domain import Excuse, ExcuseState
from edtech.attendance.infrastructure.sql import CHUNK, dialect_insert, is_postgres, unnest_insert
from edtech.attendance.infrastructure.tables import (
    attendance_check_in,
    attendance_credential,
    attendance_excuse,
    attendance_scan,
)

_SCAN_COLUMNS: dict[str, sa.types.TypeEngine[Any]] = {
    "device_id": sa.Uuid(),
    "scan_id": sa.String(),
    "institution_id": sa.Uuid(),
    "scanned_at": sa.DateTime(timezone=True),
    "received_at": sa.DateTime(timezone=True),
    "result": sa.String(),
    "reason": sa.String(),
    "student_id": sa.Uuid(),
    "session_id": sa.Uuid(),
}
_SCAN_INSERT = (
    unnest_insert(attendance_scan, _SCAN_COLUMNS)
    .on_conflict_do_nothing()
    .returning(attendance_scan.c.device_id, attendance_scan.c.scan_id)
)


@dataclass(frozen=True)
class StoredScan:
    result: str
    reason: str | None
    student_id: uuid.UUID | None
    session_id: uuid.UUID | None


class SqlAlchemyScans:
    """Scans by (device, scan id): what was already received, and the new ones."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def known(self, device_id: uuid.UUID, scan_ids: Sequence[str]) -> dict[str, StoredScan]:
        t = attendance_scan
        out: dict[str, StoredScan] = {}
        ids = list(dict.fromkeys(scan_ids))
        for start in range(0, len(ids), CHUNK):
            stmt = sa.select(t).where(
                t.c.device_id == device_id, t.c.scan_id.in_(ids[start : start + CHUNK])
            )
            for r in await self.session.execute(stmt):
                out[r.scan_id] = StoredScan(r.result, r.reason, r.student_id, r.session_id)
        return out

    async def insert_new(self, rows: Sequence[dict[str, Any]]) -> set[tuple[uuid.UUID, str]]:
        """Insert scans unless present; returns the (device, scan id) this transaction inserted.

        PostgreSQL: one statement over arrays. SQLite: one cached statement run as an
        executemany ("insertmanyvalues" batches it): a VALUES list with a thousand rows would
        be compiled afresh for every batch size.
        """
        if not rows:
            return set()
        if is_postgres(self.session):
            inserted: set[tuple[uuid.UUID, str]] = set()
            for start in range(0, len(rows), CHUNK * 2):
                chunk = rows[start : start + CHUNK * 2]
                params = {name: [r[name] for r in chunk] for name in _SCAN_COLUMNS}
                result = await self.session.execute(_SCAN_INSERT, params)
                inserted.update((r.device_id, r.scan_id) for r in result)
            return inserted
        stmt = (
            dialect_insert(self.session)(attendance_scan)
            .on_conflict_do_nothing()
            .returning(attendance_scan.c.device_id, attendance_scan.c.scan_id)
        )
        return {(r.device_id, r.scan_id) for r in await self.session.execute(stmt, list(rows))}


class SqlAlchemyCredentials:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_hash(self, institution_id: uuid.UUID, value_hash: str) -> Any:
        t = attendance_credential
        stmt = sa.select(t).where(
            t.c.institution_id == institution_id, t.c.value_hash == value_hash
        )
        return (await self.session.execute(stmt)).one_or_none()

    async def insert(self, row: dict[str, Any]) -> None:
        await self.session.execute(sa.insert(attendance_credential), [row])

    async def reassign(self, credential_id: uuid.UUID, values: dict[str, Any]) -> None:
        t = attendance_credential
        await self.session.execute(sa.update(t).where(t.c.id == credential_id).values(**values))

    async def revoke(
        self, institution_id: uuid.UUID, credential_id: uuid.UUID, at: datetime
    ) -> bool:
        t = attendance_credential
        result = await self.session.execute(
            sa.update(t)
            .where(
                t.c.institution_id == institution_id,
                t.c.id == credential_id,
                t.c.revoked_at.is_(None),
            )
            .values(revoked_at=at)
        )
        return bool(getattr(result, "rowcount", 0))


class SqlAlchemyExcuses:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, excuse: Excuse) -> None:
        self.session.add(excuse)

    async def get(self, institution_id: uuid.UUID, excuse_id: uuid.UUID) -> Excuse | None:
        stmt = sa.select(Excuse).where(
            attendance_excuse.c.institution_id == institution_id,
            attendance_excuse.c.id == excuse_id,
        )
        return (await self.session.scalars(stmt)).one_or_none()

    async def approved_covering(
        self, institution_id: uuid.UUID, student_ids: Sequence[uuid.UUID], day: date
    ) -> set[uuid.UUID]:
        """Students with an approved note covering `day`."""
        t = attendance_excuse
        stmt = sa.select(t.c.student_id).where(
            t.c.institution_id == institution_id,
            t.c.student_id.in_(list(student_ids)),
            t.c.state == ExcuseState.APPROVED.value,
            t.c.starts_on <= day,
            t.c.ends_on >= day,
        )
        return set((await self.session.scalars(stmt)).all())


class SqlAlchemyCheckIns:
    """QR check-ins per (session, student device)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(
        self,
        institution_id: uuid.UUID,
        session_id: uuid.UUID,
        device_ref: str,
        student_id: uuid.UUID,
        at: datetime,
    ) -> uuid.UUID:
        """Tie `device_ref` to `student_id` for this session; returns whom the device belongs to."""
        t = attendance_check_in
        await self.session.execute(
            dialect_insert(self.session)(t)
            .values(
                session_id=session_id,
                device_ref=device_ref,
                institution_id=institution_id,
                student_id=student_id,
                checked_in_at=at,
            )
            .on_conflict_do_nothing()
        )
        owner: uuid.UUID = (
            await self.session.execute(
                sa.select(t.c.student_id).where(
                    t.c.session_id == session_id, t.c.device_ref == device_ref
                )
            )
        ).scalar_one()
        return owner
