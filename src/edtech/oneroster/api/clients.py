"""Routes: institution admins register the integrations that use the OneRoster provider."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field

from edtech.identity.public import CurrentPrincipalDep
from edtech.oneroster.application.register_client import RegisterClient
from edtech.platform.http.deps import use_case

router = APIRouter(prefix="/api/v1/roster", tags=["roster sync"])


class ClientIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    scopes: list[str] = Field(min_length=1, max_length=10)


class ClientOut(BaseModel):
    client_id: str
    client_secret: str = Field(description="Shown once; only its hash is kept.")
    scopes: list[str]
    token_url: str = "/ims/oneroster/oauth2/token"


@router.post(
    "/clients",
    status_code=status.HTTP_201_CREATED,
    response_model=ClientOut,
    summary="Register an integration (OAuth 2 client credentials)",
    description=RegisterClient.__doc__,
)
async def register_client(
    body: ClientIn,
    principal: CurrentPrincipalDep,
    register: Annotated[RegisterClient, Depends(use_case(RegisterClient))],
) -> ClientOut:
    made = await register(principal, body.name, body.scopes)
    return ClientOut(client_id=made.client_id, client_secret=made.client_secret, scopes=made.scopes)
