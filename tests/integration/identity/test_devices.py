"""Scanner devices: registration by admins, key authentication, revocation, tenancy."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from edtech.identity.public import CurrentDeviceDep
from edtech.kernel.clock import FixedClock
from tests.integration.identity.helpers import DEVICE_KEY, World, bearer, tokens

probe = APIRouter()


@probe.get("/test/device")
async def whoami(device: CurrentDeviceDep) -> dict[str, Any]:
    return {
        "device_id": str(device.device_id),
        "institution_id": str(device.institution_id),
        "school_id": str(device.school_id),
        "name": device.name,
    }


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    app.include_router(probe)
    return app


async def headers_of(client: httpx.AsyncClient, world: World, who: str) -> dict[str, str]:
    return bearer((await tokens(client, world.logins[who].email))["access_token"])


async def as_device(client: httpx.AsyncClient, key: str | None) -> httpx.Response:
    return await client.get("/test/device", headers={"X-Device-Key": key} if key else {})


async def register(
    client: httpx.AsyncClient, headers: dict[str, str], school_id: uuid.UUID, name: str = "Gym"
) -> httpx.Response:
    return await client.post(
        "/api/v1/devices",
        json={"school_id": str(school_id), "name": name, "location": "Gym door"},
        headers=headers,
    )


async def test_an_admin_registers_a_device_and_sees_its_key_once(
    client: httpx.AsyncClient, world: World, admin_headers: dict[str, str]
) -> None:
    r = await register(client, admin_headers, world.other_school_id)
    assert r.status_code == 201, r.text
    created = r.json()
    key = created["key"]
    assert key.startswith("dev_")
    assert created["key_prefix"] == key[:8]
    assert created["school_id"] == str(world.other_school_id)
    assert created["revoked_at"] is None

    shown = await client.get(f"/api/v1/devices/{created['id']}", headers=admin_headers)
    assert shown.status_code == 200
    assert "key" not in shown.json()
    listed = await client.get("/api/v1/devices", headers=admin_headers)
    assert listed.status_code == 200
    assert [d["name"] for d in listed.json()["items"]] == ["Gate scanner", "Gym"]
    assert all("key" not in d for d in listed.json()["items"])

    me = await as_device(client, key)
    assert me.status_code == 200, me.text
    assert me.json() == {
        "device_id": created["id"],
        "institution_id": str(world.institution_id),
        "school_id": str(world.other_school_id),
        "name": "Gym",
    }


async def test_a_seeded_device_authenticates_and_is_seen(
    client: httpx.AsyncClient, world: World, admin_headers: dict[str, str], clock: FixedClock
) -> None:
    me = await as_device(client, DEVICE_KEY)
    assert me.status_code == 200, me.text
    assert me.json()["device_id"] == str(world.device_id)
    shown = (await client.get(f"/api/v1/devices/{world.device_id}", headers=admin_headers)).json()
    assert shown["last_seen_at"] is not None
    assert shown["key_prefix"] == DEVICE_KEY[:8]


async def test_missing_or_unknown_device_keys_are_401(
    client: httpx.AsyncClient, world: World
) -> None:
    for key in (None, "dev_unknown", DEVICE_KEY + "x"):
        r = await as_device(client, key)
        assert r.status_code == 401
        assert r.headers["content-type"].startswith("application/problem+json")


async def test_a_revoked_device_is_refused(
    client: httpx.AsyncClient, world: World, admin_headers: dict[str, str], clock: FixedClock
) -> None:
    assert (await as_device(client, DEVICE_KEY)).status_code == 200
    clock.advance(timedelta(minutes=1))
    r = await client.post(f"/api/v1/devices/{world.device_id}/revoke", headers=admin_headers)
    assert r.status_code == 200, r.text
    revoked_at = r.json()["revoked_at"]
    assert revoked_at is not None
    assert (await as_device(client, DEVICE_KEY)).status_code == 401
    again = await client.post(f"/api/v1/devices/{world.device_id}/revoke", headers=admin_headers)
    assert again.json()["revoked_at"] == revoked_at
    active = await client.get("/api/v1/devices", headers=admin_headers)
    assert active.json()["total"] == 0
    everything = await client.get(
        "/api/v1/devices", params={"include_revoked": "true"}, headers=admin_headers
    )
    assert everything.json()["total"] == 1


async def test_a_school_admin_manages_only_their_schools_devices(
    client: httpx.AsyncClient, world: World, admin_headers: dict[str, str]
) -> None:
    headers = await headers_of(client, world, "schooladmin")
    own = await register(client, headers, world.school_id, "Library")
    assert own.status_code == 201, own.text
    assert (await register(client, headers, world.other_school_id)).status_code == 403

    south = (await register(client, admin_headers, world.other_school_id, "South gate")).json()
    listed = (await client.get("/api/v1/devices", headers=headers)).json()
    assert {d["name"] for d in listed["items"]} == {"Gate scanner", "Library"}
    filtered = await client.get(
        "/api/v1/devices", params={"school_id": str(world.other_school_id)}, headers=headers
    )
    assert filtered.json()["total"] == 0
    assert (await client.get(f"/api/v1/devices/{south['id']}", headers=headers)).status_code == 404
    revoke = await client.post(f"/api/v1/devices/{south['id']}/revoke", headers=headers)
    assert revoke.status_code == 404
    assert (await as_device(client, south["key"])).status_code == 200


async def test_teachers_may_not_manage_devices(client: httpx.AsyncClient, world: World) -> None:
    headers = await headers_of(client, world, "teacher")
    assert (await register(client, headers, world.school_id)).status_code == 403
    assert (await client.get("/api/v1/devices", headers=headers)).status_code == 403
    r = await client.get(f"/api/v1/devices/{world.device_id}", headers=headers)
    assert r.status_code == 403


async def test_another_institutions_devices_and_schools_are_404(
    client: httpx.AsyncClient, world: World, admin_headers: dict[str, str]
) -> None:
    outsider = await headers_of(client, world, "outsider")
    assert (
        await client.get(f"/api/v1/devices/{world.device_id}", headers=outsider)
    ).status_code == 404
    revoke = await client.post(f"/api/v1/devices/{world.device_id}/revoke", headers=outsider)
    assert revoke.status_code == 404
    assert (await client.get("/api/v1/devices", headers=outsider)).json()["total"] == 0
    assert (await register(client, outsider, world.school_id)).status_code == 404
    assert (await register(client, admin_headers, world.foreign_school_id)).status_code == 404
    assert (await as_device(client, DEVICE_KEY)).status_code == 200


async def test_device_input_is_validated(
    client: httpx.AsyncClient, world: World, admin_headers: dict[str, str]
) -> None:
    r = await client.post(
        "/api/v1/devices", json={"school_id": "nope", "name": ""}, headers=admin_headers
    )
    assert r.status_code == 422
    locs = [e["loc"] for e in r.json()["errors"]]
    assert ["body", "school_id"] in locs
    assert ["body", "name"] in locs
