"""Register a scanner device for a school; its API key is shown once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from edtech.identity.application.common import may_manage_devices
from edtech.identity.domain import Device
from edtech.identity.infrastructure import SqlAlchemyDevices
from edtech.institutions.public import school_in_institution
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ForbiddenError, NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger
from edtech.platform.security.keys import hash_secret, new_secret

log = get_logger("edtech.identity")

DEVICE_KEY_PREFIX = "dev_"


@dataclass(frozen=True)
class RegisterDeviceCommand:
    school_id: uuid.UUID
    name: str
    location: str | None = None


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
