"""The principal other slices receive: from a route dependency, optionally, or for a websocket."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from edtech.identity.public import (
    CurrentPrincipalDep,
    OptionalPrincipalDep,
    principal_from_access_token,
    require_any_role,
)
from edtech.kernel.errors import AuthenticationError
from edtech.kernel.principal import Principal, Role, RoleGrant
from edtech.platform.services import Services
from tests.integration.identity.helpers import World, bearer, tokens

probe = APIRouter()


@probe.get("/test/principal")
async def principal_of(principal: CurrentPrincipalDep) -> dict[str, Any]:
    return {
        "person_id": str(principal.person_id),
        "institution_id": str(principal.institution_id),
        "display_name": principal.display_name,
        "roles": sorted(principal.roles),
        "session_id": str(principal.session_id),
    }


@probe.get("/test/maybe")
async def maybe(principal: OptionalPrincipalDep) -> dict[str, Any]:
    return {"person_id": str(principal.person_id) if principal else None}


@probe.get("/test/staff-room")
async def staff_room(
    principal: Annotated[Principal, require_any_role(Role.TEACHER, Role.SCHOOL_ADMIN)],
) -> dict[str, Any]:
    return {"person_id": str(principal.person_id)}


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    app.include_router(probe)
    return app


async def test_the_principal_carries_person_institution_name_roles_and_session(
    client: httpx.AsyncClient, world: World
) -> None:
    teacher = world.logins["teacher"]
    r = await client.get(
        "/test/principal", headers=bearer((await tokens(client, teacher.email))["access_token"])
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["person_id"] == str(teacher.person_id)
    assert body["institution_id"] == str(world.institution_id)
    assert body["display_name"] == "Teacher Tester"
    assert body["roles"] == ["teacher"]
    sessions = await client.get(
        "/api/v1/auth/sessions",
        headers=bearer((await tokens(client, teacher.email))["access_token"]),
    )
    assert body["session_id"] in {s["id"] for s in sessions.json()["items"]}


async def test_the_optional_principal_is_none_without_a_token_but_refuses_a_bad_one(
    client: httpx.AsyncClient, world: World
) -> None:
    assert (await client.get("/test/maybe")).json() == {"person_id": None}
    student = world.logins["student"]
    headers = bearer((await tokens(client, student.email))["access_token"])
    assert (await client.get("/test/maybe", headers=headers)).json() == {
        "person_id": str(student.person_id)
    }
    assert (await client.get("/test/maybe", headers=bearer("garbage"))).status_code == 401


async def test_require_any_role_refuses_other_roles_with_403(
    client: httpx.AsyncClient, world: World
) -> None:
    for who, status in (("teacher", 200), ("schooladmin", 200), ("student", 403), ("admin", 403)):
        headers = bearer((await tokens(client, world.logins[who].email))["access_token"])
        assert (await client.get("/test/staff-room", headers=headers)).status_code == status, who


async def test_principal_from_access_token_applies_the_same_checks(
    client: httpx.AsyncClient, world: World, app: FastAPI
) -> None:
    services: Services = app.state.services
    admin = world.logins["admin"]
    pair = await tokens(client, admin.email)
    principal = await principal_from_access_token(services, pair["access_token"])
    assert principal.person_id == admin.person_id
    assert principal.grants == frozenset({RoleGrant(Role.INSTITUTION_ADMIN, None)})
    await client.post("/api/v1/auth/logout", headers=bearer(pair["access_token"]))
    with pytest.raises(AuthenticationError):
        await principal_from_access_token(services, pair["access_token"])
    with pytest.raises(AuthenticationError):
        await principal_from_access_token(services, "not-a-token")
