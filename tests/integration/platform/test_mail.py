"""The mail port's adapters against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import logging
import ssl
from pathlib import Path

import pytest

from edtech.platform.mail import (
    ConsoleMail,
    MailFailedError,
    MailNotSetUp,
    MailNotSetUpError,
    SmtpMail,
    mail_from_url,
    mail_is_set_up,
    require_mail,
)
from edtech.platform.observability.logging import configure_logging
from tests.smtp import SmtpServer, self_signed, text_of

SENDER = "School <office@school.test>"


async def test_smtp_delivers_text_and_html(smtp_server: SmtpServer) -> None:
    mail = mail_from_url(smtp_server.mail_url, SENDER, demo=False)
    await mail.send("parent@family.test", "Welcome", "Open https://x.test/a", "<p>Open</p>")
    [received] = await smtp_server.wait_for("parent@family.test")
    assert received["Subject"] == "Welcome"
    assert received["From"] == SENDER
    assert text_of(received).strip() == "Open https://x.test/a"
    html = received.get_body(preferencelist=("html",))
    assert html is not None
    assert "<p>Open</p>" in html.get_content()


async def test_starttls_with_authentication(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = SmtpServer(tls_context=context, credentials=("office", "s3cret"))
    server.start()
    try:
        url = f"smtp://office:s3cret@127.0.0.1:{server.port}?cafile={cert}"
        await mail_from_url(url, SENDER, demo=False).send("a@b.test", "Hi", "hello")
        assert len(await server.wait_for("a@b.test")) == 1
        wrong = f"smtp://office:wrong@127.0.0.1:{server.port}?cafile={cert}"
        with pytest.raises(MailFailedError):
            await mail_from_url(wrong, SENDER, demo=False).send("c@b.test", "Hi", "hello")
        assert not [m for m in server.inbox if "c@b.test" in str(m["To"])]
    finally:
        server.stop()


async def test_starttls_is_required_unless_turned_off(smtp_server: SmtpServer) -> None:
    """A server that offers no STARTTLS is an error, never a silent fall back to plain text."""
    url = f"smtp://127.0.0.1:{smtp_server.port}"
    with pytest.raises(MailFailedError):
        await mail_from_url(url, SENDER, demo=False).send("a@b.test", "Hi", "hello")
    assert smtp_server.inbox == []


async def test_an_unreachable_server_is_a_503_problem() -> None:
    mail = SmtpMail(host="127.0.0.1", port=1, sender=SENDER, start_tls=False)
    with pytest.raises(MailFailedError):
        await mail.send("a@b.test", "Hi", "hello")


async def test_without_a_url_mail_is_refused_outside_demo_mode(
    caplog: pytest.LogCaptureFixture,
) -> None:
    unset = mail_from_url("", SENDER, demo=False)
    assert isinstance(unset, MailNotSetUp)
    assert not mail_is_set_up(unset)
    with pytest.raises(MailNotSetUpError):
        require_mail(unset)
    with pytest.raises(MailNotSetUpError):
        await unset.send("a@b.test", "Hi", "hello")
    demo = mail_from_url("", SENDER, demo=True)
    assert isinstance(demo, ConsoleMail)
    assert mail_is_set_up(demo)
    assert isinstance(mail_from_url("console://", SENDER, demo=False), ConsoleMail)


def test_urls_are_parsed_or_refused() -> None:
    mail = mail_from_url("smtps://me%40x.test:p%2Fw@mail.x.test", SENDER, demo=False)
    assert isinstance(mail, SmtpMail)
    assert (mail.host, mail.port, mail.use_tls) == ("mail.x.test", 465, True)
    assert (mail.username, mail.password) == ("me@x.test", "p/w")
    plain = mail_from_url("smtp://mail.x.test?starttls=0", SENDER, demo=False)
    assert isinstance(plain, SmtpMail)
    assert (plain.port, plain.start_tls) == (587, False)
    with pytest.raises(ValueError, match="EDTECH_MAIL_URL"):
        mail_from_url("http://mail.x.test", SENDER, demo=False)


async def test_console_mail_logs_the_message_with_its_links(
    caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", json=True)  # as a node does: structlog through stdlib logging
    with caplog.at_level(logging.WARNING, logger="edtech.mail"):
        await ConsoleMail(SENDER).send(
            "a@b.test", "Your link", "Open https://x.test/app/x?token=t1"
        )
    # Where the line lands depends on which handler the process's logging has: look at both.
    written = caplog.text + "".join(capfd.readouterr())
    assert "https://x.test/app/x?token=t1" in written
