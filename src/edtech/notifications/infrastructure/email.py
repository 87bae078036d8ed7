"""Email adapters of the ladder: SMTP (the platform's `EDTECH_MAIL_URL`) with a Message-ID
derived from the attempt's idempotency key, Amazon SES (`EDTECH_NOTIFY_EMAIL_URL=ses://…`),
any other `Mail` adapter (the console in demo mode), and "not set up"."""

from __future__ import annotations

import asyncio
from email.utils import parseaddr
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib
import boto3
from botocore.exceptions import BotoCoreError, ClientError

from edtech.kernel.errors import UnavailableError
from edtech.notifications.domain.ports import (
    AddressRejectedError,
    Email,
    EmailNotSetUpError,
    Outgoing,
    ProviderFailedError,
    message_id,
)
from edtech.notifications.settings import NotificationSettings
from edtech.platform.mail import (
    SMTP_TIMEOUT_SECONDS,
    Mail,
    SmtpMail,
    mail_from_settings,
    mail_is_set_up,
    message,
)
from edtech.platform.observability.logging import get_logger
from edtech.settings import Settings

log = get_logger("edtech.notifications")


class SmtpEmail(Email):
    """Hands the message to the SMTP server `EDTECH_MAIL_URL` names, with our Message-ID. A
    recipient the server refuses for good (5xx to RCPT TO) fails the attempt without retries;
    anything else (4xx, a dropped connection, a timeout) is retried by the ladder."""

    def __init__(self, mail: SmtpMail, domain: str) -> None:
        self.mail, self.domain = mail, domain

    async def send(self, message_: Outgoing, text: str, html: str | None) -> str:
        msg_id = message_id(message_.key, self.domain)
        m = self.mail
        msg = message(m.sender, message_.to, message_.title, text, html)
        msg["Message-ID"] = msg_id
        try:
            await aiosmtplib.send(
                msg,
                hostname=m.host,
                port=m.port,
                username=m.username,
                password=m.password,
                use_tls=m.use_tls,
                start_tls=m.start_tls and not m.use_tls,
                cert_bundle=m.cafile,
                timeout=SMTP_TIMEOUT_SECONDS,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            if codes and all(500 <= c < 600 for c in codes):
                raise AddressRejectedError(f"address refused ({codes[0]})") from exc
            raise ProviderFailedError(f"SMTP refused the recipient for now {codes}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise ProviderFailedError(f"SMTP: {type(exc).__name__}: {exc}") from exc
        return msg_id


class PortEmail(Email):
    """Any other `Mail` adapter (the console in demo mode): it cannot carry our Message-ID."""

    sends_message_id = False

    def __init__(self, mail: Mail, domain: str) -> None:
        self.mail, self.domain = mail, domain

    async def send(self, message_: Outgoing, text: str, html: str | None) -> str:
        msg_id = message_id(message_.key, self.domain)
        try:
            await self.mail.send(message_.to, message_.title, text, html)
        except UnavailableError as exc:
            raise ProviderFailedError(f"{type(exc).__name__}: {exc}") from exc
        return msg_id


class EmailNotSetUp(Email):
    set_up = False

    async def send(self, message_: Outgoing, text: str, html: str | None) -> str:
        raise EmailNotSetUpError()  # pragma: no cover - the rung checks `set_up` first


SES_REJECTED = frozenset({"MessageRejected", "MailFromDomainNotVerifiedException"})


class SesEmail(Email):
    """Amazon SES `SendRawEmail` (the same MIME message as SMTP; credentials from the AWS
    chain: environment, profile, instance role). SES replaces the Message-ID with its own, so
    a resend after a crash is not collapsed by the mailbox (`sends_message_id` is False): the
    attempt row is the only guard there. `MessageRejected` fails the attempt without retries;
    throttling, 5xx and transport errors are retried by the ladder."""

    sends_message_id = False

    def __init__(
        self, region: str, sender: str, domain: str, endpoint_url: str | None = None
    ) -> None:
        self.sender, self.domain = sender, domain
        self.client: Any = boto3.client("ses", region_name=region, endpoint_url=endpoint_url)

    async def send(self, message_: Outgoing, text: str, html: str | None) -> str:
        msg_id = message_id(message_.key, self.domain)
        msg = message(self.sender, message_.to, message_.title, text, html)
        msg["Message-ID"] = msg_id
        try:
            answer = await asyncio.to_thread(
                self.client.send_raw_email,
                Source=self.sender,
                Destinations=[message_.to],
                RawMessage={"Data": msg.as_bytes()},
            )
        except ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code", ""))
            if code in SES_REJECTED:
                raise AddressRejectedError(f"refused by SES ({code})") from exc
            raise ProviderFailedError(f"SES answered {code}") from exc
        except BotoCoreError as exc:
            raise ProviderFailedError(f"SES unreachable: {type(exc).__name__}") from exc
        return str(answer["MessageId"])


def email_from_settings(settings: Settings) -> Email:
    """`EDTECH_NOTIFY_EMAIL_URL=ses://REGION?from=…` chooses SES; unset, the ladder mails
    through `EDTECH_MAIL_URL` (SMTP, the console in demo mode, or not set up). ValueError if
    malformed."""
    ns: NotificationSettings = settings.notifications
    domain = message_domain(settings)
    if ns.notify_email_url:
        parts = urlsplit(ns.notify_email_url)
        sender = unquote(parse_qs(parts.query).get("from", [settings.mail_from])[0])
        if parts.scheme != "ses" or not parts.hostname:
            raise ValueError("EDTECH_NOTIFY_EMAIL_URL must be ses://REGION?from=… (or unset)")
        return SesEmail(parts.hostname, sender, domain, ns.notify_ses_endpoint_url or None)
    mail = mail_from_settings(settings)
    if not mail_is_set_up(mail):
        return EmailNotSetUp()
    if isinstance(mail, SmtpMail):
        return SmtpEmail(mail, domain)
    return PortEmail(mail, domain)


def message_domain(settings: Settings) -> str:
    """The right-hand side of our Message-IDs: the sender's domain."""
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2]
    return domain or (urlsplit(settings.public_url).hostname or "edtech.invalid")
