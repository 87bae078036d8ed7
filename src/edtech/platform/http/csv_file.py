"""CSV downloads: the one writer behind every route that offers `format=csv` (or a `.csv` path).

Cells are spreadsheet-safe: `None` is an empty cell, and text a spreadsheet would run as a formula
(a leading `=`, `+`, `-`, `@`, tab or carriage return: CSV injection) gets a leading apostrophe;
numbers, and text that reads as one (`-12.50`), are left as they are."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

from fastapi import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")

CSV_CONTENT = {"text/csv": {"schema": {"type": "string"}}}
"""The OpenAPI `content` of a CSV answer."""


def spreadsheet_safe(value: object) -> object:
    """The value as a cell: empty for None, text that would start a formula quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> Response:
    """A UTF-8 CSV attachment named `filename` (`.csv` added): the header, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(h) for h in header])
    writer.writerows([spreadsheet_safe(v) for v in row] for row in rows)
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )
