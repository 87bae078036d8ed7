"""The identity slice as the composition root sees it: sign-in routes, accounts, devices."""

from __future__ import annotations

from edtech.identity import infrastructure
from edtech.identity.api import router
from edtech.identity.application.devices import DeviceKeys
from edtech.identity.public import session_prune_loop
from edtech.manifest import Job, Slice

SLICE = Slice(
    name="identity",
    routers=[router],
    tables=[infrastructure],
    components=[lambda _services: DeviceKeys()],
    jobs=[Job("identity.prune", session_prune_loop)],
)
