"""Marks: teacher vs official code, versions, lock rules, closing, excusing, history."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from edtech.attendance.domain import (
    Category,
    CodeBook,
    Editor,
    Mark,
    Source,
    StaleMarkError,
    default_codes,
)
from edtech.kernel.errors import ForbiddenError, InvalidError

NOW = datetime(2026, 3, 2, 13, 10, tzinfo=UTC)
INSTITUTION = uuid.uuid4()
BOOK = CodeBook(default_codes(INSTITUTION))
TEACHER = uuid.uuid4()
OFFICER = uuid.uuid4()


def mark() -> Mark:
    return Mark(
        id=uuid.uuid4(),
        institution_id=INSTITUTION,
        session_id=uuid.uuid4(),
        student_id=uuid.uuid4(),
    )


def test_an_arrival_marks_an_unmarked_student_once() -> None:
    m = mark()
    change = m.arrive(
        BOOK.system(Category.TARDY),
        at=NOW,
        minutes_late=10,
        source=Source.SCAN,
        actor_id=uuid.uuid4(),
        now=NOW,
    )
    assert change is not None
    assert change.before["official_code"] is None
    assert (m.official_code, m.category, m.minutes_late, m.version) == ("T", Category.TARDY, 10, 1)
    again = m.arrive(
        BOOK.system(Category.PRESENT),
        at=NOW,
        minutes_late=0,
        source=Source.SCAN,
        actor_id=uuid.uuid4(),
        now=NOW,
    )
    assert again is None
    assert m.version == 1
    assert [e.type for e in m.pull_events()] == ["attendance.scan_recorded"]


def test_a_stale_version_is_refused_with_the_current_one() -> None:
    m = mark()
    m.edit(BOOK.usable("P"), editor=Editor.TEACHER, actor_id=TEACHER, now=NOW, expected_version=0)
    with pytest.raises(StaleMarkError) as err:
        m.edit(
            BOOK.usable("A"), editor=Editor.TEACHER, actor_id=TEACHER, now=NOW, expected_version=0
        )
    assert err.value.extra["current_version"] == 1


def test_the_office_override_survives_later_teacher_marks() -> None:
    m = mark()
    m.edit(BOOK.usable("A"), editor=Editor.TEACHER, actor_id=TEACHER, now=NOW)
    m.edit(BOOK.usable("E"), editor=Editor.OFFICE, actor_id=OFFICER, now=NOW, reason="note")
    change = m.edit(BOOK.usable("P"), editor=Editor.TEACHER, actor_id=TEACHER, now=NOW)
    assert (m.teacher_code, m.official_code, m.category, m.source) == (
        "P",
        "E",
        Category.EXCUSED_ABSENCE,
        Source.OFFICE,
    )
    assert change is not None
    assert change.after["teacher_code"] == "P"


def test_an_edit_that_changes_nothing_is_not_history() -> None:
    m = mark()
    m.edit(BOOK.usable("P"), editor=Editor.TEACHER, actor_id=TEACHER, now=NOW)
    assert m.edit(BOOK.usable("P"), editor=Editor.TEACHER, actor_id=TEACHER, now=NOW) is None
    assert m.version == 1


def test_after_lock_only_the_office_with_a_reason() -> None:
    m = mark()
    with pytest.raises(ForbiddenError):
        m.edit(BOOK.usable("P"), editor=Editor.TEACHER, actor_id=TEACHER, now=NOW, locked=True)
    with pytest.raises(InvalidError):
        m.edit(
            BOOK.usable("P"),
            editor=Editor.OFFICE,
            actor_id=OFFICER,
            now=NOW,
            locked=True,
            reason=" ",
        )
    change = m.edit(
        BOOK.usable("P"),
        editor=Editor.OFFICE,
        actor_id=OFFICER,
        now=NOW,
        locked=True,
        reason="trip",
    )
    assert change is not None
    assert change.reason == "trip"


def test_closing_marks_only_the_unmarked_absent_and_excusing_only_unexcused_absences() -> None:
    unmarked, present = mark(), mark()
    present.edit(BOOK.usable("P"), editor=Editor.TEACHER, actor_id=TEACHER, now=NOW)
    assert present.close_unmarked(BOOK.system(Category.ABSENT), now=NOW) is None
    change = unmarked.close_unmarked(BOOK.system(Category.ABSENT), now=NOW)
    assert change is not None
    assert (unmarked.official_code, unmarked.source) == ("A", Source.AUTO)
    excused = unmarked.excuse(
        BOOK.system(Category.EXCUSED_ABSENCE), now=NOW, actor_id=OFFICER, reason="note 1"
    )
    assert excused is not None
    assert excused.before["official_code"] == "A"
    assert unmarked.official_code == "E"
    assert (
        present.excuse(BOOK.system(Category.EXCUSED_ABSENCE), now=NOW, actor_id=OFFICER, reason="x")
        is None
    )


def test_code_book_knows_its_system_codes_and_refuses_unknown_or_inactive_ones() -> None:
    assert BOOK.system(Category.TARDY).code == "T"
    assert BOOK.system(Category.ABSENT).ed_fi_category == "Unexcused Absence"
    with pytest.raises(InvalidError):
        BOOK.usable("ZZ")
    codes = default_codes(INSTITUTION)
    codes[4].change(is_active=None, name="Left early")
    assert codes[4].name == "Left early"
    assert [c.code for c in CodeBook(codes).all()] == ["A", "E", "ED", "P", "T"]


def test_minutes_late_may_not_be_negative() -> None:
    with pytest.raises(InvalidError):
        mark().edit(
            BOOK.usable("T"), editor=Editor.TEACHER, actor_id=TEACHER, now=NOW, minutes_late=-1
        )


def test_history_carries_before_and_after() -> None:
    m = mark()
    first = m.edit(
        BOOK.usable("T"),
        editor=Editor.TEACHER,
        actor_id=TEACHER,
        now=NOW,
        minutes_late=4,
        arrived_at=NOW - timedelta(minutes=1),
    )
    assert first is not None
    assert first.before["version"] == 0
    assert first.after["version"] == 1
    assert first.after["arrived_at"] == (NOW - timedelta(minutes=1)).isoformat()
