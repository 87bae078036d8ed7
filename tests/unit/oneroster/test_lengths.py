"""The binding's lengths are the roster columns' own: a field it lets through fits its column."""

from __future__ import annotations

import sqlalchemy as sa

from edtech.institutions.infrastructure.tables import (
    academic_session,
    course,
    person,
    school,
    section,
)
from edtech.oneroster.domain.binding import LENGTHS, MAX_GRADE, MAX_SOURCED_ID

COLUMNS: dict[tuple[str, str], sa.Column[str]] = {
    ("orgs", "name"): school.c.name,
    ("academicSessions", "title"): academic_session.c.title,
    ("courses", "courseCode"): course.c.code,
    ("courses", "title"): course.c.title,
    ("classes", "title"): section.c.title,
    ("classes", "classCode"): section.c.code,
    ("classes", "location"): section.c.room,
    ("users", "givenName"): person.c.given_name,
    ("users", "familyName"): person.c.family_name,
    ("users", "preferredGivenName"): person.c.given_name,
    ("users", "preferredFamilyName"): person.c.family_name,
    ("users", "email"): person.c.email,
}


def _length(column: sa.Column[str]) -> int | None:
    return getattr(column.type, "length", None)


def test_every_checked_field_is_as_long_as_its_column() -> None:
    assert set(LENGTHS) == set(COLUMNS)
    assert {k: _length(c) for k, c in COLUMNS.items()} == LENGTHS


def test_sourced_ids_and_grades_are_as_long_as_their_columns() -> None:
    sourced = {_length(t.c.sourced_id) for t in (school, course, section, person)}
    assert sourced == {MAX_SOURCED_ID}
    assert _length(person.c.grade_level) == MAX_GRADE
