"""Client frames are validated at the edge; server frames are built once, as JSON text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from edtech.realtime.protocol import (
    ChannelEvent,
    ErrorCode,
    FrameError,
    SendFrame,
    SubscribeFrame,
    decode_event,
    event_frame,
    json_text,
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


# What the standard library writes, compactly: the text every frame had before orjson wrote it.
def _stdlib(obj: object) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize(
    "obj",
    [
        {"title": "Bulletin — école d'été 🎒", "body": 'Line\nwith "quotes" and \\ \u2028'},
        {"n": 0, "big": 2**63 - 1, "neg": -17, "f": 0.1, "half": 87.5, "t": True, "none": None},
        {"nested": [{"a": [1, [2, [3]]]}, [], {}], "tuple": (1, "two")},
        {"control": "\u0000\u001f\u007f", "empty": ""},
    ],
)
def test_json_text_writes_what_the_standard_library_writes(obj: object) -> None:
    assert json_text(obj) == _stdlib(obj)


@pytest.mark.parametrize(
    "obj",
    [
        {1: "a key that is not a string"},
        {"beyond 64 bits": 2**64},
    ],
)
def test_what_orjson_refuses_is_written_by_the_standard_library(obj: object) -> None:
    assert json_text(obj) == _stdlib(obj)


@pytest.mark.parametrize("obj", [{"lone surrogate": "\ud800 é"}, {"\udfff": ["x", "\ud83d"]}])
def test_a_lone_surrogate_is_written_escaped_so_the_text_can_be_sent(obj: object) -> None:
    text = json_text(obj)
    text.encode()  # UTF-8, as a websocket text frame is sent: `_stdlib(obj)` cannot be
    assert json.loads(text) == obj


def test_a_float_reads_back_as_the_same_number() -> None:
    numbers = [1e16, 1e-7, 123456789.123, -0.0, 1.5e300, 5e-324]
    assert json.loads(json_text({"f": numbers}))["f"] == numbers


@pytest.mark.parametrize(
    "value", [datetime(2026, 1, 2, tzinfo=UTC), ChannelEvent("c", 1, "t", {}), {1, 2}]
)
def test_a_datetime_a_dataclass_or_a_set_still_fails(value: object) -> None:
    with pytest.raises(TypeError):
        json_text({"v": value})


def test_an_event_frame_reads_back_as_its_event_even_with_a_lone_surrogate() -> None:
    ts = datetime(2026, 1, 2, tzinfo=UTC)
    for data in ({"k": "v", "é": ["🎒"]}, {"k": "\ud800"}):
        event = decode_event(event_frame("user.1", 3, "t.x", data, ts))
        assert (event.channel, event.offset, event.type, event.data) == ("user.1", 3, "t.x", data)
