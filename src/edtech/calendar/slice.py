"""The calendar slice as the composition root sees it: its routes, its tables, and the adapter
that lets a declared closure cancel attendance's sessions (attendance's public function)."""

from __future__ import annotations

from edtech.attendance.public import cancel_sessions_on
from edtech.calendar import infrastructure
from edtech.calendar.api import router
from edtech.calendar.application.ports import SessionCanceller
from edtech.manifest import Slice

SLICE = Slice(
    name="calendar",
    routers=[router],
    tables=[infrastructure],
    components=[lambda _services: SessionCanceller(cancel_sessions_on)],
)
