"""The APNs adapter (token auth) against recorded provider answers (`recorded.py`): what it
sends, and how each answer is understood — sent, token refused for good, or try again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from edtech.notifications.domain.ports import (
    AddressRejectedError,
    Outgoing,
    ProviderFailedError,
    PushNotSetUpError,
)
from edtech.notifications.infrastructure.apns import ApnsPush, apns_id
from edtech.notifications.infrastructure.providers import (
    FcmPush,
    PlatformPush,
    push_from_settings,
)
from edtech.notifications.settings import NotificationSettings
from tests.unit.notifications import recorded

TOKEN = "a1" * 32
MESSAGE = Outgoing(
    TOKEN, "Absent", "Sam was absent.", "https://x/app/n/1", "n1:push", {"category": "absence"},
    "apns",
)  # fmt: skip


def apns_with(*answers: httpx.Response) -> tuple[ApnsPush, list[httpx.Request], Any]:
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return queue.pop(0)

    pem, public_key = recorded.apns_key()
    http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
    return (
        ApnsPush(pem, "KEY1234567", "TEAM123456", "org.school.app", "https://apns.test", http),
        seen,
        public_key,
    )


async def test_sends_an_alert_with_a_signed_provider_token_and_the_collapse_keys() -> None:
    push, seen, public_key = apns_with(
        httpx.Response(200, headers={"apns-id": apns_id("n1:push")}),
        httpx.Response(200, headers={"apns-id": apns_id("n1:push")}),
    )
    ref = await push.send(MESSAGE)
    await push.send(MESSAGE)  # a resend: same ids, the same provider token reused
    assert ref == apns_id("n1:push")
    first, again = seen
    assert str(first.url) == f"https://apns.test/3/device/{TOKEN}"
    assert first.headers["apns-topic"] == "org.school.app"
    assert first.headers["apns-push-type"] == "alert"
    assert first.headers["apns-collapse-id"] == "n1:push"
    assert first.headers["apns-id"] == again.headers["apns-id"] == apns_id("n1:push")
    assert first.headers["authorization"] == again.headers["authorization"]
    token = first.headers["authorization"].removeprefix("bearer ")
    assert jwt.get_unverified_header(token) == {"alg": "ES256", "kid": "KEY1234567", "typ": "JWT"}
    claims = jwt.decode(token, public_key, algorithms=["ES256"])
    assert claims["iss"] == "TEAM123456"
    body = json.loads(first.content)
    assert body["aps"]["alert"] == {"title": "Absent", "body": "Sam was absent."}
    assert (body["link"], body["category"]) == ("https://x/app/n/1", "absence")


def test_the_apns_id_is_a_uuid_of_the_key_alone() -> None:
    assert apns_id("n1:push") == apns_id("n1:push")
    assert apns_id("n1:push") != apns_id("n2:push")


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (410, recorded.APNS_UNREGISTERED, "unregistered"),
        (400, recorded.APNS_BAD_DEVICE_TOKEN, "invalid token"),
    ],
)
async def test_a_token_refused_for_good_is_rejected(
    status: int, body: dict[str, Any], reason: str
) -> None:
    push, _, _ = apns_with(httpx.Response(status, json=body))
    with pytest.raises(AddressRejectedError) as refused:
        await push.send(MESSAGE)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    ("status", "body"),
    [(429, recorded.APNS_TOO_MANY), (500, recorded.APNS_INTERNAL), (503, {})],
)
async def test_throttling_and_server_errors_are_retried(status: int, body: dict[str, Any]) -> None:
    push, _, _ = apns_with(httpx.Response(status, json=body))
    with pytest.raises(ProviderFailedError):
        await push.send(MESSAGE)


async def test_an_expired_provider_token_is_signed_again_on_the_next_try() -> None:
    push, seen, _ = apns_with(
        httpx.Response(403, json=recorded.APNS_EXPIRED_PROVIDER_TOKEN),
        httpx.Response(200, headers={"apns-id": "x"}),
    )
    with pytest.raises(ProviderFailedError):
        await push.send(MESSAGE)
    push_token = push._token
    assert push_token is None
    await push.send(MESSAGE)
    assert len(seen) == 2


async def test_unreachable_is_retried() -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    pem, _ = recorded.apns_key()
    http = httpx.AsyncClient(transport=httpx.MockTransport(fail))
    push = ApnsPush(pem, "K", "T", "org.school.app", "https://apns.test", http)
    with pytest.raises(ProviderFailedError):
        await push.send(MESSAGE)


async def test_both_platforms_side_by_side_each_token_to_its_service(tmp_path: Path) -> None:
    pem, _ = recorded.apns_key()
    key = tmp_path / "AuthKey_KEY1234567.p8"
    key.write_text(pem)
    account, _ = recorded.service_account("https://oauth2.test/token")
    sa_file = tmp_path / "sa.json"
    sa_file.write_text(json.dumps(account))
    settings = NotificationSettings(
        push_url=f"fcm://{sa_file}",
        push_apns_url=f"apns://{key}?key_id=KEY1234567&team_id=TEAM123456&topic=org.school.app",
    )
    push = push_from_settings(settings, demo=False)
    assert isinstance(push, PlatformPush)
    assert push.platforms == {"fcm", "apns"}
    assert isinstance(push.adapters["fcm"], FcmPush)
    assert isinstance(push.adapters["apns"], ApnsPush)
    await push.stop()
    only_apns = push_from_settings(
        NotificationSettings(push_apns_url=settings.push_apns_url), demo=False
    )
    assert only_apns.platforms == {"apns"}
    with pytest.raises(PushNotSetUpError):
        await only_apns.send(Outgoing("t" * 30, "a", "b", "c", "d", platform="fcm"))
    await only_apns.stop()  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="apns://"):
        push_from_settings(NotificationSettings(push_apns_url=f"apns://{key}"), demo=False)
