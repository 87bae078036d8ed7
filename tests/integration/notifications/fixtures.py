"""Fixtures of the notifications tests: a loopback FCM with recorded answers, and node
settings that send mail to the loopback SMTP server and push to it, with short ladder delays."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from edtech.notifications.settings import NotificationSettings
from edtech.settings import Settings
from tests.integration.notifications.helpers import EMAIL_DELAY_SECONDS, RecordedFcm
from tests.servers import TEST_SECRET, LiveServer
from tests.smtp import SmtpServer

__all__ = ["EMAIL_DELAY_SECONDS", "fcm", "node_settings", "settings"]


@pytest.fixture
async def fcm(tmp_path: Path) -> AsyncIterator[tuple[RecordedFcm, Path]]:
    recorded = RecordedFcm()
    server = LiveServer(recorded.app)  # type: ignore[arg-type]
    await server.start()
    try:
        yield recorded, recorded.service_account_file(server.url, tmp_path)
    finally:
        await server.stop()


def node_settings(
    database_url: str, smtp_server: SmtpServer, fcm: tuple[RecordedFcm, Path], **notify: Any
) -> Settings:
    """A test node that mails to the loopback SMTP server and pushes to the loopback FCM, with
    push due at once and email after `EMAIL_DELAY_SECONDS`; `notify` adds or overrides
    notification settings (an SMS or Web Push provider, other delays)."""
    recorded, account = fcm
    return Settings(
        database_url=database_url,
        broker_url="memory://",
        secret_key=TEST_SECRET,
        log_json=True,
        log_level="WARNING",
        background_jobs=False,  # the tests run the ladder's jobs on their own clock
        mail_url=smtp_server.mail_url,
        notifications=NotificationSettings(
            **{
                "push_url": f"fcm://{account}",
                "push_fcm_api_base": recorded.url,
                "notify_push_delay_seconds": 0,
                "notify_email_delay_seconds": EMAIL_DELAY_SECONDS,
                **notify,
            }
        ),
    )


@pytest.fixture
def settings(database_url: str, smtp_server: SmtpServer, fcm: tuple[RecordedFcm, Path]) -> Settings:
    return node_settings(database_url, smtp_server, fcm)
