"""Helpers of the identity tests: the small world's shape, its password, signing in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

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
