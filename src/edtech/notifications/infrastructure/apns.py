"""Apple Push Notification service: the HTTP/2 provider API with token authentication.

One `POST /3/device/<token>` per device, authorised by a provider token — a JWT signed ES256
with the team's `.p8` key (`kid` = key id, `iss` = team id), kept for 50 minutes (Apple
refuses one older than an hour and throttles one renewed more than every 20 minutes). The
attempt's key goes as `apns-collapse-id` (the device shows a resend once) and, as a UUID
derived from it, as `apns-id`. 410 `Unregistered` and 400 `BadDeviceToken` /
`DeviceTokenNotForTopic` disable the token; 403 `ExpiredProviderToken` renews the provider
token; 429, 5xx and transport errors are retried by the ladder."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import jwt

from edtech.notifications.domain.ports import (
    AddressRejectedError,
    Outgoing,
    ProviderFailedError,
    Push,
)

PROVIDER_TOKEN_SECONDS = 50 * 60
KEY_NAMESPACE = uuid.UUID("6f1d3c1e-8f1a-4f55-9a4e-1f0c7e0a2b11")
REJECTED = {
    "Unregistered": "unregistered",
    "BadDeviceToken": "invalid token",
    "DeviceTokenNotForTopic": "token not for this app",
}


def apns_id(key: str) -> str:
    """The `apns-id` of an attempt: the same UUID for the same key, on every resend."""
    return str(uuid.uuid5(KEY_NAMESPACE, key))


class ApnsPush(Push):
    platforms = frozenset({"apns"})

    def __init__(
        self,
        private_key: str,
        key_id: str,
        team_id: str,
        topic: str,
        api_base: str,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.private_key, self.key_id, self.team_id = private_key, key_id, team_id
        self.topic = topic
        self.api_base = api_base.rstrip("/")
        self._token: tuple[str, float] | None = None
        self._http = http or httpx.AsyncClient(http2=True, timeout=httpx.Timeout(10.0))

    async def stop(self) -> None:
        await self._http.aclose()

    def _provider_token(self) -> str:
        now = time.time()
        if self._token is not None and self._token[1] > now:
            return self._token[0]
        token = jwt.encode(
            {"iss": self.team_id, "iat": int(now)},
            self.private_key,
            algorithm="ES256",
            headers={"kid": self.key_id},
        )
        self._token = (token, now + PROVIDER_TOKEN_SECONDS)
        return token

    async def send(self, message: Outgoing) -> str:
        payload: dict[str, Any] = {
            "aps": {"alert": {"title": message.title, "body": message.body}, "sound": "default"},
            "link": message.link,
            "key": message.key,
            **message.data,
        }
        headers = {
            "authorization": f"bearer {self._provider_token()}",
            "apns-topic": self.topic,
            "apns-push-type": "alert",
            "apns-priority": "10",
            "apns-collapse-id": message.key[:64],
            "apns-id": apns_id(message.key),
        }
        try:
            answer = await self._http.post(
                f"{self.api_base}/3/device/{message.to}", json=payload, headers=headers
            )
        except httpx.HTTPError as exc:
            raise ProviderFailedError(f"APNs unreachable: {type(exc).__name__}") from exc
        if answer.status_code == 200:
            return str(answer.headers.get("apns-id", headers["apns-id"]))
        reason = _reason(answer)
        if reason in REJECTED and answer.status_code in (400, 410):
            raise AddressRejectedError(REJECTED[reason])
        if answer.status_code == 403 and reason in ("ExpiredProviderToken", "InvalidProviderToken"):
            self._token = None  # the next try signs a fresh one
        raise ProviderFailedError(f"APNs answered {answer.status_code} {reason}")


def _reason(answer: httpx.Response) -> str:
    try:
        return str(answer.json().get("reason", ""))
    except ValueError:
        return ""
