"""A Web Push service on loopback, as a browser vendor runs one (RFC 8030), written from the
RFCs and independent of the code under test:

* it verifies VAPID (RFC 8292): the `Authorization: vapid t=<JWT>, k=<key>` header, the JWT
  signed ES256 by `k`, `aud` = this service's origin, `exp` in the future and at most 24 hours
  ahead, a `mailto:` or `https:` subject — and `k` must be the application server key the
  browser subscribed with (a push signed with another key is refused, 403);
* it decrypts the body (RFC 8291, `aes128gcm`, RFC 8188) with the browser's private key and
  auth secret, which only the `Browser` holds, with `cryptography`'s primitives alone;
* it answers 201 with a Location, or what a test told it to (410 unsubscribed, 429, 500…).
"""

from __future__ import annotations

import base64
import json
import os
import struct
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hmac import HMAC
from fastapi import FastAPI, Request, Response


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def hkdf_extract(salt: bytes, ikm: bytes) -> bytes:
    mac = HMAC(salt, hashes.SHA256())
    mac.update(ikm)
    return mac.finalize()


def hkdf_expand(prk: bytes, info: bytes, length: int) -> bytes:
    """One block is enough for the lengths of RFC 8291 (≤ 32 bytes)."""
    mac = HMAC(prk, hashes.SHA256())
    mac.update(info + b"\x01")
    return mac.finalize()[:length]


@dataclass
class Browser:
    """A browser's push subscription: its key pair and auth secret stay here."""

    endpoint: str
    application_server_key: str
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    def to_json(self) -> dict[str, Any]:
        """What `PushSubscription.toJSON()` gives."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {
                "p256dh": b64url(_point(self.private_key.public_key())),
                "auth": b64url(self.auth),
            },
        }

    def decrypt(self, body: bytes) -> bytes:
        """RFC 8291 §3.4 and RFC 8188 §2: one record, `aes128gcm`."""
        salt, rs, idlen = body[:16], struct.unpack("!L", body[16:20])[0], body[20]
        as_public_bytes = body[21 : 21 + idlen]
        ciphertext = body[21 + idlen :]
        assert idlen == 65, "the keyid is the sender's P-256 public key"
        assert len(ciphertext) <= rs, "one record"
        as_public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), as_public_bytes)
        ecdh_secret = self.private_key.exchange(ec.ECDH(), as_public)
        ua_public = _point(self.private_key.public_key())
        prk_key = hkdf_extract(self.auth, ecdh_secret)
        ikm = hkdf_expand(prk_key, b"WebPush: info\x00" + ua_public + as_public_bytes, 32)
        prk = hkdf_extract(salt, ikm)
        cek = hkdf_expand(prk, b"Content-Encoding: aes128gcm\x00", 16)
        nonce = hkdf_expand(prk, b"Content-Encoding: nonce\x00", 12)
        padded = AESGCM(cek).decrypt(nonce, ciphertext, None)
        data = padded.rstrip(b"\x00")
        assert data.endswith(b"\x02"), "the last record's delimiter"
        return data[:-1]


@dataclass
class Received:
    browser: Browser
    headers: dict[str, str]
    claims: dict[str, Any]
    payload: dict[str, Any]


class PushService:
    """The loopback push service: `subscribe` hands out endpoints; `answers` queues the status
    codes the next pushes to an endpoint get (then 201 again); `gone` makes one answer 410 for
    good (the browser unsubscribed)."""

    def __init__(self) -> None:
        self.url = ""
        self.browsers: dict[str, Browser] = {}
        self.received: list[Received] = []
        self.refused: list[tuple[int, str]] = []
        self.answers: dict[str, list[int]] = {}
        self.gone: set[str] = set()
        self.app = FastAPI()
        self.app.post("/push/{sub_id}")(self._push)

    def subscribe(self, application_server_key: str) -> Browser:
        sub_id = uuid.uuid4().hex
        browser = Browser(f"{self.url}/push/{sub_id}", application_server_key)
        self.browsers[sub_id] = browser
        return browser

    def to(self, browser: Browser) -> list[dict[str, Any]]:
        return [r.payload for r in self.received if r.browser is browser]

    def _refuse(self, status: int, why: str) -> Response:
        self.refused.append((status, why))
        return Response(why, status_code=status)

    async def _push(self, sub_id: str, request: Request) -> Response:
        browser = self.browsers.get(sub_id)
        if browser is None or sub_id in self.gone:
            return Response(status_code=410 if browser else 404)
        auth = request.headers.get("authorization", "")
        if not auth.startswith("vapid "):
            return self._refuse(401, "no vapid authorization")
        params = dict(p.strip().split("=", 1) for p in auth[len("vapid ") :].split(","))
        if params.get("k") != browser.application_server_key:
            return self._refuse(403, "not the key the browser subscribed with")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(params["k"]))
        try:
            claims = jwt.decode(
                params["t"],
                public,
                algorithms=["ES256"],
                audience=self.url,
                options={"require": ["exp", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            return self._refuse(401, f"bad vapid token: {exc}")
        if claims["exp"] > time.time() + 24 * 3600:
            return self._refuse(401, "exp more than 24 hours ahead")
        if not str(claims["sub"]).startswith(("mailto:", "https://")):
            return self._refuse(401, "bad subject")
        if request.headers.get("content-encoding") != "aes128gcm" or "ttl" not in request.headers:
            return self._refuse(400, "aes128gcm and a TTL are required")
        body = await request.body()
        if len(body) > 4096:
            return self._refuse(413, "payload too large")
        queued = self.answers.get(sub_id)
        if queued:
            return Response(status_code=queued.pop(0))
        payload = json.loads(browser.decrypt(body))
        self.received.append(Received(browser, dict(request.headers), claims, payload))
        return Response(
            status_code=201, headers={"location": f"{self.url}/message/{uuid.uuid4().hex}"}
        )
