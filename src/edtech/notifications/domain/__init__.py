"""The notifications domain: categories, preferences, the escalation ladder (no I/O)."""

from edtech.notifications.domain.categories import (
    BYPASS_QUIET_HOURS,
    MANDATORY,
    Category,
    Channel,
    default_enabled,
    may_switch_off,
)
from edtech.notifications.domain.events import BatchProgressed
from edtech.notifications.domain.ladder import (
    Delays,
    PlannedRung,
    Progress,
    Rung,
    Unless,
    ladder,
    plan,
)
from edtech.notifications.domain.preferences import Preferences, QuietHours, Switches, choose

__all__ = [
    "BYPASS_QUIET_HOURS",
    "MANDATORY",
    "BatchProgressed",
    "Category",
    "Channel",
    "Delays",
    "PlannedRung",
    "Preferences",
    "Progress",
    "QuietHours",
    "Rung",
    "Switches",
    "Unless",
    "choose",
    "default_enabled",
    "ladder",
    "may_switch_off",
    "plan",
]
