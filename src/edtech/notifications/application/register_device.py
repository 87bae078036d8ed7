"""Use case: an app registers the device token push notifications go to, or a browser its
Web Push subscription."""

from __future__ import annotations

import uuid

from edtech.kernel.clock import Clock
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.principal import Principal
from edtech.notifications.domain.ports import Push, PushNotSetUpError
from edtech.notifications.infrastructure.repository import SqlNotifications
from edtech.platform.db.uow import UnitOfWork

SETTING = {"webpush": "EDTECH_WEBPUSH_PRIVATE_KEY", "apns": "EDTECH_PUSH_APNS_URL"}


class RegisterDevice:
    """A signed-in person registers their app's device token (an FCM registration token, or
    an APNs device token) or their browser's Web Push subscription. When this server has no
    provider for that platform, it says so (503) rather than keeping tokens it cannot use; a
    subscription whose endpoint is not a push service this server sends to is refused (422).
    A token the provider later calls unregistered is disabled, with the reason."""

    def __init__(self, uow: UnitOfWork, clock: Clock, push: Push) -> None:
        self.uow, self.clock, self.push = uow, clock, push

    async def __call__(self, principal: Principal, platform: str, token: str) -> uuid.UUID:
        if not self.push.set_up or platform not in self.push.platforms:
            raise PushNotSetUpError(SETTING.get(platform, "EDTECH_PUSH_URL"))
        refused = self.push.refuses(platform, token)
        if refused is not None:
            raise InvalidError(refused, [FieldProblem(("body", "endpoint"), refused)])
        async with self.uow as uow:
            device_id = await SqlNotifications(uow.session).add_device(
                principal.institution_id, principal.person_id, platform, token, self.clock.now()
            )
            await uow.commit()
        return device_id
