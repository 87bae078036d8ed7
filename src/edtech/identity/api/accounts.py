"""Administration of people's logins: `/api/v1/people/{person_id}/account`."""

from __future__ import annotations

import inspect
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field, field_validator

from edtech.identity.api.deps import CurrentPrincipalDep
from edtech.identity.application.common import password_policy
from edtech.identity.application.set_login import SetLogin, SetLoginCommand
from edtech.identity.domain import EMAIL_MAX_LENGTH, Account, check_email
from edtech.identity.infrastructure import SqlAlchemyAccounts
from edtech.kernel.errors import ForbiddenError, InvalidError, NotFoundError
from edtech.platform.http.deps import ReadSessionDep, use_case

router = APIRouter(prefix="/api/v1/people", tags=["logins"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in."},
    403: {"description": "Not an institution administrator."},
    404: {"description": "No such person in the caller's institution."},
}


class AccountIn(BaseModel):
    email: str = Field(max_length=EMAIL_MAX_LENGTH, examples=["teacher1@demo.test"])
    password: str = Field(
        min_length=8,
        max_length=256,
        description="At least EDTECH_PASSWORD_MIN_LENGTH characters (10 by default), not a "
        "common password, not containing the email's local part, not easy to guess "
        "(422 `weak_password` otherwise).",
    )
    is_active: bool = Field(True, description="False keeps the login but refuses sign-in.")

    @field_validator("email")
    @classmethod
    def _is_an_email(cls, value: str) -> str:
        try:
            return check_email(value)
        except InvalidError as exc:
            raise ValueError(exc.message) from exc


class AccountOut(BaseModel):
    id: uuid.UUID
    person_id: uuid.UUID
    email: str
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        return cls(
            id=account.id,
            person_id=account.person_id,
            email=account.email,
            is_active=account.is_active,
            created_at=account.created_at,
            last_login_at=account.last_login_at,
        )


@router.put(
    "/{person_id}/account",
    summary="Set (or reset) a person's login",
    description=inspect.cleandoc(SetLogin.__doc__ or ""),
    responses={
        **PROBLEMS,
        201: {"description": "Login created.", "model": AccountOut},
        409: {"description": "Email used by another login."},
    },
)
async def set_login(
    person_id: uuid.UUID,
    body: AccountIn,
    principal: CurrentPrincipalDep,
    response: Response,
    set_it: Annotated[SetLogin, Depends(use_case(SetLogin, password_policy))],
) -> AccountOut:
    account, created = await set_it(
        principal,
        SetLoginCommand(
            person_id=person_id, email=body.email, password=body.password, is_active=body.is_active
        ),
    )
    response.status_code = 201 if created else 200
    return AccountOut.of(account)


@router.get("/{person_id}/account", summary="A person's login", responses=PROBLEMS)
async def get_login(
    person_id: uuid.UUID, principal: CurrentPrincipalDep, session: ReadSessionDep
) -> AccountOut:
    if not principal.is_institution_admin and principal.person_id != person_id:
        raise ForbiddenError("Only institution administrators may see other people's logins.")
    account = await SqlAlchemyAccounts(session).by_person(principal.institution_id, person_id)
    if account is None:
        raise NotFoundError("This person has no login.")
    return AccountOut.of(account)
