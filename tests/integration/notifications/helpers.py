"""Helpers of the notifications tests: a loopback FCM that answers with recorded responses
(`tests/unit/notifications/recorded.py`) and keeps what it was sent."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from edtech.kernel.clock import FixedClock
from edtech.platform.jobs import JobRunner
from tests.integration.attendance.helpers import School, session_of
from tests.roster import login
from tests.unit.notifications import recorded

EMAIL_DELAY_SECONDS = 60
"""The email rung's delay in the tests' node settings (`fixtures.settings`)."""


class RecordedFcm:
    """Google's token endpoint and FCM's `messages:send` on loopback, answering as recorded:
    a token for a signed assertion, `name` for a known device, UNREGISTERED for `gone-…`."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        # token → how many more sends FCM answers 503 UNAVAILABLE (a negative number: always)
        self.unavailable: dict[str, int] = {}
        self.app = FastAPI()
        self.public_key: Any = None

        @self.app.post("/token")
        async def token(request: Request) -> JSONResponse:
            form = await request.form()
            recorded.verify_assertion(str(form["assertion"]), self.public_key, self.token_uri)
            return JSONResponse(recorded.OAUTH_TOKEN_OK)

        @self.app.post("/v1/projects/{project}/messages:send")
        async def send(project: str, request: Request) -> JSONResponse:
            assert request.headers["authorization"] == "Bearer ya29.c.recorded-access-token"
            message = (await request.json())["message"]
            if message["token"].startswith("gone-"):
                return JSONResponse(recorded.FCM_UNREGISTERED, status_code=404)
            if self.unavailable.get(message["token"], 0):
                self.unavailable[message["token"]] -= 1
                return JSONResponse(recorded.FCM_UNAVAILABLE, status_code=503)
            self.sent.append(message)
            return JSONResponse(recorded.FCM_SENT)

        self.url = ""
        self.token_uri = ""

    def service_account_file(self, url: str, directory: Path) -> Path:
        self.url = url
        self.token_uri = f"{url}/token"
        account, self.public_key = recorded.service_account(self.token_uri)
        path = directory / "service-account.json"
        path.write_text(json.dumps(account))
        return path

    def to(self, token: str) -> list[dict[str, Any]]:
        return [m for m in self.sent if m["token"] == token]


async def drain(app: FastAPI) -> int:
    """Run the node's due jobs until none is left (the tests' clock decides what is due)."""
    runner = app.state.services.components.get(JobRunner)
    total = 0
    while ran := await runner.run_once():
        total += ran
    return total


async def notifications(client: httpx.AsyncClient, auth: dict[str, str]) -> list[dict[str, Any]]:
    r = await client.get("/api/v1/me/notifications", headers=auth)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def close_s01(client: httpx.AsyncClient, school: School) -> None:
    """The officer closes section S01's session: its absent students' guardians are told."""
    officer = await login(client, "officer@demo.test")
    s01 = await session_of(client, officer, school.s01)
    closed = await client.post(f"/api/v1/attendance/sessions/{s01['id']}/close", headers=officer)
    assert closed.status_code == 200, closed.text


async def with_device(client: httpx.AsyncClient, email: str, token: str) -> dict[str, str]:
    """Log `email` in and register an FCM device `token` for them; their auth headers."""
    auth = await login(client, email)
    device = await client.post(
        "/api/v1/me/push-devices", json={"platform": "fcm", "token": token}, headers=auth
    )
    assert device.status_code == 201, device.text
    return auth


async def absent_past_the_email_delay(
    app: FastAPI, client: httpx.AsyncClient, school: School, clock: FixedClock
) -> None:
    """S01 closes with its students absent; the ladder runs once the email's delay passed."""
    await close_s01(client, school)
    clock.advance(timedelta(seconds=EMAIL_DELAY_SECONDS + 1))
    await drain(app)
