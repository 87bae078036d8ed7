"""Use cases for scanner devices: register one (its key shown once), revoke it, authenticate it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from edtech.identity.domain import Device
from edtech.identity.infrastructure import SqlAlchemyDevices
from edtech.institutions.public import institution_suspended, school_in_institution
from edtech.kernel.clock import Clock
from edtech.kernel.errors import AuthenticationError, ForbiddenError, NotFoundError
from edtech.kernel.principal import DevicePrincipal, Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger
from edtech.platform.security.keys import hash_secret, new_secret

log = get_logger("edtech.identity")

DEVICE_KEY_PREFIX = "dev_"
# Recording "last seen" on every scan would turn each scan into a write; once a minute is enough.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)
DEVICE_KEY_CACHE_SECONDS = 5.0
"""How long a node trusts a device key it checked: a key revoked on another node is refused
there within this time (on the node that revoked it, at once)."""


class DeviceKeys:
    """A node's device keys checked in the last `ttl` seconds, by key hash.

    A scanner posts a request per tap; without this each one would begin with a database round
    trip for the same answer. Only keys that were valid are kept; `forget` drops a revoked
    device at once. At most `capacity` entries (the oldest go first).
    """

    def __init__(
        self,
        ttl: float = DEVICE_KEY_CACHE_SECONDS,
        capacity: int = 10_000,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl, self._capacity, self._now = ttl, capacity, now
        self._entries: dict[str, tuple[float, DevicePrincipal]] = {}

    def get(self, key_hash: str) -> DevicePrincipal | None:
        entry = self._entries.get(key_hash)
        if entry is None:
            return None
        if entry[0] <= self._now():
            del self._entries[key_hash]
            return None
        return entry[1]

    def put(self, key_hash: str, device: DevicePrincipal) -> None:
        self._entries.pop(key_hash, None)
        while len(self._entries) >= self._capacity:
            del self._entries[next(iter(self._entries))]
        self._entries[key_hash] = (self._now() + self._ttl, device)

    def forget_institution(self, institution_id: uuid.UUID) -> None:
        """Drop every key of a suspended institution (other nodes: within `ttl`)."""
        for key_hash, (_, device) in list(self._entries.items()):
            if device.institution_id == institution_id:
                del self._entries[key_hash]

    def forget(self, device_id: uuid.UUID) -> None:
        for key_hash, (_, device) in list(self._entries.items()):
            if device.device_id == device_id:
                del self._entries[key_hash]


@dataclass(frozen=True)
class RegisterDeviceCommand:
    school_id: uuid.UUID
    name: str
    location: str | None = None


def may_manage_devices(principal: Principal, school_id: uuid.UUID) -> bool:
    """Institution admins manage every school's devices; school admins their own school's."""
    return principal.is_admin_of(school_id)


class RegisterDevice:
    """Register a scanner for one school of the institution and hand out its API key, once.

    Institution admins may register devices for any of their schools, school admins for their
    own school. Only a hash of the key is kept: a lost key is revoked and replaced, never shown
    again.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(
        self, principal: Principal, cmd: RegisterDeviceCommand
    ) -> tuple[Device, str]:
        """Returns the device and its key (the only time the key exists in clear)."""
        async with self.uow as uow:
            if not await school_in_institution(
                uow.session, principal.institution_id, cmd.school_id
            ):
                raise NotFoundError("School not found.", field="school_id")
            if not may_manage_devices(principal, cmd.school_id):
                raise ForbiddenError("Only administrators of this school may register devices.")
            key = new_secret(DEVICE_KEY_PREFIX)
            device = Device.register(
                institution_id=principal.institution_id,
                school_id=cmd.school_id,
                name=cmd.name,
                location=cmd.location,
                key=key,
                key_hash=hash_secret(key),
                now=self.clock.now(),
            )
            SqlAlchemyDevices(uow.session).add(device)
            await uow.commit()
        log.info(
            "device_registered",
            device_id=str(device.id),
            school_id=str(device.school_id),
            by=str(principal.person_id),
        )
        return device, key


class RevokeDevice:
    """Revoke a device's key: from now on the device is refused (401). Revoking is final."""

    def __init__(self, uow: UnitOfWork, clock: Clock, keys: DeviceKeys | None = None) -> None:
        self.uow = uow
        self.clock = clock
        self.keys = keys

    async def __call__(self, principal: Principal, device_id: uuid.UUID) -> Device:
        async with self.uow as uow:
            device = await SqlAlchemyDevices(uow.session).get(principal.institution_id, device_id)
            if device is None or not may_manage_devices(principal, device.school_id):
                raise NotFoundError("Device not found.")
            device.revoke(self.clock.now())
            await uow.commit()
        if self.keys is not None:
            self.keys.forget(device.id)
        log.info("device_revoked", device_id=str(device.id), by=str(principal.person_id))
        return device


class AuthenticateDevice:
    """Turn an `X-Device-Key` into the device it belongs to; unknown or revoked keys get 401.

    With `keys`, a key checked in the last few seconds is taken from there (see `DeviceKeys`).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, keys: DeviceKeys | None = None) -> None:
        self.uow = uow
        self.clock = clock
        self.keys = keys

    async def __call__(self, key: str | None) -> DevicePrincipal:
        if not key:
            raise AuthenticationError("Device key required.", reason="missing")
        key_hash = hash_secret(key)
        if self.keys is not None and (known := self.keys.get(key_hash)) is not None:
            return known
        now = self.clock.now()
        async with self.uow as uow:
            devices = SqlAlchemyDevices(uow.session)
            device = await devices.by_key_hash(key_hash)
            if (
                device is None
                or device.is_revoked
                or await institution_suspended(uow.session, device.institution_id)
            ):
                raise AuthenticationError("Unknown or revoked device key.", reason="invalid")
            principal = DevicePrincipal(
                device_id=device.id,
                institution_id=device.institution_id,
                school_id=device.school_id,
                name=device.name,
            )
            if device.last_seen_at is None or device.last_seen_at < now - LAST_SEEN_RESOLUTION:
                await devices.touch(device.id, now, now - LAST_SEEN_RESOLUTION)
                await uow.commit()
        if self.keys is not None:
            self.keys.put(key_hash, principal)
        return principal
