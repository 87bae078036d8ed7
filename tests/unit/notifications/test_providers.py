"""The FCM and Twilio adapters against recorded provider answers (`recorded.py`): what they
send, and how each answer is understood — sent, address refused for good, or try again."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import httpx
import pytest

from edtech.notifications.domain.ports import (
    AddressRejectedError,
    Outgoing,
    ProviderFailedError,
    PushNotSetUpError,
    SmsNotSetUpError,
)
from edtech.notifications.infrastructure.providers import (
    ConsolePush,
    FcmPush,
    PushNotSetUp,
    SmsNotSetUp,
    TwilioSms,
    push_from_settings,
    sms_from_settings,
)
from edtech.notifications.settings import NotificationSettings
from tests.unit.notifications import recorded

TOKEN_URI = "https://oauth2.test/token"
MESSAGE = Outgoing("device-token-1", "Absent", "Sam was absent.", "https://x/app/n/1", "n1:push")


def fcm_with(answer: httpx.Response, seen: list[httpx.Request]) -> tuple[FcmPush, object]:
    account, public_key = recorded.service_account(TOKEN_URI)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if str(request.url) == TOKEN_URI:
            return httpx.Response(200, json=recorded.OAUTH_TOKEN_OK)
        return answer

    http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
    return FcmPush(account, "https://fcm.test", http), public_key


async def test_fcm_signs_a_token_request_then_sends_with_the_collapse_key() -> None:
    seen: list[httpx.Request] = []
    push, public_key = fcm_with(httpx.Response(200, json=recorded.FCM_SENT), seen)
    ref = await push.send(MESSAGE)
    await push.send(MESSAGE)  # the access token is reused
    assert ref == recorded.FCM_SENT["name"]
    token_request, send, again = seen
    form = parse_qs(token_request.content.decode())
    claims = recorded.verify_assertion(form["assertion"][0], public_key, TOKEN_URI)
    assert claims["scope"] == "https://www.googleapis.com/auth/firebase.messaging"
    assert str(send.url) == "https://fcm.test/v1/projects/edtech-test/messages:send"
    assert send.headers["Authorization"] == "Bearer ya29.c.recorded-access-token"
    body = json.loads(send.content)["message"]
    assert body["token"] == "device-token-1"
    assert body["notification"] == {"title": "Absent", "body": "Sam was absent."}
    assert body["android"]["collapse_key"] == "n1:push"
    assert body["apns"]["headers"]["apns-collapse-id"] == "n1:push"
    assert str(again.url) == str(send.url)


async def test_fcm_unregistered_token_is_refused_for_good() -> None:
    push, _ = fcm_with(httpx.Response(404, json=recorded.FCM_UNREGISTERED), [])
    with pytest.raises(AddressRejectedError) as refused:
        await push.send(MESSAGE)
    assert refused.value.reason == "unregistered"


async def test_fcm_unavailable_is_a_failure_to_retry() -> None:
    push, _ = fcm_with(httpx.Response(503, json=recorded.FCM_UNAVAILABLE), [])
    with pytest.raises(ProviderFailedError):
        await push.send(MESSAGE)


def twilio_with(answer: httpx.Response, seen: list[httpx.Request]) -> TwilioSms:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer

    http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
    return TwilioSms("AC0000", "secret", "+15550001111", "https://twilio.test", http)


async def test_twilio_posts_the_text_with_basic_auth_and_returns_the_sid() -> None:
    seen: list[httpx.Request] = []
    sms = twilio_with(httpx.Response(201, json=recorded.TWILIO_QUEUED), seen)
    text = Outgoing("+15551234567", "Urgent", "School closes at noon.", "https://x/n/2", "n2:sms")
    assert await sms.send(text) == recorded.TWILIO_QUEUED["sid"]
    [request] = seen
    assert str(request.url) == "https://twilio.test/2010-04-01/Accounts/AC0000/Messages.json"
    assert request.headers["Authorization"].startswith("Basic ")
    form = parse_qs(request.content.decode())
    assert form["To"] == ["+15551234567"]
    assert form["From"] == ["+15550001111"]
    assert "School closes at noon." in form["Body"][0]


async def test_twilio_stop_is_an_opt_out_and_429_is_retried() -> None:
    sms = twilio_with(httpx.Response(400, json=recorded.TWILIO_UNSUBSCRIBED), [])
    with pytest.raises(AddressRejectedError) as refused:
        await sms.send(MESSAGE)
    assert refused.value.reason == "opted out (STOP)"
    busy = twilio_with(httpx.Response(429, json=recorded.TWILIO_TOO_MANY), [])
    with pytest.raises(ProviderFailedError):
        await busy.send(MESSAGE)


async def test_unconfigured_ports_refuse_outside_demo_and_log_in_demo() -> None:
    settings = NotificationSettings()
    push = push_from_settings(settings, demo=False)
    sms = sms_from_settings(settings, demo=False)
    assert isinstance(push, PushNotSetUp)
    assert isinstance(sms, SmsNotSetUp)
    with pytest.raises(PushNotSetUpError):
        await push.send(MESSAGE)
    with pytest.raises(SmsNotSetUpError):
        await sms.send(MESSAGE)
    assert isinstance(push_from_settings(settings, demo=True), ConsolePush)


def test_provider_urls_are_parsed_or_refused() -> None:
    twilio = sms_from_settings(
        NotificationSettings(sms_url="twilio://AC1:tok@?from=+15550001111"), demo=False
    )
    assert isinstance(twilio, TwilioSms)
    assert twilio.sender == "+15550001111"
    with pytest.raises(ValueError, match="EDTECH_SMS_URL"):
        sms_from_settings(NotificationSettings(sms_url="twilio://AC1@"), demo=False)
    with pytest.raises(ValueError, match="EDTECH_PUSH_URL"):
        push_from_settings(NotificationSettings(push_url="apns://x"), demo=False)
