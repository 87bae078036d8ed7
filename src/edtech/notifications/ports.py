"""How the slice's use cases get their ports from the node (for `use_case(cls, *ports)`)."""

from __future__ import annotations

from edtech.notifications.domain.ports import Email, Push, Sms
from edtech.platform.services import Services


def email_port(services: Services) -> Email:
    return services.components.get(Email)  # type: ignore[type-abstract]


def push_port(services: Services) -> Push:
    return services.components.get(Push)  # type: ignore[type-abstract]


def sms_port(services: Services) -> Sms:
    return services.components.get(Sms)  # type: ignore[type-abstract]


def node_port(services: Services) -> str:
    return services.node_name


def public_url_port(services: Services) -> str:
    return services.settings.public_url
