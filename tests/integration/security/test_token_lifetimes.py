"""Token lifetimes come from the settings and are enforced at their end.

Covered elsewhere, not repeated here: an access token refused once its lifetime from settings is
over (tests/integration/identity/test_tokens.py::test_an_expired_access_token_is_401), refresh
reuse detection (test_refresh_and_logout.py::test_a_replayed_refresh_token_revokes_the_whole_family
and ::test_reuse_revokes_only_that_family), sign-in throttling (test_throttling.py), a websocket
closed with 4001 when its token expires (tests/e2e/realtime/test_socket.py).
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import jwt

from edtech.kernel.clock import FixedClock
from tests.integration.identity.helpers import World, tokens
from tests.integration.security.helpers import ACCESS_TTL_SECONDS, REFRESH_TTL_SECONDS


async def refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post("/api/v1/auth/refresh", json={"refresh_token": refresh_token})


async def test_sign_in_issues_tokens_with_the_configured_lifetimes(
    client: httpx.AsyncClient, world: World
) -> None:
    pair = await tokens(client, world.logins["teacher"].email)
    assert pair["expires_in"] == ACCESS_TTL_SECONDS
    assert pair["refresh_expires_in"] == REFRESH_TTL_SECONDS
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == ACCESS_TTL_SECONDS


async def test_a_refresh_token_works_until_its_configured_lifetime_ends(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    email = world.logins["teacher"].email
    early = await tokens(client, email)
    clock.advance(timedelta(seconds=REFRESH_TTL_SECONDS - 1))
    assert (await refresh(client, early["refresh_token"])).status_code == 200

    late = await tokens(client, email)
    clock.advance(timedelta(seconds=REFRESH_TTL_SECONDS))
    r = await refresh(client, late["refresh_token"])
    assert r.status_code == 401, r.text
    assert r.json()["reason"] == "expired"
