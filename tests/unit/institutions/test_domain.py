"""Roster rules in the domain, without I/O."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time

import pytest

from edtech.institutions.domain import (
    AcademicSession,
    Enrollment,
    EnrollmentRole,
    GuardianLink,
    Institution,
    MeetingTime,
    RoleAssignment,
    School,
    Section,
    SessionKind,
    Weekday,
    is_active,
)
from edtech.kernel.errors import ConflictError, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Role

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
INST = uuid.uuid4()


def problem_fields(exc: InvalidError) -> set[str]:
    return {".".join(str(p) for p in problem.loc) for problem in exc.problems}


def test_assignment_holds_from_begin_until_the_day_before_its_end() -> None:
    assert is_active(date(2026, 9, 1), None, date(2026, 9, 1))
    assert is_active(date(2026, 9, 1), date(2026, 9, 10), date(2026, 9, 9))
    assert not is_active(date(2026, 9, 1), date(2026, 9, 10), date(2026, 9, 10))
    assert not is_active(date(2026, 9, 1), None, date(2026, 8, 31))


def test_institution_refuses_unknown_zone_bad_locale_and_currency_naming_each() -> None:
    with pytest.raises(InvalidError) as info:
        Institution(
            id=new_id(),
            slug="x",
            name="X",
            timezone="Mars/Olympus",
            locale="english",
            currency="usd",
            created_at=NOW,
        )
    assert problem_fields(info.value) == {"timezone", "locale", "currency"}


def test_institution_accepts_iana_zone_bcp47_locale_and_iso4217_currency() -> None:
    inst = Institution(
        id=new_id(),
        slug="x",
        name="X",
        timezone="Asia/Tokyo",
        locale="ja-JP",
        currency="JPY",
        created_at=NOW,
    )
    assert inst.currency == "JPY"


def test_school_zone_falls_back_to_the_institution() -> None:
    school = School(id=new_id(), institution_id=INST, name="North")
    assert school.zone("Europe/Berlin") == "Europe/Berlin"
    school.timezone = "America/Chicago"
    assert school.zone("Europe/Berlin") == "America/Chicago"


def _session(kind: SessionKind, start: date, end: date, **kw: object) -> AcademicSession:
    return AcademicSession(
        id=new_id(), institution_id=INST, kind=kind, title="t", starts_on=start, ends_on=end, **kw
    )  # type: ignore[arg-type]


def test_session_cannot_end_before_it_starts() -> None:
    with pytest.raises(InvalidError) as info:
        _session(SessionKind.SCHOOL_YEAR, date(2026, 9, 1), date(2026, 8, 1))
    assert problem_fields(info.value) == {"ends_on"}


def test_term_needs_a_school_year_that_covers_it() -> None:
    year = _session(SessionKind.SCHOOL_YEAR, date(2026, 8, 1), date(2027, 7, 31))
    with pytest.raises(InvalidError):
        _session(SessionKind.TERM, date(2026, 8, 1), date(2026, 12, 31))  # no parent
    term = _session(SessionKind.TERM, date(2026, 8, 1), date(2026, 12, 31), parent_id=year.id)
    term.check_parent(year)
    late = _session(SessionKind.TERM, date(2027, 6, 1), date(2027, 8, 31), parent_id=year.id)
    with pytest.raises(InvalidError) as info:
        late.check_parent(year)
    assert problem_fields(info.value) == {"starts_on"}
    with pytest.raises(InvalidError):
        _session(
            SessionKind.GRADING_PERIOD, date(2026, 8, 1), date(2026, 9, 1), parent_id=year.id
        ).check_parent(year)


def test_grading_period_closes_on_its_end_by_default_and_locks_after() -> None:
    period = _session(
        SessionKind.GRADING_PERIOD, date(2026, 8, 1), date(2026, 10, 1), parent_id=new_id()
    )
    assert period.closes_on == date(2026, 10, 1)
    assert not period.is_closed(date(2026, 10, 1))
    assert period.is_closed(date(2026, 10, 2))
    with pytest.raises(InvalidError) as info:
        _session(
            SessionKind.GRADING_PERIOD,
            date(2026, 8, 1),
            date(2026, 10, 1),
            parent_id=new_id(),
            closes_on=date(2026, 9, 1),
        )
    assert problem_fields(info.value) == {"closes_on"}


def _section(*meetings: MeetingTime) -> Section:
    return Section(
        id=new_id(),
        institution_id=INST,
        school_id=new_id(),
        course_id=new_id(),
        term_id=new_id(),
        title="Math 7A",
        meetings=meetings,
    )


def test_meetings_are_generated_in_the_school_zone_and_returned_in_utc() -> None:
    section = _section(
        MeetingTime(Weekday.MONDAY, time(8, 0), time(8, 45)),
        MeetingTime(Weekday.WEDNESDAY, time(10, 0), time(10, 45)),
    )
    # New York is UTC-4 in September (daylight saving) and UTC-5 in January.
    (sept,) = section.meetings_on(date(2026, 9, 7), "America/New_York")
    assert sept.starts_at == datetime(2026, 9, 7, 12, 0, tzinfo=UTC)
    assert sept.ends_at == datetime(2026, 9, 7, 12, 45, tzinfo=UTC)
    (jan,) = section.meetings_on(date(2027, 1, 4), "America/New_York")
    assert jan.starts_at == datetime(2027, 1, 4, 13, 0, tzinfo=UTC)
    assert section.meetings_on(date(2026, 9, 8), "America/New_York") == []  # a Tuesday
    week = section.meetings_between(date(2026, 9, 7), date(2026, 9, 13), "America/New_York")
    assert [m.starts_at.weekday() for m in week] == [0, 2]


def test_meeting_must_end_after_it_starts() -> None:
    with pytest.raises(ValueError, match="end after"):
        MeetingTime(Weekday.MONDAY, time(9, 0), time(9, 0))


def test_overlapping_weekly_slots_are_refused() -> None:
    with pytest.raises(InvalidError):
        _section(
            MeetingTime(Weekday.MONDAY, time(8, 0), time(9, 0)),
            MeetingTime(Weekday.MONDAY, time(8, 30), time(9, 30)),
        )
    _section(
        MeetingTime(Weekday.MONDAY, time(8, 0), time(9, 0)),
        MeetingTime(Weekday.TUESDAY, time(8, 30), time(9, 30)),
    )


def _enrollment(role: EnrollmentRole = EnrollmentRole.STUDENT, **kw: object) -> Enrollment:
    return Enrollment(
        id=new_id(),
        institution_id=INST,
        section_id=new_id(),
        person_id=new_id(),
        role=role,
        begins_on=date(2026, 9, 1),
        created_at=NOW,
        **kw,
    )  # type: ignore[arg-type]


def test_only_a_teacher_can_be_primary() -> None:
    _enrollment(EnrollmentRole.TEACHER, is_primary=True)
    with pytest.raises(InvalidError) as info:
        _enrollment(EnrollmentRole.AIDE, is_primary=True)
    assert problem_fields(info.value) == {"is_primary"}


def test_enrolling_and_ending_raise_enrollment_changed_events() -> None:
    enrollment = _enrollment()
    enrollment.enrolled(NOW)
    enrollment.end(date(2026, 11, 26), NOW)
    enrolled, ended = enrollment.pull_events()
    assert enrolled.type == ended.type == "roster.enrollment_changed"
    assert enrolled.payload()["change"] == "enrolled"
    assert ended.payload() == {
        "enrollment_id": str(enrollment.id),
        "section_id": str(enrollment.section_id),
        "person_id": str(enrollment.person_id),
        "role": "student",
        "ends_on": "2026-11-26",
        "change": "ended",
    }
    assert not enrollment.is_active(date(2026, 11, 26))
    assert enrollment.is_active(date(2026, 11, 25))


def test_an_ended_enrollment_cannot_end_again_or_before_it_began() -> None:
    enrollment = _enrollment()
    with pytest.raises(InvalidError):
        enrollment.end(date(2026, 8, 1), NOW)
    enrollment.end(date(2026, 11, 26), NOW)
    with pytest.raises(ConflictError):
        enrollment.end(date(2026, 11, 27), NOW)


def _link(**kw: object) -> GuardianLink:
    return GuardianLink(
        id=new_id(),
        institution_id=INST,
        student_id=new_id(),
        guardian_id=new_id(),
        begins_on=date(2026, 9, 1),
        created_at=NOW,
        **kw,
    )  # type: ignore[arg-type]


def test_custody_restriction_blocks_every_flag() -> None:
    link = _link(custody_restriction=True, custody_note="court order 12/2025")
    for flag in (None, "can_view_attendance", "can_view_grades", "can_view_billing", "can_message"):
        assert not link.allows(flag, date(2026, 10, 1))


def test_flags_decide_what_an_unrestricted_guardian_may_do() -> None:
    link = _link(can_view_grades=False)
    assert link.allows("can_view_attendance", date(2026, 10, 1))
    assert not link.allows("can_view_grades", date(2026, 10, 1))
    assert not link.allows(None, date(2026, 8, 1))  # before the link began
    with pytest.raises(ValueError, match="unknown guardian flag"):
        link.allows("can_drive_the_bus", date(2026, 10, 1))


def test_custody_restriction_needs_a_note_and_no_one_guards_themselves() -> None:
    with pytest.raises(InvalidError) as info:
        _link(custody_restriction=True)
    assert problem_fields(info.value) == {"custody_note"}
    same = new_id()
    with pytest.raises(InvalidError) as info:
        GuardianLink(
            id=new_id(),
            institution_id=INST,
            student_id=same,
            guardian_id=same,
            begins_on=date(2026, 9, 1),
            created_at=NOW,
        )
    assert problem_fields(info.value) == {"guardian_id"}


def test_changing_a_link_records_which_fields_changed() -> None:
    link = _link()
    link.change({"can_message": False, "relationship": "guardian"}, NOW)
    (event,) = link.pull_events()
    assert event.type == "roster.guardian_link_changed"
    assert event.payload()["changed"] == ["can_message"]
    link.change({"can_message": False}, NOW)
    assert link.pull_events() == []


def test_school_admin_role_needs_a_school() -> None:
    with pytest.raises(InvalidError) as info:
        RoleAssignment(
            id=new_id(),
            institution_id=INST,
            person_id=new_id(),
            role=Role.SCHOOL_ADMIN,
            begins_on=date(2026, 9, 1),
        )
    assert problem_fields(info.value) == {"school_id"}
