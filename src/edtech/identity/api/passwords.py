"""Self-service: change one's password or sign-in address, or reset a forgotten password, the
address and the reset proven by mailed links."""

from __future__ import annotations

import inspect
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Request, Response
from pydantic import BaseModel, Field

from edtech.identity.api.deps import CurrentPrincipalDep, login_throttle
from edtech.identity.api.invitations import LINK_PROBLEMS
from edtech.identity.api.operators import client_address, mail
from edtech.identity.application.change_password import ChangePassword
from edtech.identity.application.common import Message, links, password_policy
from edtech.identity.application.confirm_email_change import ConfirmEmailChange
from edtech.identity.application.request_email_change import RequestEmailChange
from edtech.identity.application.request_password_reset import RequestPasswordReset
from edtech.identity.application.reset_password import ResetPassword
from edtech.identity.domain import EMAIL_MAX_LENGTH
from edtech.kernel.errors import UnavailableError
from edtech.platform.http.deps import ServicesDep, use_case
from edtech.platform.mail import Mail
from edtech.platform.observability.logging import get_logger

router = APIRouter(tags=["passwords"])
log = get_logger("edtech.identity")


class ChangePasswordIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=8, max_length=256)


class EmailChangeIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_email: str = Field(min_length=3, max_length=EMAIL_MAX_LENGTH)


class TokenIn(BaseModel):
    token: str = Field(min_length=1, max_length=200)


class EmailOut(BaseModel):
    email: str


class ResetRequestIn(BaseModel):
    email: str = Field(min_length=1, max_length=EMAIL_MAX_LENGTH)


class ResetCompleteIn(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=8, max_length=256)


@router.post(
    "/api/v1/me/password",
    status_code=204,
    summary="Change your password (other sessions end)",
    description=inspect.cleandoc(ChangePassword.__doc__ or ""),
    responses={
        401: {"description": "Not signed in."},
        422: {"description": "Current password wrong, or new one unacceptable."},
        429: {"description": "Too many wrong passwords; see Retry-After."},
    },
)
async def change_password(
    body: ChangePasswordIn,
    principal: CurrentPrincipalDep,
    request: Request,
    change: Annotated[
        ChangePassword, Depends(use_case(ChangePassword, login_throttle, password_policy))
    ],
) -> Response:
    await change(principal, body.current_password, body.new_password, client_address(request))
    return Response(status_code=204)


async def _send(mailer: Mail, message: Message) -> None:
    """After the answer went out: the answer must not depend on whether a mail was sent."""
    try:
        await mailer.send(message.to, message.subject, message.text)
    except UnavailableError:
        log.warning("self_service_mail_failed", to=message.to, subject=message.subject)


@router.post(
    "/api/v1/auth/password-reset",
    status_code=202,
    response_class=Response,  # an empty answer (documented without a body)
    summary="Forgot your password? Get a reset link by mail (always 202)",
    description=inspect.cleandoc(RequestPasswordReset.__doc__ or ""),
    responses={
        429: {"description": "Too many requests for this email or from here."},
        503: {"description": "Mail is not set up on this server."},
    },
)
async def request_password_reset(
    body: ResetRequestIn,
    request: Request,
    services: ServicesDep,
    background: BackgroundTasks,
    ask: Annotated[
        RequestPasswordReset,
        Depends(use_case(RequestPasswordReset, mail, links, login_throttle)),
    ],
) -> Response:
    message = await ask(body.email, client_address(request))
    if message is not None:
        background.add_task(_send, mail(services), message)
    return Response(status_code=202)


@router.post(
    "/api/v1/auth/password-reset/complete",
    status_code=204,
    summary="Set a new password with a reset link (every session ends)",
    description=inspect.cleandoc(ResetPassword.__doc__ or ""),
    responses=LINK_PROBLEMS,
)
async def complete_password_reset(
    body: ResetCompleteIn,
    request: Request,
    reset: Annotated[
        ResetPassword, Depends(use_case(ResetPassword, login_throttle, password_policy))
    ],
) -> Response:
    await reset(body.token, body.new_password, client_address(request))
    return Response(status_code=204)


@router.post(
    "/api/v1/me/email",
    status_code=202,
    response_class=Response,  # an empty answer (documented without a body)
    summary="Sign in with a new email address, once confirmed from it",
    description=inspect.cleandoc(RequestEmailChange.__doc__ or ""),
    responses={
        401: {"description": "Not signed in."},
        409: {"description": "Another login uses the address."},
        422: {"description": "Current password wrong, or not an address."},
        503: {"description": "Mail is not set up on this server."},
    },
)
async def request_email_change(
    body: EmailChangeIn,
    principal: CurrentPrincipalDep,
    request: Request,
    services: ServicesDep,
    background: BackgroundTasks,
    ask: Annotated[RequestEmailChange, Depends(use_case(RequestEmailChange, mail, links))],
) -> Response:
    for message in await ask(
        principal, body.current_password, body.new_email, client_address(request)
    ):
        background.add_task(_send, mail(services), message)
    return Response(status_code=202)


@router.post(
    "/api/v1/auth/email-change/confirm",
    summary="Confirm a new sign-in address with the link sent to it (every session ends)",
    description=inspect.cleandoc(ConfirmEmailChange.__doc__ or ""),
    responses={**LINK_PROBLEMS, 409: {"description": "Another login took the address."}},
)
async def confirm_email_change(
    body: TokenIn,
    request: Request,
    confirm: Annotated[ConfirmEmailChange, Depends(use_case(ConfirmEmailChange, login_throttle))],
) -> EmailOut:
    return EmailOut(email=await confirm(body.token, client_address(request)))
