"""The demo school's fixed logins work end to end, and a replayed refresh token revokes them."""

from __future__ import annotations

import httpx
import pytest

from edtech.demo import DEMO_PASSWORD, DemoSummary
from edtech.kernel.principal import Role
from tests.roster import login

DEMO_LOGINS = {
    "admin@demo.test": Role.INSTITUTION_ADMIN,
    "teacher1@demo.test": Role.TEACHER,
    "guardian1@demo.test": Role.GUARDIAN,
    "student1@demo.test": Role.STUDENT,
}


@pytest.mark.parametrize("email", DEMO_LOGINS)
async def test_each_demo_login_signs_in_with_its_role(
    client: httpx.AsyncClient, demo: DemoSummary, email: str
) -> None:
    headers = await login(client, email)
    me = await client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200, me.text
    body = me.json()
    assert body["person"]["id"] == str(demo.person(email))
    assert body["institution"]["id"] == str(demo.institution_id)
    assert DEMO_LOGINS[email].value in {r["role"] for r in body["roles"]}


async def test_a_replayed_demo_refresh_token_revokes_the_family(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    r = await client.post(
        "/api/v1/auth/token", data={"username": "teacher1@demo.test", "password": DEMO_PASSWORD}
    )
    first = r.json()
    rotated = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert rotated.status_code == 200
    second = rotated.json()
    replay = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert replay.status_code == 401
    again = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
    )
    assert again.status_code == 401
    me = await client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {second['access_token']}"}
    )
    assert me.status_code == 401
