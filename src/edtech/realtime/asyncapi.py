"""`channels/asyncapi.yaml` (AsyncAPI 3.0), generated from the channel registry and payload
models: the published contract of `/ws`. `edtech channels export` writes it; a test fails when
the committed file differs from what the code would write."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import yaml
from pydantic import BaseModel

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
    CloseCode.SERVER_RESTART: "The node is draining: reconnect (any node) and resume by offset.",
    CloseCode.AUTH_FAILED: "No token, a bad token, or an access token that expired unrenewed.",
    CloseCode.POLICY_VIOLATION: "Rate limit exceeded (too many frames).",
    CloseCode.SLOW_CONSUMER: "The send queue filled: reconnect and resume by offset.",
}

PROTOCOL = """\
One multiplexed socket per client: `GET /ws?token=<access token>`, or offer the subprotocols
`edtech.v1` and `bearer.<access token>` (the server selects `edtech.v1`). JSON text frames.

Client ops: subscribe (optional `since: {offset, epoch}`), unsubscribe, send (with a client
`id`: a retry with the same id takes effect once), typing, presence, refresh (a new access
token; otherwise the socket closes with 4001 when the token expires), ping. Every op with a
`ref` gets a `reply` with the same `ref`: `ok: true` + `data`, or `ok: false` + `error {code,
message}`.

Events carry `channel`, `offset` (gapless, per channel, in commit order), `type`, `data`, `ts`.
Subscribing with `since` returns exactly the missed events before live ones and
`recovered: true`, or `recovered: false` (reload over REST). Delivery is at least once: drop
duplicates by offset. Typing signals and presence diffs carry no offset.

Access is checked at subscribe and again when it may have been withdrawn (a roster change, a
`refresh`): a subscription no longer allowed ends with `{"op": "unsubscribed", "channel",
"error": {"code": "forbidden", …}}`.
"""


def _schema(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template=REF)
    for name, definition in schema.pop("$defs", {}).items():
        schemas[name] = definition
    schemas[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}


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


def render(registry: ChannelRegistry) -> str:
    """The AsyncAPI document for every channel type in `registry`, as YAML."""
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}

    client_refs = []
    for frame in (
        SubscribeFrame,
        UnsubscribeFrame,
        SendFrame,
        TypingFrame,
        PresenceFrame,
        RefreshFrame,
        PingFrame,
    ):
        name = frame.__name__
        messages[name] = {"name": name, "payload": _schema(frame, schemas)}
        client_refs.append({"$ref": f"#/channels/socket/messages/{name}"})
    schemas["Reply"] = {
        "type": "object",
        "required": ["op", "ref", "ok"],
        "properties": {
            "op": {"const": "reply"},
            "ref": {"type": ["string", "null"]},
            "ok": {"type": "boolean"},
            "data": {"type": "object"},
            "error": {
                "type": "object",
                "properties": {
                    "code": {"enum": [str(c) for c in ErrorCode]},
                    "message": {"type": "string"},
                },
            },
        },
    }
    for name, op in (("Pong", "pong"), ("PresenceDiff", "presence_diff"), ("Signal", "signal")):
        schemas[name] = {"type": "object", "properties": {"op": {"const": op}}}
    schemas["Unsubscribed"] = {
        "type": "object",
        "description": (
            "The server ended a subscription: access to the channel was withdrawn (a roster "
            "change, or found at `refresh`). No more events of it come; subscribing again "
            "gets `forbidden` while the access stays withdrawn."
        ),
        "required": ["op", "channel", "error"],
        "properties": {
            "op": {"const": "unsubscribed"},
            "channel": {"type": "string"},
            "error": {
                "type": "object",
                "properties": {
                    "code": {"const": str(ErrorCode.FORBIDDEN)},
                    "message": {"type": "string"},
                },
            },
        },
    }
    server_names = ["Reply", "Pong", "PresenceDiff", "Signal", "Unsubscribed"]
    for name in server_names:
        messages[name] = {"name": name, "payload": {"$ref": REF.format(model=name)}}
    channels["socket"] = {
        "address": "/ws",
        "title": "The socket",
        "description": PROTOCOL,
        "messages": {
            n: {"$ref": f"#/components/messages/{n}"}
            for n in [*(r["$ref"].rsplit("/", 1)[1] for r in client_refs), *server_names]
        },
    }
    operations["clientOps"] = {
        "action": "receive",
        "channel": {"$ref": "#/channels/socket"},
        "messages": client_refs,
    }
    operations["serverFrames"] = {
        "action": "send",
        "channel": {"$ref": "#/channels/socket"},
        "messages": [{"$ref": f"#/channels/socket/messages/{n}"} for n in server_names],
    }

    for ct in sorted(registry.types, key=lambda t: t.pattern):
        key = _channel_key(ct.pattern)
        kind = "durable (recoverable from the database)" if ct.durable else "ephemeral"
        params = {
            seg[1:-1]: {"description": "A UUID (canonical, lower case)."}
            for seg in ct.segments
            if seg.startswith("{")
        }
        channel_messages: dict[str, Any] = {}
        for event_type, model in sorted(ct.events.items()):
            message_name = f"{event_type}"
            envelope = _event_envelope(ct, _schema(model, schemas))
            schemas[f"{model.__name__}Event"] = envelope
            messages[message_name] = {
                "name": event_type,
                "title": event_type,
                "payload": {"$ref": REF.format(model=f"{model.__name__}Event")},
            }
            channel_messages[event_type] = {"$ref": f"#/components/messages/{message_name}"}
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
            operations[f"{key}-send"] = {
                "action": "receive",
                "channel": {"$ref": "#/channels/socket"},
                "summary": f"`send` on {ct.pattern}: `data` is {ct.send_model.__name__}.",
                "messages": [{"$ref": "#/channels/socket/messages/SendFrame"}],
            }
            _schema(ct.send_model, schemas)

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
