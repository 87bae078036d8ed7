"""Platform operators over REST: open, list, suspend and reactivate institutions.

A suspended institution's logins, tokens, devices and open sockets stop at once; another
institution is untouched; reactivating restores sign-in.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from edtech.identity.public import authenticate_device, make_operator, provision_institution
from edtech.institutions.public import NewTenant
from edtech.kernel.errors import AuthenticationError
from edtech.settings import Settings
from tests.servers import TEST_SECRET, LiveServer
from tests.smtp import SmtpServer, link_in

BOOTSTRAP = "bootstrap-token-for-tests-0123456789abcdef"
PASSWORD = "a long passphrase 42"


@pytest.fixture
def settings(database_url: str, smtp_server: SmtpServer) -> Settings:
    return Settings(
        database_url=database_url,
        broker_url="memory://",
        secret_key=TEST_SECRET,
        log_json=True,
        log_level="WARNING",
        background_jobs=False,
        mail_url=smtp_server.mail_url,
        bootstrap_token=BOOTSTRAP,
    )


def tenant(slug: str, email: str) -> NewTenant:
    return NewTenant(
        name=f"{slug.title()} School",
        slug=slug,
        timezone="America/New_York",
        locale="en-US",
        currency="USD",
        admin_email=email,
    )


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def sign_in(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await client.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})


async def test_the_bootstrap_token_opens_an_institution_and_mails_the_setup_link(
    client: httpx.AsyncClient, smtp_server: SmtpServer
) -> None:
    body = {
        "name": "Hill School",
        "timezone": "Europe/Berlin",
        "locale": "de-DE",
        "currency": "EUR",
        "admin_email": "Office@Hill.example",
    }
    assert (await client.post("/api/v1/institutions", json=body)).status_code == 401
    wrong = await client.post("/api/v1/institutions", json=body, headers=auth("x" * 40))
    assert wrong.status_code == 401
    r = await client.post("/api/v1/institutions", json=body, headers=auth(BOOTSTRAP))
    assert r.status_code == 201, r.text
    opened = r.json()
    assert opened["setup_link_mailed"] is True
    assert "token" not in r.text  # the link goes to the administrator only
    [message] = await smtp_server.wait_for("office@hill.example")
    token = parse_qs(urlsplit(link_in(message, "/app/invitation")).query)["token"][0]
    accepted = await client.post(
        "/api/v1/invitations/accept", json={"token": token, "password": PASSWORD}
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["person_id"] == opened["admin_person_id"]

    again = await client.post("/api/v1/institutions", json=body, headers=auth(BOOTSTRAP))
    assert again.status_code == 409
    other = {**body, "name": "Vale School", "admin_email": "office@vale.example"}
    assert (
        await client.post("/api/v1/institutions", json=other, headers=auth(BOOTSTRAP))
    ).status_code == 201
    page = await client.get("/api/v1/institutions", params={"limit": 1}, headers=auth(BOOTSTRAP))
    assert page.status_code == 200
    assert page.json()["total"] == 2
    assert [i["slug"] for i in page.json()["items"]] == ["hill-school"]
    assert page.json()["next"] is not None


async def test_only_logins_the_command_line_marked_are_operators(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    await provision_institution(settings, tenant("hill", "office@hill.example"), PASSWORD)
    admin = (await sign_in(client, "office@hill.example")).json()["access_token"]
    refused = await client.get("/api/v1/institutions", headers=auth(admin))
    assert refused.status_code == 403
    assert await make_operator(settings, "office@hill.example") is True
    assert await make_operator(settings, "office@hill.example") is False
    assert (await client.get("/api/v1/institutions", headers=auth(admin))).status_code == 200


async def test_suspension_stops_logins_devices_and_sockets_and_reactivation_restores(
    client: httpx.AsyncClient, settings: Settings, app: FastAPI, live_server: LiveServer
) -> None:
    hill = await provision_institution(settings, tenant("hill", "office@hill.example"), PASSWORD)
    await provision_institution(settings, tenant("vale", "office@vale.example"), PASSWORD)
    admin = (await sign_in(client, "office@hill.example")).json()["access_token"]
    other = (await sign_in(client, "office@vale.example")).json()["access_token"]
    school = await client.post("/api/v1/schools", headers=auth(admin), json={"name": "Hill"})
    device = await client.post(
        "/api/v1/devices",
        headers=auth(admin),
        json={"school_id": school.json()["id"], "name": "Gate"},
    )
    key = device.json()["key"]
    assert (await authenticate_device(app, key)).institution_id == hill.institution_id

    closed: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    async def hold_socket() -> None:
        async with connect(f"{live_server.ws_url}/ws?token={admin}") as ws:
            try:
                while True:
                    await ws.recv()
            except ConnectionClosed as exc:
                closed.set_result((exc.rcvd.code, exc.rcvd.reason) if exc.rcvd else None)

    holder = asyncio.create_task(hold_socket())
    await asyncio.sleep(0.3)  # the socket is open and authenticated
    assert not closed.done()

    path = f"/api/v1/institutions/{hill.institution_id}"
    r = await client.post(
        f"{path}/suspend", json={"reason": "contract ended"}, headers=auth(BOOTSTRAP)
    )
    assert r.status_code == 204, r.text
    assert await asyncio.wait_for(closed, 5) == (4001, "institution suspended")
    await holder
    assert (await client.get("/api/v1/me", headers=auth(admin))).status_code == 401
    assert (await sign_in(client, "office@hill.example")).status_code == 401
    with pytest.raises(AuthenticationError):
        await authenticate_device(app, key)
    assert (await client.get("/api/v1/me", headers=auth(other))).status_code == 200
    listed = (await client.get("/api/v1/institutions", headers=auth(BOOTSTRAP))).json()["items"]
    assert {i["slug"]: i["suspended"] for i in listed} == {"hill": True, "vale": False}
    assert (await client.post(f"{path}/suspend", headers=auth(BOOTSTRAP))).status_code == 409

    r = await client.post(f"{path}/reactivate", headers=auth(BOOTSTRAP))
    assert r.status_code == 204, r.text
    assert (await sign_in(client, "office@hill.example")).status_code == 200
    assert (await authenticate_device(app, key)).institution_id == hill.institution_id
    assert (await client.post(f"{path}/reactivate", headers=auth(BOOTSTRAP))).status_code == 409
    unknown = "/api/v1/institutions/00000000-0000-7000-8000-000000000000/suspend"
    assert (await client.post(unknown, headers=auth(BOOTSTRAP))).status_code == 404


async def test_without_mail_nothing_that_must_send_is_done(database_url: str) -> None:
    """Outside demo mode with no mail set up: 503 problems, and nothing is created."""
    from edtech.app import create_app

    settings = Settings(
        database_url=database_url,
        secret_key=TEST_SECRET,
        log_json=True,
        log_level="WARNING",
        background_jobs=False,
        bootstrap_token=BOOTSTRAP,
        mail_url="",
    )
    await provision_institution(settings, tenant("hill", "office@hill.example"), PASSWORD)
    server = LiveServer(create_app(settings))
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url) as client:
            body = {
                "name": "Vale",
                "timezone": "UTC",
                "locale": "en",
                "currency": "EUR",
                "admin_email": "office@vale.example",
            }
            r = await client.post("/api/v1/institutions", json=body, headers=auth(BOOTSTRAP))
            assert r.status_code == 503
            assert r.json()["code"] == "mail_not_set_up"
            listed = await client.get("/api/v1/institutions", headers=auth(BOOTSTRAP))
            assert [i["slug"] for i in listed.json()["items"]] == ["hill"]
            admin = (await sign_in(client, "office@hill.example")).json()["access_token"]
            me = (await client.get("/api/v1/me", headers=auth(admin))).json()
            r = await client.post(
                "/api/v1/invitations",
                headers=auth(admin),
                json={"person_ids": [me["person"]["id"]]},
            )
            assert r.status_code == 503
            states = await client.get("/api/v1/invitations", headers=auth(admin))
            assert [p["state"] for p in states.json()["items"]] == ["none"]
            reset = await client.post(
                "/api/v1/auth/password-reset", json={"email": "office@hill.example"}
            )
            assert reset.status_code == 503
    finally:
        await server.stop()


async def test_a_refused_setup_mail_leaves_the_institution_and_forgot_password_works(
    database_url: str, smtp_server: SmtpServer
) -> None:
    """The institution exists once created: a mail server that refuses the setup link does not
    undo it (a retry would only be a 409); the administrator gets in with "forgot password"."""
    from edtech.app import create_app

    base = {
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "log_json": True,
        "log_level": "WARNING",
        "background_jobs": False,
        "bootstrap_token": BOOTSTRAP,
    }
    down = LiveServer(create_app(Settings(**base, mail_url="smtp://127.0.0.1:1?starttls=0")))
    await down.start()
    try:
        async with httpx.AsyncClient(base_url=down.url) as client:
            body = {
                "name": "Hill",
                "timezone": "UTC",
                "locale": "en",
                "currency": "EUR",
                "admin_email": "office@hill.example",
            }
            r = await client.post("/api/v1/institutions", json=body, headers=auth(BOOTSTRAP))
            assert r.status_code == 201, r.text
            assert r.json()["setup_link_mailed"] is False
    finally:
        await down.stop()
    up = LiveServer(create_app(Settings(**base, mail_url=smtp_server.mail_url)))
    await up.start()
    try:
        async with httpx.AsyncClient(base_url=up.url) as client:
            r = await client.post(
                "/api/v1/auth/password-reset", json={"email": "office@hill.example"}
            )
            assert r.status_code == 202
            [message] = await smtp_server.wait_for("office@hill.example")
            token = parse_qs(urlsplit(link_in(message, "/app/reset-password")).query)["token"][0]
            done = await client.post(
                "/api/v1/auth/password-reset/complete",
                json={"token": token, "new_password": PASSWORD},
            )
            assert done.status_code == 204, done.text
            assert (await sign_in(client, "office@hill.example")).status_code == 200
    finally:
        await up.stop()
