"""Every frame the suite's websocket clients receive is checked against `channels/asyncapi.yaml`.

A pytest plugin (see `tests/conftest.py`): for each test it wraps the websockets client's
`send` and `recv`, so whatever helper a test uses, each received frame is validated — an
event against its channel's message (an event type the channel does not list fails), a reply
against the reply of the op the client sent with that `ref`, other frames against theirs. A
violation fails the `recv` that got it and, should a test swallow that, the test's teardown.

The test channel types of `tests.integration.realtime.support` and of the chaos suite's node are
not part of the product's contract; frames on them are checked against the same generator's
document of those types.
"""

from __future__ import annotations

import functools
import json
import re
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from websockets.asyncio.client import ClientConnection

from edtech.realtime.protocol import FrameError, parse_client_frame

CONTRACT = Path(__file__).resolve().parents[2] / "channels" / "asyncapi.yaml"


class ContractViolation(AssertionError):
    """A frame the server sent that the contract does not describe."""


class Contract:
    """The documents frames are checked against, and what a client sent by `ref`."""

    def __init__(self, documents: list[dict[str, Any]]) -> None:
        registry: Registry = Registry()
        self.channels: list[tuple[re.Pattern[str], str, str, dict[str, Any]]] = []
        self.replies: dict[str, list[str]] = {}
        for n, document in enumerate(documents):
            uri = f"urn:contract:{n}"
            resource = Resource.from_contents(document, default_specification=DRAFT202012)
            registry = registry.with_resource(uri, resource)
            for key, channel in document["channels"].items():
                if key == "socket":
                    continue
                pattern = r"\.".join(
                    "[0-9a-f-]{36}" if part.startswith("{") else re.escape(part)
                    for part in channel["address"].split(".")
                )
                self.channels.append((re.compile(f"^{pattern}$"), uri, key, channel))
            if n == 0:
                for op, operation in document["operations"].items():
                    if "reply" in operation:
                        self.replies[op] = [
                            f"{uri}#/components/schemas/{m['$ref'].rsplit('/', 1)[1]}"
                            for m in operation["reply"]["messages"]
                        ]
        self.any_reply = sorted({ref for refs in self.replies.values() for ref in refs})
        self.registry = registry
        self.sent: weakref.WeakKeyDictionary[ClientConnection, dict[str, str]] = (
            weakref.WeakKeyDictionary()
        )

    def check(self, schema_refs: list[str], frame: dict[str, Any]) -> None:
        errors = []
        for ref in schema_refs:
            validator = jsonschema.Draft202012Validator(
                {"$ref": ref},
                registry=self.registry,
                format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
            )
            error = jsonschema.exceptions.best_match(validator.iter_errors(frame))
            if error is None:
                return
            errors.append(f"{ref.rsplit('/', 1)[1]}: {error.message} at {list(error.path)}")
        raise ContractViolation(f"frame breaks the contract: {frame}\n  " + "\n  ".join(errors))

    def received(self, ws: ClientConnection, text: str) -> None:
        try:
            frame = json.loads(text)
        except ValueError as exc:
            raise ContractViolation(f"frame is not JSON: {text[:200]!r}") from exc
        if not isinstance(frame, dict):
            raise ContractViolation(f"frame is not an object: {text[:200]!r}")
        op = frame.get("op")
        if op == "event":
            self.check([self._event(frame)], frame)
        elif op in ("reply", "pong"):
            sent = self.sent.get(ws, {})
            ref = frame.get("ref")
            asked = sent.get(ref) if isinstance(ref, str) else None
            self.check(self.replies[asked] if asked else self.any_reply, frame)
        elif op in ("presence_diff", "signal", "unsubscribed"):
            name = {"presence_diff": "PresenceDiff", "signal": "Signal"}.get(op, "Unsubscribed")
            self.check([f"urn:contract:0#/components/schemas/{name}"], frame)
        else:
            raise ContractViolation(f"frame of an op the contract does not know: {frame}")

    def _event(self, frame: dict[str, Any]) -> str:
        channel, type_ = frame.get("channel"), frame.get("type")
        matched = [
            (uri, key, declared)
            for pattern, uri, key, declared in self.channels
            if isinstance(channel, str) and pattern.match(channel)
        ]
        for uri, key, declared in matched:
            if type_ in declared["messages"]:
                return f"{uri}#/channels/{key}/messages/{type_}/payload"
        if matched:
            raise ContractViolation(
                f"event type {type_!r} is not listed on channel {matched[0][2]['address']}"
            )
        raise ContractViolation(f"event on a channel the contract does not declare: {channel!r}")

    def sending(self, ws: ClientConnection, message: Any) -> None:
        """Remember which op each `ref` asked for, to check the reply against that op's."""
        if not isinstance(message, str):
            return
        try:
            frame = json.loads(message)
        except (ValueError, RecursionError):  # a bad frame on purpose: it asks for no op
            return
        if isinstance(frame, dict) and isinstance(frame.get("ref"), str):
            refs = self.sent.setdefault(ws, {})
            try:
                refs[frame["ref"]] = parse_client_frame(message).op
            except FrameError:
                refs.pop(frame["ref"], None)  # a bad frame: any error reply will do


@functools.cache
def contract() -> Contract:
    from edtech.realtime import channels
    from edtech.realtime.asyncapi import render
    from edtech.realtime.registry import ChannelRegistry
    from tests.e2e.chaos import node as chaos
    from tests.integration.realtime import support

    test_types = ChannelRegistry()
    channels.register(test_types)
    support.register(test_types)
    chaos.register(test_types)
    return Contract([yaml.safe_load(CONTRACT.read_text()), yaml.safe_load(render(test_types))])


@pytest.fixture(autouse=True)
def frames_follow_the_contract(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Check every frame the test's websocket clients receive; fail the test on a violation."""
    checked = contract()
    violations: list[ContractViolation] = []
    recv, send = ClientConnection.recv, ClientConnection.send

    async def checked_recv(self: ClientConnection, *args: Any, **kwargs: Any) -> Any:
        message = await recv(self, *args, **kwargs)
        text = message.decode() if isinstance(message, bytes) else message
        try:
            checked.received(self, text)
        except ContractViolation as exc:
            violations.append(exc)
            raise
        return message

    async def checked_send(self: ClientConnection, message: Any, *args: Any, **kw: Any) -> None:
        checked.sending(self, message)
        await send(self, message, *args, **kw)

    monkeypatch.setattr(ClientConnection, "recv", checked_recv)
    monkeypatch.setattr(ClientConnection, "send", checked_send)
    yield
    if violations:
        raise violations[0]
