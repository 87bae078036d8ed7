"""Idempotency-Key support for POSTs that move money (Stripe semantics).

The first request with a key claims it; its response is stored, with a hash of the request, in
the SAME transaction as the change it made, so a stored response always means the change
committed and a change never commits without its response. A replay of the key returns the
stored response; the same key with a different request is refused (422); a duplicate arriving
while the first is still running gets 409. A claim whose request died before committing (its
lock is older than `LOCK_TIMEOUT`) may be taken over. Keys are scoped per institution,
principal and route, and kept for `KEEP_FOR` (24 h) before `purge_expired` may drop them.

A key names one intended operation, so one caller's key is not reused on another endpoint:
within its retention such a key is refused (422 `idempotency_key_reused`) rather than silently
starting a second, unrelated operation. Two callers may use the same key without meeting.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any, TypeVar

import sqlalchemy as sa
from fastapi import Header
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.platform.db.metadata import metadata
from edtech.platform.db.types import UTCDateTime, id_column, institution_column

KEEP_FOR = timedelta(hours=24)
LOCK_TIMEOUT = timedelta(seconds=60)
T = TypeVar("T")

idempotency_key = sa.Table(
    "idempotency_key",
    metadata,
    id_column(),
    institution_column(),
    sa.Column("principal_id", sa.Uuid(), nullable=False),
    sa.Column("route", sa.String(200), nullable=False),
    sa.Column("key", sa.String(255), nullable=False),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("response_status", sa.Integer(), nullable=True),
    sa.Column("response_body", sa.Text(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("locked_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False, index=True),
    sa.UniqueConstraint("institution_id", "principal_id", "route", "key"),
)

IdempotencyKeyHeader = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="A unique key per intended operation (a UUID); retries reuse it. Scoped "
        "to the caller and kept 24 h: a retry with the same body replays the first response; "
        "the same key with another body, or on another endpoint, is refused (422 "
        "`idempotency_key_reused`); while the first request runs, 409.",
    ),
]


class IdempotencyKeyReusedError(InvalidError):
    """The key was already used for a different request."""

    code = "idempotency_key_reused"


class IdempotencyInProgressError(ConflictError):
    """The first request with this key is still running; retry later."""

    code = "idempotency_in_progress"


def request_hash(method: str, path: str, body: Any) -> str:
    """A stable fingerprint of a request: method, concrete path and canonical JSON body."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{method.upper()} {path}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class StoredResponse:
    """A response recorded by the first request with the key, to replay verbatim."""

    status: int
    body: Any


@dataclass
class Claim:
    """The right to run the request once; `completer` stores its response in its transaction."""

    id: uuid.UUID
    locked_at: datetime
    response: StoredResponse | None = field(default=None)

    def completer(
        self, render: Callable[[T], tuple[int, Any]]
    ) -> Callable[[AsyncSession, T], Awaitable[None]]:
        """A hook for a use case to call just before it commits, with its result."""

        async def complete(session: AsyncSession, result: T) -> None:
            status, body = render(result)
            stored = await session.execute(
                sa.update(idempotency_key)
                .where(
                    idempotency_key.c.id == self.id,
                    idempotency_key.c.locked_at == self.locked_at,
                    idempotency_key.c.response_status.is_(None),
                )
                .values(response_status=status, response_body=json.dumps(body))
            )
            if stored.rowcount != 1:  # type: ignore[attr-defined]
                # Someone took the claim over after our lock expired: do not commit twice.
                raise IdempotencyInProgressError("This request's idempotency claim was lost.")
            self.response = StoredResponse(status, body)

        return complete


@dataclass(frozen=True)
class Scope:
    institution_id: uuid.UUID
    principal_id: uuid.UUID
    route: str
    key: str


async def claim(
    session_factory: async_sessionmaker[AsyncSession],
    scope: Scope,
    fingerprint: str,
    now: datetime,
) -> Claim | StoredResponse:
    """Claim `scope.key` for this request, or return the stored response of the first one."""
    if not scope.key.strip():
        raise InvalidError(
            "Idempotency-Key must not be blank.",
            [FieldProblem(("header", "Idempotency-Key"), "must not be blank")],
        )
    t = idempotency_key
    where = (
        t.c.institution_id == scope.institution_id,
        t.c.principal_id == scope.principal_id,
        t.c.route == scope.route,
        t.c.key == scope.key,
    )
    for _ in range(3):
        async with session_factory() as session:
            new = new_id()
            try:
                await session.execute(
                    sa.insert(t).values(
                        id=new,
                        institution_id=scope.institution_id,
                        principal_id=scope.principal_id,
                        route=scope.route,
                        key=scope.key,
                        request_hash=fingerprint,
                        created_at=now,
                        locked_at=now,
                        expires_at=now + KEEP_FOR,
                    )
                )
                await session.commit()
            except IntegrityError:
                await session.rollback()
            else:
                await _refuse_if_used_elsewhere(session, scope, new, now)
                return Claim(new, now)
            row = (await session.execute(sa.select(t).where(*where))).one_or_none()
            if row is None:
                continue
            if row.expires_at <= now:
                await session.execute(sa.delete(t).where(t.c.id == row.id, t.c.expires_at <= now))
                await session.commit()
                continue
            if row.request_hash != fingerprint:
                raise IdempotencyKeyReusedError(
                    "This Idempotency-Key was already used with a different request; "
                    "use a new key for a new operation.",
                    [FieldProblem(("header", "Idempotency-Key"), "already used for another body")],
                )
            if row.response_status is not None:
                return StoredResponse(row.response_status, json.loads(row.response_body))
            if row.locked_at + LOCK_TIMEOUT > now:
                raise IdempotencyInProgressError(
                    "A request with this Idempotency-Key is still being processed; retry shortly."
                )
            taken = await session.execute(
                sa.update(t)
                .where(
                    t.c.id == row.id, t.c.locked_at == row.locked_at, t.c.response_status.is_(None)
                )
                .values(locked_at=now)
            )
            await session.commit()
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                return Claim(row.id, now)
            raise IdempotencyInProgressError(
                "A request with this Idempotency-Key is still being processed; retry shortly."
            )
    raise IdempotencyInProgressError("Could not claim the Idempotency-Key; retry shortly.")


async def _refuse_if_used_elsewhere(
    session: AsyncSession, scope: Scope, claimed: uuid.UUID, now: datetime
) -> None:
    """Give the fresh claim back and refuse if the caller holds the key on another endpoint.

    Checked after the claim commits, so two requests racing with one key on two endpoints see
    each other and are both refused (a retry with a new key succeeds), never both run.
    """
    t = idempotency_key
    elsewhere = (
        await session.execute(
            sa.select(t.c.route)
            .where(
                t.c.institution_id == scope.institution_id,
                t.c.principal_id == scope.principal_id,
                t.c.key == scope.key,
                t.c.route != scope.route,
                t.c.expires_at > now,
            )
            .limit(1)
        )
    ).scalar_one_or_none()
    if elsewhere is None:
        return
    await session.execute(sa.delete(t).where(t.c.id == claimed))
    await session.commit()
    raise IdempotencyKeyReusedError(
        f"This Idempotency-Key was already used on another endpoint ({elsewhere}); "
        "use a new key for a new operation.",
        [FieldProblem(("header", "Idempotency-Key"), "already used on another endpoint")],
    )


async def release(session_factory: async_sessionmaker[AsyncSession], held: Claim) -> None:
    """Forget a claim whose request failed (nothing committed), so a retry can run."""
    async with session_factory() as session:
        await session.execute(
            sa.delete(idempotency_key).where(
                idempotency_key.c.id == held.id,
                idempotency_key.c.response_status.is_(None),
                idempotency_key.c.locked_at == held.locked_at,
            )
        )
        await session.commit()


async def purge_expired(session: AsyncSession, now: datetime) -> int:
    """Drop keys past their retention (the caller commits); returns how many."""
    result = await session.execute(
        sa.delete(idempotency_key).where(idempotency_key.c.expires_at <= now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def run_once(
    session_factory: async_sessionmaker[AsyncSession],
    scope: Scope,
    fingerprint: str,
    now: datetime,
    action: Callable[[Claim], Awaitable[None]],
) -> StoredResponse:
    """Run `action` at most once for the key and return the response to send.

    `action` must call the claim's `completer` hook inside its transaction; if it raises,
    the claim is released and the error propagates (nothing was committed).
    """
    got = await claim(session_factory, scope, fingerprint, now)
    if isinstance(got, StoredResponse):
        return got
    try:
        await action(got)
    except BaseException:
        await release(session_factory, got)
        raise
    if got.response is None:
        await release(session_factory, got)
        raise RuntimeError("idempotent action finished without storing its response")
    return got.response
