"""Attendance letters: what a school writes to a family when a student is chronically absent.

The institution sets the letter's title and text (or keeps the default below); the text names
values in braces — `{student}`, `{days_absent}`… — filled from the student's attendance
measures when the letter is rendered. A template naming anything else is refused when it is
set (422, naming the allowed ones); a value that is missing when the letter is rendered prints
as an explicit blank, never an error.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass

from edtech.kernel.errors import FieldProblem, InvalidError

BLANK = "(not given)"
MAX_TITLE = 200
MAX_BODY = 10_000

PLACEHOLDERS: dict[str, str] = {
    "student": "the student's name",
    "school": "the institution's name",
    "date": "the letter's date (the school's day)",
    "from": "the first day of the period",
    "to": "the last day of the period",
    "days_enrolled": "school days the student was expected",
    "days_absent": "days missed (half days count half)",
    "days_attended": "days attended",
    "attendance_percent": "days attended, as a percentage of days enrolled",
    "absences_excused": "periods missed with an approved excuse",
    "absences_unexcused": "periods missed without one",
    "chronic_percent": "the share of days missed that makes absence chronic",
}

DEFAULT_TITLE = "Attendance letter"
DEFAULT_BODY = (
    "Dear parent or guardian of {student},\n\n"
    "Our records show that {student} has missed {days_absent} of {days_enrolled} school days "
    "between {from} and {to} (attendance {attendance_percent} %). Missing {chronic_percent} % "
    "or more of school days, for any reason, is chronic absence, and it affects learning.\n\n"
    "Of the periods missed, {absences_excused} were excused and {absences_unexcused} were not. "
    "Please contact the school office so that we can help {student} attend every day.\n\n"
    "{school}, {date}"
)


@dataclass(frozen=True)
class LetterTemplate:
    title: str
    body: str


DEFAULT_TEMPLATE = LetterTemplate(DEFAULT_TITLE, DEFAULT_BODY)


def check_template(title: str, body: str) -> LetterTemplate:
    """A template whose every placeholder is known, within the limits."""
    problems: list[FieldProblem] = []
    for field, text, limit in (("title", title, MAX_TITLE), ("body", body, MAX_BODY)):
        if not text.strip():
            problems.append(FieldProblem((field,), "must not be empty"))
            continue
        if len(text) > limit:
            problems.append(FieldProblem((field,), f"at most {limit} characters", "too_long"))
            continue
        try:
            names = [
                name for _, name, spec, conv in string.Formatter().parse(text) if name is not None
            ]
        except ValueError as exc:
            problems.append(FieldProblem((field,), f"unbalanced braces ({exc})"))
            continue
        unknown = sorted({n for n in names if n not in PLACEHOLDERS})
        if unknown:
            allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            problems.append(FieldProblem((field,), f"unknown {', '.join(unknown)}; use {allowed}"))
    if problems:
        raise InvalidError("invalid letter template", problems)
    return LetterTemplate(title.strip(), body.strip())


class _Blanks(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return BLANK


def fill(text: str, values: Mapping[str, object]) -> str:
    """The text with its placeholders filled; a missing or empty value is an explicit blank."""
    known = _Blanks({k: BLANK if v is None or v == "" else str(v) for k, v in values.items()})
    try:
        return string.Formatter().vformat(text, (), known)
    except (ValueError, IndexError, KeyError, AttributeError):
        return text  # a template set before a rule changed: printed as written
