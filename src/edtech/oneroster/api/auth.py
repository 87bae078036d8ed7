"""OAuth 2 client credentials for the OneRoster provider: the token endpoint (HTTP Basic client
authentication, RFC 6749 §4.4) and the per-endpoint scope check."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse

from edtech.kernel.errors import AuthenticationError, ForbiddenError
from edtech.oneroster.domain.scopes import PREFIX, parse_scopes
from edtech.oneroster.infrastructure.clients import Integration, client_by_id
from edtech.platform.http.deps import ReadSessionDep, ServicesDep
from edtech.platform.security.keys import hash_secret, same_secret

router = APIRouter(tags=["oneroster"])

TOKEN_TTL = timedelta(hours=1)
TOKEN_TYPE = "oneroster"

TOKEN_ERRORS = {
    400: {"description": "RFC 6749 error: unsupported_grant_type or invalid_scope."},
    401: {"description": "RFC 6749 error: invalid_client."},
}


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Basic realm="oneroster"'} if status == 401 else {}
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={**headers, "Cache-Control": "no-store"},
    )


def _basic(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = raw.partition(":")
    return (client_id, secret) if sep else None


@router.post(
    "/ims/oneroster/oauth2/token",
    summary="OAuth 2 token for an integration (client credentials, HTTP Basic)",
    responses=TOKEN_ERRORS,  # type: ignore[arg-type]
)
async def token(
    request: Request,
    session: ReadSessionDep,
    services: ServicesDep,
    grant_type: Annotated[str, Form(max_length=64)],
    scope: Annotated[str | None, Form(max_length=2000)] = None,
) -> JSONResponse:
    """Exchange an integration's client id and secret (HTTP Basic) for a bearer token holding
    the scopes asked for (all of the client's when none are asked); a scope the client was not
    given is refused."""
    if grant_type != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "only client_credentials")
    credentials = _basic(request)
    integration = None if credentials is None else await client_by_id(session, credentials[0][:64])
    if (
        credentials is None
        or integration is None
        or not same_secret(hash_secret(credentials[1]), integration.secret_hash)
    ):
        return _oauth_error(401, "invalid_client", "unknown client or wrong secret")
    asked, unknown = parse_scopes(scope) if scope else (integration.scopes, [])
    if unknown or not asked <= integration.scopes:
        return _oauth_error(400, "invalid_scope", "the client may not have these scopes")
    granted = " ".join(PREFIX + s for s in sorted(asked))
    access = services.signer.issue(
        TOKEN_TYPE,
        integration.client_id,
        services.clock.now(),
        TOKEN_TTL,
        scope=" ".join(sorted(asked)),
    )
    return JSONResponse(
        {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": int(TOKEN_TTL.total_seconds()),
            "scope": granted,
        },
        headers={"Cache-Control": "no-store"},
    )


def requires(scopes: frozenset[str]) -> Callable[..., Awaitable[Integration]]:
    """A dependency: the calling integration, if its token holds one of `scopes`."""

    async def integration(
        request: Request, session: ReadSessionDep, services: ServicesDep
    ) -> Integration:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("bearer "):
            raise AuthenticationError("a bearer token from /ims/oneroster/oauth2/token is required")
        claims = services.signer.verify(header[7:].strip(), TOKEN_TYPE, services.clock.now())
        found = await client_by_id(session, str(claims["sub"]))
        if found is None:
            raise AuthenticationError("the integration was revoked")
        granted = set(str(claims.get("scope", "")).split()) & found.scopes
        if not granted & scopes:
            raise ForbiddenError(f"this needs the scope {' or '.join(sorted(scopes))}")
        return found

    return integration
