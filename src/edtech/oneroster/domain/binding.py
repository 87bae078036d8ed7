"""The OneRoster 1.2 CSV binding: files, exact headers, enumerations, and the row rules.

Pure: text in, records and problems out. It follows the binding exactly — headers in the
spec's order and case, `metadata.*` extension columns only to the right (kept), enumerations
case-sensitive, no carriage return inside a field, no file with a header and no rows,
`status`/`dateLastModified` blank in a bulk file and filled in a delta file. A UTF-8 BOM,
CRLF line endings and RFC 4180 quoting are accepted. Lenient mode accepts named vendor quirks
(an enumeration in the wrong case, such as `Active`) and reports each as a warning.
"""

from __future__ import annotations

import csv
import enum
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

MAX_FIELD = 64 * 1024
"""A field longer than this is refused (a 10 MB field is an attack, not a name)."""


class Mode(enum.StrEnum):
    """What the manifest says of a file: the whole truth, only changes, or not there."""

    BULK = "bulk"
    DELTA = "delta"
    ABSENT = "absent"


HEADERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "orgs": (
        (
            "sourcedId",
            "status",
            "dateLastModified",
            "name",
            "type",
            "identifier",
            "parentSourcedId",
        ),
    ),
    "academicSessions": (
        (
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "type",
            "startDate",
            "endDate",
            "parentSourcedId",
            "schoolYear",
        ),
    ),
    "courses": (
        (
            "sourcedId",
            "status",
            "dateLastModified",
            "schoolYearSourcedId",
            "title",
            "courseCode",
            "grades",
            "orgSourcedId",
            "subjects",
            "subjectCodes",
        ),
    ),
    "classes": (
        (
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "grades",
            "courseSourcedId",
            "classCode",
            "classType",
            "location",
            "schoolSourcedId",
            "termSourcedIds",
            "subjects",
            "subjectCodes",
            "periods",
        ),
    ),
    "users": (
        (  # 1.2: roles are in roles.csv
            "sourcedId",
            "status",
            "dateLastModified",
            "enabledUser",
            "username",
            "userIds",
            "givenName",
            "familyName",
            "middleName",
            "identifier",
            "email",
            "sms",
            "phone",
            "agentSourcedIds",
            "grades",
            "password",
            "userMasterIdentifier",
            "resourceSourcedIds",
            "preferredGivenName",
            "preferredMiddleName",
            "preferredFamilyName",
            "primaryOrgSourcedId",
            "pronouns",
        ),
        (  # 1.1 style: one role and the orgs on the user row
            "sourcedId",
            "status",
            "dateLastModified",
            "enabledUser",
            "orgSourcedIds",
            "role",
            "username",
            "userIds",
            "givenName",
            "familyName",
            "middleName",
            "identifier",
            "email",
            "sms",
            "phone",
            "agentSourcedIds",
            "grades",
            "password",
        ),
    ),
    "roles": (
        (
            "sourcedId",
            "status",
            "dateLastModified",
            "userSourcedId",
            "roleType",
            "role",
            "beginDate",
            "endDate",
            "orgSourcedId",
            "userProfileSourcedId",
        ),
    ),
    "enrollments": (
        (
            "sourcedId",
            "status",
            "dateLastModified",
            "classSourcedId",
            "schoolSourcedId",
            "userSourcedId",
            "role",
            "primary",
            "beginDate",
            "endDate",
        ),
    ),
    "demographics": (
        (
            "sourcedId",
            "status",
            "dateLastModified",
            "birthDate",
            "sex",
            "americanIndianOrAlaskaNative",
            "asian",
            "blackOrAfricanAmerican",
            "nativeHawaiianOrOtherPacificIslander",
            "white",
            "demographicRaceTwoOrMoreRaces",
            "hispanicOrLatinoEthnicity",
            "countryOfBirthCode",
            "stateOfBirthAbbreviation",
            "cityOfBirth",
            "publicSchoolResidenceStatus",
        ),
    ),
}
"""Each file's header, in the spec's order (users.csv also in its 1.1 shape)."""

FILES = tuple(HEADERS)
"""The files this binding reads, in the order they are applied (references point backwards)."""

REQUIRED: dict[str, tuple[str, ...]] = {
    "orgs": ("sourcedId", "name", "type"),
    "academicSessions": ("sourcedId", "title", "type", "startDate", "endDate", "schoolYear"),
    "courses": ("sourcedId", "title", "orgSourcedId"),
    "classes": (
        "sourcedId",
        "title",
        "courseSourcedId",
        "classType",
        "schoolSourcedId",
        "termSourcedIds",
    ),
    "users": ("sourcedId", "enabledUser", "username", "givenName", "familyName"),
    "roles": ("sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId"),
    "enrollments": ("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"),
    "demographics": ("sourcedId",),
}

ENUMS: dict[tuple[str, str], frozenset[str]] = {
    ("orgs", "type"): frozenset({"department", "school", "district", "local", "state", "national"}),
    ("academicSessions", "type"): frozenset({"gradingPeriod", "semester", "schoolYear", "term"}),
    ("classes", "classType"): frozenset({"homeroom", "scheduled"}),
    ("users", "enabledUser"): frozenset({"true", "false"}),
    ("users", "role"): frozenset(
        {
            "administrator",
            "aide",
            "guardian",
            "parent",
            "proctor",
            "relative",
            "student",
            "teacher",
        }
    ),
    ("roles", "roleType"): frozenset({"primary", "secondary"}),
    ("roles", "role"): frozenset(
        {
            "aide",
            "counselor",
            "districtAdministrator",
            "guardian",
            "parent",
            "principal",
            "proctor",
            "relative",
            "siteAdministrator",
            "student",
            "systemAdministrator",
            "teacher",
        }
    ),
    ("enrollments", "role"): frozenset({"administrator", "aide", "proctor", "student", "teacher"}),
    ("enrollments", "primary"): frozenset({"true", "false"}),
}
STATUSES = frozenset({"active", "tobedeleted"})
DATES: dict[str, tuple[str, ...]] = {
    "academicSessions": ("startDate", "endDate"),
    "roles": ("beginDate", "endDate"),
    "enrollments": ("beginDate", "endDate"),
    "demographics": ("birthDate",),
}
_YEAR = re.compile(r"^[0-9]{4}$")
LENGTHS: dict[tuple[str, str], int] = {
    ("orgs", "name"): 200,
    ("academicSessions", "title"): 200,
    ("courses", "courseCode"): 64,
    ("courses", "title"): 200,
    ("classes", "title"): 200,
    ("classes", "classCode"): 64,
    ("classes", "location"): 64,
    ("users", "givenName"): 100,
    ("users", "familyName"): 100,
    ("users", "preferredGivenName"): 100,
    ("users", "preferredFamilyName"): 100,
    ("users", "email"): 254,
}
"""The longest value the roster's column for a field holds (schools, sessions, courses,
sections, people); a longer one is its line's problem, not a failed write."""
MAX_SOURCED_ID = 255
MAX_GRADE = 16
"""The longest grade in `users.grades` (the first is the person's grade level)."""


@dataclass(frozen=True)
class Problem:
    """Where something is wrong (file, line — 1 is the header —, column) and what."""

    file: str
    line: int
    column: str | None
    message: str

    def loc(self) -> tuple[str | int, ...]:
        where: tuple[str | int, ...] = (f"{self.file}.csv", self.line)
        return (*where, self.column) if self.column else where


class Record:
    """One data row: its sourcedId, status ('active' or 'tobedeleted') and every column.

    Compact: the columns' values are a tuple read through the file's header (one mapping of
    column → position shared by every row of a file), not a dict per row — a package holds
    a hundred thousand rows."""

    __slots__ = ("_fields", "_index", "file", "line", "sourced_id", "status")

    def __init__(
        self,
        file: str,
        line: int,
        sourced_id: str,
        status: str,
        values: Mapping[str, str],
        *,
        index: Mapping[str, int] | None = None,
    ) -> None:
        self.file, self.line, self.sourced_id, self.status = file, line, sourced_id, status
        if index is None or len(index) != len(values):
            index = {k: i for i, k in enumerate(values)}
        self._index = index
        self._fields = tuple(values.values())

    @property
    def values(self) -> dict[str, str]:
        return dict(zip(self._index, self._fields, strict=True))

    def get(self, column: str) -> str:
        i = self._index.get(column)
        return "" if i is None else self._fields[i]

    def content(self) -> dict[str, str]:
        """The row without its sync columns: what a bulk and a delta row compare on."""
        return {
            k: v
            for k, v in zip(self._index, self._fields, strict=True)
            if k not in ("status", "dateLastModified")
        }

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Record):
            return NotImplemented
        return (self.file, self.line, self.sourced_id, self.status, self.values) == (
            other.file,
            other.line,
            other.sourced_id,
            other.status,
            other.values,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Record(file={self.file!r}, line={self.line}, sourced_id={self.sourced_id!r}, "
            f"status={self.status!r}, values={self.values!r})"
        )


@dataclass
class Parsed:
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def parse_manifest(text: str) -> tuple[dict[str, str], list[Problem]]:
    """`propertyName,value` pairs; the 1.2 manifest says each file's mode."""
    problems: list[Problem] = []
    props: dict[str, str] = {}
    rows = list(csv.reader(io.StringIO(_strip_bom(text), newline="")))
    if not rows or rows[0] != ["propertyName", "value"]:
        problems.append(Problem("manifest", 1, None, "the header must be 'propertyName,value'"))
        return props, problems
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != 2:
            problems.append(Problem("manifest", n, None, "a row has exactly two fields"))
            continue
        props[row[0]] = row[1]
    return props, problems


def manifest_modes(props: dict[str, str]) -> tuple[dict[str, Mode], list[Problem]]:
    modes: dict[str, Mode] = {}
    problems: list[Problem] = []
    if props.get("oneroster.version") not in ("1.2", "1.1"):
        problems.append(
            Problem("manifest", 1, "oneroster.version", "must be 1.2 (or 1.1 for users.csv)")
        )
    for name in FILES:
        raw = props.get(f"file.{name}", "absent")
        try:
            modes[name] = Mode(raw)
        except ValueError:
            problems.append(
                Problem("manifest", 1, f"file.{name}", f"{raw!r} is not bulk, delta or absent")
            )
    return modes, problems


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def _rows(text: str) -> Iterator[list[str]]:
    csv.field_size_limit(MAX_FIELD + 1)
    yield from csv.reader(io.StringIO(_strip_bom(text), newline=""), strict=True)


def _check_header(name: str, header: list[str], parsed: Parsed) -> tuple[str, ...] | None:
    """The spec's columns in order, then only `metadata.*` extension columns."""
    for expected in HEADERS[name]:
        if tuple(header[: len(expected)]) == expected:
            extra = header[len(expected) :]
            bad = [c for c in extra if not c.startswith("metadata.")]
            if bad:
                parsed.problems.append(
                    Problem(name, 1, bad[0], "only metadata.* columns may follow the spec's")
                )
                return None
            return tuple(header)
    want = HEADERS[name][0]
    for i, column in enumerate(want):
        got = header[i] if i < len(header) else None
        if got != column:
            if got is not None and got.lower() == column.lower():
                msg = f"column {i + 1} must be {column!r} (headers are case-sensitive)"
            else:
                msg = f"column {i + 1} must be {column!r}, found {got!r}"
            parsed.problems.append(Problem(name, 1, column, msg))
            return None
    return None


SHARED_UP_TO = 24
"""A file's field values up to this long are kept once per distinct value (the same school,
class, role or date on thousands of rows), not once per row."""


def parse_file(name: str, text: str, mode: Mode, *, lenient: bool = False) -> Parsed:
    """Parse one file's text; every broken rule becomes a problem naming line and column."""
    parsed = Parsed()
    try:
        rows = _rows(text)
        header_row = next(rows, None)
        if header_row is None:
            parsed.problems.append(Problem(name, 1, None, "the file is empty (no header)"))
            return parsed
        header = _check_header(name, header_row, parsed)
        if header is None:
            return parsed
        index: dict[str, int] | None = {c: i for i, c in enumerate(header)}
        if index is not None and len(index) != len(header):  # a column twice: per row
            index = None
        shared: dict[str, str] = {}
        line = 1
        for row in rows:
            line += 1
            row = [shared.setdefault(v, v) if len(v) <= SHARED_UP_TO else v for v in row]
            _parse_row(name, header, row, line, mode, lenient, parsed, index)
    except csv.Error as exc:
        parsed.problems.append(
            Problem(name, line + 1 if "line" in locals() else 1, None, f"not valid CSV: {exc}")
        )
        return parsed
    if line == 1:
        parsed.problems.append(Problem(name, 1, None, "a file in the package has no data rows"))
    return parsed


def _parse_row(
    name: str,
    header: tuple[str, ...],
    row: list[str],
    line: int,
    mode: Mode,
    lenient: bool,
    parsed: Parsed,
    index: Mapping[str, int] | None = None,
) -> None:
    """`index`: the header's columns by position (shared by the file's records)."""
    if len(row) != len(header):
        parsed.problems.append(
            Problem(name, line, None, f"{len(row)} fields, the header has {len(header)}")
        )
        return
    values = dict(zip(header, row, strict=True))
    before = len(parsed.problems)
    for column, value in values.items():
        if "\r" in value:
            parsed.problems.append(
                Problem(name, line, column, "a carriage return is not allowed inside a field")
            )
        if "\x00" in value:  # PostgreSQL stores none: its insert failed, attempt after attempt
            parsed.problems.append(Problem(name, line, column, "a NUL character (U+0000)"))
        limit = MAX_SOURCED_ID if column == "sourcedId" else LENGTHS.get((name, column))
        if len(value) > MAX_FIELD:
            parsed.problems.append(Problem(name, line, column, "the field is too long"))
            values[column] = ""
        elif limit is not None and len(value) > limit:
            parsed.problems.append(Problem(name, line, column, f"at most {limit} characters"))
    if name == "users" and any(len(g) > MAX_GRADE for g in split_list(values.get("grades", ""))):
        parsed.problems.append(
            Problem(name, line, "grades", f"each grade at most {MAX_GRADE} characters")
        )
    for column in REQUIRED[name]:
        if column in values and not values[column].strip():
            parsed.problems.append(Problem(name, line, column, "required"))
    status = values["status"]
    if mode is Mode.BULK:
        for column in ("status", "dateLastModified"):
            if values[column]:
                parsed.problems.append(Problem(name, line, column, "must be blank in a bulk file"))
        status = "active"
    else:
        status = _enum(name, line, "status", status, STATUSES, lenient, parsed)
        values["status"] = status
        if not values["dateLastModified"]:
            parsed.problems.append(
                Problem(name, line, "dateLastModified", "required in a delta file")
            )
        elif _datetime(values["dateLastModified"]) is None:
            parsed.problems.append(
                Problem(name, line, "dateLastModified", "must be an ISO 8601 date-time")
            )
    for (file, column), allowed in ENUMS.items():
        if file == name and column in values and values[column]:
            values[column] = _enum(name, line, column, values[column], allowed, lenient, parsed)
    for column in DATES.get(name, ()):
        if values.get(column) and parse_date(values[column]) is None:
            parsed.problems.append(Problem(name, line, column, "must be a date YYYY-MM-DD"))
    if (
        name == "academicSessions"
        and values["schoolYear"]
        and not _YEAR.fullmatch(values["schoolYear"])
    ):
        parsed.problems.append(Problem(name, line, "schoolYear", "must be a year such as 2027"))
    if len(parsed.problems) == before:
        parsed.records.append(Record(name, line, values["sourcedId"], status, values, index=index))


def _enum(
    name: str,
    line: int,
    column: str,
    value: str,
    allowed: frozenset[str],
    lenient: bool,
    parsed: Parsed,
) -> str:
    if value in allowed:
        return value
    fixed = next((a for a in allowed if a.lower() == value.lower()), None)
    if fixed is not None and lenient:
        parsed.warnings.append(
            Problem(name, line, column, f"{value!r} read as {fixed!r} (lenient: wrong case)")
        )
        return fixed
    hint = f"; did you mean {fixed!r}? (enumerations are case-sensitive)" if fixed else ""
    parsed.problems.append(
        Problem(name, line, column, f"{value!r} is not one of {', '.join(sorted(allowed))}{hint}")
    )
    return value


def parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _datetime(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def split_list(value: str) -> list[str]:
    """A list field: comma-separated values inside one (quoted) field."""
    return [v.strip() for v in value.split(",") if v.strip()]
