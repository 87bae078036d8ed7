"""The SDK's generated channel types, its compiled `dist/` and the pages' copy of the SDK are up
to date, and its types check (the compile-time tests in clients/js/test/types.check.ts)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from edtech.web import sdk_types
from tests.services import REQUIRE_SERVICES


def _tsc() -> str:
    """Node, with the pinned TypeScript compiler (`npm ci` in clients/js); else skip (CI: fail)."""
    node = shutil.which("node")
    if node is None or not sdk_types.TSC.exists():
        reason = "TypeScript is not installed: `npm ci` in clients/js (needs Node.js)"
        if REQUIRE_SERVICES:
            pytest.fail(f"EDTECH_REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)
    return node


def test_generated_types_and_the_pages_sdk_copy_match_their_sources() -> None:
    assert sdk_types.drift() == [], "run `uv run python -m edtech.web.sdk_types`"


def test_the_checked_in_dist_is_the_build_of_the_typescript_source() -> None:
    _tsc()
    assert sdk_types.build_drift() == [], "run `npm run build` in clients/js"


def test_the_sdk_types_hold_what_an_app_writes_and_refuse_what_it_must_not() -> None:
    node = _tsc()
    done = subprocess.run(
        [node, str(sdk_types.TSC), "-p", str(sdk_types.CLIENT / "tsconfig.test.json")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


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


def test_an_openapi_operation_becomes_a_typed_response_entry() -> None:
    document = {
        "paths": {
            "/api/v1/rooms/{room_id}": {
                "get": {
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Page_RoomOut_"}
                                }
                            }
                        }
                    }
                },
                "delete": {"responses": {"204": {"description": "Gone."}}},
            }
        },
        "components": {
            "schemas": {
                "Page_RoomOut_": {
                    "type": "object",
                    "required": ["items"],
                    "properties": {"items": {"type": "array", "items": {"type": "string"}}},
                }
            }
        },
    }
    out = sdk_types.render_api(document)
    assert 'export type Page_RoomOut_ = {\n  "items": Array<string>;\n};' in out
    assert '  "GET /api/v1/rooms/{room_id}": Page_RoomOut_;' in out
    assert '  "DELETE /api/v1/rooms/{room_id}": null;' in out
