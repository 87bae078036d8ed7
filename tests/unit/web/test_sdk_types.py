"""The SDK's generated channel types and the pages' copy of the SDK are up to date."""

from __future__ import annotations

from edtech.web import sdk_types


def test_generated_types_and_the_pages_sdk_copy_match_their_sources() -> None:
    assert sdk_types.drift() == [], "run `uv run python -m edtech.web.sdk_types`"


def test_an_event_type_of_the_contract_becomes_a_typed_entry() -> None:
    contract = {
        "channels": {
            "room": {
                "address": "room.{id}",
                "messages": {
                    "room.posted": {
                        "payload": {"properties": {"data": {"$ref": "#/x/room.PostedData"}}}
                    }
                },
            }
        },
        "components": {
            "schemas": {
                "room.PostedData": {
                    "type": "object",
                    "required": ["n"],
                    "properties": {
                        "n": {"type": "integer"},
                        "text": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                        "tags": {"type": "array", "items": {"enum": ["a", "b"]}},
                    },
                }
            }
        },
    }
    out = sdk_types.render(contract)
    assert 'export type RoomPostedData = {\n  "n": number;\n  "text"?: string | null;\n' in out
    assert '"tags"?: Array<"a" | "b">;' in out
    assert '"room.{id}": {\n    "room.posted": RoomPostedData;\n  };' in out
