"""The delivery ports (push, email, SMS) and how a provider says no. Email goes through the
platform's mail settings (SMTP) or Amazon SES, with a Message-ID of our own. Base classes
rather than Protocols so the node's component registry answers `component(Push)` with
whichever adapter the settings chose."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field

from edtech.kernel.errors import UnavailableError


@dataclass(frozen=True)
class Outgoing:
    """One message to one address. `key` is the attempt's idempotency key (notification and
    channel): a resend after a crash carries the same key, so providers and devices that
    collapse by key show it once."""

    to: str
    title: str
    body: str
    link: str
    key: str
    data: dict[str, str] = field(default_factory=dict)
    platform: str = "fcm"
    """For push: the push service the device token belongs to (`fcm`, `apns`, `webpush`)."""


class AddressRejectedError(Exception):
    """The provider refused this address for good (an unregistered device token, a number
    that answered STOP, a malformed number): the address is disabled with `reason`, and the
    rung does not retry."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ProviderFailedError(UnavailableError):
    """The provider timed out or failed (5xx, 429, a refused connection): try again later."""

    code = "provider_failed"


class PushNotSetUpError(UnavailableError):
    code = "push_not_set_up"

    def __init__(self, setting: str = "EDTECH_PUSH_URL") -> None:
        super().__init__(f"Push is not set up on this server: ask the operator to set {setting}.")


class SmsNotSetUpError(UnavailableError):
    code = "sms_not_set_up"

    def __init__(self) -> None:
        super().__init__(
            "SMS is not set up on this server: ask the operator to set EDTECH_SMS_URL."
        )


class Push(abc.ABC):
    """Sends one notification to one device token; returns the provider's message id."""

    set_up: bool = True
    platforms: frozenset[str] = frozenset({"fcm"})
    """The push services whose device tokens this adapter can reach."""

    def refuses(self, platform: str, token: str) -> str | None:
        """Why this adapter would never send to that token (a Web Push endpoint outside the
        known push services), or None."""
        return None

    @abc.abstractmethod
    async def send(self, message: Outgoing) -> str: ...


class Sms(abc.ABC):
    """Sends one text message to one E.164 number; returns the provider's message id."""

    set_up: bool = True

    @abc.abstractmethod
    async def send(self, message: Outgoing) -> str: ...


class EmailNotSetUpError(UnavailableError):
    code = "mail_not_set_up"

    def __init__(self) -> None:
        super().__init__(
            "Mail is not set up on this server: ask the operator to set EDTECH_MAIL_URL."
        )


def message_id(key: str, domain: str) -> str:
    """The RFC 5322 Message-ID of the email an attempt sends: derived from its idempotency key
    alone, so a resend after a crash carries the same one and a mailbox that already holds the
    first copy drops (or threads) the second. `key` is `<notification id>:<channel>`."""
    left = key.replace(":", ".")
    return f"<{left}@{domain}>"


class Email(abc.ABC):
    """Sends one notification email (text, and HTML when given) to one address, with the
    Message-ID `message_id(message.key, domain)`; returns the provider's reference (that
    Message-ID, or the provider's own id)."""

    set_up: bool = True
    sends_message_id: bool = True
    """False for an adapter whose provider does not keep our Message-ID (SES, the console)."""
    domain: str = "edtech.invalid"

    @abc.abstractmethod
    async def send(self, message: Outgoing, text: str, html: str | None) -> str: ...
