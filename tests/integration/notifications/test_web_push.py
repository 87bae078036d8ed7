"""Web Push against a real push service on loopback (`push_service.py`), which verifies the
VAPID signature and decrypts the payload per RFC 8291 with the browser's private key: the
adapter alone (what goes over the wire, what a refusal means), then the node end to end — a
browser subscribes with the node's key, a guardian's child is absent at close, the browser's
push service gets the notification; a browser that unsubscribed is pruned, with the reason
visible; malformed subscriptions are 422; another person's subscriptions are invisible."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from fastapi import FastAPI

from edtech.kernel.clock import FixedClock
from edtech.notifications.domain.ports import AddressRejectedError, Outgoing, ProviderFailedError
from edtech.notifications.infrastructure.providers import (
    ConsolePush,
    PlatformPush,
    push_from_settings,
    web_push_key,
)
from edtech.notifications.infrastructure.webpush import (
    WebPush,
    load_vapid_key,
    new_key_pair,
    subscription_token,
)
from edtech.notifications.settings import NotificationSettings
from edtech.settings import Settings
from tests.integration.attendance.helpers import School
from tests.integration.notifications.fixtures import EMAIL_DELAY_SECONDS, node_settings
from tests.integration.notifications.helpers import RecordedFcm, close_s01, drain, notifications
from tests.integration.notifications.push_service import Browser, PushService
from tests.roster import OtherSummary, login
from tests.servers import LiveServer
from tests.smtp import SmtpServer

PRIVATE_KEY, PUBLIC_KEY = new_key_pair()
SUBJECT = "mailto:ops@riverside.test"
GUARDIAN = "guardian1@demo.test"


@pytest.fixture
async def push_service() -> AsyncIterator[PushService]:
    service = PushService()
    server = LiveServer(service.app)
    await server.start()
    service.url = server.url
    try:
        yield service
    finally:
        await server.stop()


def adapter(**kwargs: Any) -> WebPush:
    return WebPush(
        load_vapid_key(PRIVATE_KEY), SUBJECT, allowed_origins=("http://127.0.0.1:*",), **kwargs
    )


def message(browser: Browser, **kwargs: Any) -> Outgoing:
    keys = browser.to_json()["keys"]
    values: dict[str, Any] = {
        "to": subscription_token(browser.endpoint, keys["p256dh"], keys["auth"]),
        "title": "Sam: absent today",
        "body": "Sam was absent from Algebra I — ¿todo bien?",
        "link": "https://riverside.test/app/notifications/n1",
        "key": "0193a5f2-1111-7000-8000-000000000001:push",
        "data": {"category": "absence"},
        "platform": "webpush",
    }
    return Outgoing(**(values | kwargs))


# the adapter on the wire -------------------------------------------------------------------------


async def test_the_push_is_signed_with_vapid_and_decrypts_to_the_notification(
    push_service: PushService,
) -> None:
    browser = push_service.subscribe(PUBLIC_KEY)
    push = adapter()
    ref = await push.send(message(browser))
    [got] = push_service.received
    assert got.payload == {
        "title": "Sam: absent today",
        "body": "Sam was absent from Algebra I — ¿todo bien?",
        "link": "https://riverside.test/app/notifications/n1",
        "key": "0193a5f2-1111-7000-8000-000000000001:push",
        "data": {"category": "absence"},
    }
    assert got.claims["aud"] == push_service.url
    assert got.claims["sub"] == SUBJECT
    assert time.time() < got.claims["exp"] <= time.time() + 24 * 3600
    assert got.headers["urgency"] == "normal"
    assert len(got.headers["topic"]) == 32  # the attempt's key: a resend replaces the first
    assert ref.startswith(f"{push_service.url}/message/")

    await push.send(message(browser, data={"category": "urgent_announcement"}))
    assert push_service.received[1].headers["urgency"] == "high"
    assert push_service.received[1].headers["topic"] == got.headers["topic"]
    await push.stop()


async def test_a_long_body_is_shortened_to_fit_one_push(push_service: PushService) -> None:
    browser = push_service.subscribe(PUBLIC_KEY)
    push = adapter()
    await push.send(message(browser, body="ñ" * 5000))
    [got] = push_service.received
    assert got.payload["title"] == "Sam: absent today"
    assert 1000 < len(got.payload["body"]) < 5000
    await push.stop()


async def test_a_push_signed_with_another_key_is_refused_by_the_push_service(
    push_service: PushService,
) -> None:
    """The service checks the signature and the key: the test's push service is not lenient."""
    _, other_public = new_key_pair()
    browser = push_service.subscribe(other_public)  # subscribed with another server's key
    push = adapter()
    with pytest.raises(ProviderFailedError, match="403"):
        await push.send(message(browser))
    assert push_service.refused == [(403, "not the key the browser subscribed with")]
    assert not push_service.received
    await push.stop()


async def test_the_vapid_token_is_refused_when_forged() -> None:
    """The verification the push service does, against a token not signed by `k`."""
    service = PushService()
    service.url = "http://127.0.0.1:1"
    forged = jwt.encode(
        {"aud": service.url, "exp": int(time.time()) + 60, "sub": SUBJECT},
        load_vapid_key(new_key_pair()[0]),
        algorithm="ES256",
    )
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            forged,
            load_vapid_key(PRIVATE_KEY).public_key(),
            algorithms=["ES256"],
            audience=service.url,
        )


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (410, AddressRejectedError),
        (404, AddressRejectedError),
        (429, ProviderFailedError),
        (500, ProviderFailedError),
        (503, ProviderFailedError),
    ],
)
async def test_gone_is_unregistered_and_throttling_or_5xx_is_retried(
    push_service: PushService, status: int, error: type[Exception]
) -> None:
    browser = push_service.subscribe(PUBLIC_KEY)
    push_service.answers[browser.endpoint.rsplit("/", 1)[1]] = [status]
    push = adapter()
    with pytest.raises(error) as raised:
        await push.send(message(browser))
    if error is AddressRejectedError:
        assert raised.value.reason == "unregistered"  # type: ignore[attr-defined]
    await push.stop()


async def test_an_unreachable_push_service_is_retried(push_service: PushService) -> None:
    browser = push_service.subscribe(PUBLIC_KEY)
    gone = message(browser, to=message(browser).to.replace(push_service.url, "http://127.0.0.1:9"))
    push = adapter()
    with pytest.raises(ProviderFailedError, match="unreachable"):
        await push.send(gone)
    await push.stop()


def test_the_settings_choose_web_push_and_refuse_a_bad_key_or_subject() -> None:
    ns = NotificationSettings(webpush_private_key=PRIVATE_KEY, webpush_subject=SUBJECT)
    push = push_from_settings(ns, demo=False)
    assert isinstance(push, PlatformPush)
    assert push.platforms == {"webpush"}
    assert web_push_key(push) == PUBLIC_KEY
    found = push.adapter("webpush")
    assert isinstance(found, WebPush)
    assert found.allowed_origins[0] == "https://fcm.googleapis.com"
    pem = load_vapid_key(PRIVATE_KEY).private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    from_pem = push_from_settings(
        NotificationSettings(webpush_private_key=pem.decode(), webpush_subject=SUBJECT),
        demo=False,
    )
    assert web_push_key(from_pem) == PUBLIC_KEY
    with pytest.raises(ValueError, match="EDTECH_WEBPUSH_PRIVATE_KEY"):
        push_from_settings(
            NotificationSettings(webpush_private_key="abc", webpush_subject=SUBJECT), demo=False
        )
    with pytest.raises(ValueError, match="EDTECH_WEBPUSH_SUBJECT"):
        push_from_settings(NotificationSettings(webpush_private_key=PRIVATE_KEY), demo=False)
    assert web_push_key(push_from_settings(NotificationSettings(), demo=False)) is None
    demo = push_from_settings(NotificationSettings(), demo=True)
    assert isinstance(demo, ConsolePush)
    assert "webpush" in demo.platforms
    assert len(str(web_push_key(demo))) == 87  # a key to subscribe with; pushes are logged


# the node end to end -----------------------------------------------------------------------------


@pytest.fixture
def settings(
    database_url: str,
    smtp_server: SmtpServer,
    fcm: tuple[RecordedFcm, Path],
    push_service: PushService,
) -> Settings:
    return node_settings(
        database_url,
        smtp_server,
        fcm,
        webpush_private_key=PRIVATE_KEY,
        webpush_subject=SUBJECT,
        webpush_allowed_origins="http://127.0.0.1:*",
    )


async def subscribe(
    client: httpx.AsyncClient, push_service: PushService, auth: dict[str, str]
) -> tuple[Browser, str]:
    key = await client.get("/api/v1/web-push/key", headers=auth)
    assert key.status_code == 200, key.text
    browser = push_service.subscribe(key.json()["public_key"])
    r = await client.post(key.json()["subscriptions"], json=browser.to_json(), headers=auth)
    assert r.status_code == 201, r.text
    return browser, str(r.json()["id"])


def attempts(item: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    return {a["channel"]: (a["state"], a["reason"]) for a in item["attempts"]}


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_absent_at_close_reaches_the_guardians_browser_then_a_pruned_one_is_not_tried(
    app: FastAPI,
    client: httpx.AsyncClient,
    school: School,
    clock: FixedClock,
    push_service: PushService,
) -> None:
    guardian = await login(client, GUARDIAN)
    browser, sub_id = await subscribe(client, push_service, guardian)
    again = await client.post(
        "/api/v1/me/web-push-subscriptions", json=browser.to_json(), headers=guardian
    )
    assert again.json()["id"] == sub_id  # the same subscription registered twice is one

    await close_s01(client, school)
    await drain(app)
    [notice] = await notifications(client, guardian)
    [pushed] = push_service.to(browser)
    assert pushed["title"] == notice["title"]
    assert "absent" in pushed["title"]
    assert pushed["body"] == notice["body"]
    assert pushed["link"].endswith(f"/app/notifications/{notice['id']}")
    assert pushed["data"] == {"category": "absence"}
    assert attempts(notice)["push"][0] == "sent"

    # The browser unsubscribed: its push service answers 410; the subscription is pruned.
    push_service.gone.add(browser.endpoint.rsplit("/", 1)[1])
    announced = await client.post(
        "/api/v1/announcements",
        json={
            "title": "Snow day",
            "body": "School is closed.",
            "audience": {"kind": "section_guardians", "section_id": str(school.s01)},
            "priority": "urgent",
        },
        headers=await login(client, "teacher1@demo.test"),
    )
    assert announced.status_code == 201, announced.text
    await drain(app)
    listed = await client.get("/api/v1/me/web-push-subscriptions", headers=guardian)
    [sub] = listed.json()
    assert sub["id"] == sub_id
    assert sub["endpoint"] == browser.endpoint
    assert sub["disabled_reason"] == "unregistered"
    assert sub["disabled_at"] is not None
    assert len(push_service.to(browser)) == 1
    urgent = next(n for n in await notifications(client, guardian) if n["title"] == "Snow day")
    assert attempts(urgent)["push"] == ("failed", "unregistered")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_push_service_failing_is_retried_then_the_next_rung_still_comes(
    app: FastAPI,
    client: httpx.AsyncClient,
    school: School,
    clock: FixedClock,
    push_service: PushService,
    smtp_server: SmtpServer,
) -> None:
    guardian = await login(client, GUARDIAN)
    browser, _ = await subscribe(client, push_service, guardian)
    push_service.answers[browser.endpoint.rsplit("/", 1)[1]] = [503] * 20
    await close_s01(client, school)
    await drain(app)
    [notice] = await notifications(client, guardian)
    state, reason = attempts(notice)["push"]
    # the session's absences notify several guardians: their rungs go in a chunk, and an
    # attempt whose provider failed waits, `pending` with the error, for its follow-up job
    assert state == "pending"
    assert reason is not None
    assert "503" in reason
    for _ in range(8):  # the job runner's backoff: 10 s, doubling
        clock.advance(timedelta(minutes=10))
        await drain(app)
    [notice] = await notifications(client, guardian)
    assert attempts(notice)["push"][0] == "failed"
    assert "503" in str(attempts(notice)["push"][1])
    assert not push_service.to(browser)
    clock.advance(timedelta(seconds=EMAIL_DELAY_SECONDS))
    await drain(app)
    assert await smtp_server.wait_for(GUARDIAN)


BAD_SUBSCRIPTIONS: dict[str, Any] = {
    "not a url": {"endpoint": "push-me-please", "keys": {"p256dh": "B" * 87, "auth": "A" * 22}},
    "ftp": {"endpoint": "ftp://127.0.0.1/push/1"},
    "not a push service": {"endpoint": "https://intranet.school.test/admin"},
    "p256dh not a point": {"keys": {"p256dh": "BAAA" + "A" * 83, "auth": "A" * 22}},
    "p256dh too short": {"keys": {"p256dh": "A" * 40, "auth": "A" * 22}},
    "auth not 16 bytes": {"keys": {"auth": "A" * 40}},
    "auth not base64url": {"keys": {"auth": "A" * 20 + "+/"}},
    "no keys": {"keys": None},
    "extra junk": {"endpoint": 42},
}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("case", list(BAD_SUBSCRIPTIONS))
async def test_a_malformed_subscription_is_422(
    client: httpx.AsyncClient, school: School, push_service: PushService, case: str
) -> None:
    guardian = await login(client, GUARDIAN)
    good = push_service.subscribe(PUBLIC_KEY).to_json()
    bad = BAD_SUBSCRIPTIONS[case]
    body = good | {k: v for k, v in bad.items() if k != "keys"}
    if "keys" in bad:
        body["keys"] = None if bad["keys"] is None else good["keys"] | bad["keys"]
    r = await client.post("/api/v1/me/web-push-subscriptions", json=body, headers=guardian)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    listed = await client.get("/api/v1/me/web-push-subscriptions", headers=guardian)
    assert listed.json() == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_another_persons_and_another_tenants_subscriptions_are_invisible(
    client: httpx.AsyncClient,
    school: School,
    push_service: PushService,
    other_institution: OtherSummary,
) -> None:
    guardian = await login(client, GUARDIAN)
    _, sub_id = await subscribe(client, push_service, guardian)
    for stranger in ("guardian2@demo.test", "guardian@other.test", "admin@other.test"):
        auth = await login(client, stranger)
        listed = await client.get("/api/v1/me/web-push-subscriptions", headers=auth)
        assert listed.status_code == 200, listed.text
        assert listed.json() == [], stranger
    mine = await client.get("/api/v1/me/web-push-subscriptions", headers=guardian)
    assert [s["id"] for s in mine.json()] == [sub_id]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("tail", ["é", "😀", '"1"', "a b", "\\"])
async def test_an_endpoint_of_other_than_url_characters_is_422(
    client: httpx.AsyncClient, school: School, push_service: PushService, tail: str
) -> None:
    """A push service's URL is ASCII, percent-encoded: anything else would be stored escaped,
    longer than the column (PostgreSQL's 500 before)."""
    guardian = await login(client, GUARDIAN)
    body = push_service.subscribe(PUBLIC_KEY).to_json()
    body["endpoint"] += tail
    r = await client.post("/api/v1/me/web-push-subscriptions", json=body, headers=guardian)
    assert r.status_code == 422, r.text
    assert "URL characters" in r.text
    listed = await client.get("/api/v1/me/web-push-subscriptions", headers=guardian)
    assert listed.json() == []


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
async def test_the_longest_endpoint_is_stored(
    client: httpx.AsyncClient, school: School, push_service: PushService
) -> None:
    """2,048 characters, as many of them as the schema admits, fit the stored subscription on
    PostgreSQL too (the endpoint and its keys are one JSON text in a 4,096 column)."""
    guardian = await login(client, GUARDIAN)
    body = push_service.subscribe(PUBLIC_KEY).to_json()
    body["endpoint"] += "?" + "%" * (2048 - len(body["endpoint"]) - 1)
    r = await client.post("/api/v1/me/web-push-subscriptions", json=body, headers=guardian)
    assert r.status_code == 201, r.text
    listed = await client.get("/api/v1/me/web-push-subscriptions", headers=guardian)
    assert [s["endpoint"] for s in listed.json()] == [body["endpoint"]]
