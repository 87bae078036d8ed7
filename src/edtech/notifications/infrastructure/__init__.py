"""Tables, repositories, read queries and provider adapters of the notifications slice."""

from edtech.notifications.infrastructure.tables import (
    notification,
    notification_attempt,
    notification_batch,
    notification_digest,
    notification_policy,
    notification_preference,
    push_device,
)

__all__ = [
    "notification",
    "notification_attempt",
    "notification_batch",
    "notification_digest",
    "notification_policy",
    "notification_preference",
    "push_device",
]
