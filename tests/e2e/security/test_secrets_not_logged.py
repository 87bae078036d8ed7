"""Secrets and tokens never reach a log line: after a password is set, a sign-in with it, a
refresh, a websocket with `?token=` and a device scan with `X-Device-Key`, all through Caddy,
neither the nodes' logs nor Caddy's contain the password, the access token, the refresh token
or the device key (the requests are in the logs, so the logs were written)."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import httpx
import pytest
from websockets.asyncio.client import connect

from edtech.demo import DemoSummary
from edtech.topology.local import LocalTopology
from tests.e2e.topology.support import SCANNER_KEY, bearer, login, scan

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]


async def test_passwords_tokens_and_device_keys_are_never_logged(
    topology: LocalTopology, e2e_school: DemoSummary
) -> None:
    password = f"pw-{uuid.uuid4().hex}"
    email = f"logcheck-{uuid.uuid4().hex[:8]}@demo.test"
    async with httpx.AsyncClient(base_url=topology.url, timeout=30) as client:
        admin = await login(client, "admin@demo.test")
        person = e2e_school.person("guardian7@demo.test")
        r = await client.put(
            f"/api/v1/people/{person}/account",
            json={"email": email, "password": password},
            headers=bearer(admin),
        )
        assert r.status_code in (200, 201), r.text

        r = await client.post("/api/v1/auth/token", data={"username": email, "password": password})
        assert r.status_code == 200, r.text
        first = r.json()
        r = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
        )
        assert r.status_code == 200, r.text
        second = r.json()
        wrong = await client.post(
            "/api/v1/auth/token", data={"username": email, "password": password + "x"}
        )
        assert wrong.status_code == 401

        async with connect(f"{topology.ws_url}/ws?token={second['access_token']}") as ws:
            await ws.send(json.dumps({"op": "ping", "ref": "p"}))
            assert json.loads(await ws.recv())["op"] == "pong"
        r = await scan(client, "CARD-1")
        assert r.status_code == 200, r.text

    secrets = {
        "password": password,
        "access token": first["access_token"],
        "renewed access token": second["access_token"],
        "refresh token": first["refresh_token"],
        "renewed refresh token": second["refresh_token"],
        "device key": SCANNER_KEY,
    }
    # A token's signature alone is enough to be a leak of it (a log may cut tokens short).
    for name, token in list(secrets.items()):
        if token.count(".") == 2:
            secrets[f"{name} (signature)"] = token.rsplit(".", 1)[1]

    # A node logs a request once its answer is sent: give the last lines a moment to land.
    paths = ("/api/v1/auth/token", "/api/v1/auth/refresh", "/api/v1/attendance/scans")
    deadline = time.monotonic() + 10
    while True:
        logs = {
            p.name: p.log_path.read_text(errors="replace")
            for p in [*topology.nodes, topology.caddy]
        }
        everything = "\n".join(logs.values())
        if all(path in everything for path in paths) or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    for path in paths:
        assert path in everything, f"{path} is in no log: nothing was logged to check"
    assert "token=REDACTED" in logs["caddy"], "Caddy logged no /ws request"
    leaks = [
        f"{name} in {log}: {line[:400]}"
        for name, secret in secrets.items()
        for log, text in logs.items()
        for line in text.splitlines()
        if secret in line
    ]
    assert leaks == [], "\n".join(leaks)
