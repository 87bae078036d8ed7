"""Ended sign-in sessions are pruned after the retention period, live ones never."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from edtech.identity.infrastructure import auth_session_table, refresh_token_table
from edtech.identity.public import prune_sessions
from edtech.kernel.clock import FixedClock
from tests.integration.identity.helpers import World, bearer, tokens
from tests.integration.identity.test_refresh_and_logout import refresh, sessions

DAY = timedelta(days=1)


async def _stored(app: FastAPI) -> tuple[set[uuid.UUID], int]:
    """(ids of stored sessions, number of stored refresh tokens)."""
    async with app.state.services.session_factory() as session:
        ids = set(await session.scalars(sa.select(auth_session_table.c.id)))
        count = await session.scalar(sa.select(sa.func.count()).select_from(refresh_token_table))
    return ids, int(count or 0)


async def _session_id(client: httpx.AsyncClient, pair: dict[str, str]) -> uuid.UUID:
    listed = (await sessions(client, pair)).json()["items"]
    return uuid.UUID(next(item["id"] for item in listed if item["current"]))


async def test_ended_sessions_go_after_the_retention_and_live_ones_stay(
    app: FastAPI, client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    settings = app.state.services.settings
    retention = timedelta(seconds=settings.auth_session_retention_seconds)
    refresh_ttl = timedelta(seconds=settings.refresh_token_ttl_seconds)
    email = world.logins["teacher"].email

    expiring = await tokens(client, email)
    expiring_id = await _session_id(client, expiring)
    logged_out = await tokens(client, email)
    logged_out_id = await _session_id(client, logged_out)
    assert (
        await client.post("/api/v1/auth/logout", headers=bearer(logged_out["access_token"]))
    ).status_code == 204

    clock.advance(retention - DAY)
    assert await prune_sessions(app.state.services) == 0  # revoked, but not long enough ago

    clock.advance(2 * DAY)
    assert await prune_sessions(app.state.services) == 1
    ids, _ = await _stored(app)
    assert logged_out_id not in ids
    assert expiring_id in ids  # its refresh token is still valid

    clock.advance(refresh_ttl - retention)  # now: a day after `expiring`'s token expired
    live = await tokens(client, email)
    live_id = await _session_id(client, live)
    spent = live["refresh_token"]
    rotated = (await refresh(client, spent)).json()
    assert await prune_sessions(app.state.services) == 0  # expired, but not long enough ago

    clock.advance(retention)
    assert await prune_sessions(app.state.services) == 1
    ids, token_rows = await _stored(app)
    assert ids == {live_id}
    assert token_rows == 2  # the live session's spent token and its successor

    # The live session still rotates, and still detects reuse of its spent token.
    again = await refresh(client, rotated["refresh_token"])
    assert again.status_code == 200, again.text
    assert (await sessions(client, again.json())).status_code == 200
    assert (await refresh(client, spent)).status_code == 401
    assert (await sessions(client, again.json())).status_code == 401  # the family is revoked
