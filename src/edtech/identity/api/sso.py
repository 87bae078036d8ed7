"""Single sign-on: institution admins configure OpenID providers; anyone starts a sign-in at
one and completes it with what the provider sent back."""

from __future__ import annotations

import inspect
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from edtech.identity.api.auth import TokenOut
from edtech.identity.api.deps import CurrentPrincipalDep, token_issuer
from edtech.identity.api.operators import client_address
from edtech.identity.application.add_sso_provider import (
    AddSsoProvider,
    SsoPolicy,
    SsoProviderCommand,
    require_institution_admin,
)
from edtech.identity.application.common import links
from edtech.identity.application.complete_sso import CompleteSso
from edtech.identity.application.start_sso import SSO_CALLBACK_PATH, StartSso
from edtech.identity.application.update_sso_provider import SsoProviderChange, UpdateSsoProvider
from edtech.identity.infrastructure.oidc import OpenIdClient
from edtech.identity.infrastructure.sso import (
    provider_query,
    providers_query,
    public_providers_query,
)
from edtech.institutions.public import institution_by_slug
from edtech.kernel.errors import NotFoundError
from edtech.platform.http.deps import ReadSessionDep, ServicesDep, use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate
from edtech.platform.services import Services

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

providers_router = APIRouter(prefix="/api/v1/sso-providers", tags=["single sign-on"])
sign_in_router = APIRouter(prefix="/api/v1/auth/sso", tags=["single sign-on"])

ADMIN_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in."},
    403: {"description": "Not an institution administrator."},
}
SLUG = r"^[a-z0-9][a-z0-9-]{0,63}$"
NAME = r"^[a-z0-9][a-z0-9-]{0,39}$"


def openid_client(services: Services) -> OpenIdClient:
    """The node's OpenID Connect client (a component: one HTTP client, cached keys)."""
    return services.components.get(OpenIdClient)


def sso_policy(services: Services) -> SsoPolicy:
    return SsoPolicy(services.settings.sso_allow_insecure_issuers)


class SsoProviderIn(BaseModel):
    model_config = {"extra": "forbid"}

    name: str = Field(pattern=NAME, examples=["google"], description="Unique in the institution.")
    display_name: str = Field(min_length=1, max_length=100, examples=["Google"])
    issuer: str = Field(max_length=500, examples=["https://accounts.google.com"])
    client_id: str = Field(min_length=1, max_length=500)
    client_secret: str = Field(min_length=1, max_length=500, description="Never shown again.")
    allowed_domains: list[str] = Field(
        min_length=1, max_length=50, examples=[["hill.example"]], description="Email domains."
    )
    passwords_allowed: bool = Field(
        True, description="False: this institution's people may no longer use passwords."
    )
    enabled: bool = True


class SsoProviderPatch(BaseModel):
    model_config = {"extra": "forbid"}

    display_name: str | None = Field(None, min_length=1, max_length=100)
    issuer: str | None = Field(None, max_length=500)
    client_id: str | None = Field(None, min_length=1, max_length=500)
    client_secret: str | None = Field(None, min_length=1, max_length=500)
    allowed_domains: list[str] | None = Field(None, min_length=1, max_length=50)
    passwords_allowed: bool | None = None
    enabled: bool | None = None


class SsoProviderOut(BaseModel):
    """A sign-in provider (its client secret is never shown)."""

    id: uuid.UUID
    name: str
    display_name: str
    issuer: str
    client_id: str
    allowed_domains: list[str]
    passwords_allowed: bool
    enabled: bool
    created_at: datetime
    updated_at: datetime
    redirect_uri: str = Field(description="Register this at the provider.")


class PublicProviderOut(BaseModel):
    """A button on the school's sign-in page."""

    name: str
    display_name: str
    start_url: str = Field(description="Send the browser here to sign in.")


class SsoCallbackIn(BaseModel):
    """What the provider sent back to the browser at `/app/sso/callback`."""

    state: str = Field(min_length=1, max_length=200)
    code: str = Field(min_length=1, max_length=2000)


class SsoTokenOut(TokenOut):
    person_id: uuid.UUID
    linked: bool = Field(description="True when this sign-in linked the provider identity.")


def redirect_uri(services: Services) -> str:
    return links(services).url_of(SSO_CALLBACK_PATH)


def _out(row: Any, services: Services) -> SsoProviderOut:
    m = row._mapping
    fields = {k: m[k] for k in SsoProviderOut.model_fields if k in m}
    return SsoProviderOut(**fields, redirect_uri=redirect_uri(services))


async def _one(
    session: AsyncSession, services: Services, institution_id: uuid.UUID, provider_id: uuid.UUID
) -> SsoProviderOut:
    row = (await session.execute(provider_query(institution_id, provider_id))).one_or_none()
    if row is None:
        raise NotFoundError("No such sign-in provider.")
    return _out(row, services)


@providers_router.post(
    "",
    status_code=201,
    summary="Let the institution's people sign in with an OpenID provider",
    description=inspect.cleandoc(AddSsoProvider.__doc__ or ""),
    responses={**ADMIN_PROBLEMS, 409: {"description": "A provider of this name exists."}},
)
async def add_provider(
    body: SsoProviderIn,
    principal: CurrentPrincipalDep,
    add: Annotated[AddSsoProvider, Depends(use_case(AddSsoProvider, sso_policy))],
    session: ReadSessionDep,
    services: ServicesDep,
) -> SsoProviderOut:
    provider_id = await add(principal, SsoProviderCommand(**body.model_dump()))
    return await _one(session, services, principal.institution_id, provider_id)


@providers_router.get(
    "",
    summary="The institution's sign-in providers (institution admins)",
    responses=ADMIN_PROBLEMS,
)
async def list_providers(
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    services: ServicesDep,
    page: PageParamsDep,
    request: Request,
) -> Page[SsoProviderOut]:
    require_institution_admin(principal)
    return await paginate(
        session,
        providers_query(principal.institution_id),
        page,
        request,
        lambda row: _out(row, services),
    )


@providers_router.get(
    "/{provider_id}",
    summary="One sign-in provider of the institution",
    responses={**ADMIN_PROBLEMS, 404: {"description": "No such provider here."}},
)
async def get_provider(
    provider_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    services: ServicesDep,
) -> SsoProviderOut:
    require_institution_admin(principal)
    return await _one(session, services, principal.institution_id, provider_id)


@providers_router.patch(
    "/{provider_id}",
    summary="Change a sign-in provider (turn it off, narrow domains, rotate the secret)",
    description=inspect.cleandoc(UpdateSsoProvider.__doc__ or ""),
    responses={**ADMIN_PROBLEMS, 404: {"description": "No such provider here."}},
)
async def update_provider(
    provider_id: uuid.UUID,
    body: SsoProviderPatch,
    principal: CurrentPrincipalDep,
    update: Annotated[UpdateSsoProvider, Depends(use_case(UpdateSsoProvider, sso_policy))],
    session: ReadSessionDep,
    services: ServicesDep,
) -> SsoProviderOut:
    await update(principal, provider_id, SsoProviderChange(**body.model_dump()))
    return await _one(session, services, principal.institution_id, provider_id)


@sign_in_router.get(
    "/providers",
    summary="The single sign-on buttons of an institution's sign-in page (anyone)",
    responses={404: {"description": "No such institution."}},
)
async def public_providers(
    session: ReadSessionDep,
    services: ServicesDep,
    institution: Annotated[str, Query(pattern=SLUG, description="The institution's slug.")],
) -> list[PublicProviderOut]:
    iid = await institution_by_slug(session, institution)
    if iid is None:
        raise NotFoundError("No such institution.")
    rows = (await session.execute(public_providers_query(iid))).all()
    base = services.settings.public_url.rstrip("/")
    return [
        PublicProviderOut(
            name=r.name,
            display_name=r.display_name,
            start_url=f"{base}{sign_in_router.prefix}/start?"
            + urlencode({"institution": institution, "provider": r.name}),
        )
        for r in rows
    ]


@sign_in_router.get(
    "/start",
    status_code=302,
    summary="Start signing in with an institution's provider: a redirect to the provider",
    description=inspect.cleandoc(StartSso.__doc__ or ""),
    response_class=Response,
    responses={
        302: {"description": "To the provider's authorization endpoint (`Location`)."},
        403: {"description": "The institution is suspended (`institution_suspended`)."},
        404: {"description": "No such institution or provider, or it is turned off."},
        503: {"description": "The provider cannot be reached (`sso_provider_unavailable`)."},
    },
)
async def start(
    request: Request,
    start_sso: Annotated[StartSso, Depends(use_case(StartSso, openid_client, links))],
    institution: Annotated[str, Query(pattern=SLUG, description="The institution's slug.")],
    provider: Annotated[str, Query(pattern=NAME, description="The provider's name.")],
    login_hint: Annotated[
        str | None, Query(max_length=254, description="Passed to the provider.")
    ] = None,
) -> Response:
    url = await start_sso(institution, provider, client_address(request), login_hint)
    return Response(status_code=302, headers={"Location": url, "Cache-Control": "no-store"})


@sign_in_router.post(
    "/callback",
    summary="Complete a single sign-on: exchange the provider's code for our tokens",
    description=inspect.cleandoc(CompleteSso.__doc__ or ""),
    responses={
        400: {
            "description": "The `state` is unknown or forged (`sso_state_invalid`), expired "
            "(`sso_state_expired`) or used (`sso_state_used`); or the provider refused the "
            "code (`sso_code_rejected`)."
        },
        401: {
            "description": "The ID token does not prove the identity: `sso_bad_signature` (or "
            "unsigned), `sso_wrong_issuer`, `sso_wrong_audience`, `sso_token_expired`, "
            "`sso_nonce_mismatch`."
        },
        403: {
            "description": "`sso_email_unverified`, `sso_domain_not_allowed`, "
            "`sso_unknown_email` (nobody of the school has this address), "
            "`institution_suspended`."
        },
        409: {"description": "A concurrent sign-in linked the same identity; try again."},
        503: {"description": "The provider cannot be reached (`sso_provider_unavailable`)."},
    },
)
async def callback(
    body: SsoCallbackIn,
    request: Request,
    complete: Annotated[
        CompleteSso, Depends(use_case(CompleteSso, openid_client, links, token_issuer))
    ],
) -> SsoTokenOut:
    done = await complete(
        body.state, body.code, client_address(request), request.headers.get("user-agent")
    )
    return SsoTokenOut(
        **TokenOut.of(done.tokens).model_dump(), person_id=done.person_id, linked=done.linked
    )
