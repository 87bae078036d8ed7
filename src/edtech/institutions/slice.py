"""The institutions slice as the composition root sees it: the roster's routes and channels."""

from __future__ import annotations

from edtech.institutions import channels, infrastructure
from edtech.institutions.api import router
from edtech.institutions.infrastructure import pairing, tenancy
from edtech.manifest import Slice

SLICE = Slice(
    name="institutions",
    routers=[router],
    channels=channels.register,
    tables=[infrastructure, tenancy, pairing],
)
