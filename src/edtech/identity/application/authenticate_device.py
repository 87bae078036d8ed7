"""Authenticate a scanner device by its API key (`X-Device-Key`)."""

from __future__ import annotations

from datetime import timedelta

from edtech.identity.application.device_keys import DeviceKeys
from edtech.identity.infrastructure import SqlAlchemyDevices
from edtech.institutions.public import institution_suspended
from edtech.kernel.clock import Clock
from edtech.kernel.errors import AuthenticationError
from edtech.kernel.principal import DevicePrincipal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.security.keys import hash_secret

# Recording "last seen" on every scan would turn each scan into a write; once a minute is enough.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


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
