"""Use case: an app registers the device token push notifications go to."""

from __future__ import annotations

import uuid

from edtech.kernel.clock import Clock
from edtech.kernel.principal import Principal
from edtech.notifications.domain.ports import Push, PushNotSetUpError
from edtech.notifications.infrastructure.repository import SqlNotifications
from edtech.platform.db.uow import UnitOfWork


class RegisterDevice:
    """A signed-in person registers their app's device token (an FCM registration token, or
    an APNs device token). When this server has no provider for that platform, it says so
    (503) rather than keeping tokens it cannot use. A token the provider later calls
    unregistered is disabled, with the reason."""

    def __init__(self, uow: UnitOfWork, clock: Clock, push: Push) -> None:
        self.uow, self.clock, self.push = uow, clock, push

    async def __call__(self, principal: Principal, platform: str, token: str) -> uuid.UUID:
        if not self.push.set_up or platform not in self.push.platforms:
            raise PushNotSetUpError()
        async with self.uow as uow:
            device_id = await SqlNotifications(uow.session).add_device(
                principal.institution_id, principal.person_id, platform, token, self.clock.now()
            )
            await uow.commit()
        return device_id
