"""Repositories for conversations and messages, on the unit of work's session.

Both aggregates are mapped imperatively (`tables.py`), so the session tracks what a use case
loads or adds and the unit of work collects their events. Two writes stay Core statements on
the hot path of every message, because the ORM cannot express them: taking the next message
number (`UPDATE … RETURNING`, the row lock orders concurrent senders on every node) and moving
a read cursor that must never move back when two devices race (`WHERE read_seq <= new`). Each
puts the values it wrote into the session as committed, so the flush does not write them again.
A grouped transaction's plain posts (ADR-0020) store their numbers, cursors and rows in one
statement, every value bound as one array per column (`save_posted`).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Collection, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from edtech.communication.domain import Conversation, Message
from edtech.communication.infrastructure.tables import (
    conversation,
    conversation_participant,
    message,
)
from edtech.kernel.errors import ConflictError
from edtech.platform.db.bulk import among_bound, padded
from edtech.platform.db.driver import DriverStatement

CURSOR_FIELDS = ("read_seq", "read_at", "shown_read_seq", "read_hidden_until")

# What every message runs, built once (values bound at execution): building a statement costs
# about as much CPU as sending it.
_CONVERSATION = (
    sa.select(Conversation)
    .options(joinedload(Conversation.participants))  # type: ignore[arg-type]
    .where(
        conversation.c.institution_id == sa.bindparam("institution_id"),
        conversation.c.id == sa.bindparam("conversation_id"),
    )
)


def _locked_conversations(*, postgresql: bool) -> sa.Select[Conversation]:
    return (
        sa.select(Conversation)
        .options(joinedload(Conversation.participants))  # type: ignore[arg-type]
        .where(among_bound(conversation.c.id, "conversation_ids", postgresql=postgresql))
        .order_by(conversation.c.id)
        .with_for_update(of=conversation)
    )


_LOCKED_CONVERSATIONS = {pg: _locked_conversations(postgresql=pg) for pg in (True, False)}
"""`lock_many`'s statement per dialect (PostgreSQL or not): the ids one array on PostgreSQL,
an expanding `IN` of a padded list elsewhere."""
_NEXT_SEQ = (
    sa.update(conversation)
    .where(conversation.c.id == sa.bindparam("of_conversation"))
    .values(last_seq=conversation.c.last_seq + 1, last_message_at=sa.bindparam("at"))
    .returning(conversation.c.last_seq)
)
_CURSOR = (
    sa.update(conversation_participant)
    .where(
        # (an UPDATE's bound names may not be its table's column names)
        conversation_participant.c.conversation_id == sa.bindparam("of_conversation"),
        conversation_participant.c.person_id == sa.bindparam("of_person"),
        # never move a cursor back, even when two devices race
        conversation_participant.c.read_seq <= sa.bindparam("new_read_seq"),
    )
    .values({name: sa.bindparam(f"new_{name}") for name in CURSOR_FIELDS})
)
# A batch's numbers, cursors and messages (`save_posted`), every value bound as one array per
# column: one statement and one text for any number of posts, where executemany sent a Bind and
# Execute per row and the flush a statement per table. The cursor keeps its guard. Sent on the
# driver connection (ADR-0023): the grouped chat transaction's hottest write.
_POSTED = DriverStatement(
    sa.text(
        """\
WITH numbered AS (
    UPDATE conversation AS c SET last_seq = n.last_seq, last_message_at = n.last_message_at
    FROM unnest(
        CAST(:conversation_ids AS uuid[]), CAST(:last_seqs AS integer[]),
        CAST(:last_message_ats AS timestamptz[])
    ) AS n(id, last_seq, last_message_at)
    WHERE c.id = n.id
), moved AS (
    UPDATE conversation_participant AS p
    SET read_seq = u.read_seq, read_at = u.read_at, shown_read_seq = u.shown_read_seq,
        read_hidden_until = u.read_hidden_until
    FROM unnest(
        CAST(:of_conversations AS uuid[]), CAST(:of_persons AS uuid[]),
        CAST(:read_seqs AS integer[]), CAST(:read_ats AS timestamptz[]),
        CAST(:shown_read_seqs AS integer[]), CAST(:read_hidden_untils AS timestamptz[])
    ) AS u(conversation_id, person_id, read_seq, read_at, shown_read_seq, read_hidden_until)
    WHERE p.conversation_id = u.conversation_id AND p.person_id = u.person_id
        AND p.read_seq <= u.read_seq
)
INSERT INTO message
    (id, institution_id, conversation_id, seq, sender_id, client_id, kind, body, version,
     created_at)
SELECT * FROM unnest(
    CAST(:ids AS uuid[]), CAST(:institution_ids AS uuid[]), CAST(:conversations AS uuid[]),
    CAST(:seqs AS integer[]), CAST(:sender_ids AS uuid[]), CAST(:client_ids AS text[]),
    CAST(:kinds AS text[]), CAST(:bodies AS text[]), CAST(:versions AS integer[]),
    CAST(:created_ats AS timestamptz[])
)"""
    )
)
_MESSAGE_FIELDS = (
    "id", "institution_id", "seq", "sender_id", "client_id", "version", "created_at"
)  # fmt: skip
"""The message columns `_POSTED` binds by their own name (plus `conversations`, `kinds`,
`bodies`): an array parameter's name is the column's with an `s`."""
_BY_CLIENT_IDS = sa.select(Message).where(
    sa.tuple_(message.c.conversation_id, message.c.sender_id, message.c.client_id).in_(
        sa.bindparam("keys", expanding=True)
    )
)
_KEYS = (
    sa.func.unnest(
        sa.bindparam("conversation_ids", type_=postgresql.ARRAY(sa.Uuid())),
        sa.bindparam("sender_ids", type_=postgresql.ARRAY(sa.Uuid())),
        sa.bindparam("client_ids", type_=postgresql.ARRAY(sa.String())),
    )
    .table_valued("conversation_id", "sender_id", "client_id")
    .render_derived(name="k")
)
_POSTED_IDS = DriverStatement(
    sa.select(message.c.id).select_from(
        message.join(
            _KEYS,
            sa.and_(
                message.c.conversation_id == _KEYS.c.conversation_id,
                message.c.sender_id == _KEYS.c.sender_id,
                message.c.client_id == _KEYS.c.client_id,
            ),
        )
    )
)
"""The ids of the messages stored under any of the (conversation, sender, client id) keys bound
as three arrays (PostgreSQL, on the driver connection: a batch's replays are rare, so the
messages themselves are loaded only for those found)."""
_BY_IDS = sa.select(Message).where(message.c.id.in_(sa.bindparam("ids", expanding=True)))
_BY_CLIENT_ID = sa.select(Message).where(
    message.c.conversation_id == sa.bindparam("conversation_id"),
    message.c.sender_id == sa.bindparam("sender_id"),
    message.c.client_id == sa.bindparam("client_id"),
)


@asynccontextmanager
async def conflicts_as(message: str) -> AsyncIterator[None]:
    """A concurrent change noticed at flush (a message version that moved since we loaded it,
    or an earlier version another edit stored first) is a conflict (409), not a failure."""
    try:
        yield
    except (StaleDataError, sa.exc.IntegrityError):
        raise ConflictError(message) from None


class SqlAlchemyConversations:
    """Conversations with their participants, in one institution."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(
        self, institution_id: uuid.UUID, conversation_id: uuid.UUID
    ) -> Conversation | None:
        """The conversation with its participants, in one round trip (every message loads it)."""
        params = {"institution_id": institution_id, "conversation_id": conversation_id}
        return (await self.session.scalars(_CONVERSATION, params)).unique().first()

    async def lock_many(
        self, conversation_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, Conversation]:
        """Several conversations with their participants, of any institution (the caller
        checks whose each is), read and locked in one round trip: the rows in the order of
        their ids (as every transaction that locks several does, so none waits on another in a
        circle), each as committed last, on any node. The numbers they hand out (`take_seq`,
        stored by `save_posted`; `next_seq` in a savepoint) are the transaction's until it
        ends."""
        postgresql = self.session.get_bind().dialect.name == "postgresql"
        ids = list(conversation_ids)
        params = {"conversation_ids": ids if postgresql else padded(ids)}
        found = (await self.session.scalars(_LOCKED_CONVERSATIONS[postgresql], params)).unique()
        return {conv.id: conv for conv in found}

    async def find_direct(self, institution_id: uuid.UUID, key: str) -> Conversation | None:
        stmt = sa.select(Conversation).where(
            conversation.c.institution_id == institution_id, conversation.c.direct_key == key
        )
        return (await self.session.scalars(stmt)).first()

    def add(self, conv: Conversation) -> None:
        self.session.add(conv)

    async def next_seq(self, conv: Conversation, at: datetime) -> int:
        """Take the next message number atomically: the row stays locked until commit, so
        concurrent senders on any node are numbered one after the other."""
        seq: int = (
            await self.session.execute(_NEXT_SEQ, {"of_conversation": conv.id, "at": at})
        ).scalar_one()
        set_committed_value(conv, "last_seq", seq)
        set_committed_value(conv, "last_message_at", at)
        return seq

    async def save_cursor(self, conv: Conversation, person_id: uuid.UUID) -> None:
        """Store a read cursor moved in memory, never moving it back."""
        p = conv.participants[person_id]
        await self.session.execute(
            _CURSOR,
            {
                "of_conversation": conv.id,
                "of_person": person_id,
                **{f"new_{name}": getattr(p, name) for name in CURSOR_FIELDS},
            },
        )
        for name in CURSOR_FIELDS:
            set_committed_value(p, name, getattr(p, name))

    async def save_posted(
        self, cursors: Collection[tuple[Conversation, uuid.UUID]], messages: Sequence[Message]
    ) -> None:
        """Store, in one statement (PostgreSQL), what posting `messages` moved in memory:
        each conversation's last number and time (`take_seq`; its row locked since it was
        read, `lock_many`), each sender's read cursor (never moved back, as `save_cursor`),
        and the messages themselves (without files: none is stored here). The messages join
        the session as stored, so their events are collected and the flush leaves them."""
        if any(m.attachments for m in messages):
            raise ValueError("save_posted stores messages without files")
        convs = list({conv.id: conv for conv, _ in cursors}.values())
        participants = [conv.participants[person_id] for conv, person_id in cursors]
        for conv in convs:  # the flush need not write them again
            set_committed_value(conv, "last_seq", conv.last_seq)
            set_committed_value(conv, "last_message_at", conv.last_message_at)
        for p in participants:
            for name in CURSOR_FIELDS:
                set_committed_value(p, name, getattr(p, name))
        params = {
            "conversation_ids": [conv.id for conv in convs],
            "last_seqs": [conv.last_seq for conv in convs],
            "last_message_ats": [conv.last_message_at for conv in convs],
            "of_conversations": [conv.id for conv, _ in cursors],
            "of_persons": [person_id for _, person_id in cursors],
            **{f"{name}s": [getattr(p, name) for p in participants] for name in CURSOR_FIELDS},
            **{f"{name}s": [getattr(m, name) for m in messages] for name in _MESSAGE_FIELDS},
            "conversations": [m.conversation_id for m in messages],
            "bodies": [m.body for m in messages],
            "kinds": [m.kind.value for m in messages],
        }
        await _POSTED.rows(self.session, params)
        for m in messages:
            make_transient_to_detached(m)
            self.session.add(m)


class SqlAlchemyMessages:
    """Messages and their earlier versions."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_client_id(
        self, conversation_id: uuid.UUID, sender_id: uuid.UUID, client_id: str
    ) -> Message | None:
        """The message this sender already posted with this client id (a replay), as stored.

        It is answered as is and never changed, so it leaves the session: a unit of work that
        ends without commit rolls back, which would expire it before the caller reads it.
        """
        params = {
            "conversation_id": conversation_id,
            "sender_id": sender_id,
            "client_id": client_id,
        }
        found = (await self.session.scalars(_BY_CLIENT_ID, params)).first()
        if found is not None:
            self.session.expunge(found)
        return found

    async def by_client_ids(
        self, keys: Collection[tuple[uuid.UUID, uuid.UUID, str]]
    ) -> dict[tuple[uuid.UUID, uuid.UUID, str], Message]:
        """`by_client_id` of several (conversation, sender, client id) at once, in one round
        trip; those never posted are absent."""
        if not keys:
            return {}
        if self.session.get_bind().dialect.name == "postgresql":
            params = {
                "conversation_ids": [conversation_id for conversation_id, _, _ in keys],
                "sender_ids": [sender_id for _, sender_id, _ in keys],
                "client_ids": [client_id for _, _, client_id in keys],
            }
            ids = [row.id for row in await _POSTED_IDS.rows(self.session, params)]
            found: Iterable[Message] = (
                await self.session.scalars(_BY_IDS, {"ids": ids}) if ids else ()
            )
        else:
            found = await self.session.scalars(_BY_CLIENT_IDS, {"keys": padded(list(keys))})
        stored = {(m.conversation_id, m.sender_id, m.client_id): m for m in found}
        for m in stored.values():
            self.session.expunge(m)
        return stored

    async def get(
        self, institution_id: uuid.UUID, conversation_id: uuid.UUID, message_id: uuid.UUID
    ) -> Message | None:
        return await self._one(
            message.c.institution_id == institution_id,
            message.c.conversation_id == conversation_id,
            message.c.id == message_id,
        )

    async def _one(self, *where: sa.ColumnElement[bool]) -> Message | None:
        return (await self.session.scalars(sa.select(Message).where(*where))).first()

    async def add(self, msg: Message) -> None:
        self.session.add(msg)
