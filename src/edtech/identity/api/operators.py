"""The deployment operator's routes: create, list, suspend and reactivate institutions."""

from __future__ import annotations

import inspect
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field, field_validator

from edtech.identity.api.deps import bearer
from edtech.identity.application.authenticate_operator import Operator, authenticate_operator
from edtech.identity.application.common import links, password_policy
from edtech.identity.application.device_keys import DeviceKeys
from edtech.identity.application.provision_institution import ProvisionInstitution
from edtech.identity.domain import EMAIL_MAX_LENGTH, check_email
from edtech.institutions.public import (
    NewTenant,
    ReactivateInstitution,
    SuspendInstitution,
    institutions_query,
    slug_for,
)
from edtech.kernel.errors import AuthenticationError, InvalidError
from edtech.platform.http.deps import ReadSessionDep, ServicesDep, component, use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate
from edtech.platform.mail import Mail
from edtech.platform.services import Services

router = APIRouter(prefix="/api/v1/institutions", tags=["operators"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or a bad token."},
    403: {"description": "Not a platform operator."},
}


def client_address(request: Request) -> str | None:
    return request.client.host[:64] if request.client else None


async def current_operator(
    services: ServicesDep, session: ReadSessionDep, token: Annotated[str | None, Depends(bearer)]
) -> Operator:
    """A platform operator's access token, or `EDTECH_BOOTSTRAP_TOKEN`; 401/403 otherwise."""
    if not token:
        raise AuthenticationError("Not authenticated.", reason="missing")
    return await authenticate_operator(
        session,
        services.signer,
        services.settings.bootstrap_token,
        token,
        services.clock.now(),
    )


OperatorDep = Annotated[Operator, Depends(current_operator)]


def mail(services: Services) -> Mail:
    """The node's mail component (a port for `use_case`)."""
    # `Mail` is abstract: the component registry answers with the adapter settings chose.
    return services.components.get(Mail)  # type: ignore[type-abstract]


class InstitutionIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["Hill School"])
    slug: str | None = Field(
        None,
        pattern=r"^[a-z0-9][a-z0-9-]{0,63}$",
        description="Default: made from the name.",
        examples=["hill-school"],
    )
    timezone: str = Field(max_length=64, examples=["Europe/Berlin"])
    locale: str = Field(max_length=35, examples=["de-DE"])
    currency: str = Field(max_length=3, examples=["EUR"])
    admin_email: str = Field(max_length=EMAIL_MAX_LENGTH, examples=["office@hill.example"])
    admin_given_name: str = Field("School", min_length=1, max_length=100)
    admin_family_name: str = Field("Administrator", min_length=1, max_length=100)

    @field_validator("admin_email")
    @classmethod
    def _is_an_email(cls, value: str) -> str:
        try:
            return check_email(value)
        except InvalidError as exc:
            raise ValueError(exc.message) from exc


class ProvisionedOut(BaseModel):
    institution_id: uuid.UUID
    admin_person_id: uuid.UUID
    invitation_id: uuid.UUID | None
    setup_link_expires_at: datetime | None = Field(
        description="The setup link mailed to the administrator works once until then."
    )
    setup_link_mailed: bool = Field(
        description="False when the mail server refused it: the administrator then uses "
        "'forgot password' (POST /api/v1/auth/password-reset) once mail works."
    )


class InstitutionOut(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    timezone: str
    locale: str
    currency: str
    created_at: datetime
    suspended: bool


class SuspendIn(BaseModel):
    reason: str | None = Field(None, max_length=500)


def tenant_of(body: InstitutionIn) -> NewTenant:
    return NewTenant(
        name=body.name,
        slug=body.slug or slug_for(body.name),
        timezone=body.timezone,
        locale=body.locale,
        currency=body.currency,
        admin_email=body.admin_email,
        admin_given_name=body.admin_given_name,
        admin_family_name=body.admin_family_name,
    )


@router.post(
    "",
    status_code=201,
    summary="Open a new institution and mail its first administrator a setup link",
    description=inspect.cleandoc(ProvisionInstitution.__doc__ or ""),
    responses={
        **PROBLEMS,
        409: {"description": "Slug or administrator email taken."},
        503: {"description": "Mail is not set up on this server (nothing was created)."},
    },
)
async def create_institution(
    body: InstitutionIn,
    operator: OperatorDep,
    request: Request,
    provision: Annotated[
        ProvisionInstitution, Depends(use_case(ProvisionInstitution, mail, links, password_policy))
    ],
) -> ProvisionedOut:
    done = await provision(
        tenant_of(body), actor=operator.actor, send=True, client_address=client_address(request)
    )
    return ProvisionedOut(
        institution_id=done.institution_id,
        admin_person_id=done.admin_person_id,
        invitation_id=done.invitation_id,
        setup_link_expires_at=done.expires_at,
        setup_link_mailed=done.mailed,
    )


@router.get("", summary="Every institution, by name (platform operators)", responses=PROBLEMS)
async def list_institutions(
    operator: OperatorDep, session: ReadSessionDep, page: PageParamsDep, request: Request
) -> Page[InstitutionOut]:
    return await paginate(
        session, institutions_query(), page, request, lambda r: InstitutionOut(**r._mapping)
    )


@router.post(
    "/{institution_id}/suspend",
    status_code=204,
    summary="Suspend an institution: its logins, devices and sockets stop at once",
    description=inspect.cleandoc(SuspendInstitution.__doc__ or ""),
    responses={**PROBLEMS, 404: {"description": "No such institution."}, 409: {}},
)
async def suspend_institution(
    institution_id: uuid.UUID,
    operator: OperatorDep,
    suspend: Annotated[SuspendInstitution, Depends(use_case(SuspendInstitution))],
    keys: Annotated[DeviceKeys, Depends(component(DeviceKeys))],
    body: SuspendIn | None = None,
) -> Response:
    await suspend(institution_id, by=operator.actor, reason=body.reason if body else None)
    keys.forget_institution(institution_id)
    return Response(status_code=204)


@router.post(
    "/{institution_id}/reactivate",
    status_code=204,
    summary="Reactivate a suspended institution",
    description=inspect.cleandoc(ReactivateInstitution.__doc__ or ""),
    responses={**PROBLEMS, 404: {"description": "No such institution."}, 409: {}},
)
async def reactivate_institution(
    institution_id: uuid.UUID,
    operator: OperatorDep,
    reactivate: Annotated[ReactivateInstitution, Depends(use_case(ReactivateInstitution))],
) -> Response:
    await reactivate(institution_id, by=operator.actor)
    return Response(status_code=204)
