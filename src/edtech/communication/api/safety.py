"""Routes: reports, blocks, admin export, quiet hours and the messaging settings."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from edtech.communication.api.deps import DirectoryDep, directory_port
from edtech.communication.api.schemas import (
    BlockIn,
    BlockOut,
    ExportAuditOut,
    ExportOut,
    MessagingSettingsIO,
    QuietHoursIn,
    QuietHoursOut,
    ReasonIn,
    ReportOut,
    ReportRowOut,
)
from edtech.communication.application import (
    BlockPerson,
    ExportConversation,
    ReportMessage,
    SetMessagingSettings,
    SetQuietHours,
    UnblockPerson,
)
from edtech.communication.domain import PolicySettings, QuietHours
from edtech.communication.infrastructure import SqlAlchemySafety, queries
from edtech.identity.public import CurrentPrincipalDep
from edtech.kernel.errors import ForbiddenError
from edtech.kernel.events import to_jsonable
from edtech.kernel.principal import Principal, Role
from edtech.platform.http.deps import ClockDep, ReadSessionDep, use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate

router = APIRouter(prefix="/api/v1", tags=["communication"])


@router.post(
    "/conversations/{conversation_id}/messages/{message_id}/reports",
    status_code=status.HTTP_201_CREATED,
    response_model=ReportOut,
    summary="Report a message to the institution's admins",
    description=ReportMessage.__doc__,
    responses={404: {"description": "No such message in a conversation of yours."}},
)
async def report_message(
    conversation_id: uuid.UUID,
    message_id: uuid.UUID,
    body: ReasonIn,
    principal: CurrentPrincipalDep,
    use: Annotated[ReportMessage, Depends(use_case(ReportMessage))],
) -> ReportOut:
    report_id = await use(principal, conversation_id, message_id, body.reason)
    return ReportOut(id=report_id)


@router.get(
    "/message-reports",
    response_model=Page[ReportRowOut],
    summary="Reported messages, newest first (admins)",
)
async def list_reports(
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    params: PageParamsDep,
    request: Request,
) -> Page[ReportRowOut]:
    _require_admin(principal)
    return await paginate(
        session,
        queries.reports_query(principal.institution_id),
        params,
        request,
        lambda r: ReportRowOut.model_validate(r._mapping, from_attributes=False),
    )


@router.post(
    "/conversations/{conversation_id}/export",
    response_model=ExportOut,
    summary="Export a whole conversation (admins; a reason is required and audited)",
    description=ExportConversation.__doc__,
    responses={403: {"description": "Not an admin."}, 422: {"description": "No reason given."}},
)
async def export_conversation(
    conversation_id: uuid.UUID,
    body: ReasonIn,
    principal: CurrentPrincipalDep,
    use: Annotated[ExportConversation, Depends(use_case(ExportConversation, directory_port))],
) -> ExportOut:
    export = await use(principal, conversation_id, body.reason)
    return ExportOut(
        export_id=export.export_id,
        conversation=to_jsonable(export.conversation),
        messages=to_jsonable(export.messages),
    )


@router.get(
    "/conversation-exports",
    response_model=Page[ExportAuditOut],
    summary="The audit trail of conversation exports, newest first (admins)",
)
async def list_exports(
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    params: PageParamsDep,
    request: Request,
) -> Page[ExportAuditOut]:
    _require_admin(principal)
    return await paginate(
        session,
        queries.exports_query(principal.institution_id),
        params,
        request,
        lambda r: ExportAuditOut.model_validate(r._mapping, from_attributes=False),
    )


@router.get("/blocks", response_model=Page[BlockOut], summary="People you blocked")
async def list_blocks(
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    params: PageParamsDep,
    request: Request,
) -> Page[BlockOut]:
    return await paginate(
        session,
        queries.blocks_query(principal.institution_id, principal.person_id),
        params,
        request,
        lambda r: BlockOut(person_id=r.blocked_id, created_at=r.created_at),
    )


@router.post(
    "/blocks",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Block a person",
    description=BlockPerson.__doc__,
    responses={403: {"description": "Admins cannot be blocked."}},
)
async def block(
    body: BlockIn,
    principal: CurrentPrincipalDep,
    use: Annotated[BlockPerson, Depends(use_case(BlockPerson, directory_port))],
) -> Response:
    await use(principal, body.person_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/blocks/{person_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Lift a block",
    description=UnblockPerson.__doc__,
)
async def unblock(
    person_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    use: Annotated[UnblockPerson, Depends(use_case(UnblockPerson))],
) -> Response:
    await use(principal, person_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/quiet-hours/me", response_model=QuietHoursOut, summary="Your quiet hours")
async def get_quiet_hours(
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    directory: DirectoryDep,
    clock: ClockDep,
) -> QuietHoursOut:
    hours = (await SqlAlchemySafety(session).quiet_hours([principal.person_id])).get(
        principal.person_id
    )
    tz = await directory.timezone(principal.institution_id)
    return QuietHoursOut(
        starts_at=hours.starts_at if hours else None,
        ends_at=hours.ends_at if hours else None,
        weekdays=sorted(hours.weekdays) if hours else [],
        timezone=tz.key,
        quiet_until=hours.quiet_until(clock.now(), tz) if hours else None,
    )


@router.put(
    "/quiet-hours/me",
    response_model=QuietHoursOut,
    summary="Set your quiet hours (staff)",
    description=SetQuietHours.__doc__,
)
async def put_quiet_hours(
    body: QuietHoursIn,
    principal: CurrentPrincipalDep,
    use: Annotated[SetQuietHours, Depends(use_case(SetQuietHours))],
    session: ReadSessionDep,
    directory: DirectoryDep,
    clock: ClockDep,
) -> QuietHoursOut:
    hours = QuietHours(body.starts_at, body.ends_at, frozenset(body.weekdays))
    await use(principal, hours)
    return await get_quiet_hours(principal, session, directory, clock)


@router.delete(
    "/quiet-hours/me", status_code=status.HTTP_204_NO_CONTENT, summary="Clear your quiet hours"
)
async def delete_quiet_hours(
    principal: CurrentPrincipalDep, use: Annotated[SetQuietHours, Depends(use_case(SetQuietHours))]
) -> Response:
    await use(principal, None)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/messaging-settings",
    response_model=MessagingSettingsIO,
    summary="Your institution's messaging policy settings",
)
async def get_settings(
    principal: CurrentPrincipalDep, session: ReadSessionDep
) -> MessagingSettingsIO:
    s = await SqlAlchemySafety(session).settings(principal.institution_id)
    return MessagingSettingsIO(**vars(s))


@router.put(
    "/messaging-settings",
    response_model=MessagingSettingsIO,
    summary="Change the messaging policy settings (institution admins)",
    description=SetMessagingSettings.__doc__,
)
async def put_settings(
    body: MessagingSettingsIO,
    principal: CurrentPrincipalDep,
    use: Annotated[SetMessagingSettings, Depends(use_case(SetMessagingSettings))],
) -> MessagingSettingsIO:
    saved = await use(principal, PolicySettings(**body.model_dump()))
    return MessagingSettingsIO(**vars(saved))


def _require_admin(principal: Principal) -> None:
    if not (principal.is_institution_admin or principal.has_role(Role.SCHOOL_ADMIN)):
        raise ForbiddenError("only admins see this")
