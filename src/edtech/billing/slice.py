"""The billing slice as the composition root sees it: routes, channels, the overdue run."""

from __future__ import annotations

from edtech.billing import channels, infrastructure
from edtech.billing.api import router
from edtech.billing.public import overdue_loop
from edtech.manifest import Job, Slice

SLICE = Slice(
    name="billing",
    routers=[router],
    channels=channels.register,
    tables=[infrastructure],
    jobs=[Job("billing.overdue", overdue_loop)],
)
