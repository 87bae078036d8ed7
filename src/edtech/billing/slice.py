"""The billing slice as the composition root sees it: routes, channels, the node's payment
provider, the overdue run."""

from __future__ import annotations

from datetime import timedelta

from edtech.billing import channels, infrastructure
from edtech.billing.api import router
from edtech.billing.infrastructure.provider import build_card_payments
from edtech.billing.public import remind_overdue
from edtech.manifest import Scheduled, Slice

SLICE = Slice(
    name="billing",
    routers=[router],
    channels=channels.register,
    tables=[infrastructure],
    components=[build_card_payments],
    schedules=[Scheduled("billing.overdue", timedelta(hours=1), remind_overdue)],
)
