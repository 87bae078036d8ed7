"""Billing test helpers: sign in, the Idempotency-Key header, posting and checking."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.roster import login

API = "/api/v1/billing"


async def sign_in(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    return await login(client, email)


async def set_currency(client: httpx.AsyncClient, currency: str) -> None:
    admin = await sign_in(client, "admin@demo.test")
    r = await client.patch("/api/v1/institutions/me", json={"currency": currency}, headers=admin)
    assert r.status_code == 200, r.text


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def post(
    client: httpx.AsyncClient, path: str, body: Any, headers: dict[str, str], status: int = 201
) -> Any:
    r = await client.post(f"{API}{path}", json=body, headers=headers)
    assert r.status_code == status, r.text
    return r.json()
