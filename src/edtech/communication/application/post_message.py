"""Use case: post a message (REST and the websocket `send` share `post_message`)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.communication.application.common import conversation_for
from edtech.communication.application.ports import (
    AttachmentClaims,
    Directory,
    DirectoryFactory,
    NoAttachments,
)
from edtech.communication.domain import (
    Attachment,
    Conversation,
    ConversationKind,
    Message,
    MessageKind,
    MessagingPolicy,
    QuietHours,
    check_attachment_ids,
    clean_body,
    reply_note,
)
from edtech.communication.domain.messages import check_client_id
from edtech.communication.infrastructure import (
    ManyGuards,
    SqlAlchemyConversations,
    SqlAlchemyMessages,
    SqlAlchemySafety,
)
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ForbiddenError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork

UTC_ZONE = ZoneInfo("UTC")


@dataclass(frozen=True)
class QuietNotice:
    """A recipient is in quiet hours: they will be notified at `until`."""

    person_id: uuid.UUID
    display_name: str
    until: datetime


@dataclass(frozen=True)
class Posted:
    message: Message
    replayed: bool
    notices: list[QuietNotice] = field(default_factory=list)


class PostMessage:
    """Post a message to a conversation the sender takes part in.

    Idempotent by the client's id: the same id from the same sender returns the original
    message. It may carry up to ten files the sender uploaded beforehand as attachments
    (`POST /api/v1/files/attachments`), each checked and claimed in the same transaction:
    the sender's own, of this institution, past their checks, carried by nothing else. The
    policy is re-checked on every message (a custody restriction or a block that
    appeared later stops the conversation). Recipients in quiet hours still get the message,
    but their notification is held until quiet hours end and the sender gets an automatic note
    saying when to expect a reply.

    The roster is judged on the sender's school day by the zone their sign-in read (the clock's
    date in the institution's zone when the principal carries none).
    """

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        directory: DirectoryFactory,
        attachments: AttachmentClaims | None = None,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.directory = directory
        self.attachments = attachments or NoAttachments()

    async def __call__(
        self,
        principal: Principal,
        conversation_id: uuid.UUID,
        client_id: str,
        body: str,
        attachment_ids: Sequence[uuid.UUID] = (),
    ) -> Posted:
        day = principal.school_day(self.clock.now())
        async with self.uow as uow:
            directory = self.directory(uow.session, self.clock if day is None else day)
            posted = await post_message(
                uow,
                self.clock,
                directory,
                principal,
                conversation_id,
                client_id,
                body,
                attachment_ids=attachment_ids,
                claims=self.attachments,
            )
            if not posted.replayed:
                await uow.commit()
            return posted


async def post_message(
    uow: UnitOfWork,
    clock: Clock,
    directory: Directory,
    principal: Principal,
    conversation_id: uuid.UUID,
    client_id: str,
    body: str,
    *,
    attachment_ids: Sequence[uuid.UUID] = (),
    claims: AttachmentClaims | None = None,
    loaded: Mapping[uuid.UUID, Conversation] | None = None,
    guarded: Mapping[uuid.UUID, ManyGuards] | None = None,
) -> Posted:
    """Post inside the caller's open unit of work; the websocket `send` shares it. The caller
    commits a new message and rolls back a replayed one (`Posted.replayed`): the replay took
    the conversation's next number, which only the rollback gives back. `loaded` and
    `guarded`: the conversations, and by institution the guards, this transaction read
    already (`PostMessages`)."""
    now = clock.now()
    text, file_ids = checked_input(body, client_id, attachment_ids)
    session = uow.session
    conv = await conversation_for(session, principal, conversation_id, loaded)
    # The conversation's lock first, then the client id: a retry, even one that committed
    # concurrently while we waited, finds its message once. A replay (or a refusal) leaves the
    # number it took to the caller's rollback, so numbers stay gapless.
    conversations = SqlAlchemyConversations(session)
    seq = await conversations.next_seq(conv, now)
    messages = SqlAlchemyMessages(session)
    existing = await messages.by_client_id(conv.id, principal.person_id, client_id)
    if existing is not None:
        return Posted(existing, replayed=True)
    others = conv.others(principal.person_id)
    safety = SqlAlchemySafety(session)
    read = guarded.get(principal.institution_id) if guarded is not None else None
    hours = await check_may_send(session, directory, principal, conv, quiet=others, read=read)
    if hours is None:  # not read with the guards (a group's starter writes unchecked)
        hours = await safety.quiet_hours(others)
    # the institution's time zone matters only to someone who keeps quiet hours
    tz = await directory.timezone(principal.institution_id) if hours else UTC_ZONE
    held: dict[uuid.UUID, datetime] = {}
    for person_id, quiet in hours.items():
        until = quiet.quiet_until(now, tz)
        if until is not None:
            held[person_id] = until
    message_id = new_id()
    attached = (
        await (claims or NoAttachments()).claim(session, principal, file_ids, "message", message_id)
        if file_ids
        else ()
    )
    message = new_message(
        conv,
        principal,
        client_id,
        text,
        now,
        seq=seq,
        notify_ids=tuple(p for p in others if p not in held),
        attachments=attached,
        message_id=message_id,
    )
    await messages.add(message)
    await conversations.save_cursor(conv, principal.person_id)
    notices: list[QuietNotice] = []
    names = await directory.display_names(principal.institution_id, list(held)) if held else {}
    for person_id, until in held.items():
        await safety.hold(
            id=new_id(),
            institution_id=principal.institution_id,
            person_id=person_id,
            conversation_id=conv.id,
            message_id=message.id,
            kind="message",
            release_at=until,
            created_at=now,
            released_at=None,
        )
        name = names.get(person_id, "This staff member")
        notices.append(QuietNotice(person_id, name, until))
        notice_id = f"quiet-{person_id.hex}-{int(until.timestamp())}"
        if await messages.by_client_id(conv.id, person_id, notice_id) is None:
            note = Message.post(
                id=new_id(),
                institution_id=principal.institution_id,
                conversation_id=conv.id,
                seq=await conversations.next_seq(conv, now),
                sender_id=person_id,
                client_id=notice_id,
                body=reply_note(name, until, tz),
                at=now,
                kind=MessageKind.NOTICE,
            )
            await messages.add(note)
    return Posted(message, replayed=False, notices=notices)


def checked_input(
    body: str, client_id: str, attachment_ids: Sequence[uuid.UUID]
) -> tuple[str, tuple[uuid.UUID, ...]]:
    """A post's own fields checked (422 before anything is read): its body trimmed and its
    files."""
    text = clean_body(body)
    check_client_id(client_id)
    return text, check_attachment_ids(attachment_ids)


def new_message(
    conv: Conversation,
    principal: Principal,
    client_id: str,
    text: str,
    now: datetime,
    *,
    seq: int,
    notify_ids: tuple[uuid.UUID, ...],
    attachments: tuple[Attachment, ...] = (),
    message_id: uuid.UUID | None = None,
) -> Message:
    """The message `principal` posts to `conv` as number `seq`, its sender's read cursor
    moved past it (in memory: the caller stores both)."""
    message = Message.post(
        id=message_id or new_id(),
        institution_id=principal.institution_id,
        conversation_id=conv.id,
        seq=seq,
        sender_id=principal.person_id,
        client_id=client_id,
        body=text,
        at=now,
        notify_ids=notify_ids,
        attachments=attachments,
    )
    conv.read(principal.person_id, seq, now, None)
    conv.pull_events()  # reading your own message tells nobody anything
    return message


def checked_against(conv: Conversation, sender_id: uuid.UUID) -> list[uuid.UUID]:
    """Whom the policy judges `sender_id` against in `conv` (see `check_may_send`)."""
    if conv.kind is ConversationKind.DIRECT:
        return conv.others(sender_id)
    return [] if sender_id == conv.created_by else [conv.created_by]


async def check_may_send(
    session: AsyncSession,
    directory: Directory,
    principal: Principal,
    conv: Conversation,
    *,
    quiet: list[uuid.UUID] | None = None,
    read: ManyGuards | None = None,
) -> dict[uuid.UUID, QuietHours] | None:
    """Direct: the sender must still be allowed to write to the other person. Group: the
    starter writes freely; the others must still be allowed to write to the starter.

    Given `quiet` (a message's recipients), the quiet hours of those who keep them are read
    in the same round trip as the settings and blocks, and returned; None when nothing was
    read (a group's starter, or no `quiet`). Taken from `read` (guards the transaction read
    for several posts at once) when it covers them."""
    inst = principal.institution_id
    counterparts = checked_against(conv, principal.person_id)
    # the sender and whom they write to, in one round trip
    people = await directory.profiles(inst, [principal.person_id, *counterparts])
    sender = people.get(principal.person_id)
    if sender is None:
        raise ForbiddenError("you are no longer a member of this institution")
    if not counterparts:  # a group's starter writes freely
        return None
    guards = read.of(sender.person_id, counterparts, quiet or []) if read is not None else None
    if guards is None:
        safety = SqlAlchemySafety(session)
        guards = await safety.guards(inst, sender.person_id, counterparts, quiet or [])
    if guards.blockers:
        raise ForbiddenError("you have been blocked in this conversation")
    policy = MessagingPolicy(guards.settings)
    for person_id in counterparts:
        other = people.get(person_id)
        if other is None:
            raise ForbiddenError("the other participant has left the institution")
        verdict = policy.may_continue(sender, other, conv.context)
        if not verdict:
            raise ForbiddenError(verdict.reason)
    return guards.quiet_hours if quiet is not None else None
