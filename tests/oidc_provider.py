"""A real OpenID provider on loopback for the single sign-on tests.

`LoopbackProvider` serves, from a real uvicorn server on 127.0.0.1, what Google or Microsoft
serve: the discovery document, the JWKS, an authorization endpoint (authorization code flow
with PKCE S256 and nonce) and a token endpoint (client_secret_basic or client_secret_post)
that returns RS256 ID tokens signed with a key of the JWKS. The node under test talks to it
over HTTP exactly as to a real provider.

The authorization endpoint signs in whoever the test says (`provider.user`), without a form.
To test refusals the provider can be told to misbehave on the next token (`provider.mint`):
another audience, another issuer, an expired token, another nonce, a signature by a key it
does not publish, an unsigned (`alg: none`) token, an unverified email.

* `openid_provider` fixture: a started provider with one client (`CLIENT_ID`/`CLIENT_SECRET`)
  whose redirect URI is `REDIRECT_URI`.
* `await provider.authorize(url)`: follow the node's redirect like a browser would; returns
  the `code` and `state` the provider sends back to the redirect URI.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import secrets
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Form, Header, Query
from fastapi.responses import JSONResponse, RedirectResponse

from tests.servers import LiveServer

CLIENT_ID = "edtech-test-client"
CLIENT_SECRET = "edtech-test-client-secret"
PUBLIC_URL = "https://school.example"
REDIRECT_URI = f"{PUBLIC_URL}/app/sso/callback"
KEY_ID = "loopback-1"


@dataclass
class Mint:
    """How the next ID token departs from a correct one (all false: a correct token)."""

    audience: str | None = None
    issuer: str | None = None
    expired: bool = False
    nonce: str | None = None
    foreign_key: bool = False
    unsigned: bool = False
    email_verified: Any = True
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    nonce: str | None
    challenge: str
    user: dict[str, Any]


@functools.cache
def _keys() -> tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]:
    """The provider's signing key and one it does not publish (made once per test run)."""
    return tuple(  # type: ignore[return-value]
        rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(2)
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class LoopbackProvider:
    """An OpenID provider (discovery, JWKS, authorize, token) served on a loopback port."""

    def __init__(self) -> None:
        self.key, self.foreign_key = _keys()
        self.clients = {CLIENT_ID: (CLIENT_SECRET, REDIRECT_URI)}
        self.user: dict[str, Any] = {"sub": "user-1", "email": "someone@hill.example"}
        self.mint = Mint()
        self.grants: dict[str, _Grant] = {}
        self.token_requests: list[dict[str, str]] = []
        self.now: Callable[[], float] = time.time
        """The provider's wall clock, in seconds: a test whose node runs on a fixed clock ties
        it to that clock, as a real provider and node share the time of day."""
        self.server = LiveServer(self._app())
        self.issuer = self.server.url

    async def start(self) -> None:
        await self.server.start()

    async def stop(self) -> None:
        await self.server.stop()

    def jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": KEY_ID, "use": "sig", "alg": "RS256"}]}

    def id_token(self, grant: _Grant) -> str:
        m, self.mint = self.mint, Mint()  # a misbehaviour applies to one token
        now = int(self.now())
        claims: dict[str, Any] = {
            "iss": m.issuer or self.issuer,
            "aud": m.audience or grant.client_id,
            "iat": now - 3600 if m.expired else now,
            "exp": now - 1800 if m.expired else now + 600,
            "email_verified": m.email_verified,
            **grant.user,
            **m.extra,
        }
        if m.nonce is not None or grant.nonce is not None:
            claims["nonce"] = m.nonce or grant.nonce
        if m.unsigned:
            return jwt.encode(claims, None, algorithm="none")
        key = self.foreign_key if m.foreign_key else self.key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KEY_ID})

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        async def discovery() -> dict[str, Any]:
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
            }

        @app.get("/jwks")
        async def jwks() -> dict[str, Any]:
            return self.jwks()

        @app.get("/authorize", response_model=None)
        async def authorize(
            client_id: str,
            redirect_uri: str,
            response_type: str,
            scope: str,
            state: str,
            code_challenge: str,
            code_challenge_method: str,
            nonce: Annotated[str | None, Query()] = None,
        ) -> RedirectResponse | JSONResponse:
            registered = self.clients.get(client_id)
            if registered is None or registered[1] != redirect_uri:
                return JSONResponse({"error": "invalid_client"}, status_code=400)
            if response_type != "code" or "openid" not in scope.split():
                return JSONResponse({"error": "invalid_request"}, status_code=400)
            if code_challenge_method != "S256":
                return JSONResponse({"error": "invalid_request"}, status_code=400)
            code = secrets.token_urlsafe(16)
            self.grants[code] = _Grant(client_id, redirect_uri, nonce, code_challenge, self.user)
            query = urlencode({"code": code, "state": state})
            return RedirectResponse(f"{redirect_uri}?{query}", status_code=302)

        @app.post("/token")
        async def token(
            grant_type: Annotated[str, Form()],
            code: Annotated[str, Form()],
            redirect_uri: Annotated[str, Form()],
            code_verifier: Annotated[str, Form()],
            client_id: Annotated[str | None, Form()] = None,
            client_secret: Annotated[str | None, Form()] = None,
            authorization: Annotated[str | None, Header()] = None,
        ) -> JSONResponse:
            if authorization and authorization.startswith("Basic "):
                pair = base64.b64decode(authorization[6:]).decode()
                client_id, _, client_secret = pair.partition(":")
            self.token_requests.append({"client_id": client_id or "", "code": code})
            registered = self.clients.get(client_id or "")
            if registered is None or registered[0] != client_secret:
                return JSONResponse({"error": "invalid_client"}, status_code=401)
            grant = self.grants.pop(code, None)  # a code works once
            if grant is None or grant_type != "authorization_code":
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            if grant.client_id != client_id or grant.redirect_uri != redirect_uri:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            if _b64(hashlib.sha256(code_verifier.encode()).digest()) != grant.challenge:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            return JSONResponse(
                {
                    "access_token": secrets.token_urlsafe(16),
                    "token_type": "Bearer",
                    "expires_in": 600,
                    "id_token": self.id_token(grant),
                },
                headers={"Cache-Control": "no-store"},
            )

        return app

    async def authorize(self, url: str) -> tuple[str, str]:
        """Follow the authorization URL the node redirected to, as a browser would; the
        `code` and `state` the provider sends back to the redirect URI."""
        assert url.startswith(f"{self.issuer}/authorize?"), url
        async with httpx.AsyncClient() as browser:
            r = await browser.get(url, follow_redirects=False)
        assert r.status_code == 302, r.text
        back = urlsplit(r.headers["location"])
        assert f"{back.scheme}://{back.netloc}{back.path}" == REDIRECT_URI
        query = parse_qs(back.query)
        return query["code"][0], query["state"][0]


@pytest.fixture
async def openid_provider() -> AsyncIterator[LoopbackProvider]:
    provider = LoopbackProvider()
    await provider.start()
    try:
        yield provider
    finally:
        await provider.stop()
