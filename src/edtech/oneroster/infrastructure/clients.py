"""OAuth 2 clients of the integrations (Core: a credentials table with no behaviour)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.oneroster.infrastructure.tables import client


@dataclass(frozen=True)
class Integration:
    """An OAuth 2 client: its institution, scopes, and the person it writes grades as."""

    id: uuid.UUID
    institution_id: uuid.UUID
    name: str
    client_id: str
    secret_hash: str
    scopes: frozenset[str]
    acts_as: uuid.UUID


async def add_client(session: AsyncSession, values: dict[str, object]) -> None:
    await session.execute(sa.insert(client).values(**values))


async def client_by_id(session: AsyncSession, client_id: str) -> Integration | None:
    """The client with this id, if it exists and is not revoked."""
    row = (
        await session.execute(
            sa.select(client).where(client.c.client_id == client_id, client.c.revoked_at.is_(None))
        )
    ).first()
    if row is None:
        return None
    return Integration(
        row.id,
        row.institution_id,
        row.name,
        row.client_id,
        row.secret_hash,
        frozenset(row.scopes),
        row.acts_as,
    )


async def revoke_client(
    session: AsyncSession, institution_id: uuid.UUID, client_id: str, now: datetime
) -> bool:
    result = await session.execute(
        sa.update(client)
        .where(
            client.c.institution_id == institution_id,
            client.c.client_id == client_id,
            client.c.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
