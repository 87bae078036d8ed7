"""Tables of single sign-on: providers, sign-in attempts and linked identities; their
repositories and read queries."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.identity.domain.sso import SsoAttempt, SsoIdentity, SsoProvider
from edtech.platform.db.metadata import mapper_registry, metadata
from edtech.platform.db.types import UTCDateTime, id_column, institution_column

sso_provider_table = sa.Table(
    "sso_provider",
    metadata,
    id_column(),
    institution_column(),
    sa.Column("name", sa.String(40), nullable=False),
    sa.Column("display_name", sa.String(100), nullable=False),
    sa.Column("issuer", sa.String(500), nullable=False),
    sa.Column("client_id", sa.String(500), nullable=False),
    sa.Column("client_secret", sa.String(500), nullable=False),
    sa.Column("allowed_domains", sa.JSON(), nullable=False),
    sa.Column("passwords_allowed", sa.Boolean(), nullable=False),
    sa.Column("enabled", sa.Boolean(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("institution_id", "name"),
)

sso_attempt_table = sa.Table(
    "sso_attempt",
    metadata,
    id_column(),
    institution_column(),
    sa.Column(
        "provider_id",
        sa.Uuid(),
        sa.ForeignKey("sso_provider.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("state_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("nonce", sa.String(100), nullable=False),
    sa.Column("code_verifier", sa.String(128), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False, index=True),
    sa.Column("client_address", sa.String(64), nullable=True),
    sa.Column("used_at", UTCDateTime(), nullable=True),
)

sso_identity_table = sa.Table(
    "sso_identity",
    metadata,
    id_column(),
    institution_column(),
    sa.Column(
        "provider_id",
        sa.Uuid(),
        sa.ForeignKey("sso_provider.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("subject", sa.String(255), nullable=False),
    sa.Column(
        "account_id",
        sa.Uuid(),
        sa.ForeignKey("account.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("last_used_at", UTCDateTime(), nullable=True),
    sa.UniqueConstraint("provider_id", "subject"),
)

mapper_registry.map_imperatively(SsoProvider, sso_provider_table)
mapper_registry.map_imperatively(SsoAttempt, sso_attempt_table)
mapper_registry.map_imperatively(SsoIdentity, sso_identity_table)


class SqlAlchemySsoProviders:
    """An institution's providers, by id (tenant-checked) or name."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, provider: SsoProvider) -> None:
        self.session.add(provider)

    async def get(self, provider_id: uuid.UUID) -> SsoProvider | None:
        return await self.session.get(SsoProvider, provider_id)

    async def of_institution(
        self, institution_id: uuid.UUID, provider_id: uuid.UUID
    ) -> SsoProvider | None:
        found = await self.get(provider_id)
        return found if found is not None and found.institution_id == institution_id else None

    async def by_name(self, institution_id: uuid.UUID, name: str) -> SsoProvider | None:
        t = sso_provider_table
        stmt = sa.select(SsoProvider).where(t.c.institution_id == institution_id, t.c.name == name)
        return (await self.session.scalars(stmt)).one_or_none()


class SqlAlchemySsoAttempts:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, attempt: SsoAttempt) -> None:
        self.session.add(attempt)

    async def by_state_hash(self, state_hash: str) -> SsoAttempt | None:
        stmt = sa.select(SsoAttempt).where(sso_attempt_table.c.state_hash == state_hash)
        return (await self.session.scalars(stmt)).one_or_none()

    async def prune(self, before: Any) -> None:
        """Forget attempts that expired before `before` (they can only be refused anyway)."""
        t = sso_attempt_table
        await self.session.execute(sa.delete(t).where(t.c.expires_at < before))


class SqlAlchemySsoIdentities:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, identity: SsoIdentity) -> None:
        self.session.add(identity)

    async def by_subject(self, provider_id: uuid.UUID, subject: str) -> SsoIdentity | None:
        t = sso_identity_table
        stmt = sa.select(SsoIdentity).where(t.c.provider_id == provider_id, t.c.subject == subject)
        return (await self.session.scalars(stmt)).one_or_none()


async def passwords_refused(session: AsyncSession, institution_id: uuid.UUID) -> bool:
    """Whether an enabled provider of the institution says its people may not use passwords."""
    t = sso_provider_table
    found = await session.scalar(
        sa.select(t.c.id)
        .where(
            t.c.institution_id == institution_id,
            t.c.enabled.is_(True),
            t.c.passwords_allowed.is_(False),
        )
        .limit(1)
    )
    return found is not None


# Read queries.


def providers_query(institution_id: uuid.UUID) -> sa.Select[Any]:
    """The institution's providers, by name (secrets are read but never shown)."""
    t = sso_provider_table
    return sa.select(t).where(t.c.institution_id == institution_id).order_by(t.c.name, t.c.id)


def provider_query(institution_id: uuid.UUID, provider_id: uuid.UUID) -> sa.Select[Any]:
    """One provider of the institution (no row for another institution's)."""
    return providers_query(institution_id).where(sso_provider_table.c.id == provider_id)


def public_providers_query(institution_id: uuid.UUID) -> sa.Select[Any]:
    """The enabled providers a sign-in page of the institution offers, by name."""
    t = sso_provider_table
    return (
        sa.select(t.c.id, t.c.name, t.c.display_name)
        .where(t.c.institution_id == institution_id, t.c.enabled.is_(True))
        .order_by(t.c.name, t.c.id)
    )
