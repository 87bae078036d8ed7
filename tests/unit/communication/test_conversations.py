"""Conversations, messages and read cursors."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from edtech.communication.domain import (
    MAX_BODY,
    Context,
    ContextKind,
    Conversation,
    ConversationKind,
    ConversationRead,
    Message,
    MessageEdited,
    MessagePosted,
    MessageRetracted,
    clean_body,
)
from edtech.kernel.errors import ConflictError, ForbiddenError, InvalidError

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
INST = uuid.uuid4()
A, B = uuid.uuid4(), uuid.uuid4()


def direct() -> Conversation:
    return Conversation.start(
        id=uuid.uuid4(),
        institution_id=INST,
        kind=ConversationKind.DIRECT,
        context=None,
        title=None,
        created_by=A,
        others=[B],
        at=NOW,
    )


def message(conv: Conversation, body: str = "hello", sender: uuid.UUID = A) -> Message:
    return Message.post(
        id=uuid.uuid4(),
        institution_id=INST,
        conversation_id=conv.id,
        seq=conv.take_seq(NOW),
        sender_id=sender,
        client_id=uuid.uuid4().hex,
        body=body,
        at=NOW,
    )


def test_direct_conversation_has_exactly_two_people() -> None:
    with pytest.raises(InvalidError):
        Conversation.start(
            id=uuid.uuid4(),
            institution_id=INST,
            kind=ConversationKind.DIRECT,
            context=None,
            title=None,
            created_by=A,
            others=[B, uuid.uuid4()],
            at=NOW,
        )
    with pytest.raises(InvalidError):
        Conversation.start(
            id=uuid.uuid4(),
            institution_id=INST,
            kind=ConversationKind.DIRECT,
            context=None,
            title=None,
            created_by=A,
            others=[A],
            at=NOW,
        )


def test_direct_key_is_the_same_whoever_starts() -> None:
    ctx = Context(ContextKind.STUDENT, uuid.uuid4())
    one = Conversation.start(
        id=uuid.uuid4(),
        institution_id=INST,
        kind=ConversationKind.DIRECT,
        context=ctx,
        title=None,
        created_by=A,
        others=[B],
        at=NOW,
    )
    two = Conversation.start(
        id=uuid.uuid4(),
        institution_id=INST,
        kind=ConversationKind.DIRECT,
        context=ctx,
        title=None,
        created_by=B,
        others=[A],
        at=NOW,
    )
    assert one.direct_key == two.direct_key
    assert direct().direct_key != one.direct_key


@pytest.mark.parametrize("body", ["", "   \n"])
def test_empty_body_is_refused(body: str) -> None:
    with pytest.raises(InvalidError) as caught:
        clean_body(body)
    assert caught.value.problems[0].loc == ("body",)


def test_oversized_body_names_the_limit() -> None:
    with pytest.raises(InvalidError) as caught:
        clean_body("x" * (MAX_BODY + 1))
    assert str(MAX_BODY) in caught.value.problems[0].message
    assert clean_body("x" * MAX_BODY) == "x" * MAX_BODY


def test_messages_are_numbered_in_order_and_raise_posted() -> None:
    conv = direct()
    first, second = message(conv), message(conv, "again")
    assert (first.seq, second.seq) == (1, 2)
    event = second.pull_events()[0]
    assert isinstance(event, MessagePosted)
    assert event.body == "again"


def test_edit_keeps_earlier_versions() -> None:
    msg = message(direct(), "helo")
    msg.pull_events()
    assert msg.edit(A, "hello", NOW + timedelta(minutes=1))
    assert msg.version == 2
    assert msg.body == "hello"
    assert [(v.version, v.body) for v in msg.earlier] == [(1, "helo")]
    assert isinstance(msg.pull_events()[0], MessageEdited)
    assert not msg.edit(A, "hello", NOW)  # same text: nothing to keep


def test_only_the_sender_edits_or_retracts() -> None:
    msg = message(direct())
    with pytest.raises(ForbiddenError):
        msg.edit(B, "mine now", NOW)
    with pytest.raises(ForbiddenError):
        msg.retract(B, NOW)


def test_retract_leaves_a_tombstone_once() -> None:
    msg = message(direct())
    msg.pull_events()
    assert msg.retract(A, NOW)
    assert not msg.retract(A, NOW)
    assert msg.body == "hello"
    assert msg.is_retracted
    assert [type(e) for e in msg.pull_events()] == [MessageRetracted]
    with pytest.raises(ConflictError):
        msg.edit(A, "changed", NOW)


def test_bad_client_id_is_refused() -> None:
    conv = direct()
    with pytest.raises(InvalidError):
        Message.post(
            id=uuid.uuid4(),
            institution_id=INST,
            conversation_id=conv.id,
            seq=1,
            sender_id=A,
            client_id="has space",
            body="x",
            at=NOW,
        )


def test_read_cursor_moves_forward_only_and_stops_at_last_message() -> None:
    conv = direct()
    conv.pull_events()
    for _ in range(3):
        conv.take_seq(NOW)
    assert conv.read(B, 99, NOW, None)
    assert conv.participants[B].read_seq == 3
    assert not conv.read(B, 2, NOW, None)
    events = conv.pull_events()
    assert len(events) == 1
    assert isinstance(events[0], ConversationRead)


def test_read_in_quiet_hours_is_hidden_until_they_end() -> None:
    conv = direct()
    conv.pull_events()
    conv.take_seq(NOW)
    until = NOW + timedelta(hours=8)
    assert conv.read(B, 1, NOW, until)
    part = conv.participants[B]
    assert part.read_seq == 1
    assert part.visible_read_seq(NOW) == 0
    assert part.visible_read_seq(until) == 1
    assert conv.pull_events() == []


def test_a_held_read_receipt_is_shown_when_quiet_hours_end() -> None:
    conv = direct()
    conv.pull_events()
    conv.take_seq(NOW)
    conv.take_seq(NOW)
    until = NOW + timedelta(hours=1)
    assert conv.read(B, 2, NOW, until)
    assert conv.pull_events() == []
    assert not conv.show_held_read(B, NOW + timedelta(minutes=30))  # still quiet
    assert conv.show_held_read(B, until)
    (event,) = conv.pull_events()
    assert isinstance(event, ConversationRead)
    assert (event.person_id, event.read_seq) == (B, 2)
    assert conv.participants[B].visible_read_seq(until) == 2
    assert not conv.show_held_read(uuid.uuid4(), until)  # not a participant
