"""What other slices may use from identity: who is calling, and how to create logins and devices."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.identity.api.deps import (
    CurrentDeviceDep,
    CurrentPrincipalDep,
    OptionalPrincipalDep,
    authenticate_device,
    principal_from_access_token,
    principal_signed_in,
    principals_in,
    require_any_role,
)
from edtech.identity.application.common import links_from_settings
from edtech.identity.application.make_operator import MakeOperator
from edtech.identity.application.password_policy import PasswordPolicy
from edtech.identity.application.provision_institution import Provisioned, ProvisionInstitution
from edtech.identity.application.prune_sessions import PruneSessions
from edtech.identity.domain import Account, Device, normalize_email
from edtech.identity.infrastructure import SqlAlchemyDevices, insert_accounts
from edtech.institutions.public import NewTenant
from edtech.kernel.clock import SystemClock
from edtech.kernel.ids import new_id
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.http.deps import use_case
from edtech.platform.mail import MailNotSetUp
from edtech.platform.security.keys import hash_secret
from edtech.platform.services import Services
from edtech.settings import Settings

__all__ = [
    "CurrentDeviceDep",
    "CurrentPrincipalDep",
    "OptionalPrincipalDep",
    "Provisioned",
    "authenticate_device",
    "create_account",
    "create_accounts_bulk",
    "create_device",
    "make_operator",
    "principal_from_access_token",
    "principal_signed_in",
    "principals_in",
    "provision_institution",
    "prune_sessions",
    "require_any_role",
]


async def create_account(
    session: AsyncSession,
    *,
    institution_id: uuid.UUID,
    person_id: uuid.UUID,
    email: str,
    password_hash: str,
    now: datetime | None = None,
) -> uuid.UUID:
    """Add a login for a person to `session` (the caller commits); returns the account id.

    `password_hash` comes from `edtech.platform.security.passwords.hash_password`; hash once
    and reuse it when seeding many accounts with one password.
    """
    account = Account(
        id=new_id(),
        institution_id=institution_id,
        person_id=person_id,
        email=normalize_email(email),
        password_hash=password_hash,
        is_active=True,
        created_at=now or datetime.now(UTC),
    )
    session.add(account)
    return account.id


async def create_accounts_bulk(
    session: AsyncSession, rows: Iterable[Mapping[str, Any]], now: datetime | None = None
) -> list[uuid.UUID]:
    """Insert many logins in one statement; each row has institution_id, person_id, email and
    password_hash. Faster than `create_account` for seeding; the caller commits."""
    at = now or datetime.now(UTC)
    values = [
        {
            "id": new_id(),
            "institution_id": r["institution_id"],
            "person_id": r["person_id"],
            "email": normalize_email(r["email"]),
            "password_hash": r["password_hash"],
            "is_active": True,
            "created_at": at,
            "last_login_at": None,
        }
        for r in rows
    ]
    await insert_accounts(session, values)
    return [v["id"] for v in values]


async def create_device(
    session: AsyncSession,
    *,
    institution_id: uuid.UUID,
    school_id: uuid.UUID,
    name: str,
    location: str | None,
    key: str,
    now: datetime | None = None,
) -> uuid.UUID:
    """Add a scanner device with a key of the caller's choosing (demo: `demo-scanner-key`).

    Idempotent by key: if a device already has this key, its id is returned and nothing is
    added. The caller commits.
    """
    devices = SqlAlchemyDevices(session)
    key_hash = hash_secret(key)
    existing = await devices.by_key_hash(key_hash)
    if existing is not None:
        return existing.id
    device = Device.register(
        institution_id=institution_id,
        school_id=school_id,
        name=name,
        location=location,
        key=key,
        key_hash=key_hash,
        now=now or datetime.now(UTC),
    )
    devices.add(device)
    return device.id


async def prune_sessions(services: Services) -> int:
    """Delete sign-in sessions (and their spent refresh tokens) that ended longer ago than
    `EDTECH_AUTH_SESSION_RETENTION_SECONDS`; returns how many."""
    retention = timedelta(seconds=services.settings.auth_session_retention_seconds)
    return await use_case(PruneSessions)(services)(retention)


async def provision_institution(
    settings: Settings, tenant: NewTenant, password: str | None = None
) -> Provisioned:
    """`edtech institution create`: a new institution, its first administrator and — without
    `password` — the setup link to print (nothing is mailed from the command line)."""
    engine = make_engine(settings.database_url)
    try:
        # Links are made as a node makes them: same public URL, key and lifetime.
        provision = ProvisionInstitution(
            UnitOfWork(make_session_factory(engine)),
            SystemClock(),
            MailNotSetUp(),
            links_from_settings(settings),
            PasswordPolicy(settings.password_min_length),
        )
        return await provision(tenant, actor="command_line", password=password)
    finally:
        await engine.dispose()


async def make_operator(settings: Settings, email: str) -> bool:
    """`edtech operator create`: mark the login using `email` as a platform operator."""
    engine = make_engine(settings.database_url)
    try:
        uow = UnitOfWork(make_session_factory(engine))
        return await MakeOperator(uow, SystemClock())(email)
    finally:
        await engine.dispose()
