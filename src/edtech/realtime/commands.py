"""`send` over the socket: a channel type's handler runs in a unit of work that also stores the
reply under the client's `id`, so a retried `send` returns the first reply and changes nothing.

A handler whose reply has an `offset` key (None) gets it filled in: the channel offset of the
first event the command put on its own channel (for a chat message, the offset of its
`chat.message_posted`), so a client knows where its own message stands in the stream it resumes
from. It stays None when the command put nothing on the channel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.kernel.errors import (
    AuthenticationError,
    ConflictError,
    DomainError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    TooManyRequestsError,
)
from edtech.kernel.events import DomainEvent
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.realtime.infrastructure import channel_state, command_receipt
from edtech.realtime.protocol import ErrorCode, SendFrame, reply_error, reply_ok
from edtech.realtime.registry import ResolvedChannel, SendContext

if TYPE_CHECKING:
    from edtech.realtime.lifecycle import Realtime

_CODES: dict[type[DomainError], ErrorCode] = {
    ForbiddenError: ErrorCode.FORBIDDEN,
    NotFoundError: ErrorCode.NOT_FOUND,
    ConflictError: ErrorCode.CONFLICT,
    InvalidError: ErrorCode.INVALID,
    AuthenticationError: ErrorCode.AUTH_FAILED,
    TooManyRequestsError: ErrorCode.RATE_LIMITED,
}


async def _stored(session: AsyncSession, person_id: Any, client_id: str) -> Any:
    return (
        await session.execute(
            sa.select(command_receipt.c.reply).where(
                command_receipt.c.person_id == person_id, command_receipt.c.client_id == client_id
            )
        )
    ).scalar_one_or_none()


class _OffsetOfReply:
    """An event sink placed after the outbox's: once the outbox has numbered the transaction's
    events, it writes the offset of the command's first event on its channel into the reply
    (and the stored receipt, so a retry gets the same answer)."""

    def __init__(self, rt: Realtime, channel: str, person_id: Any, client_id: str) -> None:
        self.rt = rt
        self.channel = channel
        self.person_id = person_id
        self.client_id = client_id
        self.reply: dict[str, Any] = {}

    async def stage(self, session: AsyncSession, events: Sequence[DomainEvent]) -> object:
        if "offset" not in self.reply:
            return None
        count = sum(
            1
            for event in events
            for resolved, _ in self.rt.registry.deliveries(event)
            if resolved.name == self.channel
        )
        if not count:
            return None
        # Our transaction holds the channel's row lock (taken by the outbox): nobody else's
        # offsets can be in between.
        last = (
            await session.execute(
                sa.select(channel_state.c.last_offset).where(
                    channel_state.c.channel == self.channel
                )
            )
        ).scalar_one()
        self.reply["offset"] = int(last) - count + 1
        await session.execute(
            sa.update(command_receipt)
            .where(
                command_receipt.c.person_id == self.person_id,
                command_receipt.c.client_id == self.client_id,
            )
            .values(reply=dict(self.reply))
        )
        return None

    async def committed(self, staged: object) -> None:
        return None


async def run(
    rt: Realtime, principal: Principal, resolved: ResolvedChannel, frame: SendFrame
) -> str:
    """Run the channel's `send` handler once per (person, client id); returns the reply frame."""
    ctype = resolved.type
    if ctype.send is None or ctype.send_model is None:
        return reply_error(frame.ref, ErrorCode.NOT_SUPPORTED, "This channel takes no commands.")
    try:
        body = ctype.send_model.model_validate(frame.data)
    except ValidationError as exc:
        problems = [
            {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()
        ]
        return reply_error(frame.ref, ErrorCode.INVALID, "Invalid data.", problems=problems)
    offset_of_reply = _OffsetOfReply(rt, resolved.name, principal.person_id, frame.id)
    uow = UnitOfWork(rt.session_factory, [*rt.services.sinks, offset_of_reply])
    async with uow:
        previous = await _stored(uow.session, principal.person_id, frame.id)
        if previous is not None:
            return reply_ok(frame.ref, {**previous, "duplicate": True})
        ctx = SendContext(principal, resolved.name, resolved.params, frame.id, uow, rt.clock)
        try:
            reply = dict(await ctype.send(ctx, body))
        except DomainError as exc:
            code = next((c for k, c in _CODES.items() if isinstance(exc, k)), ErrorCode.INVALID)
            extra: dict[str, Any] = {}
            if isinstance(exc, InvalidError) and exc.problems:
                extra["problems"] = [
                    {"loc": list(p.loc), "msg": p.message, "type": p.type} for p in exc.problems
                ]
            return reply_error(frame.ref, code, exc.message, **extra)
        if "offset" in reply:
            offset_of_reply.reply = reply
        try:
            await uow.session.execute(
                sa.insert(command_receipt).values(
                    person_id=principal.person_id,
                    client_id=frame.id,
                    channel=resolved.name,
                    reply=reply,
                    created_at=rt.clock.now(),
                )
            )
            await uow.commit()
        except IntegrityError:
            pass  # the same id committed concurrently: answer with its reply
        else:
            return reply_ok(frame.ref, reply)
    async with rt.session_factory() as session:
        previous = await _stored(session, principal.person_id, frame.id)
    if previous is None:
        return reply_error(frame.ref, ErrorCode.UNAVAILABLE, "Temporary failure; retry.")
    return reply_ok(frame.ref, {**previous, "duplicate": True})
