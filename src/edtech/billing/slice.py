"""The billing slice as the composition root sees it: routes, channels, the overdue run."""

from __future__ import annotations

from datetime import timedelta

from edtech.billing import channels, infrastructure
from edtech.billing.api import router
from edtech.billing.public import remind_overdue
from edtech.manifest import Scheduled, Slice

SLICE = Slice(
    name="billing",
    routers=[router],
    channels=channels.register,
    tables=[infrastructure],
    schedules=[Scheduled("billing.overdue", timedelta(hours=1), remind_overdue)],
)
