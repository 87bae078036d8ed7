"""OAuth 2 client credentials for the OneRoster provider: the token endpoint (HTTP Basic client
authentication, RFC 6749 §4.4) and the per-endpoint scope check."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Security
from fastapi.dependencies.models import Dependant
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPBasic, HTTPBasicCredentials, OAuth2

from edtech.kernel.errors import AuthenticationError, ForbiddenError
from edtech.oneroster.domain.scopes import PREFIX, parse_scopes
from edtech.oneroster.infrastructure.clients import Integration, client_by_id
from edtech.platform.http.deps import ReadSessionDep, ServicesDep
from edtech.platform.http.openapi import OWN_BODY
from edtech.platform.security.keys import hash_secret, same_secret

router = APIRouter(tags=["oneroster"])

TOKEN_TTL = timedelta(hours=1)
TOKEN_TYPE = "oneroster"

OAUTH_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
}
TOKEN_ERRORS = {
    status: {
        "description": description,
        "content": {"application/json": {"schema": OAUTH_ERROR}},
        OWN_BODY: True,  # RFC 6749 §5.2 fixes these bodies, not RFC 9457
    }
    for status, description in (
        (400, "RFC 6749 error: unsupported_grant_type or invalid_scope."),
        (401, "RFC 6749 error: invalid_client."),
    )
}


CLIENT_BASIC = HTTPBasic(
    scheme_name="OneRosterClientBasic",
    description="An integration's client id and secret, at the token endpoint only.",
    auto_error=False,
)
"""Declared for OpenAPI; `_basic` reads the header itself to answer RFC 6749 errors."""


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
    if not sep or "\x00" in raw:  # no client has a NUL, and PostgreSQL takes none in text
        return None
    return client_id, secret


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
    _client: Annotated[HTTPBasicCredentials | None, Security(CLIENT_BASIC)] = None,
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


SCOPE_DESCRIPTIONS = {
    "roster.readonly": "Read the whole roster (rostering service).",
    "roster-core.readonly": "Read the core roster (rostering service).",
    "roster-demographics.readonly": "Read demographics.",
    "gradebook.readonly": "Read categories, line items and results.",
    "gradebook.createput": "Read, create and replace line items and results.",
    "gradebook.delete": "Delete results.",
}
CLIENT_CREDENTIALS = OAuth2(
    flows=OAuthFlows(
        clientCredentials=OAuthFlowClientCredentials(
            tokenUrl="/ims/oneroster/oauth2/token",
            scopes={PREFIX + name: text for name, text in SCOPE_DESCRIPTIONS.items()},
        )
    ),
    scheme_name="OneRosterClientCredentials",
    description=(
        "OAuth 2 client credentials (RFC 6749 §4.4) of a registered integration: HTTP Basic "
        "client authentication at the token endpoint, then the token as a bearer token. Scopes "
        "are accepted as full URIs or short names (`roster.readonly`)."
    ),
    auto_error=False,
)
"""The OpenAPI security scheme of the /ims operations (the check itself is `requires`)."""


def requires(scopes: frozenset[str]) -> Callable[..., Awaitable[Integration]]:
    """A dependency: the calling integration, if its token holds one of `scopes`.

    OpenAPI reads several scopes in one security requirement as all required; here any one
    will do. So the dependency declares the first scope, and `ImsRoute` adds each other one
    as a requirement of its own (requirements are alternatives)."""
    ordered = sorted(scopes)

    async def integration(
        request: Request,
        session: ReadSessionDep,
        services: ServicesDep,
        _declared: str | None = None,
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
            raise ForbiddenError(f"this needs the scope {' or '.join(ordered)}")
        return found

    # Resolved here, not as a string annotation: the scope is this call's, not the module's.
    integration.__annotations__["_declared"] = Annotated[
        str | None, Security(CLIENT_CREDENTIALS, scopes=[PREFIX + ordered[0]])
    ]
    integration.oneroster_scopes = ordered  # type: ignore[attr-defined]
    return integration


def _scopes_of(dependant: Dependant) -> list[str]:
    for sub in dependant.dependencies:
        found: list[str] | None = getattr(sub.call, "oneroster_scopes", None)
        if found is not None:
            return found
        if deeper := _scopes_of(sub):
            return deeper
    return []


class ImsRoute(APIRoute):
    """A route of the OneRoster provider: its OpenAPI operation lists each scope that grants
    it as its own security requirement of the client-credentials scheme."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        alternatives = _scopes_of(self.dependant)[1:]
        if alternatives:
            name = CLIENT_CREDENTIALS.scheme_name
            extra = dict(self.openapi_extra or {})
            extra["security"] = [{name: [PREFIX + s]} for s in alternatives]
            self.openapi_extra = extra
