"""One caller's Idempotency-Key names one operation: reusing it on another endpoint is a 422
(issue #14, defect 7). Before, each endpoint kept its own keys and silently ran the second
operation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest

from edtech.demo import DemoSummary
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.idempotency import Claim, IdempotencyKeyReusedError, Scope, claim
from edtech.settings import Settings
from tests.roster import login

API = "/api/v1/billing"
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


async def _family(client: httpx.AsyncClient, headers: dict[str, str], demo: DemoSummary) -> str:
    student = str(demo.person("student1@demo.test"))
    r = await client.post(
        f"{API}/accounts",
        json={"name": "F", "students": [{"student_id": student}]},
        headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_a_key_reused_on_another_endpoint_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    acc = await login(client, "accountant@demo.test")
    family = await _family(client, acc, demo)
    k = {"Idempotency-Key": "pay-once"}
    r = await client.post(
        f"{API}/accounts/{family}/payments",
        json={"amount": "20.00", "currency": "USD", "method": "cash"},
        headers={**acc, **k},
    )
    assert r.status_code == 201, r.text
    payment = r.json()["id"]

    r = await client.post(
        f"{API}/payments/{payment}/refunds",
        json={"amount": "5.00", "reason": "oops"},
        headers={**acc, **k},
    )
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "idempotency_key_reused"
    assert "another endpoint" in problem["detail"]
    assert problem["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    listed = await client.get(f"{API}/payments", params={"account_id": family}, headers=acc)
    assert [p["id"] for p in listed.json()["items"]] == [payment]
    assert listed.json()["items"][0]["refunded"]["minor"] == 0

    # With a new key the refund runs; the old key still replays the payment.
    r = await client.post(
        f"{API}/payments/{payment}/refunds",
        json={"amount": "5.00", "reason": "oops"},
        headers={**acc, "Idempotency-Key": "refund-once"},
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"{API}/accounts/{family}/payments",
        json={"amount": "20.00", "currency": "USD", "method": "cash"},
        headers={**acc, **k},
    )
    assert (r.status_code, r.json()["id"]) == (201, payment)


async def test_another_caller_may_use_the_same_key(
    client: httpx.AsyncClient, demo: DemoSummary, settings: Settings
) -> None:
    engine = make_engine(settings.database_url)
    try:
        factory = make_session_factory(engine)
        accountant = demo.person("accountant@demo.test")
        admin = demo.person("admin@demo.test")
        first = await claim(
            factory, Scope(demo.institution_id, accountant, "POST /a", "k"), "h", NOW
        )
        assert isinstance(first, Claim)
        with pytest.raises(IdempotencyKeyReusedError):
            await claim(factory, Scope(demo.institution_id, accountant, "POST /b", "k"), "h", NOW)
        other = await claim(factory, Scope(demo.institution_id, admin, "POST /b", "k"), "h", NOW)
        assert isinstance(other, Claim)
    finally:
        await engine.dispose()


async def test_the_openapi_document_says_how_keys_are_scoped(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    spec = (await client.get("/openapi.json")).json()
    op = spec["paths"]["/api/v1/billing/accounts/{account_id}/payments"]["post"]
    (header,) = [p for p in op["parameters"] if p["name"] == "Idempotency-Key"]
    assert "another endpoint" in header["description"]
