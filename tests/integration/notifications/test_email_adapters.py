"""The ladder's email adapters against real servers on loopback: SMTP (aiosmtpd) and Amazon
SES (moto's server, in this process so its sent messages can be read back)."""

from __future__ import annotations

import email
from collections.abc import Iterator
from email import policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from edtech.notifications.domain.ports import (
    AddressRejectedError,
    Outgoing,
    ProviderFailedError,
    message_id,
)
from edtech.notifications.infrastructure.email import (
    EmailNotSetUp,
    PortEmail,
    SesEmail,
    SmtpEmail,
    email_from_settings,
)
from edtech.notifications.settings import NotificationSettings
from edtech.platform.mail import ConsoleMail, SmtpMail
from edtech.platform.serving import bind_socket
from edtech.settings import Settings
from tests.servers import TEST_SECRET
from tests.smtp import SmtpServer

MESSAGE = Outgoing(
    "guardian@family.test", "Sam: absent today", "Sam was absent.", "https://x/app/n/1",
    "0193a5f2-1111-7000-8000-000000000001:email",
)  # fmt: skip
SENDER = "school@riverside.test"


def free_port() -> int:
    sock = bind_socket()
    port: int = sock.getsockname()[1]
    sock.close()
    return port


def test_the_message_id_is_a_valid_rfc_5322_id_derived_from_the_key_alone() -> None:
    found = message_id(MESSAGE.key, "riverside.test")
    assert found == "<0193a5f2-1111-7000-8000-000000000001.email@riverside.test>"
    parsed = email.message_from_string(f"Message-ID: {found}\n\nx", policy=policy.default)
    assert not parsed["Message-ID"].defects
    assert message_id(MESSAGE.key, "riverside.test") == found
    assert message_id(MESSAGE.key.replace("0001", "0002"), "riverside.test") != found


async def test_smtp_sends_text_and_html_with_the_message_id(smtp_server: SmtpServer) -> None:
    adapter = SmtpEmail(SmtpMail("127.0.0.1", smtp_server.port, SENDER, start_tls=False), "r.test")
    ref = await adapter.send(MESSAGE, "Sam was absent.\n", "<p>Sam was absent.</p>")
    [got] = await smtp_server.wait_for(MESSAGE.to)
    assert ref == got["Message-ID"] == message_id(MESSAGE.key, "r.test")
    assert got.get_body(("html",)) is not None


class _Refuse:
    """Refuses every recipient with `code`."""

    def __init__(self, code: int) -> None:
        self.code = code

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, _: Any
    ) -> str:
        return f"{self.code} not here"


@pytest.mark.parametrize(
    ("code", "error"), [(550, AddressRejectedError), (451, ProviderFailedError)]
)
async def test_smtp_refusal_for_good_is_a_rejected_address_and_for_now_a_retry(
    code: int, error: type[Exception]
) -> None:
    port = free_port()
    controller = Controller(_Refuse(code), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        adapter = SmtpEmail(SmtpMail("127.0.0.1", port, SENDER, start_tls=False), "r.test")
        with pytest.raises(error):
            await adapter.send(MESSAGE, "text", None)
    finally:
        controller.stop()


async def test_smtp_unreachable_is_retried() -> None:
    adapter = SmtpEmail(SmtpMail("127.0.0.1", free_port(), SENDER, start_tls=False), "r.test")
    with pytest.raises(ProviderFailedError):
        await adapter.send(MESSAGE, "text", None)


@pytest.fixture
def moto_ses(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server_module = pytest.importorskip(
        "moto.moto_server.threaded_moto_server", reason="moto[server] is a dev dependency"
    )
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        monkeypatch.setenv(name, value)
    port = free_port()
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def ses_sent() -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].sent_messages)


async def test_ses_sends_the_raw_message_from_a_verified_sender(moto_ses: str) -> None:
    adapter = SesEmail("eu-west-1", SENDER, "riverside.test", moto_ses)
    adapter.client.verify_email_identity(EmailAddress=SENDER)
    before = len(ses_sent())
    ref = await adapter.send(MESSAGE, "Sam was absent.\n", None)
    [sent] = ses_sent()[before:]
    assert sent.id == ref
    raw = email.message_from_string(sent.raw_data, policy=policy.default)
    assert raw["Subject"] == MESSAGE.title
    assert raw["To"] == MESSAGE.to
    assert raw["Message-ID"] == message_id(MESSAGE.key, "riverside.test")


async def test_ses_refusing_the_message_fails_the_attempt_without_retries(moto_ses: str) -> None:
    adapter = SesEmail("eu-west-1", "unverified@riverside.test", "riverside.test", moto_ses)
    with pytest.raises(AddressRejectedError, match="MessageRejected"):
        await adapter.send(MESSAGE, "text", None)


async def test_ses_unreachable_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    adapter = SesEmail("eu-west-1", SENDER, "r.test", f"http://127.0.0.1:{free_port()}")
    adapter.client.meta.config.retries = {"max_attempts": 1}
    with pytest.raises(ProviderFailedError):
        await adapter.send(MESSAGE, "text", None)


def _settings(**values: Any) -> Settings:
    notify = {k: values.pop(k) for k in list(values) if k.startswith("notify_")}
    return Settings(
        database_url="sqlite+aiosqlite://",
        secret_key=TEST_SECRET,
        notifications=NotificationSettings(**notify),
        **values,
    )


def test_the_settings_choose_the_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert isinstance(email_from_settings(_settings()), EmailNotSetUp)
    console = email_from_settings(_settings(demo=True))
    assert isinstance(console, PortEmail)
    assert isinstance(console.mail, ConsoleMail)
    smtp = email_from_settings(
        _settings(mail_url="smtp://127.0.0.1:2525", mail_from="Riverside <office@riverside.test>")
    )
    assert isinstance(smtp, SmtpEmail)
    assert smtp.domain == "riverside.test"
    ses = email_from_settings(
        _settings(notify_email_url="ses://eu-west-1?from=office%40riverside.test")
    )
    assert isinstance(ses, SesEmail)
    assert ses.sender == "office@riverside.test"
    with pytest.raises(ValueError, match="ses://"):
        email_from_settings(_settings(notify_email_url="sendgrid://x"))
