"""The record package's format: a zip of JSON + CSV per record type, the files, a manifest.

```
manifest.json                 what is inside, with row counts and SHA-256 of every member
data/<record type>.json       the rows, as JSON (ids, dates and amounts as text)
data/<record type>.csv        the same rows as CSV (nested values as JSON in the cell)
files/<category>/<name>       every file kept about the student (notes, receipts, PDFs)
documents/report-card.pdf     the report card rendered for the package
```
"""

from __future__ import annotations

import csv
import enum
import hashlib
import io
import json
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # members carry no wall-clock time: same input, same zip


def plain(value: Any) -> Any:
    """A JSON-able form of a value read from any slice's tables."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(plain(v) for v in value)
    as_data = getattr(value, "as_data", None)
    if callable(as_data):
        return plain(as_data())
    return str(value)


def to_csv(rows: list[dict[str, Any]]) -> str:
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(list(columns))
    for row in rows:
        cells = []
        for column in columns:
            value = row.get(column)
            cells.append(
                json.dumps(value, sort_keys=True)
                if isinstance(value, dict | list)
                else ("" if value is None else str(value))
            )
        writer.writerow(cells)
    return out.getvalue()


@dataclass(frozen=True)
class PackedFile:
    path: str
    category: str
    data: bytes
    sha256: str


def build_zip(
    *,
    student_id: uuid.UUID,
    produced_at: datetime,
    produced_by: uuid.UUID,
    records: dict[str, list[dict[str, Any]]],
    files: list[PackedFile],
) -> bytes:
    buffer = io.BytesIO()
    members: list[dict[str, Any]] = []

    def add(zf: zipfile.ZipFile, path: str, data: bytes) -> str:
        info = zipfile.ZipInfo(path, FIXED_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, data)
        return hashlib.sha256(data).hexdigest()

    with zipfile.ZipFile(buffer, "w") as zf:
        record_types: dict[str, dict[str, Any]] = {}
        for name, rows in sorted(records.items()):
            clean = [plain(r) for r in rows]
            as_json = json.dumps(clean, indent=2, sort_keys=True).encode()
            as_csv = to_csv(clean).encode()
            record_types[name] = {
                "rows": len(clean),
                "json": f"data/{name}.json",
                "csv": f"data/{name}.csv",
            }
            members.append(
                {"path": f"data/{name}.json", "sha256": add(zf, f"data/{name}.json", as_json)}
            )
            members.append(
                {"path": f"data/{name}.csv", "sha256": add(zf, f"data/{name}.csv", as_csv)}
            )
        for f in files:
            members.append(
                {"path": f.path, "category": f.category, "sha256": add(zf, f.path, f.data)}
            )
        manifest = {
            "format": "edtech.record-package/1",
            "student_id": str(student_id),
            "produced_at": produced_at.isoformat(),
            "produced_by": str(produced_by),
            "record_types": record_types,
            "files": [m for m in members if not m["path"].startswith("data/")],
            "members": members,
        }
        add(zf, "manifest.json", json.dumps(manifest, indent=2, sort_keys=True).encode())
    return buffer.getvalue()
