"""Client frames are validated at the edge; server frames are built once, as JSON text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from edtech.realtime.protocol import (
    ErrorCode,
    FrameError,
    SendFrame,
    SubscribeFrame,
    event_frame,
    parse_client_frame,
    reply_error,
    reply_ok,
)


def test_subscribe_with_since_parses() -> None:
    frame = parse_client_frame(
        '{"op":"subscribe","ref":"1","channel":"user.x","since":{"offset":4,"epoch":"ab"}}'
    )
    assert isinstance(frame, SubscribeFrame)
    assert frame.since is not None
    assert (frame.since.offset, frame.since.epoch) == (4, "ab")


def test_send_needs_a_client_id_and_object_data() -> None:
    frame = parse_client_frame('{"op":"send","channel":"c.d","id":"m1","data":{"a":1}}')
    assert isinstance(frame, SendFrame)
    with pytest.raises(FrameError) as caught:
        parse_client_frame('{"op":"send","ref":"9","channel":"c.d","data":{"a":1}}')
    assert caught.value.code is ErrorCode.BAD_FRAME
    assert caught.value.ref == "9"
    assert "id" in caught.value.message


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("nope", ErrorCode.BAD_JSON),
        ('"a string"', ErrorCode.BAD_JSON),
        ("[" * 30_000, ErrorCode.BAD_JSON),  # too deep for the decoder: an error, not a crash
        ('{"op":"fly"}', ErrorCode.BAD_FRAME),
        ('{"op":"ping","extra":1}', ErrorCode.BAD_FRAME),
        ('{"op":"subscribe","channel":"UPPER.case"}', ErrorCode.BAD_FRAME),
        ('{"op":"subscribe","channel":"a.b","since":{"offset":"x"}}', ErrorCode.BAD_FRAME),
    ],
)
def test_bad_frames_raise_a_coded_error(text: str, code: ErrorCode) -> None:
    with pytest.raises(FrameError) as caught:
        parse_client_frame(text)
    assert caught.value.code is code


def test_replies_carry_the_ref() -> None:
    assert json.loads(reply_ok("7", {"a": 1})) == {
        "op": "reply",
        "ref": "7",
        "ok": True,
        "data": {"a": 1},
    }
    error = json.loads(reply_error("8", ErrorCode.FORBIDDEN, "no"))
    assert error["error"] == {"code": "forbidden", "message": "no"}
    assert error["ok"] is False


def test_event_frame_has_the_contract_fields() -> None:
    ts = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    frame = json.loads(event_frame("user.1", 42, "t.x", {"k": "v"}, ts))
    assert frame == {
        "op": "event",
        "channel": "user.1",
        "offset": 42,
        "type": "t.x",
        "data": {"k": "v"},
        "ts": "2026-01-02T03:04:05+00:00",
    }
