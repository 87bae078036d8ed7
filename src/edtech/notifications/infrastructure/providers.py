"""Push and SMS adapters: FCM HTTP v1, Twilio, the console (demo only), and "not set up";
APNs (`apns.py`), Web Push (`webpush.py`) and Amazon SNS (`sns.py`) are wired here too.

`EDTECH_PUSH_URL`, `EDTECH_PUSH_APNS_URL`, `EDTECH_WEBPUSH_PRIVATE_KEY` and `EDTECH_SMS_URL`
choose them (see `settings.py`). Outside demo mode an
unset URL gives the node `PushNotSetUp` / `SmsNotSetUp`: every send raises a 503-class error the
ladder records as the attempt's reason, and device registration answers 503 — never a silent
fake."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import jwt

from edtech.notifications.domain.ports import (
    AddressRejectedError,
    Outgoing,
    ProviderFailedError,
    Push,
    PushNotSetUpError,
    Sms,
    SmsNotSetUpError,
)
from edtech.notifications.infrastructure.apns import ApnsPush
from edtech.notifications.infrastructure.sns import SnsSms
from edtech.notifications.infrastructure.webpush import (
    DEFAULT_ORIGINS,
    WebPush,
    load_vapid_key,
    new_key_pair,
)
from edtech.notifications.settings import NotificationSettings
from edtech.platform.observability.logging import get_logger

log = get_logger("edtech.notifications")

TIMEOUT = httpx.Timeout(10.0)
FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"


def _client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=TIMEOUT)


class FcmPush(Push):
    """Firebase Cloud Messaging HTTP v1 with a service account: an OAuth 2 access token from a
    signed JWT (RS256, kept until a minute before it expires), then one `messages:send` per
    device. `UNREGISTERED` and `INVALID_ARGUMENT` about the token disable the token; 429, 5xx
    and transport errors are retried by the ladder."""

    def __init__(
        self,
        service_account: dict[str, Any],
        api_base: str,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.project = service_account["project_id"]
        self.client_email = service_account["client_email"]
        self.private_key = service_account["private_key"]
        self.token_uri = service_account.get("token_uri", "https://oauth2.googleapis.com/token")
        self.api_base = api_base.rstrip("/")
        self._token: tuple[str, float] | None = None
        self._http = http or _client()

    async def stop(self) -> None:
        await self._http.aclose()

    async def _access_token(self) -> str:
        now = time.time()
        if self._token is not None and self._token[1] > now + 60:
            return self._token[0]
        assertion = jwt.encode(
            {
                "iss": self.client_email,
                "scope": FCM_SCOPE,
                "aud": self.token_uri,
                "iat": int(now),
                "exp": int(now) + 3600,
            },
            self.private_key,
            algorithm="RS256",
        )
        try:
            answer = await self._http.post(
                self.token_uri,
                data={
                    "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                    "assertion": assertion,
                },
            )
        except httpx.HTTPError as exc:
            raise ProviderFailedError(f"FCM token endpoint unreachable: {exc}") from exc
        if answer.status_code != 200:
            raise ProviderFailedError(f"FCM token endpoint answered {answer.status_code}")
        body = answer.json()
        self._token = (body["access_token"], now + float(body.get("expires_in", 3600)))
        return self._token[0]

    async def send(self, message: Outgoing) -> str:
        payload = {
            "message": {
                "token": message.to,
                "notification": {"title": message.title, "body": message.body},
                "data": {"link": message.link, "key": message.key, **message.data},
                "android": {"collapse_key": message.key[:64]},
                "apns": {"headers": {"apns-collapse-id": message.key[:64]}},
            }
        }
        url = f"{self.api_base}/v1/projects/{self.project}/messages:send"
        try:
            answer = await self._http.post(
                url,
                json=payload,
                headers={"Authorization": f"Bearer {await self._access_token()}"},
            )
        except httpx.HTTPError as exc:
            raise ProviderFailedError(f"FCM unreachable: {type(exc).__name__}") from exc
        if answer.status_code == 200:
            return str(answer.json()["name"])
        codes = _fcm_error_codes(answer)
        if answer.status_code == 401:
            self._token = None  # the next try fetches a fresh one
        if "UNREGISTERED" in codes or answer.status_code == 404:
            raise AddressRejectedError("unregistered")
        if answer.status_code == 400 and "INVALID_ARGUMENT" in codes:
            raise AddressRejectedError("invalid token")
        raise ProviderFailedError(f"FCM answered {answer.status_code} {sorted(codes)}")


def _fcm_error_codes(answer: httpx.Response) -> set[str]:
    try:
        error = answer.json().get("error", {})
    except ValueError:
        return set()
    codes = {str(error.get("status", ""))}
    codes |= {str(d.get("errorCode", "")) for d in error.get("details", []) if isinstance(d, dict)}
    return codes - {""}


TWILIO_REJECTED = {
    21610: "opted out (STOP)",
    21211: "invalid number",
    21614: "not a mobile number",
    21408: "region not enabled",
}


class TwilioSms(Sms):
    """Twilio Programmable Messaging: one `Messages.json` POST per text. A number that answered
    STOP (error 21610) or is not a valid mobile number is disabled for good; 429 and 5xx are
    retried by the ladder."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        sender: str,
        api_base: str,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.account_sid = account_sid
        self.auth = (account_sid, auth_token)
        self.sender = sender
        self.api_base = api_base.rstrip("/")
        self._http = http or _client()

    async def stop(self) -> None:
        await self._http.aclose()

    async def send(self, message: Outgoing) -> str:
        url = f"{self.api_base}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        text = f"{message.title}: {message.body} {message.link}"
        try:
            answer = await self._http.post(
                url,
                auth=self.auth,
                data={"To": message.to, "From": self.sender, "Body": text[:1600]},
            )
        except httpx.HTTPError as exc:
            raise ProviderFailedError(f"Twilio unreachable: {type(exc).__name__}") from exc
        if answer.status_code in (200, 201):
            return str(answer.json()["sid"])
        try:
            code = int(answer.json().get("code") or 0)
        except ValueError:
            code = 0
        if code in TWILIO_REJECTED:
            raise AddressRejectedError(TWILIO_REJECTED[code])
        raise ProviderFailedError(f"Twilio answered {answer.status_code} (code {code})")


class PlatformPush(Push):
    """One adapter per push service, chosen by the device's platform."""

    def __init__(self, adapters: dict[str, Push]) -> None:
        self.adapters = adapters
        self.platforms = frozenset(adapters)

    async def stop(self) -> None:
        for adapter in self.adapters.values():
            stop = getattr(adapter, "stop", None)
            if stop is not None:
                await stop()

    def refuses(self, platform: str, token: str) -> str | None:
        adapter = self.adapters.get(platform)
        return None if adapter is None else adapter.refuses(platform, token)

    async def send(self, message: Outgoing) -> str:
        adapter = self.adapters.get(message.platform)
        if adapter is None:
            raise PushNotSetUpError()
        return await adapter.send(message)

    def adapter(self, platform: str) -> Push | None:
        return self.adapters.get(platform)


class ConsolePush(Push):
    """Logs each push instead of sending it (demo and development only). For Web Push it
    offers a VAPID public key of its own (made at start, never used to sign), so a browser in
    the demo can go through subscribing."""

    platforms = frozenset({"fcm", "apns", "webpush"})

    def __init__(self) -> None:
        self.public_key = new_key_pair()[1]

    async def send(self, message: Outgoing) -> str:
        log.warning("push_not_sent_console", to=message.to[:12], title=message.title)
        return f"console:{message.key}"


class ConsoleSms(Sms):
    async def send(self, message: Outgoing) -> str:
        log.warning("sms_not_sent_console", to=message.to, title=message.title)
        return f"console:{message.key}"


class PushNotSetUp(Push):
    set_up = False

    async def send(self, message: Outgoing) -> str:
        raise PushNotSetUpError()


class SmsNotSetUp(Sms):
    set_up = False

    async def send(self, message: Outgoing) -> str:
        raise SmsNotSetUpError()


def push_from_settings(settings: NotificationSettings, *, demo: bool) -> Push:
    """The adapters `EDTECH_PUSH_URL` (FCM), `EDTECH_PUSH_APNS_URL` and
    `EDTECH_WEBPUSH_PRIVATE_KEY` name; ValueError if malformed."""
    adapters: dict[str, Push] = {}
    url = settings.push_url
    if url:
        parts = urlsplit(url)
        if parts.scheme == "console":
            return ConsolePush()
        if parts.scheme != "fcm" or not parts.path:
            raise ValueError(
                "EDTECH_PUSH_URL must be fcm:///path/to/service-account.json or console://"
            )
        account = json.loads(Path(unquote(parts.path)).read_text())
        adapters["fcm"] = FcmPush(account, settings.push_fcm_api_base)
    if settings.push_apns_url:
        adapters["apns"] = apns_from_url(settings.push_apns_url, settings.push_apns_api_base)
    if settings.webpush_private_key:
        adapters["webpush"] = webpush_from_settings(settings)
    if not adapters:
        return ConsolePush() if demo else PushNotSetUp()
    if len(adapters) == 1 and "fcm" in adapters:
        return adapters["fcm"]
    return PlatformPush(adapters)


def webpush_from_settings(settings: NotificationSettings) -> WebPush:
    """Web Push with the VAPID key and subject of the settings; ValueError if either is
    malformed or the subject is missing."""
    try:
        key = load_vapid_key(settings.webpush_private_key)
    except ValueError as exc:
        raise ValueError(
            "EDTECH_WEBPUSH_PRIVATE_KEY must be a P-256 private key: 32 bytes in base64url or a PEM"
        ) from exc
    subject = settings.webpush_subject
    if not subject.startswith(("mailto:", "https://")):
        raise ValueError(
            "EDTECH_WEBPUSH_SUBJECT must be mailto:someone@school.example or an https URL "
            "(push services contact it about this server's pushes)"
        )
    origins = tuple(o.strip().rstrip("/") for o in settings.webpush_allowed_origins.split(","))
    return WebPush(
        key,
        subject,
        allowed_origins=tuple(o for o in origins if o) or DEFAULT_ORIGINS,
        ttl_seconds=settings.webpush_ttl_seconds,
    )


def web_push_key(push: Push) -> str | None:
    """The VAPID public key browsers subscribe with: the node's Web Push adapter's (alone or
    among others), the console's in demo mode; None when Web Push is not set up."""
    if isinstance(push, PlatformPush):
        found = push.adapter("webpush")
        return found.public_key if isinstance(found, WebPush) else None
    if isinstance(push, WebPush | ConsolePush):
        return push.public_key
    return None


def apns_from_url(url: str, api_base: str) -> ApnsPush:
    """`apns:///path/AuthKey_KEYID.p8?key_id=KEYID&team_id=TEAMID&topic=org.school.app`."""
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    needed = ("key_id", "team_id", "topic")
    if parts.scheme != "apns" or not parts.path or any(not query.get(k) for k in needed):
        raise ValueError(
            "EDTECH_PUSH_APNS_URL must be apns:///path/AuthKey.p8?key_id=…&team_id=…&topic=…"
        )
    key = Path(unquote(parts.path)).read_text()
    return ApnsPush(key, query["key_id"], query["team_id"], query["topic"], api_base)


def sms_from_settings(settings: NotificationSettings, *, demo: bool) -> Sms:
    """The adapter `EDTECH_SMS_URL` names; ValueError if malformed."""
    url = settings.sms_url
    if not url:
        return ConsoleSms() if demo else SmsNotSetUp()
    parts = urlsplit(url)
    if parts.scheme == "console":
        return ConsoleSms()
    # A literal `+` in a query means a space: accept `from=+1555…` as well as `%2B1555…`.
    sender = parse_qs(parts.query).get("from", [""])[0].replace(" ", "+")
    if parts.scheme == "sns":
        if not parts.hostname:
            raise ValueError("EDTECH_SMS_URL must be sns://REGION[?from=+1555…&sender_id=…]")
        return SnsSms(
            parts.hostname,
            origination=sender,
            sender_id=parse_qs(parts.query).get("sender_id", [""])[0],
            endpoint_url=settings.sms_sns_endpoint_url or None,
        )
    if parts.scheme != "twilio" or not parts.username or not parts.password or not sender:
        raise ValueError(
            "EDTECH_SMS_URL must be twilio://SID:TOKEN@?from=+1555…, sns://REGION or console://"
        )
    return TwilioSms(
        unquote(parts.username), unquote(parts.password), sender, settings.sms_twilio_api_base
    )
