"""Sending mail: the `Mail` port, its SMTP and console adapters, and the one built from settings.

`EDTECH_MAIL_URL` chooses the adapter: `smtp://user:pass@host:587` (STARTTLS required unless
`?starttls=0`), `smtps://user:pass@host:465` (TLS from the first byte) — both take
`?cafile=/path` to trust a private CA — or `console://` (the message goes to the log, links
and all: the demo's default). Outside demo mode, with no URL
set, the node gets `MailNotSetUp`: every send refuses with a 503 problem, and use cases that
must send check `mail_is_set_up` before they change anything, so nothing is ever half done and
no message silently disappears.

The port lives in the platform (not in identity, its first user) so that a future
`notifications` slice can own delivery without the senders changing: they only know `Mail`.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from edtech.kernel.errors import UnavailableError
from edtech.platform.observability.logging import get_logger
from edtech.settings import Settings

log = get_logger("edtech.mail")

SMTP_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (a receipt PDF, say)."""

    filename: str
    content_type: str
    data: bytes


class Mail(abc.ABC):
    """The port: sends one message to one address; raises if it could not be handed over.

    A base class rather than a `Protocol` so the node's component registry can answer
    `component(Mail)` with whichever adapter the settings chose.
    """

    @abc.abstractmethod
    async def send(
        self,
        to: str,
        subject: str,
        text: str,
        html: str | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> None: ...


class MailNotSetUpError(UnavailableError):
    """The node has no way to send mail (no `EDTECH_MAIL_URL` outside demo mode)."""

    code = "mail_not_set_up"

    def __init__(self) -> None:
        super().__init__(
            "Mail is not set up on this server: ask the operator to set EDTECH_MAIL_URL."
        )


class MailFailedError(UnavailableError):
    """The mail server refused the message or could not be reached."""

    code = "mail_failed"

    def __init__(self) -> None:
        super().__init__("The mail server could not take the message; try again later.")


def message(
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str | None,
    attachments: Sequence[Attachment] = (),
) -> EmailMessage:
    """A plain-text message, with an HTML alternative when given, and any attachments."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for item in attachments:
        maintype, _, subtype = item.content_type.partition("/")
        msg.add_attachment(
            item.data, maintype=maintype, subtype=subtype or "octet-stream", filename=item.filename
        )
    return msg


@dataclass(frozen=True)
class SmtpMail(Mail):
    """Hands messages to an SMTP server (a connection per message: mail here is rare)."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    start_tls: bool = True
    cafile: str | None = None
    """Certificates to trust besides the system's (a private CA); `?cafile=/path`."""

    async def send(
        self,
        to: str,
        subject: str,
        text: str,
        html: str | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> None:
        try:
            await aiosmtplib.send(
                message(self.sender, to, subject, text, html, attachments),
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.use_tls,
                # Required when asked for: a server that does not offer STARTTLS is an error,
                # never a silent fall back to plain text (False means "the operator said so").
                start_tls=self.start_tls and not self.use_tls,
                cert_bundle=self.cafile,
                timeout=SMTP_TIMEOUT_SECONDS,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            log.warning("mail_failed", to=to, error=f"{type(exc).__name__}: {exc}")
            raise MailFailedError() from exc
        log.info("mail_sent", to=to, subject=subject)


@dataclass(frozen=True)
class ConsoleMail(Mail):
    """Writes each message to the log instead of sending it (demo and development only)."""

    sender: str

    async def send(
        self,
        to: str,
        subject: str,
        text: str,
        html: str | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> None:
        log.warning(
            "mail_not_sent_console",
            sender=self.sender,
            to=to,
            subject=subject,
            text=text,
            attachments=[a.filename for a in attachments],
        )


class MailNotSetUp(Mail):
    """What a node has when mail is not configured: every send is a 503 problem."""

    async def send(
        self,
        to: str,
        subject: str,
        text: str,
        html: str | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> None:
        raise MailNotSetUpError()


def mail_is_set_up(mail: Mail) -> bool:
    return not isinstance(mail, MailNotSetUp)


def require_mail(mail: Mail) -> None:
    """Refuse (503) before changing anything when this node cannot send mail."""
    if not mail_is_set_up(mail):
        raise MailNotSetUpError()


def mail_from_settings(settings: Settings) -> Mail:
    """The node's `Mail` component (built once by the composition root)."""
    return mail_from_url(settings.mail_url, settings.mail_from, demo=settings.demo)


def mail_from_url(url: str, sender: str, *, demo: bool) -> Mail:
    """The adapter `EDTECH_MAIL_URL` names (see the module docstring); ValueError if malformed."""
    if not url:
        return ConsoleMail(sender) if demo else MailNotSetUp()
    parts = urlsplit(url)
    if parts.scheme == "console":
        return ConsoleMail(sender)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("EDTECH_MAIL_URL must be smtp://…, smtps://… or console://")
    query = parse_qs(parts.query)
    implicit = parts.scheme == "smtps"
    return SmtpMail(
        host=parts.hostname,
        port=parts.port or (465 if implicit else 587),
        sender=sender,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_tls=implicit,
        start_tls=query.get("starttls", ["1"])[0] not in ("0", "false", "no"),
        cafile=query.get("cafile", [None])[0],
    )
