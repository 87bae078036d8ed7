"""Sign-in (OAuth2 password flow), refresh-token rotation, sign-out and the caller's sessions."""

from __future__ import annotations

import inspect
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from edtech.identity.api.deps import CurrentPrincipalDep, login_throttle, token_issuer
from edtech.identity.application.common import IssuedTokens
from edtech.identity.application.rotate_refresh_token import RotateRefreshToken
from edtech.identity.application.sign_in import SignIn, SignInCommand
from edtech.identity.application.sign_out import SignOut
from edtech.identity.infrastructure import live_sessions_query
from edtech.platform.http.deps import ReadSessionDep, use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate

router = APIRouter(prefix="/api/v1/auth", tags=["authentication"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Credentials or token wrong, expired or revoked (problem+json)."},
}

SignOutDep = Annotated[SignOut, Depends(use_case(SignOut))]


class TokenOut(BaseModel):
    """A token pair. Send `access_token` as `Authorization: Bearer …`; keep `refresh_token`
    secret and exchange it at `/api/v1/auth/refresh` before it expires."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="Seconds the access token is valid.")
    refresh_token: str
    refresh_expires_in: int = Field(description="Seconds the refresh token is valid.")

    @classmethod
    def of(cls, issued: IssuedTokens) -> TokenOut:
        return cls(
            access_token=issued.access_token,
            expires_in=issued.expires_in,
            refresh_token=issued.refresh_token,
            refresh_expires_in=issued.refresh_expires_in,
        )


class RefreshIn(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class SessionOut(BaseModel):
    """One of the caller's live sign-in sessions."""

    id: uuid.UUID
    created_at: datetime
    last_refreshed_at: datetime | None
    client_address: str | None
    user_agent: str | None
    current: bool = Field(description="True for the session of the token making this request.")


@router.post(
    "/token",
    summary="Sign in with email and password (OAuth2 password flow)",
    description=inspect.cleandoc(SignIn.__doc__ or ""),
    responses={**PROBLEMS, 429: {"description": "Too many failed sign-ins; see Retry-After."}},
)
async def sign_in(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    sign_in: Annotated[SignIn, Depends(use_case(SignIn, token_issuer, login_throttle))],
) -> TokenOut:
    issued = await sign_in(
        SignInCommand(
            email=form.username,
            password=form.password,
            client_address=request.client.host[:64] if request.client else None,
            user_agent=request.headers.get("user-agent"),
        )
    )
    return TokenOut.of(issued)


@router.post(
    "/refresh",
    summary="Exchange a refresh token for a new token pair (rotation)",
    description=inspect.cleandoc(RotateRefreshToken.__doc__ or ""),
    responses=PROBLEMS,
)
async def refresh(
    body: RefreshIn,
    rotate: Annotated[RotateRefreshToken, Depends(use_case(RotateRefreshToken, token_issuer))],
) -> TokenOut:
    return TokenOut.of(await rotate(body.refresh_token))


@router.post(
    "/logout",
    status_code=204,
    summary="Sign out: revoke this session (or every session with ?all=true)",
    description=inspect.cleandoc(SignOut.__doc__ or ""),
    responses=PROBLEMS,
)
async def logout(
    principal: CurrentPrincipalDep,
    sign_out: SignOutDep,
    everywhere: Annotated[
        bool, Query(alias="all", description="Revoke every session of this login.")
    ] = False,
) -> Response:
    await sign_out(principal, everywhere=everywhere)
    return Response(status_code=204)


@router.get("/sessions", summary="The caller's live sign-in sessions", responses=PROBLEMS)
async def list_sessions(
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    page: PageParamsDep,
    request: Request,
) -> Page[SessionOut]:
    def to_item(row: Any) -> SessionOut:
        return SessionOut(
            id=row.id,
            created_at=row.created_at,
            last_refreshed_at=row.last_refreshed_at,
            client_address=row.client_address,
            user_agent=row.user_agent,
            current=row.id == principal.session_id,
        )

    return await paginate(
        session, live_sessions_query(principal.account_id), page, request, to_item
    )


@router.delete(
    "/sessions/{session_id}",
    status_code=204,
    summary="Revoke one of the caller's sessions (e.g. a lost phone)",
    responses={**PROBLEMS, 404: {"description": "Not one of the caller's sessions."}},
)
async def revoke_session(
    session_id: uuid.UUID, principal: CurrentPrincipalDep, sign_out: SignOutDep
) -> Response:
    await sign_out.revoke(principal, session_id)
    return Response(status_code=204)
