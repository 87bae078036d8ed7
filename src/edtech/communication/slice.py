"""The communication slice as the composition root sees it: conversations, announcements,
their channels, and the release of notifications held by quiet hours."""

from __future__ import annotations

from edtech.communication import channels, infrastructure
from edtech.communication.api import router
from edtech.communication.public import run_release_loop
from edtech.manifest import Job, Slice

SLICE = Slice(
    name="communication",
    routers=[router],
    channels=channels.register,
    tables=[infrastructure],
    jobs=[Job("communication.release", run_release_loop)],
)
