"""Identity tables, their mapping to the domain classes, repositories and read queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.identity.domain import Account, AuthSession, Device, RefreshToken
from edtech.kernel.ids import new_id
from edtech.platform.db.bulk import among_bound
from edtech.platform.db.metadata import mapper_registry, metadata
from edtech.platform.db.types import UTCDateTime, id_column, institution_column

account_table = sa.Table(
    "account",
    metadata,
    id_column(),
    institution_column(),
    sa.Column(
        "person_id",
        sa.Uuid(),
        sa.ForeignKey("person.id", ondelete="RESTRICT"),
        nullable=False,
        unique=True,
    ),
    sa.Column("email", sa.String(254), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("is_active", sa.Boolean(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("last_login_at", UTCDateTime(), nullable=True),
)

auth_session_table = sa.Table(
    "auth_session",
    metadata,
    id_column(),
    institution_column(),
    sa.Column(
        "account_id",
        sa.Uuid(),
        sa.ForeignKey("account.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("last_refreshed_at", UTCDateTime(), nullable=True),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
    sa.Column("revoked_reason", sa.String(40), nullable=True),
    sa.Column("client_address", sa.String(64), nullable=True),
    sa.Column("user_agent", sa.String(300), nullable=True),
)

refresh_token_table = sa.Table(
    "refresh_token",
    metadata,
    id_column(),
    institution_column(),
    sa.Column(
        "session_id",
        sa.Uuid(),
        sa.ForeignKey("auth_session.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("issued_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("used_at", UTCDateTime(), nullable=True),
    sa.Column("replaced_by", sa.Uuid(), nullable=True),
)

# Not tenant-owned: an attempt for an unknown email or from an address belongs to no institution.
login_attempt_table = sa.Table(
    "login_attempt",
    metadata,
    id_column(),
    sa.Column("scope", sa.String(16), nullable=False),
    sa.Column("subject", sa.String(254), nullable=False, index=True),
    sa.Column("failed_at", UTCDateTime(), nullable=False, index=True),
)

device_table = sa.Table(
    "device",
    metadata,
    id_column(),
    institution_column(),
    sa.Column(
        "school_id",
        sa.Uuid(),
        sa.ForeignKey("school.id", ondelete="RESTRICT"),
        nullable=False,
        index=True,
    ),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("location", sa.String(200), nullable=True),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("key_prefix", sa.String(16), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
    sa.Column("last_seen_at", UTCDateTime(), nullable=True),
)

mapper_registry.map_imperatively(Account, account_table)
mapper_registry.map_imperatively(AuthSession, auth_session_table)
mapper_registry.map_imperatively(RefreshToken, refresh_token_table)
mapper_registry.map_imperatively(Device, device_table)


def _rowcount(result: sa.Result[Any]) -> int:
    assert isinstance(result, CursorResult)
    return result.rowcount


class SqlAlchemyAccounts:
    """Accounts, looked up by email (sign-in), id (tokens) or person (administration)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, account: Account) -> None:
        self.session.add(account)

    async def get(self, account_id: uuid.UUID) -> Account | None:
        return await self.session.get(Account, account_id)

    async def by_email(self, email: str) -> Account | None:
        stmt = sa.select(Account).where(account_table.c.email == email)
        return (await self.session.scalars(stmt)).one_or_none()

    async def by_person(self, institution_id: uuid.UUID, person_id: uuid.UUID) -> Account | None:
        stmt = sa.select(Account).where(
            account_table.c.institution_id == institution_id,
            account_table.c.person_id == person_id,
        )
        return (await self.session.scalars(stmt)).one_or_none()


class SqlAlchemyAuthSessions:
    """Sign-in sessions (token families) and their refresh tokens."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, auth_session: AuthSession) -> None:
        self.session.add(auth_session)

    def add_token(self, token: RefreshToken) -> None:
        self.session.add(token)

    async def get(self, session_id: uuid.UUID) -> AuthSession | None:
        return await self.session.get(AuthSession, session_id)

    async def token_by_hash(self, token_hash: str) -> RefreshToken | None:
        stmt = sa.select(RefreshToken).where(refresh_token_table.c.token_hash == token_hash)
        return (await self.session.scalars(stmt)).one_or_none()

    async def spend(self, token_id: uuid.UUID, at: datetime, replaced_by: uuid.UUID) -> bool:
        """Mark a token used, only if nobody did first: exactly one of two racing refreshes wins."""
        stmt = (
            sa.update(refresh_token_table)
            .where(refresh_token_table.c.id == token_id, refresh_token_table.c.used_at.is_(None))
            .values(used_at=at, replaced_by=replaced_by)
        )
        return _rowcount(await self.session.execute(stmt)) == 1

    async def revoke_all(self, account_id: uuid.UUID, at: datetime, reason: str) -> int:
        """Revoke every live session of an account; returns how many were live."""
        stmt = (
            sa.update(auth_session_table)
            .where(
                auth_session_table.c.account_id == account_id,
                auth_session_table.c.revoked_at.is_(None),
            )
            .values(revoked_at=at, revoked_reason=reason)
        )
        return _rowcount(await self.session.execute(stmt))

    async def prune(self, ended_before: datetime, limit: int) -> int:
        """Delete up to `limit` sessions that ended before `ended_before` — revoked, or whose
        newest refresh token expired — with their tokens. Returns how many went."""
        s, t = auth_session_table, refresh_token_table
        newest = sa.select(sa.func.max(t.c.expires_at)).where(t.c.session_id == s.c.id)
        ended = sa.select(s.c.id).where(
            sa.or_(
                s.c.revoked_at < ended_before,
                sa.func.coalesce(newest.scalar_subquery(), s.c.created_at) < ended_before,
            )
        )
        ids = list(await self.session.scalars(ended.limit(limit)))
        if ids:
            await self.session.execute(sa.delete(t).where(t.c.session_id.in_(ids)))
            await self.session.execute(sa.delete(s).where(s.c.id.in_(ids)))
        return len(ids)


class SqlAlchemyLoginAttempts:
    """Failed sign-ins, counted in the database so every node sees the same counters."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def failures(
        self, scope: str, subject: str, since: datetime
    ) -> tuple[int, datetime | None]:
        """How many failures after `since`, and when the latest was."""
        t = login_attempt_table
        stmt = sa.select(sa.func.count(), sa.func.max(t.c.failed_at)).where(
            t.c.scope == scope, t.c.subject == subject, t.c.failed_at > since
        )
        count, latest = (await self.session.execute(stmt)).one()
        return int(count), latest

    async def record(self, subjects: Sequence[tuple[str, str]], at: datetime) -> None:
        await self.session.execute(
            sa.insert(login_attempt_table),
            [{"id": new_id(), "scope": s, "subject": v, "failed_at": at} for s, v in subjects],
        )

    async def clear(self, scope: str, subject: str) -> None:
        t = login_attempt_table
        await self.session.execute(sa.delete(t).where(t.c.scope == scope, t.c.subject == subject))

    async def prune(self, before: datetime) -> None:
        """Forget failures too old to count: the table stays as small as the window."""
        t = login_attempt_table
        await self.session.execute(sa.delete(t).where(t.c.failed_at <= before))


class SqlAlchemyDevices:
    """Scanner devices, looked up inside an institution or by the hash of their key."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, device: Device) -> None:
        self.session.add(device)

    async def get(self, institution_id: uuid.UUID, device_id: uuid.UUID) -> Device | None:
        device = await self.session.get(Device, device_id)
        if device is None or device.institution_id != institution_id:
            return None
        return device

    async def by_key_hash(self, key_hash: str) -> Device | None:
        stmt = sa.select(Device).where(device_table.c.key_hash == key_hash)
        return (await self.session.scalars(stmt)).one_or_none()

    async def touch(self, device_id: uuid.UUID, at: datetime, stale_before: datetime) -> None:
        """Record that the device was seen, at most once per staleness period (scans are hot)."""
        t = device_table
        await self.session.execute(
            sa.update(t)
            .where(
                t.c.id == device_id,
                sa.or_(t.c.last_seen_at.is_(None), t.c.last_seen_at < stale_before),
            )
            .values(last_seen_at=at)
        )


# Read queries: straight from the tables into plain rows (reads bypass the domain).


_ACCOUNT = sa.bindparam("account_id", type_=sa.Uuid())
_SESSION = sa.bindparam("session_id", type_=sa.Uuid())


def live_login_of(
    person_id: sa.ColumnElement[uuid.UUID], institution_id: sa.ColumnElement[uuid.UUID]
) -> sa.ColumnElement[bool]:
    """True while the login `:account_id` is active, its session `:session_id` not revoked, and
    the login is this person's in this institution (columns of the enclosing row, correlated):
    the check every access token adds to the roster's read of its person."""
    a, s = account_table, auth_session_table
    return (
        sa.select(a.c.id)
        .select_from(a.join(s, s.c.account_id == a.c.id))
        .where(
            a.c.id == _ACCOUNT,
            a.c.is_active.is_(True),
            s.c.id == _SESSION,
            s.c.revoked_at.is_(None),
            a.c.person_id == person_id,
            a.c.institution_id == institution_id,
        )
        .correlate_except(a, s)
        .exists()
    )


def live_logins(*, postgresql: bool) -> sa.Subquery:
    """`live_login_of` for many sign-ins: of the sessions `:sessions` (one array on
    PostgreSQL, an expanding `IN` elsewhere), those not revoked whose login is active, with
    the account, person and institution the login belongs to (the roster's `GrantsOfMany`
    source, keyed by all four: a token naming another account, person or institution than its
    session's login finds no row under its key)."""
    return (
        sa.select(
            account_table.c.id.label("account_id"),
            auth_session_table.c.id.label("session_id"),
            account_table.c.person_id,
            account_table.c.institution_id,
        )
        .select_from(
            account_table.join(
                auth_session_table, auth_session_table.c.account_id == account_table.c.id
            )
        )
        .where(
            among_bound(auth_session_table.c.id, "sessions", postgresql=postgresql),
            account_table.c.is_active.is_(True),
            auth_session_table.c.revoked_at.is_(None),
        )
        .subquery("live_login")
    )


def live_sessions_query(account_id: uuid.UUID) -> sa.Select[Any]:
    """The account's sessions that are not revoked, newest first."""
    s = auth_session_table
    return (
        sa.select(s)
        .where(s.c.account_id == account_id, s.c.revoked_at.is_(None))
        .order_by(s.c.created_at.desc(), s.c.id.desc())
    )


def devices_query(
    institution_id: uuid.UUID,
    school_ids: Sequence[uuid.UUID] | None,
    *,
    include_revoked: bool,
) -> sa.Select[Any]:
    """Devices of the institution (or of `school_ids` only), by name then id."""
    d = device_table
    stmt = sa.select(d).where(d.c.institution_id == institution_id)
    if school_ids is not None:
        stmt = stmt.where(d.c.school_id.in_(school_ids))
    if not include_revoked:
        stmt = stmt.where(d.c.revoked_at.is_(None))
    return stmt.order_by(d.c.name, d.c.id)


async def insert_accounts(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many accounts in one statement (demo seeding, roster imports)."""
    if rows:
        await session.execute(sa.insert(account_table), list(rows))
