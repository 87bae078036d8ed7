"""Route of erasures: delete a person's files, keeping what the law requires, with an audit."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from edtech.files.api import DOCUMENT_ANSWERS
from edtech.files.application.erase_files import EraseFiles
from edtech.files.wiring import records, storage
from edtech.identity.public import CurrentPrincipalDep
from edtech.platform.http.deps import use_case

router = APIRouter(prefix="/api/v1/files", tags=["files"])


class PersonIn(BaseModel):
    person_id: uuid.UUID


class ErasedFile(BaseModel):
    file_id: uuid.UUID
    category: str
    why: str | None = Field(None, description="Why it was kept (kept files only).")


class ErasureOut(BaseModel):
    """The audit record: which files went, which stayed and why, which lost their maker."""

    id: uuid.UUID
    person_id: uuid.UUID
    erased_by: uuid.UUID
    erased_at: datetime
    deleted: list[ErasedFile]
    kept: list[ErasedFile]
    anonymised: list[ErasedFile] = Field(
        description="Files the person made about someone else: kept, no longer naming them."
    )


@router.post(
    "/erasures",
    response_model=ErasureOut,
    status_code=201,
    responses={
        404: {"description": "No such person, or not yours to erase."},
        **{k: v for k, v in DOCUMENT_ANSWERS.items() if k != 404},
    },
    summary="Erase a person's files (institution administrators)",
)
async def erase_files(
    body: PersonIn,
    principal: CurrentPrincipalDep,
    erase: Annotated[EraseFiles, Depends(use_case(EraseFiles, storage, records))],
) -> ErasureOut:
    """Files about the person are deleted unless the law makes the school keep them (receipts:
    financial records); files they made about someone else stay, no longer naming them. The
    erasure is recorded and logged."""
    e = await erase(principal, body.person_id)
    return ErasureOut(
        id=e.id,
        person_id=e.person_id,
        erased_by=e.erased_by,
        erased_at=e.erased_at,
        deleted=[
            ErasedFile(file_id=uuid.UUID(d["file_id"]), category=d["category"]) for d in e.deleted
        ],
        kept=[
            ErasedFile(file_id=uuid.UUID(d["file_id"]), category=d["category"], why=d["why"])
            for d in e.kept
        ],
        anonymised=[
            ErasedFile(file_id=uuid.UUID(d["file_id"]), category=d["category"])
            for d in e.anonymised
        ],
    )
