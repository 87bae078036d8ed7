"""Identity test fixtures: a small world of two institutions with logins, and a movable clock.

The world is written through lightweight table constructs (not the institutions slice's
internals), with exactly the rows identity needs: institutions, schools, people, role grants.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from edtech.app import create_app
from edtech.identity.public import create_account, create_device
from edtech.kernel.clock import FixedClock
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Role
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.db.types import UTCDateTime
from edtech.settings import Settings
from tests.servers import TEST_SECRET

PASSWORD = "correct horse battery"
# A real argon2id hash with cheap parameters: verifying reads them from the hash, so sign-ins in
# tests cost milliseconds; production hashes use pwdlib's defaults.
PASSWORD_HASH = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),)).hash(
    PASSWORD
)
DEVICE_KEY = "demo-scanner-key"
MAX_FAILURES = 3
WINDOW_SECONDS = 60
ACCESS_TTL_SECONDS = 120

_institution = sa.table(
    "institution",
    sa.column("id", sa.Uuid()),
    sa.column("slug", sa.String()),
    sa.column("name", sa.String()),
    sa.column("timezone", sa.String()),
    sa.column("locale", sa.String()),
    sa.column("currency", sa.String()),
    sa.column("created_at", UTCDateTime()),
)
_school = sa.table(
    "school",
    sa.column("id", sa.Uuid()),
    sa.column("institution_id", sa.Uuid()),
    sa.column("name", sa.String()),
    sa.column("org_type", sa.String()),
)
_person = sa.table(
    "person",
    sa.column("id", sa.Uuid()),
    sa.column("institution_id", sa.Uuid()),
    sa.column("given_name", sa.String()),
    sa.column("family_name", sa.String()),
    sa.column("created_at", UTCDateTime()),
)
_role = sa.table(
    "role_assignment",
    sa.column("id", sa.Uuid()),
    sa.column("institution_id", sa.Uuid()),
    sa.column("person_id", sa.Uuid()),
    sa.column("role", sa.String()),
    sa.column("school_id", sa.Uuid()),
    sa.column("begins_on", sa.Date()),
)


@dataclass
class Login:
    email: str
    person_id: uuid.UUID
    account_id: uuid.UUID | None
    institution_id: uuid.UUID


@dataclass
class World:
    """Institution A (two schools) and institution B, with a login for each kind of person."""

    institution_id: uuid.UUID
    school_id: uuid.UUID
    other_school_id: uuid.UUID
    other_institution_id: uuid.UUID
    foreign_school_id: uuid.UUID
    logins: dict[str, Login] = field(default_factory=dict)
    device_id: uuid.UUID | None = None


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        broker_url="memory://",
        secret_key=TEST_SECRET,
        log_json=True,
        log_level="WARNING",
        login_max_failures=MAX_FAILURES,
        login_window_seconds=WINDOW_SECONDS,
        access_token_ttl_seconds=ACCESS_TTL_SECONDS,
    )


@pytest.fixture
def app(settings: Settings, clock: FixedClock) -> FastAPI:
    return create_app(settings, clock=clock)


async def _add_person(
    session: Any,
    world: World,
    name: str,
    institution_id: uuid.UUID,
    grants: list[tuple[Role, uuid.UUID | None]],
    now: datetime,
    *,
    with_login: bool = True,
) -> None:
    person_id = new_id()
    await session.execute(
        sa.insert(_person).values(
            id=person_id,
            institution_id=institution_id,
            given_name=name.capitalize(),
            family_name="Tester",
            created_at=now,
        )
    )
    for role, school_id in grants:
        await session.execute(
            sa.insert(_role).values(
                id=new_id(),
                institution_id=institution_id,
                person_id=person_id,
                role=role.value,
                school_id=school_id,
                begins_on=now.date() - timedelta(days=30),
            )
        )
    email = f"{name}@{'a' if institution_id == world.institution_id else 'b'}.test"
    account_id = None
    if with_login:
        await session.flush()
        account_id = await create_account(
            session,
            institution_id=institution_id,
            person_id=person_id,
            email=email.upper() if name == "teacher" else email,  # stored lowercase
            password_hash=PASSWORD_HASH,
            now=now,
        )
    world.logins[name] = Login(email, person_id, account_id, institution_id)


@pytest.fixture
async def world(settings: Settings, clock: FixedClock) -> AsyncIterator[World]:
    now = clock.now()
    world = World(
        institution_id=new_id(),
        school_id=new_id(),
        other_school_id=new_id(),
        other_institution_id=new_id(),
        foreign_school_id=new_id(),
    )
    engine = make_engine(settings.database_url)
    try:
        async with make_session_factory(engine)() as session:
            for iid, slug in ((world.institution_id, "a"), (world.other_institution_id, "b")):
                await session.execute(
                    sa.insert(_institution).values(
                        id=iid,
                        slug=f"inst-{slug}",
                        name=f"Institution {slug.upper()}",
                        timezone="UTC",
                        locale="en",
                        currency="EUR",
                        created_at=now,
                    )
                )
            for sid, iid, name in (
                (world.school_id, world.institution_id, "North"),
                (world.other_school_id, world.institution_id, "South"),
                (world.foreign_school_id, world.other_institution_id, "Elsewhere"),
            ):
                await session.execute(
                    sa.insert(_school).values(
                        id=sid, institution_id=iid, name=name, org_type="school"
                    )
                )
            a, b = world.institution_id, world.other_institution_id
            people: list[tuple[str, uuid.UUID, list[tuple[Role, uuid.UUID | None]]]] = [
                ("admin", a, [(Role.INSTITUTION_ADMIN, None)]),
                ("schooladmin", a, [(Role.SCHOOL_ADMIN, world.school_id)]),
                ("teacher", a, [(Role.TEACHER, world.school_id)]),
                ("student", a, [(Role.STUDENT, world.school_id)]),
                ("outsider", b, [(Role.INSTITUTION_ADMIN, None)]),
            ]
            for name, iid, grants in people:
                await _add_person(session, world, name, iid, grants, now)
            await _add_person(
                session, world, "newcomer", a, [(Role.TEACHER, None)], now, with_login=False
            )
            world.device_id = await create_device(
                session,
                institution_id=a,
                school_id=world.school_id,
                name="Gate scanner",
                location="Main entrance",
                key=DEVICE_KEY,
                now=now,
            )
            await session.commit()
        yield world
    finally:
        await engine.dispose()


async def sign_in(
    client: httpx.AsyncClient,
    email: str,
    password: str = PASSWORD,
    *,
    address: str | None = None,
) -> httpx.Response:
    headers = {"X-Forwarded-For": address} if address else {}
    return await client.post(
        "/api/v1/auth/token", data={"username": email, "password": password}, headers=headers
    )


async def tokens(client: httpx.AsyncClient, email: str) -> dict[str, Any]:
    r = await sign_in(client, email)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def admin_headers(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    return bearer((await tokens(client, world.logins["admin"].email))["access_token"])
