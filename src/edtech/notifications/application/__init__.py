"""Use cases of the notifications slice (one per module) and the planning its sink runs."""

from edtech.notifications.application.mark_read import MarkRead
from edtech.notifications.application.plan_notifications import (
    CHUNK,
    RUNG_JOB,
    PlanNotifications,
    delays_of,
    school_zone,
)
from edtech.notifications.application.record_seen import RecordSeen, Seen
from edtech.notifications.application.register_device import RegisterDevice
from edtech.notifications.application.send_rung import RungFailedError, SendRung
from edtech.notifications.application.set_notification_policy import SetNotificationPolicy
from edtech.notifications.application.set_preferences import SetPreferences
from edtech.notifications.application.triggers import (
    DELIVERED,
    MESSAGE,
    OBSERVED,
    TRIGGERING,
    Trigger,
    source_key,
    triggers,
)

__all__ = [
    "CHUNK",
    "DELIVERED",
    "MESSAGE",
    "OBSERVED",
    "RUNG_JOB",
    "TRIGGERING",
    "MarkRead",
    "PlanNotifications",
    "RecordSeen",
    "RegisterDevice",
    "RungFailedError",
    "Seen",
    "SendRung",
    "SetNotificationPolicy",
    "SetPreferences",
    "Trigger",
    "delays_of",
    "school_zone",
    "source_key",
    "triggers",
]
