"""Registering push devices per platform: a malformed token is 422; a platform this node has
no provider for is 503 `push_not_set_up` (this node has FCM, not APNs)."""

from __future__ import annotations

import httpx
import pytest

from tests.integration.attendance.helpers import School
from tests.roster import login

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def test_an_apns_token_on_a_node_without_apns_is_refused_with_503(
    client: httpx.AsyncClient, school: School
) -> None:
    guardian = await login(client, "guardian1@demo.test")
    r = await client.post(
        "/api/v1/me/push-devices", json={"platform": "apns", "token": "ab" * 32}, headers=guardian
    )
    assert r.status_code == 503, r.text
    assert r.json()["code"] == "push_not_set_up"
    fcm = await client.post(
        "/api/v1/me/push-devices",
        json={"platform": "fcm", "token": "fcm-device-token-of-guardian1-0002"},
        headers=guardian,
    )
    assert fcm.status_code == 201, fcm.text


@pytest.mark.parametrize("token", ["not-hex-" * 8, "ab" * 10, "a" * 65, "xyz" * 22])
async def test_a_malformed_apns_token_is_422(
    client: httpx.AsyncClient, school: School, token: str
) -> None:
    guardian = await login(client, "guardian1@demo.test")
    r = await client.post(
        "/api/v1/me/push-devices", json={"platform": "apns", "token": token}, headers=guardian
    )
    assert r.status_code == 422, r.text
