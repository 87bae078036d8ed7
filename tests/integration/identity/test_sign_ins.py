"""Access tokens of concurrent requests are checked in one statement (`SignIns`), each answered
exactly as alone: its own principal, or its own refusal."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.identity.application.common import ACCESS
from edtech.identity.application.sign_ins import SignIns
from edtech.identity.public import principal_from_access_token
from edtech.institutions.infrastructure.tables import person
from edtech.kernel.errors import AuthenticationError
from edtech.kernel.principal import Principal
from edtech.platform.services import Services
from tests.integration.communication.helpers import statements
from tests.integration.identity.helpers import World, bearer, tokens


def grant_reads(seen: list[str]) -> list[str]:
    return [s for s in seen if "role_assignment" in s and "auth_session" in s]


async def test_tokens_checked_together_are_each_answered_as_alone(
    client: httpx.AsyncClient, world: World, app: FastAPI
) -> None:
    services: Services = app.state.services
    sign_ins = services.components.get(SignIns)
    names = ("admin", "schooladmin", "teacher", "student", "outsider")
    good = {
        name: (await tokens(client, world.logins[name].email))["access_token"] for name in names
    }
    revoked = (await tokens(client, world.logins["teacher"].email))["access_token"]
    await client.post("/api/v1/auth/logout", headers=bearer(revoked))
    admin, teacher = world.logins["admin"], world.logins["teacher"]
    admin_session = (await principal_from_access_token(services, good["admin"])).session_id
    # Signed by this node, but naming the admin's login and session with the teacher as
    # person: read beside the admin's good token, it must still be refused.
    forged = services.signer.issue(
        ACCESS,
        str(admin.account_id),
        services.clock.now(),
        timedelta(minutes=5),
        pid=str(teacher.person_id),
        iid=str(world.institution_id),
        sid=str(admin_session),
    )
    alone: dict[str, Principal] = {n: await sign_ins.principal_of(t) for n, t in good.items()}
    before = sign_ins.reads_together

    with statements() as seen:
        answers = await asyncio.gather(
            *(sign_ins.principal_of(t) for t in (*good.values(), revoked, forged, "garbage")),
            return_exceptions=True,
        )

    assert sign_ins.reads_together == before + 1
    assert len(grant_reads(seen)) == 1  # the seven well-signed tokens, one read
    assert dict(zip(names, answers[: len(names)], strict=True)) == alone
    assert alone["teacher"].person_id == teacher.person_id
    assert alone["outsider"].institution_id == world.other_institution_id
    for refused, reason in zip(
        answers[len(names) :], ("revoked", "revoked", "invalid"), strict=True
    ):
        assert isinstance(refused, AuthenticationError), refused
        assert refused.extra["reason"] == reason


async def test_a_lone_token_is_read_alone_and_an_ended_person_is_refused(
    client: httpx.AsyncClient, world: World, app: FastAPI
) -> None:
    services: Services = app.state.services
    sign_ins = services.components.get(SignIns)
    student = world.logins["student"]
    token = (await tokens(client, student.email))["access_token"]
    before = sign_ins.reads_together
    assert (await sign_ins.principal_of(token)).person_id == student.person_id
    assert sign_ins.reads_together == before
    async with services.session_factory() as session, session.begin():
        await session.execute(
            sa.update(person)
            .where(person.c.id == student.person_id)
            .values(ends_on=services.clock.now().date())
        )
    other = (await tokens(client, world.logins["teacher"].email))["access_token"]
    answers = await asyncio.gather(
        sign_ins.principal_of(token), sign_ins.principal_of(other), return_exceptions=True
    )
    assert isinstance(answers[0], AuthenticationError)
    assert isinstance(answers[1], Principal)
    assert sign_ins.reads_together == before + 1


async def test_routes_check_their_tokens_through_the_node_sign_ins(
    client: httpx.AsyncClient, world: World, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    services: Services = app.state.services
    sign_ins = services.components.get(SignIns)
    names = ("admin", "teacher", "student")
    headers = [bearer((await tokens(client, world.logins[n].email))["access_token"]) for n in names]
    gate = asyncio.Event()
    reads = services.reads

    @contextlib.asynccontextmanager
    async def held() -> AsyncIterator[AsyncSession]:
        await gate.wait()
        async with reads() as session:
            yield session

    monkeypatch.setattr(sign_ins, "_reads", held)
    first = asyncio.create_task(
        principal_from_access_token(services, headers[0]["Authorization"][7:])
    )
    await asyncio.sleep(0.05)  # its read is under way: the requests' tokens queue behind it
    before = sign_ins.reads_together
    requests = [
        asyncio.create_task(client.get("/api/v1/auth/sessions", headers=h)) for h in headers
    ]
    await asyncio.sleep(0.3)
    gate.set()
    assert (await first).person_id == world.logins["admin"].person_id
    assert [(await r).status_code for r in requests] == [200, 200, 200]
    assert sign_ins.reads_together == before + 1  # the three requests' tokens, one read
