"""Self-service and the office's invitations: password change, throttled links and resets,
bulk invitations by section, and the first-run hint of a node on an empty database."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from edtech.app import create_app
from edtech.identity.application.first_run_hint import FirstRunHint
from edtech.identity.public import provision_institution
from edtech.institutions.public import NewTenant
from edtech.kernel.clock import FixedClock
from edtech.settings import Settings
from tests.servers import TEST_SECRET, LiveServer
from tests.smtp import SmtpServer

PASSWORD = "a long passphrase 42"
MAX = 3


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
        login_max_failures=MAX,
        login_window_seconds=60,
    )


@pytest.fixture
async def admin(client: httpx.AsyncClient, settings: Settings) -> dict[str, str]:
    await provision_institution(
        settings,
        NewTenant(
            name="Hill School",
            slug="hill",
            timezone="UTC",
            locale="en",
            currency="EUR",
            admin_email="office@hill.example",
        ),
        PASSWORD,
    )
    return await sign_in(client, "office@hill.example", PASSWORD)


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    r = await client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def post(client: httpx.AsyncClient, path: str, h: dict[str, str], body: Any) -> str:
    r = await client.post(path, headers=h, json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_changing_ones_password_ends_the_other_sessions_only(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    other = await sign_in(client, "office@hill.example", PASSWORD)
    wrong = await client.post(
        "/api/v1/me/password",
        headers=admin,
        json={"current_password": "not it", "new_password": "another passphrase 43"},
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["loc"] == ["current_password"]
    assert (await client.get("/api/v1/me", headers=other)).status_code == 200  # nothing changed
    weak = await client.post(
        "/api/v1/me/password",
        headers=admin,
        json={"current_password": PASSWORD, "new_password": "password12"},
    )
    assert weak.status_code == 422  # the password policy applies here too
    assert weak.json()["errors"][0]["type"] == "weak_password"
    r = await client.post(
        "/api/v1/me/password",
        headers=admin,
        json={"current_password": PASSWORD, "new_password": "another passphrase 43"},
    )
    assert r.status_code == 204, r.text
    assert (await client.get("/api/v1/me", headers=admin)).status_code == 200
    assert (await client.get("/api/v1/me", headers=other)).status_code == 401
    await sign_in(client, "office@hill.example", "another passphrase 43")


async def test_forged_links_and_reset_requests_are_throttled(
    client: httpx.AsyncClient, admin: dict[str, str], smtp_server: SmtpServer
) -> None:
    here = {"X-Forwarded-For": "198.51.100.7"}
    for _ in range(MAX):
        r = await client.post(
            "/api/v1/invitations/accept",
            json={"token": "inv_forged", "password": PASSWORD},
            headers=here,
        )
        assert r.json()["code"] == "link_invalid"
    r = await client.post(
        "/api/v1/auth/password-reset/complete",
        json={"token": "pwr_forged", "new_password": PASSWORD},
        headers=here,
    )
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0
    elsewhere = await client.post(
        "/api/v1/invitations/open",
        json={"token": "inv_forged"},
        headers={"X-Forwarded-For": "198.51.100.8"},
    )
    assert elsewhere.json()["code"] == "link_invalid"

    for i in range(MAX):
        r = await client.post(
            "/api/v1/auth/password-reset",
            json={"email": "office@hill.example"},
            headers={"X-Forwarded-For": f"203.0.113.{i}"},
        )
        assert r.status_code == 202
    throttled = await client.post(
        "/api/v1/auth/password-reset",
        json={"email": "office@hill.example"},
        headers={"X-Forwarded-For": "203.0.113.99"},
    )
    assert throttled.status_code == 429
    assert len(await smtp_server.wait_for("office@hill.example", MAX)) == MAX


async def test_guardians_of_a_section_are_invited_at_once_and_skips_are_reported(
    client: httpx.AsyncClient, admin: dict[str, str], smtp_server: SmtpServer
) -> None:
    school = await post(client, "/api/v1/schools", admin, {"name": "Hill"})
    span = {"starts_on": "2000-01-01", "ends_on": "2999-12-31", "school_id": school}
    year = await post(client, "/api/v1/terms", admin, {"kind": "school_year", "title": "Y", **span})
    term = await post(
        client, "/api/v1/terms", admin, {"kind": "term", "title": "T", "parent_id": year, **span}
    )
    course = await post(
        client, "/api/v1/courses", admin, {"school_id": school, "code": "A", "title": "A"}
    )
    section = await post(
        client, "/api/v1/sections", admin, {"course_id": course, "term_id": term, "title": "A1"}
    )
    other_section = await post(
        client, "/api/v1/sections", admin, {"course_id": course, "term_id": term, "title": "A2"}
    )

    async def person(name: str, email: str | None, role: str) -> str:
        body: dict[str, Any] = {"given_name": name, "family_name": "X", "roles": [{"role": role}]}
        if role == "student":
            body["roles"][0]["school_id"] = school
        if email:
            body["email"] = email
        return await post(client, "/api/v1/people", admin, body)

    students = [await person(f"S{i}", None, "student") for i in range(3)]
    mailed = await person("G0", "g0@family.example", "guardian")
    no_email = await person("G1", None, "guardian")
    elsewhere = await person("G2", "g2@family.example", "guardian")
    for student, sec in zip(students, (section, section, other_section), strict=True):
        await post(
            client,
            "/api/v1/enrollments",
            admin,
            {"section_id": sec, "person_id": student, "role": "student"},
        )
    for student, guardian in zip(students, (mailed, no_email, elsewhere), strict=True):
        await post(
            client,
            "/api/v1/guardian-links",
            admin,
            {"student_id": student, "guardian_id": guardian},
        )
    me = (await client.get("/api/v1/me", headers=admin)).json()["person"]["id"]

    r = await client.post(
        "/api/v1/invitations",
        headers=admin,
        json={"guardians_of_section": section, "person_ids": [me]},
    )
    assert r.status_code == 200, r.text
    outcomes = {x["person_id"]: x["outcome"] for x in r.json()}
    assert outcomes == {me: "has_login", mailed: "sent", no_email: "no_email"}
    assert len(await smtp_server.wait_for("g0@family.example")) == 1
    assert not [m for m in smtp_server.inbox if "g2@" in str(m["To"])]

    sent = await client.get(
        "/api/v1/invitations", headers=admin, params={"state": "sent", "role": "guardian"}
    )
    assert [p["person_id"] for p in sent.json()["items"]] == [mailed]
    none = await client.get(
        "/api/v1/invitations", headers=admin, params={"state": "none", "role": "guardian"}
    )
    assert {p["person_id"] for p in none.json()["items"]} == {no_email, elsewhere}

    bad = await client.post(
        "/api/v1/invitations", headers=admin, json={"guardians_of_section": students[0]}
    )
    assert bad.status_code == 422
    student = await sign_in_as_new_student(client, admin, school)
    forbidden = await client.post("/api/v1/invitations", headers=student, json={"role": "guardian"})
    assert forbidden.status_code == 403
    assert (await client.get("/api/v1/invitations", headers=student)).status_code == 403


async def sign_in_as_new_student(
    client: httpx.AsyncClient, admin: dict[str, str], school: str
) -> dict[str, str]:
    pid = await post(
        client,
        "/api/v1/people",
        admin,
        {
            "given_name": "Stu",
            "family_name": "Dent",
            "roles": [{"role": "student", "school_id": school}],
        },
    )
    r = await client.put(
        f"/api/v1/people/{pid}/account",
        headers=admin,
        json={"email": "stu@hill.example", "password": PASSWORD},
    )
    assert r.status_code == 201, r.text
    return await sign_in(client, "stu@hill.example", PASSWORD)


async def test_a_node_on_an_empty_database_says_how_to_create_the_first_institution(
    settings: Settings, app: FastAPI, clock: FixedClock
) -> None:
    server = LiveServer(app)
    await server.start()
    await server.stop()
    assert app.state.services.components.get(FirstRunHint).shown
    await provision_institution(
        settings,
        NewTenant(
            name="Hill",
            slug="hill",
            timezone="UTC",
            locale="en",
            currency="EUR",
            admin_email="a@b.example",
        ),
        PASSWORD,
    )
    again = create_app(settings, clock=clock)
    server = LiveServer(again)
    await server.start()
    await server.stop()
    assert not again.state.services.components.get(FirstRunHint).shown


async def test_a_new_sign_in_address_counts_once_confirmed_from_it(
    client: httpx.AsyncClient, admin: dict[str, str], smtp_server: SmtpServer
) -> None:
    from urllib.parse import parse_qs, urlsplit

    from tests.smtp import link_in, text_of

    school = await post(client, "/api/v1/schools", admin, {"name": "Hill"})
    await sign_in_as_new_student(client, admin, school)
    change = {"current_password": PASSWORD, "new_email": "New.Office@hill.example"}
    wrong = await client.post(
        "/api/v1/me/email", headers=admin, json={**change, "current_password": "not it"}
    )
    assert wrong.status_code == 422
    taken = await client.post(
        "/api/v1/me/email", headers=admin, json={**change, "new_email": "stu@hill.example"}
    )
    assert taken.status_code == 409
    r = await client.post("/api/v1/me/email", headers=admin, json=change)
    assert r.status_code == 202, r.text
    [notice] = await smtp_server.wait_for("office@hill.example")
    assert "new.office@hill.example" in text_of(notice)
    [confirm] = await smtp_server.wait_for("new.office@hill.example")
    token = parse_qs(urlsplit(link_in(confirm, "/app/confirm-email")).query)["token"][0]
    await sign_in(client, "office@hill.example", PASSWORD)  # nothing changed yet

    r = await client.post("/api/v1/auth/email-change/confirm", json={"token": token})
    assert r.status_code == 200, r.text
    assert r.json() == {"email": "new.office@hill.example"}
    assert (await client.get("/api/v1/me", headers=admin)).status_code == 401
    await sign_in(client, "new.office@hill.example", PASSWORD)
    old = await client.post(
        "/api/v1/auth/token", data={"username": "office@hill.example", "password": PASSWORD}
    )
    assert old.status_code == 401
    again = await client.post("/api/v1/auth/email-change/confirm", json={"token": token})
    assert again.json()["code"] == "link_used"
