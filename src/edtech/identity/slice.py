"""The identity slice as the composition root sees it: sign-in routes, accounts, devices."""

from __future__ import annotations

from datetime import timedelta

from edtech.identity import infrastructure
from edtech.identity.api import router
from edtech.identity.application.devices import DeviceKeys
from edtech.identity.channels import register
from edtech.identity.public import prune_sessions
from edtech.manifest import Scheduled, Slice

SLICE = Slice(
    name="identity",
    routers=[router],
    channels=register,
    tables=[infrastructure],
    components=[lambda _services: DeviceKeys()],
    # Ended sign-in sessions are pruned hourly (EDTECH_AUTH_SESSION_RETENTION_SECONDS old).
    schedules=[Scheduled("identity.prune", timedelta(hours=1), prune_sessions)],
)
