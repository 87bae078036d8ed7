"""Tables, repositories and the roster adapter of the communication slice."""

from edtech.communication.infrastructure.announcements import SqlAlchemyAnnouncements
from edtech.communication.infrastructure.conversations import (
    SqlAlchemyConversations,
    SqlAlchemyMessages,
    conflicts_as,
)
from edtech.communication.infrastructure.deliveries import SqlAlchemyDeliveries, delivered_to
from edtech.communication.infrastructure.directory import (
    CachedDirectory,
    ProfileCache,
    RosterDirectory,
)
from edtech.communication.infrastructure.safety import ManyGuards, SqlAlchemySafety
from edtech.communication.infrastructure.tables import (
    announcement,
    announcement_recipient,
    conversation,
    conversation_export,
    conversation_participant,
    held_notification,
    message,
    message_delivery,
    message_report,
    message_version,
    messaging_settings,
    person_block,
    quiet_hours,
)

__all__ = [
    "CachedDirectory",
    "ManyGuards",
    "ProfileCache",
    "RosterDirectory",
    "SqlAlchemyAnnouncements",
    "SqlAlchemyConversations",
    "SqlAlchemyDeliveries",
    "SqlAlchemyMessages",
    "SqlAlchemySafety",
    "announcement",
    "announcement_recipient",
    "conflicts_as",
    "conversation",
    "conversation_export",
    "conversation_participant",
    "delivered_to",
    "held_notification",
    "message",
    "message_delivery",
    "message_report",
    "message_version",
    "messaging_settings",
    "person_block",
    "quiet_hours",
]
