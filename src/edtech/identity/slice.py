"""The identity slice as the composition root sees it: sign-in routes, accounts, devices."""

from __future__ import annotations

from edtech.identity import infrastructure
from edtech.identity.api import router
from edtech.identity.application.devices import DeviceKeys
from edtech.identity.application.first_run_hint import FirstRunHint
from edtech.identity.infrastructure import links
from edtech.identity.public import session_prune_loop
from edtech.manifest import Job, Slice
from edtech.platform.mail import mail_from_settings

SLICE = Slice(
    name="identity",
    routers=[router],
    tables=[infrastructure, links],
    # The mail port: identity sends invitations and reset links; a notifications slice would
    # take this component over (ADR-0006: built once, reached by `component(Mail)`).
    components=[
        lambda _services: DeviceKeys(),
        lambda s: mail_from_settings(s.settings),
        lambda s: FirstRunHint(s.session_factory, s.settings.demo),
    ],
    jobs=[Job("identity.prune", session_prune_loop)],
)
