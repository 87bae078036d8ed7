"""`channels/asyncapi.yaml` is generated from the registry and must match the code."""

from __future__ import annotations

from pathlib import Path

import pytest
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
    assert schemas["support.RoomPostedData"]["properties"]["n"]["type"] == "integer"
    envelope = room["messages"]["test.room_posted"]["payload"]
    assert envelope["properties"]["data"] == {"$ref": "#/components/schemas/support.RoomPostedData"}
    assert "support.PostIn" in schemas  # the send model
    assert "test-room-id-send" in doc["operations"]
    assert "4009" in doc["info"]["description"]


def test_each_slice_keeps_its_own_models_under_its_own_name() -> None:
    doc = yaml.safe_load(render_default(channel_registrations()))
    schemas = doc["components"]["schemas"]
    board = doc["channels"]["attendance-session-id"]["messages"]
    scan = schemas["attendance.ScanRecordedData"]
    assert board["attendance.scan_recorded"]["payload"]["properties"]["data"] == {
        "$ref": "#/components/schemas/attendance.ScanRecordedData"
    }
    assert scan["properties"]["mark"] == {"$ref": "#/components/schemas/attendance.MarkData"}
    assert "minutes_late" in schemas["attendance.MarkData"]["properties"]
    assert "points" in schemas["grades.MarkData"]["properties"]


def test_the_inbox_lists_every_event_the_slices_route_to_it() -> None:
    doc = yaml.safe_load(render_default(channel_registrations()))
    inbox = doc["channels"]["user-id"]["messages"]
    for event_type in (
        "grades.published",
        "attendance.absence_reported",
        "attendance.excuse_decided",
        "billing.invoice_issued",
        "billing.payment_received",
        "billing.invoice_overdue",
        "chat.message_posted",
        "chat.conversation_started",
        "chat.read",
        "chat.notifications_released",
        "announcement.published",
        "announcement.acknowledged",
    ):
        assert event_type in inbox, event_type
    # an inbox hears of a chat message by its preview, not the message itself
    preview = inbox["chat.message_posted"]["payload"]["properties"]["data"]
    assert preview == {"$ref": "#/components/schemas/communication.MessagePreviewData"}


def test_replies_are_documented_per_op_and_ping_is_answered_by_pong() -> None:
    doc = yaml.safe_load(render_default(channel_registrations()))
    schemas = doc["components"]["schemas"]
    subscribe = doc["operations"]["subscribe"]["reply"]["messages"]
    assert {"$ref": "#/channels/socket/messages/SubscribeReply"} in subscribe
    data = schemas["SubscribeReply"]["properties"]["data"]
    assert set(data["required"]) == {"channel", "epoch", "offset"}
    assert "recovered" in data["properties"]
    ping = doc["operations"]["ping"]["reply"]["messages"]
    assert ping == [{"$ref": "#/channels/socket/messages/Pong"}]
    assert schemas["Pong"]["properties"]["op"] == {"const": "pong"}


def test_a_slice_cannot_describe_an_event_twice_differently() -> None:
    registry = ChannelRegistry()
    channels.register(registry)
    registry.describe("user.{id}", {"test.room_posted": support.RoomPostedData})
    with pytest.raises(ValueError, match="described twice"):
        registry.describe("user.{id}", {"test.room_posted": support.PostIn})
    with pytest.raises(LookupError):
        registry.describe("nowhere.{id}", {"test.room_posted": support.RoomPostedData})
