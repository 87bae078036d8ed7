"""Routes: conversations, messages, read cursors."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status

from edtech.communication.api.deps import (
    DirectoryDep,
    attachments_port,
    callers_port,
    directory_factory,
    directory_port,
)
from edtech.communication.api.schemas import (
    ContextOut,
    ConversationIn,
    ConversationOut,
    ConversationPage,
    MessageEditIn,
    MessageIn,
    MessageOut,
    MessagesPage,
    ParticipantOut,
    PostedOut,
    QuietNoticeOut,
    ReadIn,
    ReadOut,
    VersionOut,
    attachments_out,
)
from edtech.communication.application import (
    EditMessage,
    MarkRead,
    PostMessage,
    RetractMessage,
    StartConversation,
    StartConversationCommand,
)
from edtech.communication.application.common import conversation_for
from edtech.communication.application.group_posts import GroupPosts
from edtech.communication.application.post_messages import PostIn, PostMessages, TokenPostIn
from edtech.communication.domain import Context, Message
from edtech.communication.infrastructure import delivered_to, queries
from edtech.communication.infrastructure.tables import attachments_of
from edtech.identity.public import CurrentPrincipalDep
from edtech.kernel.errors import NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.http.deps import ClockDep, ReadSessionDep, component, use_case
from edtech.platform.http.pagination import PageParamsDep, paginate
from edtech.platform.services import Services

router = APIRouter(prefix="/api/v1/conversations", tags=["communication"])

NOT_YOURS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such conversation, or you do not take part in it."}
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ConversationOut,
    summary="Start a conversation",
    description=StartConversation.__doc__,
    responses={
        200: {"description": "That direct conversation already exists; here it is."},
        403: {"description": "The messaging policy forbids it, or you were blocked."},
        404: {"description": "A person or the context does not exist in your institution."},
    },
)
async def start_conversation(
    body: ConversationIn,
    principal: CurrentPrincipalDep,
    use: Annotated[StartConversation, Depends(use_case(StartConversation, directory_port))],
    session: ReadSessionDep,
    directory: DirectoryDep,
    clock: ClockDep,
    response: Response,
) -> ConversationOut:
    context = Context(body.context.kind, body.context.id) if body.context else None
    started = await use(
        principal,
        StartConversationCommand(body.kind, body.participant_ids, context, body.title),
    )
    if not started.created:
        response.status_code = status.HTTP_200_OK
    row = await queries.conversation_row(
        session, principal.institution_id, principal.person_id, started.conversation_id
    )
    (out,) = await _conversations_out(session, directory, clock.now(), [row])
    return out


@router.get(
    "",
    response_model=ConversationPage,
    summary="Your conversations, most recently active first, with unread counts",
)
async def list_conversations(
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    directory: DirectoryDep,
    clock: ClockDep,
    params: PageParamsDep,
    request: Request,
) -> ConversationPage:
    stmt = queries.conversations_query(principal.institution_id, principal.person_id)
    page = await paginate(session, stmt, params, request, lambda r: r)
    items = await _conversations_out(session, directory, clock.now(), page.items)
    total = await queries.unread_total(session, principal.institution_id, principal.person_id)
    return ConversationPage(
        items=items,
        total=page.total,
        limit=page.limit,
        offset=page.offset,
        next=page.next,
        unread_total=total,
    )


@router.get(
    "/{conversation_id}",
    response_model=ConversationOut,
    summary="One conversation, with everyone's read cursor",
    responses=NOT_YOURS,
)
async def get_conversation(
    conversation_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    directory: DirectoryDep,
    clock: ClockDep,
) -> ConversationOut:
    await conversation_for(session, principal, conversation_id)
    row = await queries.conversation_row(
        session, principal.institution_id, principal.person_id, conversation_id
    )
    (out,) = await _conversations_out(session, directory, clock.now(), [row])
    return out


@router.get(
    "/{conversation_id}/messages",
    response_model=MessagesPage,
    summary="Message history, newest first, with delivery receipts; page with `before`",
    responses=NOT_YOURS,
)
async def list_messages(
    conversation_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    before: Annotated[int | None, Query(ge=1, description="Only messages numbered below.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> MessagesPage:
    await conversation_for(session, principal, conversation_id)
    rows = await queries.messages_page(session, conversation_id, before, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    reached = await delivered_to(session, [r.id for r in rows])
    return MessagesPage(
        items=[message_out(r, reached.get(r.id, [])) for r in rows],
        next_before=rows[-1].seq if more and rows else None,
    )


def group_posts(services: Services) -> GroupPosts:
    """The node's group commit of chat messages (a component: the route and its fast route,
    `message_post`, post through it); posts share transactions on PostgreSQL only."""
    single = use_case(PostMessage, directory_factory, attachments_port)
    together = use_case(PostMessages, directory_factory, attachments_port, callers_port)
    grouped = services.engine.dialect.name == "postgresql"
    return GroupPosts(lambda: single(services), (lambda: together(services)) if grouped else None)


@router.post(
    "/{conversation_id}/messages",
    status_code=status.HTTP_201_CREATED,
    response_model=PostedOut,
    summary="Post a message (idempotent by client id)",
    description=PostMessage.__doc__,
    responses={
        **NOT_YOURS,
        200: {"description": "This client id was used before: the original message."},
        403: {"description": "The messaging policy no longer allows it, or you were blocked."},
        422: {
            "description": "Empty or oversized body (the limit is named), a bad client id, or "
            "an attachment that is not a file you uploaded as one, still in quarantine, or "
            "carried already (the file is named)."
        },
    },
)
async def post_message(
    conversation_id: uuid.UUID,
    body: MessageIn,
    principal: CurrentPrincipalDep,
    posts: Annotated[GroupPosts, Depends(component(GroupPosts))],
    response: Response,
) -> PostedOut:
    out = await posted_out(posts, principal, conversation_id, body)
    if out.replayed:
        response.status_code = status.HTTP_200_OK
    return out


async def posted_out(
    posts: GroupPosts, sender: Principal | str, conversation_id: uuid.UUID, body: MessageIn
) -> PostedOut:
    """What posting `body` answers, on this route and on its fast route (`message_post`): 201,
    or 200 when `replayed`. The sender is a principal, or an access token whose sign-in the
    post's transaction reads (`TokenPostIn`: the fast route, when `posts.grouped`)."""
    fields = (conversation_id, body.client_id, body.body, tuple(body.attachment_ids))
    posted = await posts.post(
        PostIn(sender, *fields) if isinstance(sender, Principal) else TokenPostIn(sender, *fields)
    )
    return PostedOut(
        **message_out(posted.message).model_dump(),
        replayed=posted.replayed,
        notices=[
            QuietNoticeOut(person_id=n.person_id, display_name=n.display_name, until=n.until)
            for n in posted.notices
        ],
    )


@router.patch(
    "/{conversation_id}/messages/{message_id}",
    response_model=MessageOut,
    summary="Edit your message (earlier versions are kept)",
    description=EditMessage.__doc__,
    responses={
        **NOT_YOURS,
        403: {"description": "Not your message, or the policy no longer lets you write here."},
        409: {"description": "Retracted."},
    },
)
async def edit_message(
    conversation_id: uuid.UUID,
    message_id: uuid.UUID,
    body: MessageEditIn,
    principal: CurrentPrincipalDep,
    use: Annotated[EditMessage, Depends(use_case(EditMessage, directory_port))],
) -> MessageOut:
    msg = await use(principal, conversation_id, message_id, body.body)
    return message_out(msg)


@router.post(
    "/{conversation_id}/messages/{message_id}/retract",
    response_model=MessageOut,
    summary="Retract your message (it stays as a tombstone)",
    description=RetractMessage.__doc__,
    responses={
        **NOT_YOURS,
        403: {"description": "Not your message, or the policy no longer lets you write here."},
    },
)
async def retract_message(
    conversation_id: uuid.UUID,
    message_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    use: Annotated[RetractMessage, Depends(use_case(RetractMessage, directory_port))],
) -> MessageOut:
    msg = await use(principal, conversation_id, message_id)
    return message_out(msg)


@router.get(
    "/{conversation_id}/messages/{message_id}/versions",
    response_model=list[VersionOut],
    summary="Earlier versions of an edited message (none once retracted)",
    responses=NOT_YOURS,
)
async def message_versions(
    conversation_id: uuid.UUID,
    message_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
) -> list[VersionOut]:
    await conversation_for(session, principal, conversation_id)
    rows = await queries.messages_by_id(session, conversation_id, message_id)
    if rows is None:
        raise NotFoundError("message not found", message_id=str(message_id))
    if rows.retracted_at is not None:
        return []
    return [
        VersionOut(version=v.version, body=v.body, written_at=v.written_at)
        for v in await queries.versions_of(session, message_id)
    ]


@router.post(
    "/{conversation_id}/read",
    response_model=ReadOut,
    summary="Mark messages read up to a number",
    description=MarkRead.__doc__,
    responses=NOT_YOURS,
)
async def mark_read(
    conversation_id: uuid.UUID,
    body: ReadIn,
    principal: CurrentPrincipalDep,
    use: Annotated[MarkRead, Depends(use_case(MarkRead, directory_port))],
) -> ReadOut:
    state = await use(principal, conversation_id, body.up_to_seq)
    return ReadOut(
        read_seq=state.read_seq, last_seq=state.last_seq, receipt_held=state.receipt_held
    )


def message_out(row: Message | Any, delivered: list[uuid.UUID] | None = None) -> MessageOut:
    retracted = row.retracted_at is not None
    kind = row.kind.value if hasattr(row.kind, "value") else row.kind
    return MessageOut(
        id=row.id,
        conversation_id=row.conversation_id,
        seq=row.seq,
        sender_id=row.sender_id,
        client_id=row.client_id,
        kind=kind,
        body=None if retracted else row.body,
        version=row.version,
        created_at=row.created_at,
        edited_at=row.edited_at,
        retracted_at=row.retracted_at,
        retracted=retracted,
        attachments=[] if retracted else attachments_out(attachments_of(row.attachments)),
        delivered_to=delivered or [],
    )


async def _conversations_out(
    session: Any, directory: DirectoryDep, now: Any, rows: list[Any]
) -> list[ConversationOut]:
    ids = [r.id for r in rows]
    parts = await queries.participants_of(session, ids)
    people = list({p.person_id for ps in parts.values() for p in ps})
    names = await directory.display_names(rows[0].institution_id, people) if rows else {}
    return [
        ConversationOut(
            id=r.id,
            kind=r.kind,
            context=ContextOut(kind=r.context_kind, id=r.context_id) if r.context_kind else None,
            title=r.title,
            created_by=r.created_by,
            created_at=r.created_at,
            last_seq=r.last_seq,
            last_message_at=r.last_message_at,
            read_seq=r.read_seq,
            unread=r.unread,
            participants=[
                ParticipantOut(
                    person_id=p.person_id,
                    display_name=names.get(p.person_id),
                    read_seq=queries.visible_read_seq(p, now),
                )
                for p in parts.get(r.id, [])
            ],
        )
        for r in rows
    ]
