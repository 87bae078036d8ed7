"""The grades slice as the composition root sees it: gradebook routes and channels."""

from __future__ import annotations

from edtech.grades import channels, infrastructure
from edtech.grades.api import router
from edtech.manifest import Slice

SLICE = Slice(
    name="grades",
    routers=[router],
    channels=channels.register,
    tables=[infrastructure],
)
