"""The explicit list of slices a node is made of, and the complete table metadata.

`create_app` iterates `SLICES` in this order (routes are registered in it); `edtech channels
export` reads the same list, so the published contract is exactly what the nodes serve; Alembic
and the tests take `metadata()` so they see every table.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from edtech.attendance.slice import SLICE as ATTENDANCE
from edtech.billing.slice import SLICE as BILLING
from edtech.calendar.slice import SLICE as CALENDAR
from edtech.communication.slice import SLICE as COMMUNICATION
from edtech.files.slice import SLICE as FILES
from edtech.grades.slice import SLICE as GRADES
from edtech.identity.slice import SLICE as IDENTITY
from edtech.insights.slice import SLICE as INSIGHTS
from edtech.institutions.slice import SLICE as INSTITUTIONS
from edtech.jobs.slice import SLICE as JOBS
from edtech.manifest import Slice
from edtech.notifications.slice import SLICE as NOTIFICATIONS
from edtech.oneroster.slice import SLICE as ONEROSTER
from edtech.platform import idempotency
from edtech.platform.db.metadata import metadata as _metadata
from edtech.realtime import infrastructure as realtime_tables
from edtech.realtime.public import Registrar
from edtech.web.slice import SLICE as WEB

SLICES: tuple[Slice, ...] = (
    IDENTITY,
    INSTITUTIONS,
    BILLING,
    ATTENDANCE,
    CALENDAR,
    GRADES,
    COMMUNICATION,
    INSIGHTS,
    JOBS,
    NOTIFICATIONS,
    FILES,
    ONEROSTER,
    WEB,
)

# Tables that belong to no slice: the hub's outbox and channel offsets, idempotent responses.
PLATFORM_TABLES = (realtime_tables, idempotency)


def channel_registrations() -> list[Callable[[Registrar], None]]:
    """Every slice's channel declarations, in list order (the nodes' and the contract's)."""
    return [part.channels for part in SLICES if part.channels is not None]


def metadata() -> sa.MetaData:
    """The metadata with every table of every slice and of the platform on it (a table is
    declared when its module is imported, and this module imports every one the manifests
    and `PLATFORM_TABLES` name)."""
    return _metadata
