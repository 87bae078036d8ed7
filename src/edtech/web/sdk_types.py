"""TypeScript types of every channel's events, generated from `channels/asyncapi.yaml`.

    uv run python -m edtech.web.sdk_types          # writes clients/js/src/channels.d.ts
    uv run python -m edtech.web.sdk_types --check  # fails when it or the pages' SDK copy drifted

The client SDK (`clients/js/src/edtech.js`) is plain JavaScript; these declarations type what it
hands an app. The pages serve a byte-identical copy of the SDK (`static/js/edtech.js`): the
check fails when the two differ, and a unit test runs the check, so CI fails on drift.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
CONTRACT = ROOT / "channels" / "asyncapi.yaml"
TYPES = ROOT / "clients" / "js" / "src" / "channels.d.ts"
SDK = ROOT / "clients" / "js" / "src" / "edtech.js"
SDK_COPY = Path(__file__).parent / "static" / "js" / "edtech.js"

HEADER = (
    "// Generated from channels/asyncapi.yaml by `uv run python -m edtech.web.sdk_types`.\n"
    "// Do not edit: CI fails when this file and the contract differ.\n"
)


def type_name(schema_name: str) -> str:
    """`attendance.MarkData` -> `AttendanceMarkData`."""
    return "".join(part[:1].upper() + part[1:] for part in schema_name.split("."))


def ts_type(schema: dict[str, Any]) -> str:
    """The TypeScript type of one JSON schema (the subset the contract uses)."""
    if "$ref" in schema:
        return type_name(schema["$ref"].rsplit("/", 1)[1])
    if "const" in schema:
        return _literal(schema["const"])
    if "enum" in schema:
        return " | ".join(_literal(v) for v in schema["enum"])
    if "anyOf" in schema or "oneOf" in schema:
        options = schema.get("anyOf") or schema["oneOf"]
        return " | ".join(dict.fromkeys(ts_type(s) for s in options))
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(ts_type({**schema, "type": k}) for k in kind)
    if kind == "string":
        return "string"
    if kind in ("integer", "number"):
        return "number"
    if kind == "boolean":
        return "boolean"
    if kind == "null":
        return "null"
    if kind == "array":
        item = ts_type(schema.get("items", {}))
        return f"Array<{item}>"
    if kind == "object" or "properties" in schema:
        return _object(schema)
    return "unknown"


def _literal(value: object) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if value is None:
        return "null"
    return str(value).lower() if isinstance(value, bool) else str(value)


def _object(schema: dict[str, Any], indent: str = "") -> str:
    props: dict[str, Any] = schema.get("properties", {})
    if not props:
        return "Record<string, unknown>"
    required = set(schema.get("required", []))
    lines = ["{"]
    for name, sub in props.items():
        optional = "" if name in required else "?"
        lines.append(f'{indent}  "{name}"{optional}: {ts_type(sub)};')
    lines.append(indent + "}")
    return "\n".join(lines)


def render(contract: dict[str, Any]) -> str:
    """The declarations file for `contract` (the parsed AsyncAPI document)."""
    out = [HEADER]
    schemas: dict[str, Any] = contract["components"]["schemas"]
    for name in sorted(schemas):
        schema = schemas[name]
        doc = schema.get("description")
        if doc:
            out.append("/** " + " ".join(str(doc).split()).replace("*/", "* /") + " */")
        out.append(f"export type {type_name(name)} = {ts_type(schema)};\n")
    out.append("/** Every channel pattern, each with its event types and their `data`. */")
    out.append("export interface ChannelEvents {")
    for channel in sorted(contract["channels"].values(), key=lambda c: c["address"]):
        address = channel["address"]
        if address == "/ws":
            continue
        out.append(f'  "{address}": {{')
        for event_type, message in sorted(channel.get("messages", {}).items()):
            data = message["payload"]["properties"]["data"]
            out.append(f'    "{event_type}": {ts_type(data)};')
        out.append("  };")
    out.append("}\n")
    out.append("export type ChannelPattern = keyof ChannelEvents;\n")
    out.append("/** An `event` frame of channel pattern `P` and event type `T`. */")
    out.append(
        "export interface EventFrame<\n"
        "  P extends ChannelPattern = ChannelPattern,\n"
        "  T extends keyof ChannelEvents[P] = keyof ChannelEvents[P],\n"
        "> {\n"
        '  op: "event";\n'
        "  channel: string;\n"
        "  offset: number;\n"
        "  type: T;\n"
        "  data: ChannelEvents[P][T];\n"
        "  ts: string;\n"
        "}\n"
    )
    return "\n".join(out)


def drift() -> list[str]:
    """What is out of date: the generated types, the pages' copy of the SDK."""
    problems = []
    contract = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    if not TYPES.exists() or TYPES.read_text(encoding="utf-8") != render(contract):
        problems.append(f"{TYPES.relative_to(ROOT)} differs from channels/asyncapi.yaml")
    if not SDK_COPY.exists() or SDK_COPY.read_bytes() != SDK.read_bytes():
        problems.append(f"{SDK_COPY.relative_to(ROOT)} differs from {SDK.relative_to(ROOT)}")
    return problems


def main(argv: list[str]) -> int:
    if "--check" in argv:
        problems = drift()
        for problem in problems:
            print(f"{problem}: run `uv run python -m edtech.web.sdk_types`")
        return 1 if problems else 0
    contract = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    TYPES.write_text(render(contract), encoding="utf-8")
    SDK_COPY.write_bytes(SDK.read_bytes())
    print(f"wrote {TYPES.relative_to(ROOT)} and {SDK_COPY.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
