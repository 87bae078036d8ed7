"""Requests built from the OpenAPI document alone: path templates filled from a pool of ids by
parameter name, and the smallest body the operation's schema accepts.

The authorization suites iterate the published document, so a new endpoint is probed without
anyone writing a test for it; a path parameter nobody can fill fails the suite with a message
saying which pool to extend.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

PARAM = re.compile(r"{([^}]+)}")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: Mapping[str, Any]

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.path)

    def fill(self, ids: Mapping[str, str]) -> str:
        missing = [p for p in self.params if p not in ids]
        if missing:
            raise LookupError(
                f"{self.key}: no id for path parameter(s) {missing}; add them to the pool"
                " in tests/authz (a new kind of resource needs a target)"
            )
        return PARAM.sub(lambda m: ids[m.group(1)], self.path)


def operations(document: Mapping[str, Any], prefix: str = "/api/") -> Iterator[Operation]:
    for path, item in document["paths"].items():
        if not path.startswith(prefix):
            continue
        for method, spec in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield Operation(method.upper(), path, spec)


class Bodies:
    """The smallest valid JSON body of an operation, with every id field taken from `ids`."""

    def __init__(self, document: Mapping[str, Any], ids: Mapping[str, str]) -> None:
        self.schemas = document.get("components", {}).get("schemas", {})
        self.ids = ids

    def of(self, op: Operation) -> tuple[str, Any] | None:
        """(content type, body) or None when the operation takes no body."""
        content = op.spec.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            return "json", self.value(content["application/json"]["schema"], "body")
        if "application/x-www-form-urlencoded" in content:
            form = self.value(content["application/x-www-form-urlencoded"]["schema"], "body")
            return "data", {k: str(v) for k, v in form.items()}
        if "multipart/form-data" in content:  # an upload: a file every upload route accepts
            return "files", {"file": ("note.pdf", b"%PDF-1.4\n%probe\n", "application/pdf")}
        return None

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def value(self, schema: Mapping[str, Any], name: str) -> Any:
        schema = self._resolve(schema)
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [o for o in schema[key] if self._resolve(o).get("type") != "null"]
                return self.value(options[0], name) if options else None
        if "allOf" in schema:
            return self.value(schema["allOf"][0], name)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return schema["enum"][0]
        if "default" in schema and schema["default"] is not None:
            return schema["default"]
        if schema.get("examples"):  # e.g. wall-clock times: a pattern, no format
            return schema["examples"][0]
        kind = schema.get("type")
        fmt = schema.get("format", "")
        if kind == "object" or "properties" in schema:
            props = schema.get("properties", {})
            return {
                field: self.value(props[field], field)
                for field in schema.get("required", [])
                if field in props
            }
        if kind == "array":
            return [self.value(schema.get("items", {}), name)] * max(schema.get("minItems", 1), 1)
        if kind == "integer":
            return max(schema.get("minimum", 1), 1)
        if kind == "number":
            return max(schema.get("minimum", 1), 1)
        if kind == "boolean":
            return True
        if fmt == "uuid" or name.endswith("_id"):
            return self.ids.get(name.removesuffix("s"), str(uuid.uuid4()))
        if fmt == "date":
            return date.today().isoformat()
        if fmt == "date-time":
            return datetime.now(UTC).isoformat()
        if fmt == "email":
            return f"probe-{uuid.uuid4().hex[:8]}@example.org"
        if fmt == "time":
            return "08:00:00Z"
        return "x" * max(schema.get("minLength", 1), 1)
