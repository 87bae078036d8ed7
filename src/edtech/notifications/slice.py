"""The notifications slice as the composition root sees it: its tables, routes, channels, the
event sink that plans notifications, the push and SMS providers, the ladder's job and the
daily digest's."""

from __future__ import annotations

from edtech.manifest import Slice
from edtech.notifications import channels, infrastructure
from edtech.notifications.api import router
from edtech.notifications.infrastructure.email import email_from_settings
from edtech.notifications.infrastructure.erasure import ForgetErasedContacts
from edtech.notifications.infrastructure.providers import push_from_settings, sms_from_settings
from edtech.notifications.jobs import DIGEST, DIGEST_SWEEP, RUNG, RUNGS, STALE_SWEEP
from edtech.notifications.sink import build_sink

SLICE = Slice(
    name="notifications",
    routers=[router],
    channels=channels.register,
    tables=[infrastructure],
    components=[
        lambda s: push_from_settings(s.settings.notifications, demo=s.settings.demo),
        lambda s: sms_from_settings(s.settings.notifications, demo=s.settings.demo),
        lambda s: email_from_settings(s.settings),
    ],
    jobs=[RUNG, RUNGS, DIGEST],
    schedules=[DIGEST_SWEEP, STALE_SWEEP],
    sinks=[build_sink, lambda _services: ForgetErasedContacts()],
)
