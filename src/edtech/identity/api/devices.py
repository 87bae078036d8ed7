"""Scanner devices of the caller's schools: register (key shown once), list, read, revoke."""

from __future__ import annotations

import inspect
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from edtech.identity.api.deps import CurrentPrincipalDep, device_keys
from edtech.identity.application.common import may_manage_devices
from edtech.identity.application.register_device import RegisterDevice, RegisterDeviceCommand
from edtech.identity.application.revoke_device import RevokeDevice
from edtech.identity.domain import Device
from edtech.identity.infrastructure import SqlAlchemyDevices, devices_query
from edtech.kernel.errors import ForbiddenError, NotFoundError
from edtech.kernel.principal import Principal, Role
from edtech.platform.http.deps import ReadSessionDep, use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate

router = APIRouter(prefix="/api/v1/devices", tags=["devices"])

PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in."},
    403: {"description": "Not an administrator of an institution or school."},
    404: {"description": "No such device among the caller's schools."},
}


class DeviceIn(BaseModel):
    school_id: uuid.UUID
    name: str = Field(min_length=1, max_length=120, examples=["Main entrance scanner"])
    location: str | None = Field(None, max_length=200, examples=["Building A, door 1"])


class DeviceOut(BaseModel):
    id: uuid.UUID
    school_id: uuid.UUID
    name: str
    location: str | None
    key_prefix: str = Field(description="The key's first characters, to tell keys apart.")
    created_at: datetime
    revoked_at: datetime | None
    last_seen_at: datetime | None

    @classmethod
    def of(cls, d: Device | Any) -> DeviceOut:
        return cls(
            id=d.id,
            school_id=d.school_id,
            name=d.name,
            location=d.location,
            key_prefix=d.key_prefix,
            created_at=d.created_at,
            revoked_at=d.revoked_at,
            last_seen_at=d.last_seen_at,
        )


class DeviceCreatedOut(DeviceOut):
    key: str = Field(description="The API key, for the `X-Device-Key` header. Shown only now.")


def administered_schools(principal: Principal) -> list[uuid.UUID] | None:
    """None for institution admins (every school); else the schools they administer."""
    if principal.is_institution_admin:
        return None
    schools = [
        g.school_id
        for g in principal.grants
        if g.role == Role.SCHOOL_ADMIN and g.school_id is not None
    ]
    if not schools:
        raise ForbiddenError("Only administrators may manage devices.")
    return schools


@router.post(
    "",
    status_code=201,
    summary="Register a scanner device; the response carries its key, once",
    description=inspect.cleandoc(RegisterDevice.__doc__ or ""),
    responses=PROBLEMS,
)
async def register_device(
    body: DeviceIn,
    principal: CurrentPrincipalDep,
    register: Annotated[RegisterDevice, Depends(use_case(RegisterDevice))],
) -> DeviceCreatedOut:
    device, key = await register(
        principal,
        RegisterDeviceCommand(school_id=body.school_id, name=body.name, location=body.location),
    )
    return DeviceCreatedOut(**DeviceOut.of(device).model_dump(), key=key)


@router.get("", summary="Devices of the schools the caller administers", responses=PROBLEMS)
async def list_devices(
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    page: PageParamsDep,
    request: Request,
    school_id: Annotated[uuid.UUID | None, Query(description="Only this school's.")] = None,
    include_revoked: Annotated[bool, Query(description="Also list revoked devices.")] = False,
) -> Page[DeviceOut]:
    schools = administered_schools(principal)
    if school_id is not None:
        schools = [school_id] if schools is None or school_id in schools else []
    stmt = devices_query(principal.institution_id, schools, include_revoked=include_revoked)
    return await paginate(session, stmt, page, request, DeviceOut.of)


@router.get("/{device_id}", summary="One device", responses=PROBLEMS)
async def get_device(
    device_id: uuid.UUID, principal: CurrentPrincipalDep, session: ReadSessionDep
) -> DeviceOut:
    administered_schools(principal)
    device = await SqlAlchemyDevices(session).get(principal.institution_id, device_id)
    if device is None or not may_manage_devices(principal, device.school_id):
        raise NotFoundError("Device not found.")
    return DeviceOut.of(device)


@router.post(
    "/{device_id}/revoke",
    summary="Revoke a device's key",
    description=inspect.cleandoc(RevokeDevice.__doc__ or ""),
    responses=PROBLEMS,
)
async def revoke_device(
    device_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    revoke: Annotated[RevokeDevice, Depends(use_case(RevokeDevice, device_keys))],
) -> DeviceOut:
    administered_schools(principal)
    return DeviceOut.of(await revoke(principal, device_id))
