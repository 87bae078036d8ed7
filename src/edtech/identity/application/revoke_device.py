"""Revoke a scanner device's key."""

from __future__ import annotations

import uuid

from edtech.identity.application.common import may_manage_devices
from edtech.identity.application.device_keys import DeviceKeys
from edtech.identity.domain import Device
from edtech.identity.infrastructure import SqlAlchemyDevices
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger

log = get_logger("edtech.identity")


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
