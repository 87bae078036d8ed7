"""The communication slice as the composition root sees it: conversations, announcements,
their channels, and the release of notifications held by quiet hours."""

from __future__ import annotations

from datetime import timedelta

from edtech.communication import channels, infrastructure
from edtech.communication.api import router
from edtech.communication.api.conversations import group_posts
from edtech.communication.api.message_post import MESSAGES_ROUTE, message_post
from edtech.communication.public import RELEASE_INTERVAL_SECONDS, run_release
from edtech.manifest import FastRoute, Scheduled, Slice

SLICE = Slice(
    name="communication",
    routers=[router],
    channels=channels.register,
    tables=[infrastructure],
    # The node's group commit of chat messages (ADR-0018): the REST routes post through it.
    components=[group_posts],
    schedules=[
        Scheduled("communication.release", timedelta(seconds=RELEASE_INTERVAL_SECONDS), run_release)
    ],
    # A chat message is a request each: that route is served ahead of FastAPI's stack.
    fast_routes=[FastRoute(*MESSAGES_ROUTE, build=message_post)],
)
