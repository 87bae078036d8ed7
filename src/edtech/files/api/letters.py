"""Routes of attendance letters: the institution's template, and a letter for a student."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from edtech.files.api import DOCUMENT_ANSWERS, FileOut, file_out
from edtech.files.application.render_attendance_letter import (
    LetterRequest,
    RenderAttendanceLetter,
)
from edtech.files.application.set_letter_template import SetLetterTemplate
from edtech.files.domain.letters import MAX_BODY, MAX_TITLE, PLACEHOLDERS, LetterTemplate
from edtech.files.infrastructure.letters import letter_template
from edtech.files.wiring import records, storage
from edtech.identity.public import CurrentPrincipalDep
from edtech.kernel.errors import ForbiddenError
from edtech.kernel.principal import Role
from edtech.platform.http.deps import ReadSessionDep, use_case

router = APIRouter(prefix="/api/v1/files", tags=["files"])


class LetterTemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=MAX_TITLE)
    body: str = Field(max_length=MAX_BODY)


class LetterTemplateOut(BaseModel):
    title: str
    body: str
    placeholders: dict[str, str] = Field(description="What the text may name in braces.")


class AttendanceLetterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    student_id: uuid.UUID
    from_: date | None = Field(None, alias="from", description="Default: 29 days before `to`.")
    to: date | None = Field(None, description="Default: today at the school.")


def template_out(t: LetterTemplate) -> LetterTemplateOut:
    return LetterTemplateOut(title=t.title, body=t.body, placeholders=PLACEHOLDERS)


ADMINS_ONLY: dict[int | str, dict[str, Any]] = {
    403: {"description": "Institution administrators only."}
}


@router.get(
    "/attendance-letter-template",
    response_model=LetterTemplateOut,
    responses=ADMINS_ONLY,
    summary="The institution's attendance letter text (the default until one is set)",
)
async def get_letter_template(
    principal: CurrentPrincipalDep, db: ReadSessionDep
) -> LetterTemplateOut:
    if Role.INSTITUTION_ADMIN not in principal.roles:
        raise ForbiddenError("only institution administrators see the letter's text")
    return template_out(await letter_template(db, principal.institution_id))


@router.put(
    "/attendance-letter-template",
    response_model=LetterTemplateOut,
    responses={
        **ADMINS_ONLY,
        422: {"description": "Empty, too long, or naming a value that is not a placeholder."},
    },
    summary="Set the institution's attendance letter text",
    description=SetLetterTemplate.__doc__,
)
async def set_letter_template(
    body: LetterTemplateIn,
    principal: CurrentPrincipalDep,
    use: Annotated[SetLetterTemplate, Depends(use_case(SetLetterTemplate))],
) -> LetterTemplateOut:
    return template_out(await use(principal, body.title, body.body))


@router.post(
    "/attendance-letters",
    response_model=FileOut,
    status_code=201,
    responses={
        **DOCUMENT_ANSWERS,
        409: {"description": "Not chronically absent over the range (`not_chronically_absent`)."},
        422: {"description": "A range that ends before it starts, or longer than 400 days."},
    },
    summary="Render an attendance letter (PDF) for a chronically absent student",
    description=RenderAttendanceLetter.__doc__,
)
async def render_attendance_letter(
    body: AttendanceLetterIn,
    principal: CurrentPrincipalDep,
    render: Annotated[
        RenderAttendanceLetter, Depends(use_case(RenderAttendanceLetter, storage, records))
    ],
) -> FileOut:
    return file_out(await render(principal, LetterRequest(body.student_id, body.from_, body.to)))
