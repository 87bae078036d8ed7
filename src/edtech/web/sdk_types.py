"""TypeScript types of every channel's events and every /ws frame, generated from
`channels/asyncapi.yaml`; of the REST API, from its OpenAPI document; and the pages' copy of
the built SDK.

    uv run python -m edtech.web.sdk_types          # writes clients/js/src/channels.ts and api.ts,
                                                   # compiles dist/ (after `npm ci` in clients/js)
                                                   # and copies dist/edtech.js to the pages
    uv run python -m edtech.web.sdk_types --check  # fails when the types or the copy drifted

The client SDK is TypeScript (`clients/js/src/edtech.ts`, importing these types); `npm run build`
in `clients/js` compiles it to `clients/js/dist/` (JavaScript and declarations, checked in). The
pages serve a byte-identical copy of `dist/edtech.js` (`static/js/edtech.js`). Unit tests run the
check, and compile the source afresh to compare with `dist/` (`build_drift`), so CI fails on drift.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
CONTRACT = ROOT / "channels" / "asyncapi.yaml"
CLIENT = ROOT / "clients" / "js"
TYPES = CLIENT / "src" / "channels.ts"
API_TYPES = CLIENT / "src" / "api.ts"
DIST = CLIENT / "dist"
SDK = DIST / "edtech.js"
SDK_COPY = Path(__file__).parent / "static" / "js" / "edtech.js"
TSC = CLIENT / "node_modules" / ".bin" / "tsc"
"""The TypeScript compiler `npm ci` installs in clients/js (the version package-lock.json pins)."""

HEADER = (
    "// Generated from channels/asyncapi.yaml by `uv run python -m edtech.web.sdk_types`.\n"
    "// Do not edit: CI fails when this file and the contract differ.\n"
)


def type_name(schema_name: str) -> str:
    """`attendance.MarkData` -> `AttendanceMarkData`; `Page_SessionOut_` stays an identifier."""
    name = "".join(part[:1].upper() + part[1:] for part in schema_name.split("."))
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


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
    if "allOf" in schema:
        return " & ".join(dict.fromkeys(f"({ts_type(s)})" for s in schema["allOf"]))
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
    out.append(
        "/** An `event` frame of a channel of pattern `P`: a union discriminated by `type`, so\n"
        ' * `if (frame.type === "attendance.scan_recorded")` narrows `frame.data`. */'
    )
    out.append(
        "export type EventFrame<P extends ChannelPattern = ChannelPattern> = {\n"
        "  [K in P]: {\n"
        "    [T in keyof ChannelEvents[K] & string]: {\n"
        '      op: "event";\n'
        "      channel: string;\n"
        "      offset: number;\n"
        "      type: T;\n"
        "      data: ChannelEvents[K][T];\n"
        "      ts: string;\n"
        "    };\n"
        "  }[keyof ChannelEvents[K] & string];\n"
        "}[P];\n"
    )
    return "\n".join(out)


API_HEADER = (
    "// Generated from the REST API's OpenAPI document by\n"
    "// `uv run python -m edtech.web.sdk_types`.\n"
    "// Do not edit: CI fails when this file and the API differ.\n"
)
METHODS = ("get", "post", "put", "patch", "delete")


def render_api(document: dict[str, Any]) -> str:
    """The REST types of `document` (an OpenAPI 3.1 document): every component schema, and
    `Responses`, each operation's success body by `"METHOD /path"` (`null` when it has none)."""
    out = [API_HEADER]
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    for name in sorted(schemas):
        schema = schemas[name]
        doc = schema.get("description")
        if doc:
            out.append("/** " + " ".join(str(doc).split()).replace("*/", "* /") + " */")
        out.append(f"export type {type_name(name)} = {ts_type(schema)};\n")
    out.append('/** Each operation\'s success body, by "METHOD /path" (null: no body). */')
    out.append("export interface Responses {")
    for path in sorted(document.get("paths", {})):
        item = document["paths"][path]
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            out.append(f'  "{method.upper()} {path}": {_success(operation)};')
    out.append("}\n")
    return "\n".join(out)


def _success(operation: dict[str, Any]) -> str:
    responses: dict[str, Any] = operation.get("responses", {})
    for code in sorted(c for c in responses if c.startswith("2")):
        content = responses[code].get("content") or {}
        body = content.get("application/json")
        if body is None:
            return "null" if code == "204" or not content else "unknown"
        return ts_type(body.get("schema", {}))
    return "unknown"


def openapi_document() -> dict[str, Any]:
    """The document every node serves at `/openapi.json`, built without a database (the
    composition root, imported here only: the pages themselves use no slice)."""
    from edtech.app import create_app
    from edtech.settings import Settings

    settings = Settings(database_url="sqlite+aiosqlite://", secret_key="sdk-types-" + "x" * 32)
    document: dict[str, Any] = json.loads(json.dumps(create_app(settings).openapi()))
    return document


def drift() -> list[str]:
    """What is out of date: the generated types, the pages' copy of the SDK."""
    problems = []
    contract = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    if not TYPES.exists() or TYPES.read_text(encoding="utf-8") != render(contract):
        problems.append(f"{TYPES.relative_to(ROOT)} differs from channels/asyncapi.yaml")
    if not API_TYPES.exists() or API_TYPES.read_text(encoding="utf-8") != render_api(
        openapi_document()
    ):
        problems.append(f"{API_TYPES.relative_to(ROOT)} differs from the OpenAPI document")
    if not SDK_COPY.exists() or SDK_COPY.read_bytes() != SDK.read_bytes():
        problems.append(f"{SDK_COPY.relative_to(ROOT)} differs from {SDK.relative_to(ROOT)}")
    return problems


def build_drift(tsc: Path = TSC) -> list[str]:
    """The files of `dist/` that differ from compiling `src/` afresh with `tsc` (into a temporary
    folder): a source change without `npm run build` shows here. Needs `npm ci` in clients/js."""
    node = shutil.which("node")
    if node is None or not tsc.exists():
        raise FileNotFoundError(f"{tsc} (run `npm ci` in clients/js; Node.js is needed)")
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(  # noqa: S603 - the repository's own compiler on its own source
            [node, str(tsc), "-p", str(CLIENT), "--outDir", out],
            check=True,
            capture_output=True,
            timeout=120,
        )
        built = {p.relative_to(out).as_posix(): p.read_bytes() for p in Path(out).rglob("*.*")}
    kept = {p.relative_to(DIST).as_posix(): p.read_bytes() for p in DIST.rglob("*.*")}
    return sorted(
        f"clients/js/dist/{name}"
        for name in built.keys() | kept.keys()
        if built.get(name) != kept.get(name)
    )


def main(argv: list[str]) -> int:
    if "--check" in argv:
        problems = drift()
        for problem in problems:
            print(f"{problem}: run `uv run python -m edtech.web.sdk_types`")
        return 1 if problems else 0
    contract = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    TYPES.write_text(render(contract), encoding="utf-8")
    API_TYPES.write_text(render_api(openapi_document()), encoding="utf-8")
    written = [TYPES, API_TYPES]
    node = shutil.which("node")
    if node is not None and TSC.exists():  # rebuild dist/ from the fresh types (npm run build)
        subprocess.run(  # noqa: S603 - the repository's own compiler on its own source
            [node, str(TSC), "-p", str(CLIENT)], check=True, timeout=120
        )
        written.append(DIST)
    else:
        print(f"{TSC} missing: run `npm ci` then `npm run build` in clients/js")
    SDK_COPY.write_bytes(SDK.read_bytes())
    written.append(SDK_COPY)
    print("wrote " + ", ".join(str(p.relative_to(ROOT)) for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
