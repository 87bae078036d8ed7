"""Administrators setting people's logins: create, reset, disable, conflicts, tenancy."""

from __future__ import annotations

import httpx

from tests.integration.identity.helpers import PASSWORD, World, bearer, sign_in, tokens


def login_url(person_id: object) -> str:
    return f"/api/v1/people/{person_id}/account"


async def test_an_admin_gives_a_person_a_login(
    client: httpx.AsyncClient, world: World, admin_headers: dict[str, str]
) -> None:
    newcomer = world.logins["newcomer"]
    r = await client.put(
        login_url(newcomer.person_id),
        json={"email": "New.Comer@A.test", "password": "a-long-password"},
        headers=admin_headers,
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["email"] == "new.comer@a.test"
    assert body["person_id"] == str(newcomer.person_id)
    assert body["is_active"] is True
    assert "password_hash" not in body
    assert (await sign_in(client, "new.comer@a.test", "a-long-password")).status_code == 200
    shown = await client.get(login_url(newcomer.person_id), headers=admin_headers)
    assert shown.json()["id"] == body["id"]


async def test_resetting_a_login_signs_the_person_out_everywhere(
    client: httpx.AsyncClient, world: World, admin_headers: dict[str, str]
) -> None:
    teacher = world.logins["teacher"]
    old = await tokens(client, teacher.email)
    r = await client.put(
        login_url(teacher.person_id),
        json={"email": teacher.email, "password": "brand-new-password"},
        headers=admin_headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["id"] == str(teacher.account_id)
    sessions = await client.get("/api/v1/auth/sessions", headers=bearer(old["access_token"]))
    assert sessions.status_code == 401
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": old["refresh_token"]}
    )
    assert refreshed.status_code == 401
    assert (await sign_in(client, teacher.email, PASSWORD)).status_code == 401
    assert (await sign_in(client, teacher.email, "brand-new-password")).status_code == 200


async def test_an_email_belongs_to_one_login(
    client: httpx.AsyncClient, world: World, admin_headers: dict[str, str]
) -> None:
    r = await client.put(
        login_url(world.logins["newcomer"].person_id),
        json={"email": world.logins["teacher"].email.upper(), "password": "a-long-password"},
        headers=admin_headers,
    )
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    # ... across institutions too: emails sign people in before we know their institution.
    r = await client.put(
        login_url(world.logins["newcomer"].person_id),
        json={"email": world.logins["outsider"].email, "password": "a-long-password"},
        headers=admin_headers,
    )
    assert r.status_code == 409


async def test_only_institution_admins_set_logins(client: httpx.AsyncClient, world: World) -> None:
    for who in ("schooladmin", "teacher"):
        headers = bearer((await tokens(client, world.logins[who].email))["access_token"])
        r = await client.put(
            login_url(world.logins["newcomer"].person_id),
            json={"email": "x@a.test", "password": "a-long-password"},
            headers=headers,
        )
        assert r.status_code == 403, who


async def test_people_of_another_institution_or_nobody_are_404(
    client: httpx.AsyncClient, world: World, admin_headers: dict[str, str]
) -> None:
    for person_id in (world.logins["outsider"].person_id, world.school_id):
        r = await client.put(
            login_url(person_id),
            json={"email": "x@a.test", "password": "a-long-password"},
            headers=admin_headers,
        )
        assert r.status_code == 404
    r = await client.get(login_url(world.logins["outsider"].person_id), headers=admin_headers)
    assert r.status_code == 404


async def test_bad_logins_are_422_naming_the_field(
    client: httpx.AsyncClient, world: World, admin_headers: dict[str, str]
) -> None:
    url = login_url(world.logins["newcomer"].person_id)
    r = await client.put(
        url, json={"email": "x@a.test", "password": "short"}, headers=admin_headers
    )
    assert r.status_code == 422
    assert ["body", "password"] in [e["loc"] for e in r.json()["errors"]]
    r = await client.put(
        url, json={"email": "not an email", "password": "a-long-password"}, headers=admin_headers
    )
    assert r.status_code == 422
    assert ["body", "email"] in [e["loc"] for e in r.json()["errors"]]


async def test_people_see_their_own_login_only(client: httpx.AsyncClient, world: World) -> None:
    student = world.logins["student"]
    headers = bearer((await tokens(client, student.email))["access_token"])
    assert (await client.get(login_url(student.person_id), headers=headers)).status_code == 200
    other = await client.get(login_url(world.logins["teacher"].person_id), headers=headers)
    assert other.status_code == 403
