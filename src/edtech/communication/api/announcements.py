"""Routes: announcements, acknowledgements."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status

from edtech.communication.api.deps import DirectoryDep, attachments_port, directory_port
from edtech.communication.api.schemas import (
    AcknowledgementOut,
    AcknowledgementsOut,
    AnnouncementIn,
    AnnouncementOut,
    AudienceIO,
    ReceivedAnnouncementOut,
    SentAnnouncementOut,
    attachments_out,
)
from edtech.communication.application import (
    AcknowledgeAnnouncement,
    AnnounceCommand,
    CreateAnnouncement,
)
from edtech.communication.domain import Announcement, Audience
from edtech.communication.infrastructure import queries
from edtech.communication.infrastructure.tables import attachments_of
from edtech.identity.public import CurrentPrincipalDep
from edtech.kernel.errors import NotFoundError
from edtech.platform.http.deps import ReadSessionDep, use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate

router = APIRouter(prefix="/api/v1/announcements", tags=["communication"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AnnouncementOut,
    summary="Announce now or schedule an announcement",
    description=CreateAnnouncement.__doc__,
    responses={
        403: {"description": "You may not announce to this audience."},
        422: {
            "description": "Invalid title, body or audience, or an attachment that is not a "
            "file you uploaded as one, still in quarantine, or carried already."
        },
    },
)
async def create_announcement(
    body: AnnouncementIn,
    principal: CurrentPrincipalDep,
    use: Annotated[
        CreateAnnouncement, Depends(use_case(CreateAnnouncement, directory_port, attachments_port))
    ],
) -> AnnouncementOut:
    a = body.audience
    cmd = AnnounceCommand(
        title=body.title,
        body=body.body,
        audience=Audience(a.kind, school_id=a.school_id, section_id=a.section_id, role=a.role),
        priority=body.priority,
        requires_ack=body.requires_ack,
        publish_at=body.publish_at,
        attachment_ids=tuple(body.attachment_ids),
    )
    return announcement_out(await use(principal, cmd))


@router.get(
    "",
    response_model=Page[ReceivedAnnouncementOut],
    summary="Announcements published to you, newest first",
)
async def received(
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    params: PageParamsDep,
    request: Request,
) -> Page[ReceivedAnnouncementOut]:
    stmt = queries.received_announcements_query(principal.institution_id, principal.person_id)
    return await paginate(
        session,
        stmt,
        params,
        request,
        lambda r: ReceivedAnnouncementOut(**_fields(r), acknowledged_at=r.acknowledged_at),
    )


@router.get(
    "/sent",
    response_model=Page[SentAnnouncementOut],
    summary="Announcements you sent (or scheduled), with acknowledgement counts",
)
async def sent(
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    params: PageParamsDep,
    request: Request,
) -> Page[SentAnnouncementOut]:
    stmt = queries.sent_announcements_query(principal.institution_id, principal.person_id)
    return await paginate(
        session,
        stmt,
        params,
        request,
        lambda r: SentAnnouncementOut(
            **_fields(r),
            recipient_count=r.recipient_count,
            acknowledged_count=r.acknowledged_count,
        ),
    )


@router.post(
    "/{announcement_id}/acknowledge",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Acknowledge an announcement you received",
    description=AcknowledgeAnnouncement.__doc__,
    responses={404: {"description": "Not an announcement you received."}},
)
async def acknowledge(
    announcement_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    use: Annotated[AcknowledgeAnnouncement, Depends(use_case(AcknowledgeAnnouncement))],
) -> Response:
    await use(principal, announcement_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{announcement_id}/acknowledgements",
    response_model=AcknowledgementsOut,
    summary="Who has and has not acknowledged (for the sender and institution admins)",
    responses={404: {"description": "Not an announcement you sent."}},
)
async def acknowledgements(
    announcement_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    directory: DirectoryDep,
) -> AcknowledgementsOut:
    row = await queries.announcement_row(session, principal.institution_id, announcement_id)
    if row is None or not (row.sender_id == principal.person_id or principal.is_institution_admin):
        raise NotFoundError("announcement not found", announcement_id=str(announcement_id))
    rows = await queries.acknowledgements(session, announcement_id)
    names = await directory.display_names(principal.institution_id, [r.person_id for r in rows])
    out = [
        AcknowledgementOut(
            person_id=r.person_id,
            display_name=names.get(r.person_id),
            acknowledged_at=r.acknowledged_at,
        )
        for r in rows
    ]
    return AcknowledgementsOut(
        announcement_id=announcement_id,
        total=len(out),
        acknowledged=[a for a in out if a.acknowledged_at is not None],
        pending=[a for a in out if a.acknowledged_at is None],
    )


def _fields(r: Any) -> dict[str, Any]:
    return {
        "id": r.id,
        "sender_id": r.sender_id,
        "title": r.title,
        "body": r.body,
        "priority": r.priority,
        "audience": AudienceIO(
            kind=r.audience_kind,
            school_id=r.audience_school_id,
            section_id=r.audience_section_id,
            role=r.audience_role,
        ),
        "requires_ack": r.requires_ack,
        "publish_at": r.publish_at,
        "published_at": r.published_at,
        "created_at": r.created_at,
        "attachments": attachments_out(attachments_of(r.attachments)),
    }


def announcement_out(a: Announcement) -> AnnouncementOut:
    return AnnouncementOut(
        id=a.id,
        sender_id=a.sender_id,
        title=a.title,
        body=a.body,
        priority=a.priority,
        audience=AudienceIO(
            kind=a.audience.kind,
            school_id=a.audience.school_id,
            section_id=a.audience.section_id,
            role=a.audience.role,
        ),
        requires_ack=a.requires_ack,
        publish_at=a.publish_at,
        published_at=a.published_at,
        created_at=a.created_at,
        attachments=attachments_out(a.attachments),
    )
