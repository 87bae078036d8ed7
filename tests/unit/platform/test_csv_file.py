"""CSV downloads: one writer, spreadsheet-safe cells."""

from __future__ import annotations

import csv
import io
from datetime import date

from edtech.platform.http.csv_file import csv_response, spreadsheet_safe


def test_text_that_would_start_a_formula_is_quoted_numbers_are_not() -> None:
    assert spreadsheet_safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert spreadsheet_safe("+1+2") == "'+1+2"
    assert spreadsheet_safe("-1+2") == "'-1+2"
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("\tx") == "'\tx"
    assert spreadsheet_safe("-12.50") == "-12.50"
    assert spreadsheet_safe("+3") == "+3"
    assert spreadsheet_safe(-4) == -4
    assert spreadsheet_safe(None) == ""
    assert spreadsheet_safe("Ana = top") == "Ana = top"


def test_the_response_is_a_named_utf8_attachment_with_the_header_first() -> None:
    answer = csv_response(
        "report-1",
        ["name", "day", "amount"],
        [["=cmd", date(2026, 9, 1), "-3.00"], ["Zoë", None, 4]],
    )
    assert answer.media_type == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == 'attachment; filename="report-1.csv"'
    body = bytes(answer.body).decode("utf-8")
    assert body.endswith("\r\n")
    assert list(csv.reader(io.StringIO(body))) == [
        ["name", "day", "amount"],
        ["'=cmd", "2026-09-01", "-3.00"],
        ["Zoë", "", "4"],
    ]
