"""Access tokens on protected routes: valid, missing, expired, forged, revoked."""

from __future__ import annotations

from datetime import timedelta

import httpx
import jwt

from edtech.kernel.clock import FixedClock
from edtech.platform.security.tokens import TokenSigner
from tests.integration.identity.conftest import ACCESS_TTL_SECONDS, World, bearer, tokens
from tests.servers import TEST_SECRET


def assert_unauthenticated(r: httpx.Response) -> None:
    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["www-authenticate"] == "Bearer"


async def test_an_access_token_opens_protected_routes(
    client: httpx.AsyncClient, world: World
) -> None:
    pair = await tokens(client, world.logins["teacher"].email)
    r = await client.get("/api/v1/auth/sessions", headers=bearer(pair["access_token"]))
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["total"] == 1
    assert page["items"][0]["current"] is True


async def test_no_token_is_401(client: httpx.AsyncClient, world: World) -> None:
    assert_unauthenticated(await client.get("/api/v1/auth/sessions"))


async def test_an_expired_access_token_is_401(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    pair = await tokens(client, world.logins["teacher"].email)
    clock.advance(timedelta(seconds=ACCESS_TTL_SECONDS - 1))
    assert (
        await client.get("/api/v1/auth/sessions", headers=bearer(pair["access_token"]))
    ).is_success
    clock.advance(timedelta(seconds=1))
    r = await client.get("/api/v1/auth/sessions", headers=bearer(pair["access_token"]))
    assert_unauthenticated(r)
    assert r.json()["reason"] == "expired"


async def test_a_forged_access_token_is_401(client: httpx.AsyncClient, world: World) -> None:
    pair = await tokens(client, world.logins["teacher"].email)
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    forged = jwt.encode(claims, "someone-elses-secret-key-of-32-bytes+", algorithm="HS256")
    assert_unauthenticated(await client.get("/api/v1/auth/sessions", headers=bearer(forged)))


async def test_a_tampered_access_token_is_401(client: httpx.AsyncClient, world: World) -> None:
    pair = await tokens(client, world.logins["teacher"].email)
    header, payload, signature = pair["access_token"].split(".")
    tampered = ".".join([header, payload, signature[::-1]])
    assert_unauthenticated(await client.get("/api/v1/auth/sessions", headers=bearer(tampered)))
    assert_unauthenticated(await client.get("/api/v1/auth/sessions", headers=bearer("garbage")))


async def test_an_unsigned_token_is_401(client: httpx.AsyncClient, world: World) -> None:
    pair = await tokens(client, world.logins["teacher"].email)
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    unsigned = jwt.encode(claims, None, algorithm="none")
    assert_unauthenticated(await client.get("/api/v1/auth/sessions", headers=bearer(unsigned)))


async def test_a_token_of_another_type_is_401(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    pair = await tokens(client, world.logins["teacher"].email)
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    signer = TokenSigner(TEST_SECRET)  # the right key, the wrong kind of token
    other = signer.issue(
        "qr",
        claims["sub"],
        clock.now(),
        timedelta(minutes=1),
        pid=claims["pid"],
        iid=claims["iid"],
        sid=claims["sid"],
    )
    assert_unauthenticated(await client.get("/api/v1/auth/sessions", headers=bearer(other)))


async def test_a_refresh_token_is_not_an_access_token(
    client: httpx.AsyncClient, world: World
) -> None:
    pair = await tokens(client, world.logins["teacher"].email)
    r = await client.get("/api/v1/auth/sessions", headers=bearer(pair["refresh_token"]))
    assert_unauthenticated(r)
