"""The websocket protocol, sans-I/O: client frames parsed and validated, server frames built.

Client frames are JSON text objects with an `op` (ARCHITECTURE §4 and `channels/asyncapi.yaml`);
every frame that fails here gets an error reply with a stable `code`, never a dropped socket —
except where the connection cannot go on, which ends with one of the `CloseCode`s.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

CHANNEL_FIELD = Field(min_length=1, max_length=200, pattern=r"^[a-z0-9_.\-]+$")
REF_FIELD = Field(default=None, max_length=64)


class CloseCode(enum.IntEnum):
    """Why the server closed the socket (RFC 6455 §7.4; 4000–4999 are ours)."""

    NORMAL = 1000
    MESSAGE_TOO_BIG = 1009  # a frame over the limit (sent by the server library itself)
    INTERNAL_ERROR = 1011  # a frame the server failed to send (a fault of ours): resume by offset
    SERVER_RESTART = 1012  # the node is draining: reconnect (to any node) and resume by offset
    AUTH_FAILED = 4001  # no/bad/expired token, or its sign-in ended (logout, revoked, disabled)
    POLICY_VIOLATION = 4008  # too many frames (rate limit) or a binary frame flood
    SLOW_CONSUMER = 4009  # the send queue filled: reconnect and resume by offset


class ErrorCode(enum.StrEnum):
    """Codes of `"ok": false` replies."""

    BAD_JSON = "bad_json"  # not JSON, or not a JSON object
    BAD_FRAME = "bad_frame"  # unknown op, missing or mistyped fields, binary frame
    BAD_CHANNEL = "bad_channel"  # a name no channel type matches
    FORBIDDEN = "forbidden"  # not allowed, or another tenant's channel: indistinguishable
    NOT_SUBSCRIBED = "not_subscribed"
    TOO_MANY_SUBSCRIPTIONS = "too_many_subscriptions"
    NOT_SUPPORTED = "not_supported"  # send/presence on a channel type without them
    RATE_LIMITED = "rate_limited"
    INVALID = "invalid"  # a `send` the use case refused (details in `message`/`problems`)
    CONFLICT = "conflict"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"  # database or broker failure; retry
    AUTH_FAILED = "unauthenticated"


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    ref: str | None = REF_FIELD


class Since(BaseModel):
    """The client's last offset in a channel, and the epoch it belongs to."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    offset: int = Field(ge=0)
    epoch: str = Field(default="", max_length=32)


class SubscribeFrame(_Frame):
    op: Literal["subscribe"]
    channel: str = CHANNEL_FIELD
    since: Since | None = None


class UnsubscribeFrame(_Frame):
    op: Literal["unsubscribe"]
    channel: str = CHANNEL_FIELD


class SendFrame(_Frame):
    op: Literal["send"]
    channel: str = CHANNEL_FIELD
    id: str = Field(min_length=1, max_length=64)
    data: dict[str, Any]


class TypingFrame(_Frame):
    op: Literal["typing"]
    channel: str = CHANNEL_FIELD


class PresenceFrame(_Frame):
    op: Literal["presence"]
    channel: str = CHANNEL_FIELD


class RefreshFrame(_Frame):
    op: Literal["refresh"]
    token: str = Field(min_length=1, max_length=8192)


class PingFrame(_Frame):
    op: Literal["ping"]


ClientFrame = Annotated[
    SubscribeFrame
    | UnsubscribeFrame
    | SendFrame
    | TypingFrame
    | PresenceFrame
    | RefreshFrame
    | PingFrame,
    Field(discriminator="op"),
]
_client_frame: TypeAdapter[ClientFrame] = TypeAdapter(ClientFrame)


class FrameError(Exception):
    """A client frame the server cannot act on; answered with an error reply."""

    def __init__(self, code: ErrorCode, message: str, ref: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref


def parse_client_frame(text: str) -> ClientFrame:
    """Validate one client text frame, or raise `FrameError` saying what is wrong."""
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise FrameError(ErrorCode.BAD_JSON, "Frame is not valid JSON.") from exc
    except RecursionError as exc:  # `[` × 30,000: the decoder gives up, the socket must not
        raise FrameError(ErrorCode.BAD_JSON, "Frame is nested too deeply.") from exc
    if not isinstance(raw, dict):
        raise FrameError(ErrorCode.BAD_JSON, "Frame must be a JSON object.")
    ref = raw.get("ref")
    ref = ref if isinstance(ref, str) and len(ref) <= 64 else None
    try:
        return _client_frame.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "frame"
        raise FrameError(ErrorCode.BAD_FRAME, f"{loc}: {first['msg']}", ref) from exc


# What orjson would write differently from `json`, or `json` refuses, goes to `json` (below).
_AS_JSON = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def json_text(obj: Any) -> str:
    """Compact JSON text, as `json.dumps(obj, separators=(",", ":"), ensure_ascii=False)` writes
    it, only faster: every event frame is written here, one per channel an event lands on (an
    announcement's 10,000 inbox frames), and each event's stored data (`outbox.append`). orjson
    writes it; what orjson refuses — a key that is not a string, an integer past 64 bits, a lone
    surrogate, a mapping that is not a dict — or would write otherwise (a datetime, a
    dataclass) goes to `json`, so such data reads, or fails, as it always did. (A UUID or an
    enum, which `json` refuses, orjson writes as its text or value: event data is made
    JSON-ready before it gets here, `DomainEvent.payload`. A float is the same number, its
    exponent without a leading zero, `1e-7`; NaN and the infinities, not JSON, are `null`.)

    A lone surrogate is written escaped (`\\ud800`, every other non-ASCII character then too):
    the text is sent as UTF-8, which cannot hold one as such — a reply echoing a client's `ref`
    or field name holding one was unsendable, and the socket fell silent without a close."""
    try:
        return orjson.dumps(obj, option=_AS_JSON).decode()
    except orjson.JSONEncodeError:
        text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
        try:
            text.encode()
        except UnicodeEncodeError:
            return json.dumps(obj, separators=(",", ":"))
        return text


def reply_ok(ref: str | None, data: Mapping[str, Any] | None = None) -> str:
    return json_text({"op": "reply", "ref": ref, "ok": True, "data": data or {}})


def reply_error(ref: str | None, code: ErrorCode, message: str, **extra: Any) -> str:
    error: dict[str, Any] = {"code": str(code), "message": message, **extra}
    return json_text({"op": "reply", "ref": ref, "ok": False, "error": error})


def event_frame(
    channel: str, offset: int, type_: str, data: Mapping[str, Any], ts: datetime
) -> str:
    """The `event` frame, encoded once per event and sent as-is to every subscriber."""
    return json_text(
        {
            "op": "event",
            "channel": channel,
            "offset": offset,
            "type": type_,
            "data": data,
            "ts": ts.isoformat(),
        }
    )


@dataclass(frozen=True)
class ChannelEvent:
    """One event on one channel at one offset: what an `event` frame carries."""

    channel: str
    offset: int
    type: str
    data: Mapping[str, Any]


def decode_event(frame: str) -> ChannelEvent:
    """The event of an encoded `event` frame (one of ours: `event_frame` wrote it)."""
    try:
        raw = orjson.loads(frame)
    except orjson.JSONDecodeError:  # a lone surrogate `json` wrote (`json_text`)
        raw = json.loads(frame)
    return ChannelEvent(raw["channel"], raw["offset"], raw["type"], raw["data"])


def signal_frame(channel: str, type_: str, data: Mapping[str, Any]) -> str:
    """An ephemeral signal (typing): no offset, never recovered."""
    return json_text({"op": "signal", "channel": channel, "type": type_, "data": data})


def presence_diff_frame(
    channel: str, joins: Sequence[Mapping[str, Any]], leaves: Sequence[Mapping[str, Any]]
) -> str:
    return json_text({"op": "presence_diff", "channel": channel, "joins": joins, "leaves": leaves})


def unsubscribed_frame(channel: str, code: ErrorCode, message: str) -> str:
    """The server ended a subscription (access withdrawn); no more events of it will come."""
    return json_text(
        {"op": "unsubscribed", "channel": channel, "error": {"code": str(code), "message": message}}
    )


def pong_frame(ref: str | None) -> str:
    return json_text({"op": "pong", "ref": ref})
