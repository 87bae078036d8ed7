"""`channels/asyncapi.yaml` (AsyncAPI 3.0), generated from the channel registry and payload
models: the published contract of `/ws`. `edtech channels export` writes it; a test fails when
the committed file differs from what the code would write."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.json_schema import CoreModeRef, DefsRef, GenerateJsonSchema

from edtech import __version__
from edtech.realtime.protocol import (
    CloseCode,
    ErrorCode,
    PingFrame,
    PresenceFrame,
    RefreshFrame,
    SendFrame,
    SubscribeFrame,
    TypingFrame,
    UnsubscribeFrame,
)
from edtech.realtime.registry import ChannelRegistry, ChannelType, Registrar

REF = "#/components/schemas/{model}"

CLOSE_CODES = {
    CloseCode.NORMAL: "Normal closure.",
    CloseCode.MESSAGE_TOO_BIG: "A frame over the size limit (64 KiB).",
    CloseCode.INTERNAL_ERROR: (
        "The server failed to send a frame (a fault on its side, logged): reconnect and resume "
        "by offset."
    ),
    CloseCode.SERVER_RESTART: "The node is draining: reconnect (any node) and resume by offset.",
    CloseCode.AUTH_FAILED: (
        "No token, a bad token, an access token that expired unrenewed, or a sign-in that "
        "ended (logout, a revoked session, refresh-token reuse, a changed or disabled login, "
        "a person who left): sign in again."
    ),
    CloseCode.POLICY_VIOLATION: "Rate limit exceeded (too many frames).",
    CloseCode.SLOW_CONSUMER: "The send queue filled: reconnect and resume by offset.",
}

PROTOCOL = """\
One multiplexed socket per client: `GET /ws?token=<access token>`, or offer the subprotocols
`edtech.v1` and `bearer.<access token>` (the server selects `edtech.v1`). JSON text frames.
A handshake whose `Origin` is neither the server's own nor listed in `EDTECH_ALLOWED_ORIGINS`
is refused with HTTP 403 before the upgrade; clients that send no `Origin` (apps) are not.
A handshake whose request line (the token in the query included) or one of its header lines
is longer than 8 KiB is refused with HTTP 414 or 431, and the connection closed.

Client ops: subscribe (optional `since: {offset, epoch}`), unsubscribe, send (with a client
`id`: a retry with the same id takes effect once), typing, presence, refresh (a new access
token; otherwise the socket closes with 4001 when the token expires), ping. Every op gets a
`reply` with the op's `ref` (null if it had none): `ok: true` + `data` (per op: see the
operations' `reply`), or `ok: false` + `error {code, message}` — except `ping`, answered by
`{"op": "pong", "ref"}`. The `subscribe` reply's `data` carries the channel's `epoch` and
`offset`: what a later `since` needs, on every channel.

Events carry `channel`, `offset` (gapless, per channel, in commit order), `type`, `data`, `ts`.
Subscribing with `since` returns exactly the missed events before live ones and
`recovered: true`, or `recovered: false` (reload over REST). Delivery is at least once: drop
duplicates by offset. Typing signals and presence diffs carry no offset.

Access is checked at subscribe and again when it may have been withdrawn (a roster change, a
`refresh`): a subscription no longer allowed ends with `{"op": "unsubscribed", "channel",
"error": {"code": "forbidden", …}}`.
"""


class _SliceQualifiedNames(GenerateJsonSchema):
    """Name a slice's models `<slice>.<Class>`: slices pick class names on their own (two have
    a `MarkData`), and one document holds the models of all of them."""

    def get_defs_ref(self, core_mode_ref: CoreModeRef) -> DefsRef:
        defs_ref = super().get_defs_ref(core_mode_ref)
        # Pydantic keeps the first free name of these choices; ours goes first.
        core_ref = core_mode_ref[0].rsplit(":", 1)[0]
        module, _, name = core_ref.rpartition(".")
        self._prioritized_defsref_choices[defs_ref].insert(0, DefsRef(_qualify(module, name)))
        return defs_ref


def _qualify(module: str, name: str) -> str:
    parts = module.split(".")
    if parts[:2] == ["edtech", "realtime"]:
        return name  # the hub's own frames: the socket's vocabulary, one module
    owner = parts[1] if parts[0] == "edtech" and len(parts) > 1 else parts[-1]
    return f"{owner}.{name}"


def schema_key(model: type[BaseModel]) -> str:
    """The key of `model` in `components.schemas`."""
    return _qualify(model.__module__, model.__name__)


def _schema(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template=REF, schema_generator=_SliceQualifiedNames)
    for name, definition in schema.pop("$defs", {}).items():
        schemas[name] = definition
    key = schema_key(model)
    if schemas.get(key, schema) != schema:
        raise ValueError(f"two models are named {key}")
    schemas[key] = schema
    return {"$ref": REF.format(model=key)}


def _event_envelope(channel_type: ChannelType, data_ref: dict[str, str]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["op", "channel", "offset", "type", "data", "ts"],
        "properties": {
            "op": {"const": "event"},
            "channel": {"type": "string", "description": channel_type.pattern},
            "offset": {"type": "integer", "minimum": 1},
            "type": {"type": "string"},
            "data": data_ref,
            "ts": {"type": "string", "format": "date-time"},
        },
    }


def _channel_key(pattern: str) -> str:
    return pattern.replace("{", "").replace("}", "").replace(".", "-")


def _object(
    properties: dict[str, Any], required: list[str], description: str | None = None
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "required": required, "properties": properties}
    if description:
        schema["description"] = description
    return schema


def _reply(data: dict[str, Any], description: str) -> dict[str, Any]:
    return _object(
        {
            "op": {"const": "reply"},
            "ref": {"type": ["string", "null"]},
            "ok": {"const": True},
            "data": data,
        },
        ["op", "ref", "ok", "data"],
        description,
    )


MEMBER = _object(
    {
        "person_id": {"type": "string", "format": "uuid"},
        "name": {"type": "string"},
        "roles": {"type": "array", "items": {"type": "string"}},
    },
    ["person_id", "name"],
)

SERVER_SCHEMAS: dict[str, dict[str, Any]] = {
    "SubscribeReply": _reply(
        _object(
            {
                "channel": {"type": "string"},
                "epoch": {
                    "type": "string",
                    "description": (
                        "The channel's epoch: send it back in `since` with the last offset "
                        "seen. Offsets of different epochs cannot be compared."
                    ),
                },
                "offset": {
                    "type": "integer",
                    "minimum": 0,
                    "description": (
                        "The channel's last offset the subscription starts after (0: none "
                        "yet). Events that follow carry greater offsets."
                    ),
                },
                "recovered": {
                    "type": "boolean",
                    "description": (
                        "Only when subscribing with `since`: true when the missed events "
                        "follow (exactly once each, before live ones); false when the gap "
                        "cannot be filled (reload over REST)."
                    ),
                },
            },
            ["channel", "epoch", "offset"],
        ),
        "`subscribe` succeeded. The source of the `epoch` and `offset` that `since` needs.",
    ),
    "UnsubscribeReply": _reply(
        _object({"channel": {"type": "string"}}, ["channel"]), "`unsubscribe` succeeded."
    ),
    "SendReply": _reply(
        {"type": "object", "description": "What the channel type's `send` answers (see it)."},
        "`send` took effect (or had, for a retried `id`: the first reply again).",
    ),
    "TypingReply": _reply(
        {"type": "object", "maxProperties": 0}, "`typing` was passed on to the others."
    ),
    "PresenceReply": _reply(
        _object(
            {
                "channel": {"type": "string"},
                "count": {"type": "integer", "minimum": 0},
                "members": {
                    "type": "array",
                    "items": MEMBER,
                    "description": "One per person; left out above the presence cap.",
                },
            },
            ["channel", "count"],
        ),
        "Who is in the channel now.",
    ),
    "RefreshReply": _reply(
        _object(
            {
                "expires_at": {
                    "type": ["number", "null"],
                    "description": "When the new access token expires (Unix time, seconds).",
                }
            },
            ["expires_at"],
        ),
        "The socket now runs on the new token.",
    ),
    "ErrorReply": _object(
        {
            "op": {"const": "reply"},
            "ref": {"type": ["string", "null"]},
            "ok": {"const": False},
            "error": _object(
                {
                    "code": {"enum": [str(c) for c in ErrorCode]},
                    "message": {"type": "string"},
                },
                ["code", "message"],
            ),
        },
        ["op", "ref", "ok", "error"],
        "Any op failed. `ref` is null when the frame's own `ref` could not be read.",
    ),
    "Pong": _object(
        {"op": {"const": "pong"}, "ref": {"type": ["string", "null"]}},
        ["op", "ref"],
        "The answer to `ping` (with the ping's `ref`, null if it had none).",
    ),
    "PresenceDiff": _object(
        {
            "op": {"const": "presence_diff"},
            "channel": {"type": "string"},
            "joins": {"type": "array", "items": MEMBER},
            "leaves": {"type": "array", "items": MEMBER},
        },
        ["op", "channel", "joins", "leaves"],
        "People who came and went on a presence channel (coalesced; no offset).",
    ),
    "Signal": _object(
        {
            "op": {"const": "signal"},
            "channel": {"type": "string"},
            "type": {"const": "typing"},
            "data": _object(
                {"person_id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}},
                ["person_id", "name"],
            ),
        },
        ["op", "channel", "type", "data"],
        "An ephemeral signal (someone is typing): no offset, never recovered.",
    ),
    "Unsubscribed": _object(
        {
            "op": {"const": "unsubscribed"},
            "channel": {"type": "string"},
            "error": _object(
                {
                    "code": {"const": str(ErrorCode.FORBIDDEN)},
                    "message": {"type": "string"},
                },
                ["code", "message"],
            ),
        },
        ["op", "channel", "error"],
        "The server ended a subscription: access to the channel was withdrawn (a roster "
        "change, or found at `refresh`). No more events of it come; subscribing again gets "
        "`forbidden` while the access stays withdrawn.",
    ),
}

CLIENT_OPS: dict[str, tuple[type[BaseModel], str]] = {
    "subscribe": (SubscribeFrame, "SubscribeReply"),
    "unsubscribe": (UnsubscribeFrame, "UnsubscribeReply"),
    "send": (SendFrame, "SendReply"),
    "typing": (TypingFrame, "TypingReply"),
    "presence": (PresenceFrame, "PresenceReply"),
    "refresh": (RefreshFrame, "RefreshReply"),
    "ping": (PingFrame, "Pong"),
}
"""Each client op, its frame and its answer (besides `ErrorReply`; `ping` is answered by `pong`)."""

UNSOLICITED = ("PresenceDiff", "Signal", "Unsubscribed")
"""Server frames no client op asks for (events are on their channels)."""


def _socket(schemas: dict[str, Any], messages: dict[str, Any], operations: dict[str, Any]) -> Any:
    for name, schema in SERVER_SCHEMAS.items():
        schemas[name] = schema
        messages[name] = {"name": name, "payload": {"$ref": REF.format(model=name)}}
    for op, (frame, answer) in CLIENT_OPS.items():
        name = frame.__name__
        messages[name] = {"name": name, "payload": _schema(frame, schemas)}
        replies = [answer] if op == "ping" else [answer, "ErrorReply"]
        operations[op] = {
            "action": "receive",
            "channel": {"$ref": "#/channels/socket"},
            "messages": [{"$ref": f"#/channels/socket/messages/{name}"}],
            "reply": {
                "channel": {"$ref": "#/channels/socket"},
                "messages": [{"$ref": f"#/channels/socket/messages/{r}"} for r in replies],
            },
        }
    operations["serverFrames"] = {
        "action": "send",
        "channel": {"$ref": "#/channels/socket"},
        "messages": [{"$ref": f"#/channels/socket/messages/{n}"} for n in UNSOLICITED],
    }
    return {
        "address": "/ws",
        "title": "The socket",
        "description": PROTOCOL,
        "messages": {n: {"$ref": f"#/components/messages/{n}"} for n in messages},
    }


def render(registry: ChannelRegistry) -> str:
    """The AsyncAPI document for every channel type in `registry`, as YAML."""
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    channels["socket"] = _socket(schemas, messages, operations)

    for ct in sorted(registry.types, key=lambda t: t.pattern):
        key = _channel_key(ct.pattern)
        kind = "durable (recoverable from the database)" if ct.durable else "ephemeral"
        params = {
            seg[1:-1]: {"description": "A UUID (canonical, lower case)."}
            for seg in ct.segments
            if seg.startswith("{")
        }
        # Inline: the same event type may carry other data on another channel type (a chat
        # message on its conversation, its preview on an inbox).
        channel_messages = {
            event_type: {
                "name": event_type,
                "title": event_type,
                "payload": _event_envelope(ct, _schema(model, schemas)),
            }
            for event_type, model in sorted(ct.events.items())
        }
        channel: dict[str, Any] = {
            "address": ct.pattern,
            "description": (
                f"{ct.description}\n\n{kind.capitalize()}; hot history {ct.history_size} "
                f"events; presence {'on' if ct.presence else 'off'}; "
                f"send {'accepted' if ct.send else 'not accepted'}."
            ),
            "messages": channel_messages,
        }
        if params:
            channel["parameters"] = params
        channels[key] = channel
        operations[f"{key}-events"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{key}"},
            "messages": [{"$ref": f"#/channels/{key}/messages/{m}"} for m in channel_messages],
        }
        if ct.send_model is not None:
            send_ref = _schema(ct.send_model, schemas)
            operations[f"{key}-send"] = {
                "action": "receive",
                "channel": {"$ref": "#/channels/socket"},
                "summary": f"`send` on {ct.pattern}: `data` is {send_ref['$ref']}.",
                "messages": [{"$ref": "#/channels/socket/messages/SendFrame"}],
            }

    document = {
        "asyncapi": "3.0.0",
        "info": {
            "title": "edtech realtime",
            "version": __version__,
            "description": PROTOCOL
            + "\nClose codes:\n"
            + "".join(f"- {int(c)}: {text}\n" for c, text in CLOSE_CODES.items()),
        },
        "servers": {
            "node": {"host": "localhost:8000", "protocol": "ws", "pathname": "/ws"},
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": dict(sorted(messages.items())),
            "schemas": dict(sorted(schemas.items())),
        },
    }
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def render_default(registrations: Iterable[Callable[[Registrar], None]]) -> str:
    """The document for the channel types the nodes serve: the hub's own and those of the
    slices' `registrations` (the composition root's list, `edtech.slices`)."""
    from edtech.realtime import channels

    registry = ChannelRegistry()
    for register in (channels.register, *registrations):
        register(registry)
    return render(registry)
