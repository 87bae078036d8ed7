"""Refresh-token rotation, reuse detection, sign-out and the caller's sessions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from edtech.kernel.clock import FixedClock
from tests.integration.identity.helpers import World, bearer, tokens


async def refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})


async def sessions(client: httpx.AsyncClient, pair: dict[str, Any]) -> httpx.Response:
    return await client.get("/api/v1/auth/sessions", headers=bearer(pair["access_token"]))


async def test_refresh_rotates_the_pair_within_the_same_session(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    first = await tokens(client, world.logins["teacher"].email)
    clock.advance(timedelta(seconds=5))
    r = await refresh(client, first["refresh_token"])
    assert r.status_code == 200, r.text
    second = r.json()
    assert second["token_type"] == "bearer"
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    r = await sessions(client, second)
    assert r.status_code == 200, r.text
    listed = r.json()
    assert listed["total"] == 1
    assert listed["items"][0]["current"] is True
    assert listed["items"][0]["last_refreshed_at"] is not None
    third = await refresh(client, second["refresh_token"])
    assert third.status_code == 200, third.text


async def test_a_replayed_refresh_token_revokes_the_whole_family(
    client: httpx.AsyncClient, world: World
) -> None:
    first = await tokens(client, world.logins["teacher"].email)
    second = (await refresh(client, first["refresh_token"])).json()
    assert (await sessions(client, second)).status_code == 200

    replay = await refresh(client, first["refresh_token"])
    assert replay.status_code == 401
    assert replay.json()["reason"] == "reused"

    # Both the rotated refresh token and its access token now fail, as does the first access.
    assert (await refresh(client, second["refresh_token"])).status_code == 401
    assert (await sessions(client, second)).status_code == 401
    assert (await sessions(client, first)).status_code == 401


async def test_reuse_revokes_only_that_family(client: httpx.AsyncClient, world: World) -> None:
    phone = await tokens(client, world.logins["teacher"].email)
    laptop = await tokens(client, world.logins["teacher"].email)
    await refresh(client, phone["refresh_token"])
    assert (await refresh(client, phone["refresh_token"])).status_code == 401
    assert (await sessions(client, laptop)).status_code == 200
    assert (await refresh(client, laptop["refresh_token"])).status_code == 200


async def test_unknown_or_malformed_refresh_tokens_are_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    r = await refresh(client, "rt_not-a-real-token")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert (await client.post("/api/v1/auth/refresh", json={})).status_code == 422


async def test_an_expired_refresh_token_is_refused(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    pair = await tokens(client, world.logins["teacher"].email)
    clock.advance(timedelta(seconds=pair["refresh_expires_in"]))
    r = await refresh(client, pair["refresh_token"])
    assert r.status_code == 401
    assert r.json()["reason"] == "expired"


async def test_logout_revokes_the_session_and_its_tokens(
    client: httpx.AsyncClient, world: World
) -> None:
    pair = await tokens(client, world.logins["student"].email)
    other = await tokens(client, world.logins["student"].email)
    r = await client.post("/api/v1/auth/logout", headers=bearer(pair["access_token"]))
    assert r.status_code == 204
    assert (await sessions(client, pair)).status_code == 401
    assert (await refresh(client, pair["refresh_token"])).status_code == 401
    listed = await sessions(client, other)
    assert listed.status_code == 200
    assert listed.json()["total"] == 1


async def test_logout_all_revokes_every_session_of_the_login(
    client: httpx.AsyncClient, world: World
) -> None:
    pairs = [await tokens(client, world.logins["student"].email) for _ in range(3)]
    bystander = await tokens(client, world.logins["teacher"].email)
    r = await client.post(
        "/api/v1/auth/logout", params={"all": "true"}, headers=bearer(pairs[0]["access_token"])
    )
    assert r.status_code == 204
    for pair in pairs:
        assert (await sessions(client, pair)).status_code == 401
        assert (await refresh(client, pair["refresh_token"])).status_code == 401
    assert (await sessions(client, bystander)).status_code == 200


async def test_a_session_can_be_revoked_from_another_one(
    client: httpx.AsyncClient, world: World
) -> None:
    lost_phone = await tokens(client, world.logins["student"].email)
    laptop = await tokens(client, world.logins["student"].email)
    listed = (await sessions(client, laptop)).json()["items"]
    assert len(listed) == 2
    phone_id = next(s["id"] for s in listed if not s["current"])
    r = await client.delete(
        f"/api/v1/auth/sessions/{phone_id}", headers=bearer(laptop["access_token"])
    )
    assert r.status_code == 204
    assert (await sessions(client, lost_phone)).status_code == 401
    assert (await sessions(client, laptop)).status_code == 200


async def test_another_logins_session_cannot_be_revoked(
    client: httpx.AsyncClient, world: World
) -> None:
    victim = await tokens(client, world.logins["teacher"].email)
    attacker = await tokens(client, world.logins["student"].email)
    victim_id = (await sessions(client, victim)).json()["items"][0]["id"]
    r = await client.delete(
        f"/api/v1/auth/sessions/{victim_id}", headers=bearer(attacker["access_token"])
    )
    assert r.status_code == 404
    assert (await sessions(client, victim)).status_code == 200
