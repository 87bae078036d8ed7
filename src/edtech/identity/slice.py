"""The identity slice as the composition root sees it: sign-in routes, accounts, devices."""

from __future__ import annotations

from datetime import timedelta

from edtech.identity import infrastructure
from edtech.identity.api import router
from edtech.identity.application.device_keys import DeviceKeys
from edtech.identity.application.first_run_hint import FirstRunHint
from edtech.identity.application.sign_ins import SignIns
from edtech.identity.channels import register
from edtech.identity.infrastructure import links, sso
from edtech.identity.infrastructure.erasure import DropErasedLogins
from edtech.identity.infrastructure.oidc import OpenIdClient
from edtech.identity.public import prune_sessions
from edtech.manifest import Scheduled, Slice
from edtech.platform.mail import mail_from_settings

SLICE = Slice(
    name="identity",
    routers=[router],
    channels=register,
    tables=[infrastructure, links, sso],
    # The mail port: identity sends invitations and reset links; a notifications slice would
    # take this component over (ADR-0006: built once, reached by `component(Mail)`).
    components=[
        lambda _services: DeviceKeys(),
        lambda s: SignIns(s.reads, s.signer, s.clock),
        lambda s: mail_from_settings(s.settings),
        lambda s: FirstRunHint(s.session_factory, s.settings.demo),
        lambda _services: OpenIdClient(),
    ],
    sinks=[lambda _services: DropErasedLogins()],
    # Ended sign-in sessions are pruned hourly (EDTECH_AUTH_SESSION_RETENTION_SECONDS old).
    schedules=[Scheduled("identity.prune", timedelta(hours=1), prune_sessions)],
)
