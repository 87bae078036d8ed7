"""Web Push: a browser's push subscription, reached through its push service (RFC 8030), the
message encrypted for it (RFC 8291, `aes128gcm` by `http_ece`) and this server identified by
VAPID (RFC 8292: an ES256 JWT, `aud` = the push service's origin, signed with our key).

A subscription is what the browser's `PushSubscription.toJSON()` gives: an `endpoint` (the
push service's URL for that browser) and `keys` — `p256dh`, the browser's P-256 public key,
and `auth`, a 16-byte secret. It is kept as a device token of platform `webpush` whose token is
the subscription's canonical JSON (`subscription_token`). 404 / 410 from the push service mean
the browser unsubscribed: the subscription is disabled (`unregistered`); 429, 5xx and transport
errors are retried by the ladder. The attempt's key goes as the `Topic` header (hashed to 32
base64url characters), so a resend after a crash replaces the first message while it waits at
the push service.

Only endpoints at known push services are accepted (`EDTECH_WEBPUSH_ALLOWED_ORIGINS`): a
subscription is input from the browser, and the server POSTs to its endpoint.

`python -m edtech.notifications.infrastructure.webpush` prints a fresh key pair."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlsplit

import http_ece
import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from edtech.notifications.domain.ports import (
    AddressRejectedError,
    Outgoing,
    ProviderFailedError,
    Push,
)

PLATFORM = "webpush"
JWT_SECONDS = 12 * 3600
"""RFC 8292: the JWT's `exp` no more than 24 hours ahead."""
MAX_PAYLOAD = 3800
"""Push services take 4096 bytes of encrypted body; the record adds 86 (header, tag, pad)."""
DEFAULT_ORIGINS = (
    "https://fcm.googleapis.com",
    "https://updates.push.services.mozilla.com",
    "https://*.push.services.mozilla.com",
    "https://*.notify.windows.com",
    "https://web.push.apple.com",
    "https://*.push.apple.com",
)
"""The push services of Chrome, Edge, Firefox and Safari."""


def b64url_decode(text: str) -> bytes:
    """base64url with or without its padding; ValueError if it is not base64url."""
    if not text or any(c not in _B64URL for c in text):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: bytes
    auth: bytes

    @property
    def origin(self) -> str:
        parts = urlsplit(self.endpoint)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def token(self) -> str:
        return subscription_token(self.endpoint, b64url(self.p256dh), b64url(self.auth))


URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
"""RFC 3986's characters: a push service's URL is ASCII with anything else percent-encoded.
None of them is escaped in the stored JSON, so the longest endpoint (2,048) and its keys fit
`push_device.token` (4,096); a character JSON escapes (a quote: 2, an emoji: 12) would not."""


def parse_subscription(endpoint: str, p256dh: str, auth: str) -> Subscription:
    """A subscription as the browser gave it; ValueError naming what is wrong: an endpoint that
    is not an absolute http(s) URL, a `p256dh` that is not a point on P-256 (65 bytes,
    uncompressed), an `auth` that is not 16 bytes."""
    parts = urlsplit(endpoint)
    if parts.scheme not in ("https", "http") or not parts.hostname or len(endpoint) > 2048:
        raise ValueError("endpoint: an https URL of a push service")
    if not URL_CHARACTERS.fullmatch(endpoint):
        raise ValueError("endpoint: URL characters only (anything else percent-encoded)")
    try:
        key = b64url_decode(p256dh)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key)
    except ValueError as exc:
        raise ValueError("keys.p256dh: a P-256 public key, base64url, uncompressed") from exc
    if len(key) != 65:
        raise ValueError("keys.p256dh: a P-256 public key, base64url, uncompressed")
    try:
        secret = b64url_decode(auth)
    except ValueError as exc:
        raise ValueError("keys.auth: 16 bytes, base64url") from exc
    if len(secret) != 16:
        raise ValueError("keys.auth: 16 bytes, base64url")
    return Subscription(endpoint, key, secret)


def subscription_token(endpoint: str, p256dh: str, auth: str) -> str:
    """The stored form of a subscription (one JSON text, keys sorted): the same subscription
    registered twice is one device."""
    return json.dumps(
        {"endpoint": endpoint, "keys": {"auth": auth, "p256dh": p256dh}},
        sort_keys=True,
        separators=(",", ":"),
    )


def subscription_of(token: str) -> Subscription:
    data = json.loads(token)
    return parse_subscription(data["endpoint"], data["keys"]["p256dh"], data["keys"]["auth"])


def load_vapid_key(text: str) -> ec.EllipticCurvePrivateKey:
    """The VAPID private key: a PEM (PKCS#8 or SEC 1) or the raw 32-byte scalar in base64url
    (what `web-push generate-vapid-keys` prints); ValueError otherwise."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
    else:
        raw = b64url_decode(text)
        if len(raw) != 32:
            raise ValueError("a VAPID private key is 32 bytes (base64url) or a PEM")
        key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("a VAPID key is a P-256 (prime256v1) key")
    return key


def public_key_of(key: ec.EllipticCurvePrivateKey) -> str:
    """The application server key browsers subscribe with: the uncompressed point, base64url."""
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(point)


def topic(key: str) -> str:
    """RFC 8030 `Topic`: at most 32 base64url characters, the same for the same attempt."""
    return b64url(hashlib.sha256(key.encode()).digest())[:32]


def encrypt(payload: bytes, subscription: Subscription) -> bytes:
    """RFC 8291: a fresh sender key pair and salt per message; `aes128gcm`, one record."""
    sender = ec.generate_private_key(ec.SECP256R1())
    body: bytes = http_ece.encrypt(
        payload,
        salt=os.urandom(16),
        private_key=sender,
        dh=subscription.p256dh,
        auth_secret=subscription.auth,
        version="aes128gcm",
    )
    return body


class WebPush(Push):
    """Sends to browsers' push subscriptions (platform `webpush`)."""

    platforms = frozenset({PLATFORM})

    def __init__(
        self,
        private_key: ec.EllipticCurvePrivateKey,
        subject: str,
        *,
        allowed_origins: tuple[str, ...] = DEFAULT_ORIGINS,
        ttl_seconds: int = 86400,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.private_key, self.subject = private_key, subject
        self.public_key = public_key_of(private_key)
        self.allowed_origins, self.ttl_seconds = allowed_origins, ttl_seconds
        self._jwts: dict[str, tuple[str, float]] = {}
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(10.0))

    async def stop(self) -> None:
        await self._http.aclose()

    def refuses(self, platform: str, token: str) -> str | None:
        if platform != PLATFORM:
            return None
        origin = subscription_of(token).origin
        if any(fnmatchcase(origin, allowed) for allowed in self.allowed_origins):
            return None
        return f"endpoint: {origin} is not a push service this server sends to"

    def _vapid(self, audience: str) -> str:
        """`vapid t=<JWT>, k=<our public key>`; one JWT per push service, renewed an hour
        before it expires."""
        now = time.time()
        found = self._jwts.get(audience)
        if found is None or found[1] < now + 3600:
            exp = int(now) + JWT_SECONDS
            claims = {"aud": audience, "exp": exp, "sub": self.subject}
            found = (jwt.encode(claims, self.private_key, algorithm="ES256"), exp)
            self._jwts[audience] = found
        return f"vapid t={found[0]}, k={self.public_key}"

    async def send(self, message: Outgoing) -> str:
        try:
            subscription = subscription_of(message.to)
        except (ValueError, KeyError, TypeError) as exc:  # pragma: no cover - checked at entry
            raise AddressRejectedError("malformed subscription") from exc
        payload = _payload(message)
        urgent = message.data.get("category") == "urgent_announcement"
        headers = {
            "Authorization": self._vapid(subscription.origin),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "TTL": str(self.ttl_seconds),
            "Topic": topic(message.key),
            "Urgency": "high" if urgent else "normal",
        }
        try:
            answer = await self._http.post(
                subscription.endpoint, content=encrypt(payload, subscription), headers=headers
            )
        except httpx.HTTPError as exc:
            raise ProviderFailedError(f"push service unreachable: {type(exc).__name__}") from exc
        if answer.status_code in (200, 201, 202):
            return answer.headers.get("location") or f"webpush:{message.key}"
        if answer.status_code in (404, 410):
            raise AddressRejectedError("unregistered")
        raise ProviderFailedError(
            f"push service {subscription.origin} answered {answer.status_code}"
        )


def _payload(message: Outgoing) -> bytes:
    """What the service worker's `push` event reads (`event.data.json()`); the body shortened
    to fit one record."""
    doc: dict[str, Any] = {
        "title": message.title,
        "body": message.body,
        "link": message.link,
        "key": message.key,
        "data": message.data,
    }
    raw = json.dumps(doc, ensure_ascii=False).encode()
    while len(raw) > MAX_PAYLOAD and doc["body"]:
        body = doc["body"].encode()
        keep = len(body) - (len(raw) - MAX_PAYLOAD) - len("…".encode())
        doc["body"] = body[:keep].decode(errors="ignore") + "…" if keep > 0 else ""
        raw = json.dumps(doc, ensure_ascii=False).encode()
    return raw


def new_key_pair() -> tuple[str, str]:
    """A fresh VAPID key pair: (private key as base64url, public key as base64url)."""
    key = ec.generate_private_key(ec.SECP256R1())
    raw = key.private_numbers().private_value.to_bytes(32, "big")
    return b64url(raw), public_key_of(key)


if __name__ == "__main__":  # pragma: no cover - an operator's tool
    private, public = new_key_pair()
    print(f"EDTECH_WEBPUSH_PRIVATE_KEY={private}")
    print(f"# the public key browsers subscribe with: {public}")
