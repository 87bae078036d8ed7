"""A real SMTP server on loopback (aiosmtpd), for tests of everything that sends mail.

* `smtp_server`: a server on a free port that keeps every message it receives; its
  `mail_url` is what `EDTECH_MAIL_URL` should say (no TLS, no auth).
* `await smtp_server.wait_for(to, count)`: the messages received for the address `to`, waiting
  for them.
* `link_in(message, path)`: the first link in a message's text whose path is `path`.
* `SmtpServer(...)` builds one with STARTTLS and authentication for the adapter's own tests.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import subprocess
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from edtech.platform.serving import bind_socket


class _Keep:
    def __init__(self, inbox: list[EmailMessage]) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.inbox.append(parsed)
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd in its own thread, on a free loopback port."""

    def __init__(
        self,
        *,
        tls_context: ssl.SSLContext | None = None,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        self.inbox: list[EmailMessage] = []
        sock = bind_socket()
        self.port = sock.getsockname()[1]
        sock.close()
        kwargs: dict[str, Any] = {}
        if tls_context is not None:
            kwargs.update(tls_context=tls_context, require_starttls=True)
        if credentials is not None:

            def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
                ok = (
                    isinstance(data, LoginPassword)
                    and (
                        data.login.decode(),
                        data.password.decode(),
                    )
                    == credentials
                )
                return AuthResult(success=ok)

            kwargs.update(authenticator=check, auth_required=True)
            kwargs.update(auth_require_tls=tls_context is not None)
        self.controller = Controller(
            _Keep(self.inbox), hostname="127.0.0.1", port=self.port, **kwargs
        )
        self.mail_url = f"smtp://127.0.0.1:{self.port}?starttls=0"

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    async def wait_for(self, to: str, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        """The messages addressed to `to`, once at least `count` arrived."""
        async with asyncio.timeout(timeout):
            while True:
                found = [m for m in self.inbox if to.lower() in addresses(m)]
                if len(found) >= count:
                    return found
                await asyncio.sleep(0.02)


def addresses(message: EmailMessage) -> set[str]:
    """The message's recipients, lowercase."""
    return {address.lower() for _, address in getaddresses([str(message["To"])])}


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    content = body.get_content()
    assert isinstance(content, str)
    return content


def link_in(message: EmailMessage, path: str) -> str:
    """The first link in the message's text whose path is `path` (e.g. `/app/invitation`)."""
    match = re.search(r"https?://\S+" + re.escape(path) + r"\S*", text_of(message))
    assert match is not None, f"no {path} link in: {text_of(message)}"
    return match.group(0)


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with the openssl command."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
