"""Signing in with email and password (OAuth2 password flow), over real HTTP."""

from __future__ import annotations

import httpx
import jwt

from tests.integration.identity.helpers import (
    ACCESS_TTL_SECONDS,
    PASSWORD,
    World,
    bearer,
    sign_in,
)


async def test_sign_in_returns_a_bearer_pair(client: httpx.AsyncClient, world: World) -> None:
    r = await sign_in(client, world.logins["admin"].email)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {
        "access_token",
        "token_type",
        "expires_in",
        "refresh_token",
        "refresh_expires_in",
    }
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == ACCESS_TTL_SECONDS
    assert body["refresh_expires_in"] == 30 * 24 * 3600
    assert body["refresh_token"].startswith("rt_")
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    login = world.logins["admin"]
    assert claims["typ"] == "access"
    assert claims["sub"] == str(login.account_id)
    assert claims["pid"] == str(login.person_id)
    assert claims["iid"] == str(world.institution_id)
    assert claims["exp"] - claims["iat"] == ACCESS_TTL_SECONDS


async def test_email_is_case_insensitive(client: httpx.AsyncClient, world: World) -> None:
    r = await sign_in(client, "  " + world.logins["student"].email.upper())
    assert r.status_code == 200, r.text


async def test_wrong_password_and_unknown_email_get_the_same_401(
    client: httpx.AsyncClient, world: World
) -> None:
    wrong = await sign_in(client, world.logins["admin"].email, PASSWORD + "!")
    unknown = await sign_in(client, "nobody@a.test", PASSWORD)
    for r in (wrong, unknown):
        assert r.status_code == 401
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.headers["www-authenticate"] == "Bearer"
    assert {k: v for k, v in wrong.json().items() if k != "instance"} == {
        k: v for k, v in unknown.json().items() if k != "instance"
    }
    assert wrong.json()["detail"] == "Incorrect email or password."


async def test_a_disabled_login_gets_the_same_401(
    client: httpx.AsyncClient, world: World, admin_headers: dict[str, str]
) -> None:
    student = world.logins["student"]
    r = await client.put(
        f"/api/v1/people/{student.person_id}/account",
        json={"email": student.email, "password": PASSWORD, "is_active": False},
        headers=admin_headers,
    )
    assert r.status_code == 200, r.text
    r = await sign_in(client, student.email)
    assert r.status_code == 401
    assert r.json()["detail"] == "Incorrect email or password."


async def test_missing_form_fields_are_a_422_problem(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/v1/auth/token", data={"username": "x@a.test"})
    assert r.status_code == 422
    assert ["body", "password"] in [e["loc"] for e in r.json()["errors"]]


async def test_sign_in_records_last_login(client: httpx.AsyncClient, world: World) -> None:
    teacher = world.logins["teacher"]
    token = (await sign_in(client, teacher.email)).json()["access_token"]
    r = await client.get(f"/api/v1/people/{teacher.person_id}/account", headers=bearer(token))
    assert r.status_code == 200, r.text
    assert r.json()["email"] == teacher.email  # given in capitals, stored lowercase
    assert r.json()["last_login_at"] is not None


async def test_an_absurdly_long_username_is_just_wrong_credentials(
    client: httpx.AsyncClient, world: World
) -> None:
    r = await sign_in(client, "x" * 5000 + "@a.test", PASSWORD)
    assert r.status_code == 401
    assert r.json()["detail"] == "Incorrect email or password."
