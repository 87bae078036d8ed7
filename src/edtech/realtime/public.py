"""What other slices use of the hub: declare channel types, route their events to channels.

A slice's `channels.py` exposes `register(registry)`; the composition root calls it::

    def register(registry: Registrar) -> None:
        registry.add(SESSION_CHANNEL)
        registry.route(ScanRecorded, lambda e: [SESSION_CHANNEL.name(id=e.session_id)])

Events reach channels through the unit of work: commit them, and the hub does the rest.
"""

from __future__ import annotations

from edtech.realtime.channels import inbox
from edtech.realtime.protocol import ChannelEvent
from edtech.realtime.registry import (
    Affected,
    AuthorizationContext,
    Authorize,
    ChannelType,
    Delivered,
    Delivery,
    DeliveryContext,
    DeliveryObserver,
    Registrar,
    Route,
    SendContext,
    SendHandler,
)

__all__ = [
    "Affected",
    "AuthorizationContext",
    "Authorize",
    "ChannelEvent",
    "ChannelType",
    "Delivered",
    "Delivery",
    "DeliveryContext",
    "DeliveryObserver",
    "Registrar",
    "Route",
    "SendContext",
    "SendHandler",
    "inbox",
]
