"""Idempotency-Key semantics on a real database: replay, reuse, in-progress, expiry, takeover."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa

from edtech.demo import DemoSummary
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.idempotency import (
    KEEP_FOR,
    LOCK_TIMEOUT,
    Claim,
    IdempotencyInProgressError,
    IdempotencyKeyReusedError,
    Scope,
    StoredResponse,
    claim,
    idempotency_key,
    purge_expired,
    request_hash,
    run_once,
)
from edtech.settings import Settings
from tests.integration.billing.helpers import API, key, post, sign_in

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


@pytest.fixture
async def factory(settings: Settings, school: DemoSummary) -> AsyncIterator[object]:
    engine = make_engine(settings.database_url)
    try:
        yield make_session_factory(engine)
    finally:
        await engine.dispose()


def scope(school: DemoSummary, k: str = "k1") -> Scope:
    return Scope(school.institution_id, school.person("accountant@demo.test"), "POST /x", k)


async def complete(factory: object, held: Claim, body: object) -> None:
    async with factory() as session:  # type: ignore[operator]
        await held.completer(lambda r: (201, r))(session, body)
        await session.commit()


async def test_replay_returns_the_stored_response(factory: object, school: DemoSummary) -> None:
    fp = request_hash("POST", "/x", {"a": 1})
    held = await claim(factory, scope(school), fp, NOW)  # type: ignore[arg-type]
    assert isinstance(held, Claim)
    await complete(factory, held, {"id": "p1"})
    again = await claim(factory, scope(school), fp, NOW + timedelta(hours=1))  # type: ignore[arg-type]
    assert again == StoredResponse(201, {"id": "p1"})
    with pytest.raises(IdempotencyKeyReusedError):
        await claim(factory, scope(school), request_hash("POST", "/x", {"a": 2}), NOW)  # type: ignore[arg-type]


async def test_in_progress_duplicate_gets_409_until_the_lock_expires(
    factory: object, school: DemoSummary
) -> None:
    fp = request_hash("POST", "/x", {})
    first = await claim(factory, scope(school), fp, NOW)  # type: ignore[arg-type]
    assert isinstance(first, Claim)
    with pytest.raises(IdempotencyInProgressError):
        await claim(factory, scope(school), fp, NOW + timedelta(seconds=5))  # type: ignore[arg-type]
    later = NOW + LOCK_TIMEOUT + timedelta(seconds=1)
    takeover = await claim(factory, scope(school), fp, later)  # type: ignore[arg-type]
    assert isinstance(takeover, Claim)
    # The original request can no longer store a response (it would commit twice).
    async with factory() as session:  # type: ignore[operator]
        with pytest.raises(IdempotencyInProgressError):
            await first.completer(lambda r: (201, r))(session, {"id": "late"})


async def test_keys_are_kept_24h_then_forgotten(factory: object, school: DemoSummary) -> None:
    fp = request_hash("POST", "/x", {})
    held = await claim(factory, scope(school), fp, NOW)  # type: ignore[arg-type]
    assert isinstance(held, Claim)
    await complete(factory, held, {"n": 1})
    assert isinstance(
        await claim(factory, scope(school), fp, NOW + KEEP_FOR - timedelta(seconds=1)),
        StoredResponse,
    )  # type: ignore[arg-type]
    assert isinstance(await claim(factory, scope(school), "other", NOW + KEEP_FOR), Claim)  # type: ignore[arg-type]
    async with factory() as session:  # type: ignore[operator]
        assert await purge_expired(session, NOW + 2 * KEEP_FOR) == 1
        await session.commit()
        assert await session.scalar(sa.select(sa.func.count()).select_from(idempotency_key)) == 0


async def test_a_failed_action_releases_the_key(factory: object, school: DemoSummary) -> None:
    fp = request_hash("POST", "/x", {})

    async def boom(_: Claim) -> None:
        raise RuntimeError("nothing committed")

    with pytest.raises(RuntimeError):
        await run_once(factory, scope(school), fp, NOW, boom)  # type: ignore[arg-type]
    assert isinstance(await claim(factory, scope(school), fp, NOW), Claim)  # type: ignore[arg-type]


async def test_keys_are_scoped_per_principal(factory: object, school: DemoSummary) -> None:
    fp = request_hash("POST", "/x", {})
    mine = await claim(factory, scope(school), fp, NOW)  # type: ignore[arg-type]
    theirs = Scope(school.institution_id, uuid.uuid4(), "POST /x", "k1")
    assert isinstance(mine, Claim)
    assert isinstance(await claim(factory, theirs, "different", NOW), Claim)  # type: ignore[arg-type]


async def test_concurrent_payment_posts_record_one_payment(
    client: httpx.AsyncClient, school: DemoSummary
) -> None:
    acc = await sign_in(client, "accountant@demo.test")
    family = await post(
        client,
        "/accounts",
        {"name": "F", "students": [{"student_id": str(school.person("student1@demo.test"))}]},
        acc,
    )
    headers = {**acc, **key()}
    body = {"amount": "12.00", "currency": "USD", "method": "cash"}
    replies = await asyncio.gather(
        *[
            client.post(f"{API}/accounts/{family['id']}/payments", json=body, headers=headers)
            for _ in range(5)
        ]
    )
    assert {r.status_code for r in replies} <= {201, 409}
    created = {r.json()["id"] for r in replies if r.status_code == 201}
    assert len(created) == 1
    for r in replies:
        if r.status_code == 409:
            assert r.json()["code"] == "idempotency_in_progress"
    listed = await client.get(f"{API}/payments", params={"account_id": family["id"]}, headers=acc)
    assert listed.json()["total"] == 1
