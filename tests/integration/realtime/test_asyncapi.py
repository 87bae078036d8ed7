"""`channels/asyncapi.yaml` is generated from the registry and must match the code."""

from __future__ import annotations

from pathlib import Path

import yaml

from edtech.realtime import channels
from edtech.realtime.asyncapi import render, render_default
from edtech.realtime.registry import ChannelRegistry
from edtech.slices import channel_registrations
from tests.integration.realtime import support

CONTRACT = Path(__file__).resolve().parents[3] / "channels" / "asyncapi.yaml"


def test_committed_contract_matches_the_code() -> None:
    assert CONTRACT.read_text() == render_default(channel_registrations()), (
        "channels/asyncapi.yaml is stale: run `uv run edtech channels export`"
    )


def test_document_describes_channel_types_and_their_payloads() -> None:
    registry = ChannelRegistry()
    channels.register(registry)
    support.register(registry)
    doc = yaml.safe_load(render(registry))
    assert doc["asyncapi"] == "3.0.0"
    room = doc["channels"]["test-room-id"]
    assert room["address"] == "test.room.{id}"
    assert "Durable" in room["description"]
    assert "id" in room["parameters"]
    assert "Ephemeral" in doc["channels"]["test-flash-id"]["description"]
    assert doc["channels"]["user-id"]["address"] == "user.{id}"
    schemas = doc["components"]["schemas"]
    assert schemas["RoomPostedData"]["properties"]["n"]["type"] == "integer"
    envelope = schemas["RoomPostedDataEvent"]
    assert envelope["properties"]["data"] == {"$ref": "#/components/schemas/RoomPostedData"}
    assert "PostIn" in schemas  # the send model
    assert "test-room-id-send" in doc["operations"]
    assert "4009" in doc["info"]["description"]
