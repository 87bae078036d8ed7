"""A node without a payment provider: checkouts answer 503 (documented), webhooks 404."""

from __future__ import annotations

import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from edtech.billing.infrastructure import tables as t
from edtech.demo import DemoSummary
from edtech.platform.services import Services
from tests.integration.billing.helpers import API, key, sign_in
from tests.integration.billing.test_provider_and_jobs import family_with_invoice


async def test_checkout_without_a_provider_is_503_outside_demo_mode(
    client: httpx.AsyncClient, school: DemoSummary, app: FastAPI
) -> None:
    _, family, _ = await family_with_invoice(client, school)
    guardian = await sign_in(client, "guardian1@demo.test")
    headers = {**guardian, **key()}
    for _ in range(2):  # nothing is stored under the key: the same request is refused again
        r = await client.post(
            f"{API}/accounts/{family['id']}/checkouts",
            json={"amount": "60.00", "currency": "USD"},
            headers=headers,
        )
        assert r.status_code == 503, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["code"] == "payments_not_set_up"
        assert r.json()["detail"] == "Card payments are not set up for this institution."
    services: Services = app.state.services
    async with services.session_factory() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(t.checkout)) == 0


async def test_webhooks_find_no_provider_outside_demo_mode(client: httpx.AsyncClient) -> None:
    for name in ("fake", "stripe"):
        r = await client.post(f"{API}/webhooks/{name}", content=b"{}")
        assert r.status_code == 404, r.text


async def test_openapi_documents_the_503(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    routes = ("/accounts/{account_id}/checkouts", "/payments/{payment_id}/refunds")
    for path in (API + route for route in routes):
        responses = paths[path]["post"]["responses"]
        assert "503" in responses
        assert "not set up" in responses["503"]["description"]
