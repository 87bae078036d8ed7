"""Failed-sign-in throttling per account and per client address (429 with Retry-After)."""

from __future__ import annotations

from datetime import timedelta

import httpx

from edtech.kernel.clock import FixedClock
from tests.integration.identity.helpers import (
    MAX_FAILURES,
    PASSWORD,
    WINDOW_SECONDS,
    World,
    sign_in,
)

WRONG = PASSWORD + "?"


async def test_too_many_failures_for_an_account_lock_it_from_every_address(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    email = world.logins["teacher"].email
    for i in range(MAX_FAILURES):
        r = await sign_in(client, email, WRONG, address=f"10.0.0.{i + 1}")
        assert r.status_code == 401
    clock.advance(timedelta(seconds=10))
    locked = await sign_in(client, email, PASSWORD, address="10.0.9.9")
    assert locked.status_code == 429, locked.text
    assert locked.headers["content-type"].startswith("application/problem+json")
    assert int(locked.headers["retry-after"]) == WINDOW_SECONDS - 10  # a window after the last
    # Other accounts are not affected.
    assert (await sign_in(client, world.logins["student"].email, address="10.0.9.9")).is_success
    # After a whole window since the last failure, the right password works again.
    clock.advance(timedelta(seconds=WINDOW_SECONDS - 10))
    assert (await sign_in(client, email, address="10.0.9.9")).status_code == 200


async def test_throttling_does_not_depend_on_the_account_existing(
    client: httpx.AsyncClient, world: World
) -> None:
    for _ in range(MAX_FAILURES):
        assert (await sign_in(client, "ghost@a.test", WRONG, address="10.1.0.1")).status_code == 401
    # A different address, so only the per-account counter can be what refuses it.
    r = await sign_in(client, "ghost@a.test", WRONG, address="10.1.0.2")
    assert r.status_code == 429


async def test_too_many_failures_from_one_address_lock_that_address(
    client: httpx.AsyncClient, world: World
) -> None:
    for i in range(MAX_FAILURES):
        r = await sign_in(client, f"guess{i}@a.test", WRONG, address="192.0.2.7")
        assert r.status_code == 401
    blocked = await sign_in(client, world.logins["admin"].email, PASSWORD, address="192.0.2.7")
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["retry-after"]) <= WINDOW_SECONDS
    elsewhere = await sign_in(client, world.logins["admin"].email, PASSWORD, address="192.0.2.8")
    assert elsewhere.status_code == 200


async def test_a_success_clears_the_accounts_failures(
    client: httpx.AsyncClient, world: World
) -> None:
    email = world.logins["student"].email
    for i in range(MAX_FAILURES - 1):
        await sign_in(client, email, WRONG, address=f"10.2.0.{i}")
    assert (await sign_in(client, email, address="10.2.1.1")).status_code == 200
    for i in range(MAX_FAILURES - 1):
        r = await sign_in(client, email, WRONG, address=f"10.2.2.{i}")
        assert r.status_code == 401
    assert (await sign_in(client, email, address="10.2.3.1")).status_code == 200


async def test_failures_older_than_the_window_do_not_count(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    email = world.logins["student"].email
    for i in range(MAX_FAILURES - 1):
        await sign_in(client, email, WRONG, address=f"10.3.0.{i}")
    clock.advance(timedelta(seconds=WINDOW_SECONDS))
    for i in range(MAX_FAILURES - 1):
        assert (await sign_in(client, email, WRONG, address=f"10.3.1.{i}")).status_code == 401
    assert (await sign_in(client, email, address="10.3.2.1")).status_code == 200
