"""Amazon SNS text messages against moto's SNS server on loopback (in this process, so the
texts it accepted can be read back). moto's opt-out rule: a number ending in 99 answered STOP.
The adapter alone, then the ladder end to end: an urgent announcement texts one guardian, and
the guardian whose number opted out gets no text — the attempt fails with `opted out (STOP)`
and the number leaves their preferences."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from edtech.notifications.domain.ports import AddressRejectedError, Outgoing, ProviderFailedError
from edtech.notifications.infrastructure.providers import ConsoleSms, TwilioSms, sms_from_settings
from edtech.notifications.infrastructure.sns import OPTED_OUT, SnsSms
from edtech.notifications.settings import NotificationSettings
from edtech.platform.serving import bind_socket
from edtech.settings import Settings
from tests.integration.attendance.helpers import School
from tests.integration.notifications.fixtures import node_settings
from tests.integration.notifications.helpers import RecordedFcm, drain, notifications
from tests.roster import login
from tests.smtp import SmtpServer

REGION = "eu-west-1"
OPTED_OUT_NUMBER = "+15550000199"
NUMBER = "+15550000123"


def free_port() -> int:
    sock = bind_socket()
    port: int = sock.getsockname()[1]
    sock.close()
    return port


@pytest.fixture
def moto_sns(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server_module = pytest.importorskip(
        "moto.moto_server.threaded_moto_server", reason="moto[server] is a dev dependency"
    )
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    port = free_port()
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def texts() -> list[tuple[str, str]]:
    """What moto's SNS accepted: (number, text)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns import sns_backends

    return list(sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values())


def message(to: str) -> Outgoing:
    return Outgoing(
        to, "Riverside: school closes at noon", "Pick-up from 12:00.",
        "https://riverside.test/app/notifications/n1", "0193a5f2-1111-7000-8000-000000000001:sms",
    )  # fmt: skip


async def test_sns_texts_the_number(moto_sns: str) -> None:
    sms = SnsSms(REGION, origination="+15550001111", sender_id="Riverside", endpoint_url=moto_sns)
    before = len(texts())
    ref = await sms.send(message(NUMBER))
    [(number, text)] = texts()[before:]
    assert number == NUMBER
    assert text == (
        "Riverside: school closes at noon: Pick-up from 12:00. "
        "https://riverside.test/app/notifications/n1"
    )
    assert ref


async def test_an_opted_out_number_is_refused_for_good_and_not_texted(moto_sns: str) -> None:
    sms = SnsSms(REGION, endpoint_url=moto_sns)
    assert await sms.opted_out(OPTED_OUT_NUMBER)
    assert not await sms.opted_out(NUMBER)
    before = len(texts())
    with pytest.raises(AddressRejectedError) as raised:
        await sms.send(message(OPTED_OUT_NUMBER))
    assert raised.value.reason == OPTED_OUT == "opted out (STOP)"
    assert texts()[before:] == []


async def test_the_opt_out_list_is_read_through(moto_sns: str) -> None:
    sms = SnsSms(REGION, endpoint_url=moto_sns)
    listed = await sms.opted_out_numbers()
    assert listed
    assert all(n.startswith("+") for n in listed)
    sms.client.opt_in_phone_number(phoneNumber=listed[0])
    assert listed[0] not in await sms.opted_out_numbers()


async def test_a_malformed_number_is_refused_for_good(moto_sns: str) -> None:
    sms = SnsSms(REGION, endpoint_url=moto_sns)
    sms.opted_out = _never  # type: ignore[method-assign]  # SNS checks the format on Publish
    with pytest.raises(AddressRejectedError, match="invalid number"):
        await sms.send(message("15550000123abc"))


async def _never(number: str) -> bool:
    return False


async def test_sns_unreachable_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    sms = SnsSms(REGION, endpoint_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(ProviderFailedError, match="unreachable"):
        await sms.send(message(NUMBER))


def test_the_settings_choose_sns_beside_twilio() -> None:
    sns = sms_from_settings(
        NotificationSettings(
            sms_url="sns://eu-west-1?from=+15550001111&sender_id=Riverside",
            sms_sns_endpoint_url="http://127.0.0.1:1",
        ),
        demo=False,
    )
    assert isinstance(sns, SnsSms)
    assert sns.origination == "+15550001111"
    assert sns.sender_id == "Riverside"
    assert sns.client.meta.region_name == "eu-west-1"
    plain = sms_from_settings(NotificationSettings(sms_url="sns://us-east-1"), demo=False)
    assert isinstance(plain, SnsSms)
    assert not plain.origination
    twilio = sms_from_settings(
        NotificationSettings(sms_url="twilio://AC1:tok@?from=+15550001111"), demo=False
    )
    assert isinstance(twilio, TwilioSms)
    assert isinstance(sms_from_settings(NotificationSettings(), demo=True), ConsoleSms)
    with pytest.raises(ValueError, match="sns://REGION"):
        sms_from_settings(NotificationSettings(sms_url="sns://"), demo=False)


# the ladder end to end ---------------------------------------------------------------------------


@pytest.fixture
def settings(
    database_url: str, smtp_server: SmtpServer, fcm: tuple[RecordedFcm, Path], moto_sns: str
) -> Settings:
    return node_settings(
        database_url,
        smtp_server,
        fcm,
        sms_url=f"sns://{REGION}",
        sms_sns_endpoint_url=moto_sns,
        notify_sms_delay_seconds=0,
    )


async def texts_only(client: httpx.AsyncClient, email: str, number: str) -> dict[str, str]:
    """The guardian takes urgent announcements by text only (the institution made only
    absences mandatory)."""
    auth = await login(client, email)
    r = await client.put(
        "/api/v1/me/notification-preferences",
        json={
            "categories": {"urgent_announcement": {"push": False, "email": False, "sms": True}},
            "sms_number": number,
        },
        headers=auth,
    )
    assert r.status_code == 200, r.text
    return auth


def attempt(item: dict[str, Any], channel: str) -> tuple[str, str | None]:
    [found] = [a for a in item["attempts"] if a["channel"] == channel]
    return found["state"], found["reason"]


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_an_urgent_announcement_texts_and_an_opted_out_number_is_dropped_with_the_reason(
    app: FastAPI, client: httpx.AsyncClient, school: School
) -> None:
    admin = await login(client, "admin@demo.test")
    policy = await client.put(
        "/api/v1/notification-policy", json={"mandatory": ["absence"]}, headers=admin
    )
    assert policy.status_code == 200, policy.text
    g1 = await texts_only(client, "guardian1@demo.test", OPTED_OUT_NUMBER)
    g3 = await texts_only(client, "guardian3@demo.test", NUMBER)
    before = len(texts())
    r = await client.post(
        "/api/v1/announcements",
        json={
            "title": "Water main break",
            "body": "School closes at noon today.",
            "audience": {"kind": "section_guardians", "section_id": str(school.s01)},
            "priority": "urgent",
        },
        headers=await login(client, "teacher1@demo.test"),
    )
    assert r.status_code == 201, r.text
    await drain(app)

    sent = texts()[before:]
    assert [number for number, _ in sent] == [NUMBER]
    assert sent[0][1].startswith("Water main break: School closes at noon today. http")

    [g3_notice] = await notifications(client, g3)
    assert attempt(g3_notice, "sms") == ("sent", None)
    [g1_notice] = await notifications(client, g1)
    assert attempt(g1_notice, "sms") == ("failed", "opted out (STOP)")
    prefs = await client.get("/api/v1/me/notification-preferences", headers=g1)
    assert prefs.json()["sms_number"] is None  # dropped: no rung texts it again
    kept = await client.get("/api/v1/me/notification-preferences", headers=g3)
    assert kept.json()["sms_number"] == NUMBER
