"""A real school from zero: the command line, the setup link, invitations and resets by mail.

From an empty database (no demo seed): `edtech institution create` (the real command, in a
subprocess) prints a setup link; the administrator chooses a password through it and signs
in; builds a section over REST; invites a teacher and a guardian, who accept through the links
mailed to a real SMTP server on loopback (aiosmtpd); each then sees their own world. Then a
password reset through the mail ends the old sessions and their open sockets, and reused,
revoked, expired and forged links are refused with nothing changed. On both dialects.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from edtech.app import create_app
from edtech.kernel.clock import FixedClock
from edtech.settings import Settings
from tests.servers import TEST_SECRET, LiveServer
from tests.smtp import SmtpServer, link_in

PUBLIC_URL = "https://school.example"
ADMIN_EMAIL = "office@hill.example"
TEACHER_EMAIL = "t.kim@hill.example"
GUARDIAN_EMAIL = "parent.lee@family.example"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


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
        mail_from="Hill School <office@hill.example>",
        public_url=PUBLIC_URL,
    )


@pytest.fixture
def app(settings: Settings, clock: FixedClock) -> FastAPI:
    return create_app(settings, clock=clock)


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


async def run_cli(settings: Settings, *args: str) -> tuple[int, str, str]:
    """Run the installed `edtech` command with the node's settings; (exit code, out, err)."""
    env = {
        **os.environ,
        "EDTECH_DATABASE_URL": settings.database_url,
        "EDTECH_SECRET_KEY": settings.secret_key,
        "EDTECH_PUBLIC_URL": settings.public_url,
        "EDTECH_LOG_LEVEL": "WARNING",
    }
    env.pop("EDTECH_DEMO", None)
    proc = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "edtech"),
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/token", data={"username": email, "password": password})


def bearer(body: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {body['access_token']}"}


async def created(client: httpx.AsyncClient, path: str, h: dict[str, str], body: Any) -> str:
    r = await client.post(path, headers=h, json=body)
    assert r.status_code == 201, (path, r.text)
    return str(r.json()["id"])


async def build_school(client: httpx.AsyncClient, h: dict[str, str], today: str) -> dict[str, str]:
    """A school, a term around today, a course, a section; a teacher enrolled in it, a student
    in it, and a guardian linked to the student — all over the existing REST endpoints."""
    school = await created(client, "/api/v1/schools", h, {"name": "Hill Primary"})
    year = datetime.fromisoformat(today).year
    span = {"starts_on": f"{year - 1}-01-01", "ends_on": f"{year + 1}-12-31", "school_id": school}
    school_year = await created(
        client, "/api/v1/terms", h, {"kind": "school_year", "title": "This year", **span}
    )
    term = await created(
        client,
        "/api/v1/terms",
        h,
        {"kind": "term", "title": "This term", "parent_id": school_year, **span},
    )
    course = await created(
        client, "/api/v1/courses", h, {"school_id": school, "code": "MATH-3", "title": "Maths 3"}
    )
    section = await created(
        client,
        "/api/v1/sections",
        h,
        {"course_id": course, "term_id": term, "title": "Maths 3A"},
    )

    def person(given: str, family: str, email: str | None, role: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "given_name": given,
            "family_name": family,
            "roles": [{"role": role, "school_id": school if role != "guardian" else None}],
        }
        if email:
            body["email"] = email
        return body

    teacher = await created(
        client, "/api/v1/people", h, person("Tae", "Kim", TEACHER_EMAIL, "teacher")
    )
    student = await created(
        client, "/api/v1/people", h, person("Mina", "Lee", "mina@family.example", "student")
    )
    guardian = await created(
        client, "/api/v1/people", h, person("Jun", "Lee", GUARDIAN_EMAIL, "guardian")
    )
    for who, role in ((teacher, "teacher"), (student, "student")):
        await created(
            client,
            "/api/v1/enrollments",
            h,
            {
                "section_id": section,
                "person_id": who,
                "role": role,
                "is_primary": role == "teacher",
            },
        )
    await created(
        client, "/api/v1/guardian-links", h, {"student_id": student, "guardian_id": guardian}
    )
    return {
        "school": school,
        "section": section,
        "teacher": teacher,
        "student": student,
        "guardian": guardian,
    }


async def accept(
    client: httpx.AsyncClient, smtp: SmtpServer, email: str, password: str
) -> dict[str, Any]:
    [message] = await smtp.wait_for(email)
    token = token_of(link_in(message, "/app/invitation"))
    opened = await client.post("/api/v1/invitations/open", json={"token": token})
    assert opened.status_code == 200, opened.text
    assert opened.json()["email"] == email
    assert opened.json()["institution_name"] == "Hill School"
    r = await client.post("/api/v1/invitations/accept", json={"token": token, "password": password})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def open_socket(server: LiveServer, access_token: str) -> ClientConnection:
    """A websocket signed in with `access_token`, known to be authenticated (it answered)."""
    ws = await connect(f"{server.ws_url}/ws?token={access_token}")
    await answers_ping(ws)
    return ws


async def answers_ping(ws: ClientConnection) -> None:
    await ws.send(json.dumps({"op": "ping"}))
    while json.loads(await asyncio.wait_for(ws.recv(), 5))["op"] != "pong":
        pass


async def close_code(ws: ClientConnection) -> int | None:
    """The code the server closes the socket with (reading frames until it does)."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 5)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else None


async def test_a_real_school_from_zero(
    client: httpx.AsyncClient,
    settings: Settings,
    smtp_server: SmtpServer,
    clock: FixedClock,
    live_server: LiveServer,
) -> None:
    # 1. The command line, on an empty database: a tenant, its admin, a setup link.
    code, out, err = await run_cli(
        settings,
        "institution", "create",
        "--name", "Hill School",
        "--timezone", "Europe/Berlin",
        "--currency", "EUR",
        "--locale", "de-DE",
        "--admin-email", ADMIN_EMAIL,
    )  # fmt: skip
    assert code == 0, err
    [setup_link] = [line for line in out.splitlines() if line.startswith(PUBLIC_URL)]
    assert setup_link.startswith(f"{PUBLIC_URL}/app/invitation?token=")
    setup = token_of(setup_link)
    # The administrator exists, but no password opens it yet.
    assert (await sign_in(client, ADMIN_EMAIL, "anything-at-all")).status_code == 401

    # 2. The link: choose a password, be signed in; then sign in with it.
    r = await client.post(
        "/api/v1/invitations/accept", json={"token": setup, "password": "admin-pass-1"}
    )
    assert r.status_code == 200, r.text
    r = await sign_in(client, ADMIN_EMAIL, "admin-pass-1")
    assert r.status_code == 200, r.text
    admin = bearer(r.json())
    me = (await client.get("/api/v1/me", headers=admin)).json()
    assert me["institution"]["name"] == "Hill School"
    assert [role["role"] for role in me["roles"]] == ["institution_admin"]
    # The setup link is spent.
    again = await client.post(
        "/api/v1/invitations/accept", json={"token": setup, "password": "hijack-pass"}
    )
    assert again.status_code == 400
    assert again.json()["code"] == "link_used"

    # 3. A section with a teacher, a student and a guardian; invite the teacher and guardian.
    ids = await build_school(client, admin, clock.now().date().isoformat())
    r = await client.post(
        "/api/v1/invitations",
        headers=admin,
        json={"person_ids": [ids["teacher"], ids["guardian"]]},
    )
    assert r.status_code == 200, r.text
    assert sorted(x["outcome"] for x in r.json()) == ["sent", "sent"]
    # Inviting again re-sends the same link (idempotent per invitation).
    again = await client.post(
        "/api/v1/invitations", headers=admin, json={"person_ids": [ids["teacher"]]}
    )
    assert [x["outcome"] for x in again.json()] == ["resent"]
    first, second = await smtp_server.wait_for(TEACHER_EMAIL, 2)
    assert link_in(first, "/app/invitation") == link_in(second, "/app/invitation")
    smtp_server.inbox.remove(second)

    # 4. Both accept through the mailed links and see their own world.
    teacher = await accept(client, smtp_server, TEACHER_EMAIL, "teacher-pass-1")
    assert teacher["person_id"] == ids["teacher"]
    guardian = await accept(client, smtp_server, GUARDIAN_EMAIL, "guardian-pass-1")
    teacher_me = (await client.get("/api/v1/me", headers=bearer(teacher))).json()
    assert [s["section_id"] for s in teacher_me["sections"]] == [ids["section"]]
    guardian_me = (await client.get("/api/v1/me", headers=bearer(guardian))).json()
    assert [c["student_id"] for c in guardian_me["children"]] == [ids["student"]]
    assert (await sign_in(client, GUARDIAN_EMAIL, "guardian-pass-1")).status_code == 200

    # The office sees who joined and who never did.
    listed = await client.get("/api/v1/invitations", headers=admin, params={"state": "accepted"})
    assert {p["person_id"] for p in listed.json()["items"]} == {
        me["person"]["id"],
        ids["teacher"],
        ids["guardian"],
    }
    never = await client.get("/api/v1/invitations", headers=admin, params={"state": "none"})
    assert [p["person_id"] for p in never.json()["items"]] == [ids["student"]]
    teachers = await client.get("/api/v1/invitations", headers=admin, params={"role": "teacher"})
    assert [p["state"] for p in teachers.json()["items"]] == ["accepted"]

    # 5. Forgot password: the reset link ends every session and its open sockets; the old
    # password stops working.
    old_session = bearer(teacher)
    teacher_socket = await open_socket(live_server, teacher["access_token"])
    guardian_socket = await open_socket(live_server, guardian["access_token"])
    r = await client.post("/api/v1/auth/password-reset", json={"email": TEACHER_EMAIL.upper()})
    assert r.status_code == 202
    unknown = await client.post("/api/v1/auth/password-reset", json={"email": "who@x.example"})
    assert unknown.status_code == 202
    [reset_mail] = [
        m for m in await smtp_server.wait_for(TEACHER_EMAIL, 2) if "password" in m["Subject"]
    ]
    reset = token_of(link_in(reset_mail, "/app/reset-password"))
    r = await client.post(
        "/api/v1/auth/password-reset/complete",
        json={"token": reset, "new_password": "teacher-pass-2"},
    )
    assert r.status_code == 204, r.text
    assert await close_code(teacher_socket) == 4001
    assert (await client.get("/api/v1/me", headers=old_session)).status_code == 401
    # Someone else's socket is untouched.
    await answers_ping(guardian_socket)
    await guardian_socket.close()
    assert (await sign_in(client, TEACHER_EMAIL, "teacher-pass-1")).status_code == 401
    assert (await sign_in(client, TEACHER_EMAIL, "teacher-pass-2")).status_code == 200
    reused = await client.post(
        "/api/v1/auth/password-reset/complete",
        json={"token": reset, "new_password": "teacher-pass-3"},
    )
    assert reused.json()["code"] == "link_used"
    assert (await sign_in(client, TEACHER_EMAIL, "teacher-pass-2")).status_code == 200
    assert not [m for m in smtp_server.inbox if "who@x.example" in str(m["To"])]

    # 6. Revoked, forged and expired links are refused, and nothing changes.
    r = await client.post(
        "/api/v1/invitations", headers=admin, json={"person_ids": [ids["student"]]}
    )
    student_invitation = r.json()[0]["invitation_id"]
    [student_mail] = await smtp_server.wait_for("mina@family.example")
    student_token = token_of(link_in(student_mail, "/app/invitation"))
    revoked = await client.post(f"/api/v1/invitations/{student_invitation}/revoke", headers=admin)
    assert revoked.status_code == 200, revoked.text
    refused = await client.post(
        "/api/v1/invitations/accept", json={"token": student_token, "password": "student-pass"}
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "link_revoked"
    forged = await client.post(
        "/api/v1/invitations/accept", json={"token": "inv_forged", "password": "student-pass"}
    )
    assert forged.json()["code"] == "link_invalid"
    assert (await sign_in(client, "mina@family.example", "student-pass")).status_code == 401

    r = await client.post(
        "/api/v1/invitations", headers=admin, json={"person_ids": [ids["student"]]}
    )
    assert [x["outcome"] for x in r.json()] == ["sent"]  # a new invitation: the old is revoked
    fresh = token_of(link_in((await smtp_server.wait_for("mina@family.example", 2))[1], "/app/"))
    clock.advance(timedelta(days=7, seconds=1))
    expired = await client.post(
        "/api/v1/invitations/accept", json={"token": fresh, "password": "student-pass"}
    )
    assert expired.status_code == 400
    assert expired.json()["code"] == "link_expired"
    admin = bearer((await sign_in(client, ADMIN_EMAIL, "admin-pass-1")).json())
    states = await client.get("/api/v1/invitations", headers=admin, params={"state": "expired"})
    assert [p["person_id"] for p in states.json()["items"]] == [ids["student"]]
    assert (await sign_in(client, "mina@family.example", "student-pass")).status_code == 401
