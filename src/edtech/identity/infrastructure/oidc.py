"""The OpenID Connect client of a node: discovery, the token endpoint (code + PKCE verifier),
and ID-token signatures checked against the provider's JWKS (PyJWT).

A component (one per node): it keeps one HTTP client and caches each provider's discovery
document and keys for `CACHE_FOR`, fetching the keys again once when a token names a key it
does not know (the provider rotated its keys).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

from edtech.identity.domain.sso import (
    SsoCodeRejectedError,
    SsoProviderUnavailableError,
    bad_signature,
    wrong_audience,
    wrong_issuer,
)

CACHE_FOR = 600.0
"""Seconds a discovery document or a key set is trusted before it is fetched again."""
TIMEOUT = httpx.Timeout(10.0)
SIGNING_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
"""Public-key algorithms only: never `none`, never HS* (whose key would be our client secret)."""


@dataclass(frozen=True)
class ProviderMetadata:
    """The endpoints of a provider's discovery document that the code flow needs."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    token_auth_methods: tuple[str, ...]


def _unavailable(issuer: str, why: str) -> SsoProviderUnavailableError:
    return SsoProviderUnavailableError(f"The sign-in provider {issuer} {why}; try again later.")


class OpenIdClient:
    """Talks to OpenID providers over HTTPS exactly as a browser-less relying party must."""

    def __init__(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._transport = transport
        self._http: httpx.AsyncClient | None = None
        self._metadata: dict[str, tuple[float, ProviderMetadata]] = {}
        self._keys: dict[str, tuple[float, jwt.PyJWKSet]] = {}

    async def start(self) -> None:
        self._http = httpx.AsyncClient(
            timeout=TIMEOUT, transport=self._transport, follow_redirects=False
        )

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.aclose()

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            raise RuntimeError("OpenIdClient used before start()")
        return self._http

    async def _get_json(self, issuer: str, url: str) -> dict[str, Any]:
        try:
            r = await self.http.get(url, headers={"Accept": "application/json"})
            r.raise_for_status()
            body = r.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise _unavailable(issuer, "could not be reached") from exc
        if not isinstance(body, dict):
            raise _unavailable(issuer, "answered nonsense")
        return body

    async def metadata(self, issuer: str) -> ProviderMetadata:
        """The provider's discovery document (OpenID Connect Discovery §4), whose `issuer`
        must be the one configured (§4.3)."""
        cached = self._metadata.get(issuer)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        doc = await self._get_json(issuer, f"{issuer.rstrip('/')}/.well-known/openid-configuration")
        try:
            found = ProviderMetadata(
                issuer=str(doc["issuer"]),
                authorization_endpoint=str(doc["authorization_endpoint"]),
                token_endpoint=str(doc["token_endpoint"]),
                jwks_uri=str(doc["jwks_uri"]),
                token_auth_methods=tuple(
                    doc.get("token_endpoint_auth_methods_supported") or ("client_secret_basic",)
                ),
            )
        except KeyError as exc:
            raise _unavailable(issuer, "has an incomplete discovery document") from exc
        if found.issuer != issuer:
            raise _unavailable(issuer, f"names itself {found.issuer!r} in its discovery document")
        self._metadata[issuer] = (time.monotonic() + CACHE_FOR, found)
        return found

    async def exchange_code(
        self,
        provider: ProviderMetadata,
        *,
        client_id: str,
        client_secret: str,
        code: str,
        redirect_uri: str,
        code_verifier: str,
    ) -> str:
        """The ID token the token endpoint gives for `code` (RFC 6749 §4.1.3, RFC 7636 §4.5)."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
        auth: httpx.BasicAuth | None = None
        if "client_secret_basic" in provider.token_auth_methods:
            auth = httpx.BasicAuth(client_id, client_secret)
        else:
            form.update(client_id=client_id, client_secret=client_secret)
        try:
            r = await self.http.post(
                provider.token_endpoint,
                data=form,
                auth=auth or httpx.USE_CLIENT_DEFAULT,
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError as exc:
            raise _unavailable(provider.issuer, "could not be reached") from exc
        try:
            body = r.json()
        except ValueError:
            body = None
        if r.status_code in (400, 401) and isinstance(body, dict) and "error" in body:
            raise SsoCodeRejectedError(
                f"The provider refused the sign-in ({str(body['error'])[:60]}): start again."
            )
        if r.status_code != 200 or not isinstance(body, dict):
            raise _unavailable(provider.issuer, f"answered {r.status_code}")
        token = body.get("id_token")
        if not isinstance(token, str) or not token:
            raise _unavailable(provider.issuer, "sent no ID token")
        return token

    async def _key_set(self, provider: ProviderMetadata, fresh: bool) -> jwt.PyJWKSet:
        cached = self._keys.get(provider.jwks_uri)
        if not fresh and cached is not None and cached[0] > time.monotonic():
            return cached[1]
        doc = await self._get_json(provider.issuer, provider.jwks_uri)
        try:
            keys = jwt.PyJWKSet.from_dict(doc)
        except jwt.PyJWTError as exc:
            raise _unavailable(provider.issuer, "publishes no usable keys") from exc
        self._keys[provider.jwks_uri] = (time.monotonic() + CACHE_FOR, keys)
        return keys

    async def _signing_key(self, provider: ProviderMetadata, kid: str | None) -> jwt.PyJWK:
        for fresh in (False, True):
            keys = await self._key_set(provider, fresh)
            matching = [k for k in keys.keys if kid is None or k.key_id == kid]
            if kid is None and len(matching) > 1:
                raise bad_signature("The ID token names no key and the provider has several.")
            if matching:
                return matching[0]
        raise bad_signature("The ID token is signed with a key the provider does not publish.")

    async def verify(
        self, provider: ProviderMetadata, token: str, client_id: str
    ) -> dict[str, Any]:
        """The claims of `token` once its signature (a public key of the provider's JWKS),
        issuer and audience hold. Time, nonce and email are the domain's to judge."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise bad_signature("The ID token is not a signed JWT.") from exc
        algorithm = header.get("alg")
        if algorithm not in SIGNING_ALGORITHMS:
            raise bad_signature(f"The ID token is not signed with a public key ({algorithm}).")
        kid = header.get("kid")
        key = await self._signing_key(provider, kid if isinstance(kid, str) else None)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[str(algorithm)],
                audience=client_id,
                issuer=provider.issuer,
                options={
                    "verify_exp": False,  # judged on the node's clock by the domain
                    "verify_iat": False,
                    "verify_nbf": False,
                    "require": ["iss", "aud", "sub", "exp", "iat"],
                },
            )
        except jwt.InvalidAudienceError as exc:
            raise wrong_audience() from exc
        except jwt.InvalidIssuerError as exc:
            raise wrong_issuer() from exc
        except jwt.PyJWTError as exc:
            raise bad_signature() from exc
        return claims
