"""`send` over the socket: a channel type's handler runs in a unit of work that also stores the
reply under the client's `id`, so a retried `send` returns the first reply and changes nothing.

The receipt's key (person, client id) is the one duplicate check: a retry runs in a transaction
whose receipt insert collides with the first one, so it is rolled back whole (its effect and
events included) and answered with the stored first reply plus `"duplicate": true`.

A channel type declared with `send_offset=True` gets `offset` in the reply: the channel offset of
the first event the command put on its own channel (for a chat message, the offset of its
`chat.message_posted`), so a client knows where its own message stands in the stream it resumes
from; None when the command put nothing there. The command stages its events with the node's
sinks itself (`stage_all`, as a unit of work's commit does), inside its transaction, and reads
the offsets from what the outbox among them allocated: the receipt is written once, complete.
The slices' sinks (e.g. the notifications that reach a recipient with no open socket) stage the
same events in the same transaction: a command's message is notified exactly as a REST one is,
and a retried command (its receipt collides) rolls them back with everything else."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.kernel.clock import Clock
from edtech.kernel.errors import (
    AuthenticationError,
    ConflictError,
    DomainError,
    ForbiddenError,
    InvalidError,
    NotFoundError,
    TooManyRequestsError,
)
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import EventSink, Staging, UnitOfWork, stage_all
from edtech.realtime.infrastructure import command_receipt
from edtech.realtime.protocol import ErrorCode, SendFrame, reply_error, reply_ok
from edtech.realtime.registry import ResolvedChannel, SendContext
from edtech.realtime.sink import OutboxSink, Staged

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


def _refusal(ref: str | None, exc: DomainError) -> str:
    code = next((c for k, c in _CODES.items() if isinstance(exc, k)), ErrorCode.INVALID)
    extra: dict[str, Any] = {}
    if isinstance(exc, InvalidError) and exc.problems:
        extra["problems"] = [
            {"loc": list(p.loc), "msg": p.message, "type": p.type} for p in exc.problems
        ]
    return reply_error(ref, code, exc.message, **extra)


class Commands:
    """Runs `send` frames: each channel type's handler, once per (person, client id)."""

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        outbox: OutboxSink,
        sinks: Sequence[EventSink] = (),
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock
        self._outbox = outbox
        # The node's sink list (the composition root's, filled from the slice manifests before
        # the first command; the outbox, whose rows give the offsets, is its last).
        self._sinks = sinks

    def _node_sinks(self) -> Sequence[EventSink]:
        if any(sink is self._outbox for sink in self._sinks):
            return self._sinks
        return [*self._sinks, self._outbox]

    async def run(self, principal: Principal, resolved: ResolvedChannel, frame: SendFrame) -> str:
        """Run the channel's `send` handler once per (person, client id); returns the reply."""
        ctype = resolved.type
        if ctype.send is None or ctype.send_model is None:
            return reply_error(
                frame.ref, ErrorCode.NOT_SUPPORTED, "This channel takes no commands."
            )
        try:
            body = ctype.send_model.model_validate(frame.data)
        except ValidationError as exc:
            problems = [
                {"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()
            ]
            return reply_error(frame.ref, ErrorCode.INVALID, "Invalid data.", problems=problems)
        # No sinks given to the unit of work: `_commit` stages them itself (see above).
        async with UnitOfWork(self._session_factory) as uow:
            ctx = SendContext(principal, resolved.name, resolved.params, frame.id, uow, self._clock)
            try:
                reply = dict(await ctype.send(ctx, body))
            except DomainError as exc:
                # A retry that the state of things refuses by now still gets its first reply.
                await uow.rollback()
                previous = await _stored(uow.session, principal.person_id, frame.id)
                if previous is None:
                    return _refusal(frame.ref, exc)
                return reply_ok(frame.ref, {**previous, "duplicate": True})
            try:
                staged = await self._commit(uow, principal, resolved, frame.id, reply)
            except IntegrityError:
                pass  # this id was used before (or concurrently): answer with its first reply
            else:
                for sink, token in staged:
                    await sink.committed(token)
                return reply_ok(frame.ref, reply)
        async with self._session_factory() as session:
            previous = await _stored(session, principal.person_id, frame.id)
        if previous is None:
            return reply_error(frame.ref, ErrorCode.UNAVAILABLE, "Temporary failure; retry.")
        return reply_ok(frame.ref, {**previous, "duplicate": True})

    async def _commit(
        self,
        uow: UnitOfWork,
        principal: Principal,
        resolved: ResolvedChannel,
        client_id: str,
        reply: dict[str, Any],
    ) -> Staging:
        """Stage the events with the node's sinks, the outbox among them (offsets allocated),
        store the complete reply, commit."""
        session = uow.session
        await session.flush()
        staged, _ = await stage_all(session, self._node_sinks(), uow.collect_events())
        rows = next((t for s, t in staged if s is self._outbox), None)
        if resolved.type.send_offset:
            reply["offset"] = rows.first_offset(resolved.name) if isinstance(rows, Staged) else None
        await session.execute(
            sa.insert(command_receipt).values(
                person_id=principal.person_id,
                client_id=client_id,
                channel=resolved.name,
                reply=reply,
                created_at=self._clock.now(),
            )
        )
        await uow.commit()  # nothing left for sinks: the events are staged already
        return staged
