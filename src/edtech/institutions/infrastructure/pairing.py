"""Pairing codes and pairing requests: tables, mapping, repository and the office's list query."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.domain.pairing import PairingCode, PairingRequest, PairingState
from edtech.institutions.infrastructure.tables import _enum, person
from edtech.platform.db.metadata import mapper_registry, metadata
from edtech.platform.db.types import UTCDateTime, id_column, institution_column


def _person(name: str) -> sa.Column[Any]:
    return sa.Column(
        name, sa.Uuid(), sa.ForeignKey("person.id", ondelete="RESTRICT"), nullable=False, index=True
    )


pairing_code = sa.Table(
    "pairing_code",
    metadata,
    id_column(),
    institution_column(),
    _person("student_id"),
    sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("issued_by", sa.Uuid(), nullable=False),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
)

pairing_request = sa.Table(
    "pairing_request",
    metadata,
    id_column(),
    institution_column(),
    _person("student_id"),
    _person("guardian_id"),
    sa.Column(
        "code_id", sa.Uuid(), sa.ForeignKey("pairing_code.id", ondelete="RESTRICT"), nullable=False
    ),
    sa.Column("relationship", sa.String(32), nullable=False),
    sa.Column("requested_at", UTCDateTime(), nullable=False),
    sa.Column("state", _enum(PairingState, 16), nullable=False),
    sa.Column("decided_at", UTCDateTime(), nullable=True),
    sa.Column("decided_by", sa.Uuid(), nullable=True),
    sa.Column("link_id", sa.Uuid(), nullable=True),
)

mapper_registry.map_imperatively(PairingCode, pairing_code)
mapper_registry.map_imperatively(PairingRequest, pairing_request)


class SqlAlchemyPairing:
    """Codes by hash or live per child, and requests, all scoped to one institution."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, obj: object) -> None:
        self.session.add(obj)

    async def code_by_hash(self, institution_id: uuid.UUID, code_hash: str) -> PairingCode | None:
        stmt = sa.select(PairingCode).where(
            pairing_code.c.institution_id == institution_id, pairing_code.c.code_hash == code_hash
        )
        return (await self.session.scalars(stmt)).one_or_none()

    async def live_codes(self, student_id: uuid.UUID, now: datetime) -> list[PairingCode]:
        c = pairing_code
        stmt = sa.select(PairingCode).where(
            c.c.student_id == student_id, c.c.revoked_at.is_(None), c.c.expires_at > now
        )
        return list(await self.session.scalars(stmt))

    async def request(
        self, institution_id: uuid.UUID, request_id: uuid.UUID
    ) -> PairingRequest | None:
        found = await self.session.get(PairingRequest, request_id)
        if found is None or found.institution_id != institution_id:
            return None
        return found

    async def pending(self, student_id: uuid.UUID, guardian_id: uuid.UUID) -> PairingRequest | None:
        r = pairing_request
        stmt = sa.select(PairingRequest).where(
            r.c.student_id == student_id,
            r.c.guardian_id == guardian_id,
            r.c.state == PairingState.PENDING.value,
        )
        return (await self.session.scalars(stmt)).first()


def pairing_requests_query(institution_id: uuid.UUID, state: PairingState | None) -> sa.Select[Any]:
    """The institution's pairing requests with both people's names, oldest first."""
    r = pairing_request
    student = person.alias("student")
    adult = person.alias("adult")
    stmt = (
        sa.select(
            r,
            (student.c.given_name + " " + student.c.family_name).label("student_name"),
            (adult.c.given_name + " " + adult.c.family_name).label("guardian_name"),
        )
        .join(student, student.c.id == r.c.student_id)
        .join(adult, adult.c.id == r.c.guardian_id)
        .where(r.c.institution_id == institution_id)
    )
    if state is not None:
        stmt = stmt.where(r.c.state == state.value)
    return stmt.order_by(r.c.requested_at, r.c.id)
