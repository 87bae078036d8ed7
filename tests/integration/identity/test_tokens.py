"""Access tokens on protected routes: valid, missing, expired, forged, revoked — each checked
in one statement (login, session, person and roles together)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.identity.application.common import authenticate_access_token, still_signed_in
from edtech.identity.infrastructure import account_table
from edtech.institutions.infrastructure.tables import institution, person
from edtech.institutions.infrastructure.tenancy import institution_suspension
from edtech.kernel.clock import FixedClock
from edtech.kernel.errors import AuthenticationError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal, Role, RoleGrant
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.security.tokens import TokenSigner
from edtech.settings import Settings
from tests.integration.identity.helpers import (
    ACCESS_TTL_SECONDS,
    World,
    bearer,
    tokens,
)
from tests.servers import TEST_SECRET

SIGNER = TokenSigner(TEST_SECRET)


def assert_unauthenticated(r: httpx.Response) -> None:
    assert r.status_code == 401, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["www-authenticate"] == "Bearer"


async def test_an_access_token_opens_protected_routes(
    client: httpx.AsyncClient, world: World
) -> None:
    pair = await tokens(client, world.logins["teacher"].email)
    r = await client.get("/api/v1/auth/sessions", headers=bearer(pair["access_token"]))
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["total"] == 1
    assert page["items"][0]["current"] is True


async def test_no_token_is_401(client: httpx.AsyncClient, world: World) -> None:
    assert_unauthenticated(await client.get("/api/v1/auth/sessions"))


async def test_an_expired_access_token_is_401(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    pair = await tokens(client, world.logins["teacher"].email)
    clock.advance(timedelta(seconds=ACCESS_TTL_SECONDS - 1))
    assert (
        await client.get("/api/v1/auth/sessions", headers=bearer(pair["access_token"]))
    ).is_success
    clock.advance(timedelta(seconds=1))
    r = await client.get("/api/v1/auth/sessions", headers=bearer(pair["access_token"]))
    assert_unauthenticated(r)
    assert r.json()["reason"] == "expired"


async def test_a_forged_access_token_is_401(client: httpx.AsyncClient, world: World) -> None:
    pair = await tokens(client, world.logins["teacher"].email)
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    forged = jwt.encode(claims, "someone-elses-secret-key-of-32-bytes+", algorithm="HS256")
    assert_unauthenticated(await client.get("/api/v1/auth/sessions", headers=bearer(forged)))


async def test_a_tampered_access_token_is_401(client: httpx.AsyncClient, world: World) -> None:
    pair = await tokens(client, world.logins["teacher"].email)
    header, payload, signature = pair["access_token"].split(".")
    tampered = ".".join([header, payload, signature[::-1]])
    assert_unauthenticated(await client.get("/api/v1/auth/sessions", headers=bearer(tampered)))
    assert_unauthenticated(await client.get("/api/v1/auth/sessions", headers=bearer("garbage")))


async def test_an_unsigned_token_is_401(client: httpx.AsyncClient, world: World) -> None:
    pair = await tokens(client, world.logins["teacher"].email)
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    unsigned = jwt.encode(claims, None, algorithm="none")
    assert_unauthenticated(await client.get("/api/v1/auth/sessions", headers=bearer(unsigned)))


async def test_a_token_of_another_type_is_401(
    client: httpx.AsyncClient, world: World, clock: FixedClock
) -> None:
    pair = await tokens(client, world.logins["teacher"].email)
    claims = jwt.decode(pair["access_token"], options={"verify_signature": False})
    signer = TokenSigner(TEST_SECRET)  # the right key, the wrong kind of token
    other = signer.issue(
        "qr",
        claims["sub"],
        clock.now(),
        timedelta(minutes=1),
        pid=claims["pid"],
        iid=claims["iid"],
        sid=claims["sid"],
    )
    assert_unauthenticated(await client.get("/api/v1/auth/sessions", headers=bearer(other)))


async def test_a_refresh_token_is_not_an_access_token(
    client: httpx.AsyncClient, world: World
) -> None:
    pair = await tokens(client, world.logins["teacher"].email)
    r = await client.get("/api/v1/auth/sessions", headers=bearer(pair["refresh_token"]))
    assert_unauthenticated(r)


@dataclasses.dataclass
class Counted:
    """Sessions on an engine of their own, and the statements they sent."""

    sessions: async_sessionmaker[AsyncSession]
    statements: list[str]


@pytest.fixture
async def counted(settings: Settings) -> AsyncIterator[Counted]:
    engine = make_engine(settings.database_url)
    counted = Counted(make_session_factory(engine), [])

    def count(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        counted.statements.append(statement)

    sa.event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield counted
    finally:
        await engine.dispose()


async def authenticate(counted: Counted, token: str, clock: FixedClock) -> Principal:
    async with counted.sessions() as session:
        return await authenticate_access_token(session, SIGNER, token, clock.now())


async def signed_in(counted: Counted, principal: Principal, clock: FixedClock) -> bool:
    async with counted.sessions() as session:
        return await still_signed_in(session, principal, clock.now())


async def test_an_access_token_is_checked_in_one_statement(
    client: httpx.AsyncClient, world: World, clock: FixedClock, counted: Counted
) -> None:
    teacher = world.logins["teacher"]
    pair = await tokens(client, teacher.email)
    counted.statements.clear()
    principal = await authenticate(counted, pair["access_token"], clock)
    assert len(counted.statements) == 1, counted.statements
    assert (principal.account_id, principal.person_id, principal.institution_id) == (
        teacher.account_id,
        teacher.person_id,
        world.institution_id,
    )
    assert principal.display_name == "Teacher Tester"
    assert principal.grants == frozenset({RoleGrant(Role.TEACHER, world.school_id)})
    counted.statements.clear()
    assert await signed_in(counted, principal, clock) is True
    assert len(counted.statements) == 1, counted.statements
    # the institution's zone comes with the roles, read afresh on every request
    assert principal.timezone == "UTC"
    await _execute(
        counted,
        sa.update(institution)
        .where(institution.c.id == world.institution_id)
        .values(timezone="Pacific/Auckland"),
    )
    counted.statements.clear()
    principal = await authenticate(counted, pair["access_token"], clock)
    assert (principal.timezone, len(counted.statements)) == ("Pacific/Auckland", 1)


async def _execute(counted: Counted, statement: sa.Executable) -> None:
    async with counted.sessions() as session:
        await session.execute(statement)
        await session.commit()


async def _log_out(client: httpx.AsyncClient, pair: dict[str, Any], *_: Any) -> None:
    r = await client.post("/api/v1/auth/logout", headers=bearer(pair["access_token"]))
    assert r.status_code == 204, r.text


async def _disable_login(
    client: httpx.AsyncClient, pair: dict[str, Any], world: World, counted: Counted, now: datetime
) -> None:
    # Only the flag (an administrator's "disable" also revokes the sessions).
    await _execute(
        counted,
        sa.update(account_table)
        .where(account_table.c.id == world.logins["student"].account_id)
        .values(is_active=False),
    )


async def _end_person(
    client: httpx.AsyncClient, pair: dict[str, Any], world: World, counted: Counted, now: datetime
) -> None:
    await _execute(
        counted,
        sa.update(person)
        .where(person.c.id == world.logins["student"].person_id)
        .values(ends_on=now.date()),
    )


async def _suspend_institution(
    client: httpx.AsyncClient, pair: dict[str, Any], world: World, counted: Counted, now: datetime
) -> None:
    await _execute(
        counted,
        sa.insert(institution_suspension).values(
            id=new_id(), institution_id=world.institution_id, suspended_at=now, suspended_by="test"
        ),
    )


Withdrawal = Callable[
    [httpx.AsyncClient, dict[str, Any], World, Counted, datetime], Awaitable[None]
]


@pytest.mark.parametrize(
    "withdraw",
    [_log_out, _disable_login, _end_person, _suspend_institution],
    ids=["session-revoked", "login-inactive", "person-ended", "institution-suspended"],
)
async def test_a_withdrawn_sign_in_is_refused_as_revoked(
    client: httpx.AsyncClient,
    world: World,
    clock: FixedClock,
    counted: Counted,
    withdraw: Withdrawal,
) -> None:
    pair = await tokens(client, world.logins["student"].email)
    principal = await authenticate(counted, pair["access_token"], clock)
    await withdraw(client, pair, world, counted, clock.now())
    with pytest.raises(AuthenticationError) as refused:
        await authenticate(counted, pair["access_token"], clock)
    assert (refused.value.message, refused.value.extra) == (
        "Token has been revoked.",
        {"reason": "revoked"},
    )
    assert await signed_in(counted, principal, clock) is False
    r = await client.get("/api/v1/auth/sessions", headers=bearer(pair["access_token"]))
    assert_unauthenticated(r)


def _reissued(token: str, clock: FixedClock, **changes: Any) -> str:
    """The token's claims, changed (None drops one), signed with the right key."""
    claims = jwt.decode(token, options={"verify_signature": False})
    claims.update(changes)
    extra = {k: v for k, v in claims.items() if k in {"pid", "iid", "sid"} and v is not None}
    return SIGNER.issue("access", claims["sub"], clock.now(), timedelta(minutes=1), **extra)


async def test_person_or_institution_claims_not_the_logins_are_refused(
    client: httpx.AsyncClient, world: World, clock: FixedClock, counted: Counted
) -> None:
    teacher, student = world.logins["teacher"], world.logins["student"]
    token = (await tokens(client, teacher.email))["access_token"]
    assert (await authenticate(counted, _reissued(token, clock), clock)).person_id == (
        teacher.person_id
    )
    for changes in (
        {"pid": str(student.person_id)},
        {"iid": str(world.other_institution_id)},
        {"pid": str(world.logins["outsider"].person_id), "iid": str(world.other_institution_id)},
    ):
        with pytest.raises(AuthenticationError) as refused:
            await authenticate(counted, _reissued(token, clock, **changes), clock)
        assert refused.value.extra == {"reason": "revoked"}, changes
    for changes in ({"pid": None}, {"iid": None}, {"pid": "not-a-uuid"}):
        with pytest.raises(AuthenticationError) as refused:
            await authenticate(counted, _reissued(token, clock, **changes), clock)
        assert (refused.value.message, refused.value.extra) == (
            "Invalid token.",
            {"reason": "invalid"},
        ), changes

    principal = await authenticate(counted, token, clock)
    for other in (
        dataclasses.replace(principal, person_id=student.person_id),
        dataclasses.replace(principal, institution_id=world.other_institution_id),
        dataclasses.replace(principal, session_id=None),
        dataclasses.replace(principal, session_id=new_id()),
    ):
        assert await signed_in(counted, other, clock) is False, other
