"""The roster policy against a real database holding the SMALL demo school (both dialects)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.demo import DemoSummary, OtherSummary
from edtech.institutions.infrastructure.tables import (
    enrollment,
    guardian_link,
    person,
    role_assignment,
)
from edtech.institutions.public import (
    ChildFacts,
    Policy,
    RosterProfile,
    academic_session,
    academic_sessions_on,
    meetings_on,
    person_grants,
    roster_profile,
    roster_profiles,
    section_in_institution,
    students_of_section,
    teachers_of_section,
)
from edtech.kernel.principal import Principal, Role, RoleGrant


async def principal(
    session: AsyncSession, institution_id: uuid.UUID, person_id: uuid.UUID
) -> Principal:
    today = datetime.now(UTC).date()
    grants = await person_grants(session, institution_id, person_id, today)
    assert grants is not None
    return Principal(uuid.uuid4(), person_id, institution_id, grants.display_name, grants.grants)


async def test_person_grants_reflect_dated_roles(session: AsyncSession, demo: DemoSummary) -> None:
    today = datetime.now(UTC).date()
    grants = await person_grants(session, demo.institution_id, demo.teacher1_id, today)
    assert grants is not None
    assert {g.role for g in grants.grants} == {Role.TEACHER}
    admin = await person_grants(session, demo.institution_id, demo.person("admin@demo.test"), today)
    assert admin is not None
    assert admin.grants == frozenset({RoleGrant(Role.INSTITUTION_ADMIN, None)})
    assert await person_grants(session, uuid.uuid4(), demo.teacher1_id, today) is None
    assert await person_grants(session, demo.institution_id, uuid.uuid4(), today) is None


async def test_teacher1_teaches_the_section_of_student1(
    session: AsyncSession, demo: DemoSummary
) -> None:
    policy = Policy(session)
    teacher1 = await principal(session, demo.institution_id, demo.teacher1_id)
    s01, _, s03 = demo.section_ids
    assert await policy.teaches_section(teacher1, s01)
    assert not await policy.teaches_section(teacher1, s03)
    assert demo.student1_id in await policy.students_of_section(demo.institution_id, s01)
    assert (await policy.teachers_of_section(demo.institution_id, s01))[0] == demo.teacher1_id
    assert await policy.may_view_student(teacher1, demo.student1_id, "can_view_grades")
    assert not await policy.may_view_student(teacher1, demo.person("student2@demo.test"))
    assert await policy.may_manage_section(teacher1, s01)
    assert not await policy.may_manage_section(teacher1, s03)


async def test_guardian_rights_follow_the_link_flags_and_custody(
    session: AsyncSession, demo: DemoSummary
) -> None:
    policy = Policy(session)
    guardian1 = await principal(session, demo.institution_id, demo.guardian1_id)
    link = await policy.guardian_link(guardian1, demo.student1_id)
    assert link is not None
    assert link.allows("can_view_grades")
    assert await policy.may_view_student(guardian1, demo.student1_id, "can_view_billing")
    assert not await policy.may_view_student(guardian1, demo.person("student2@demo.test"))

    student2 = demo.person("student2@demo.test")
    restricted = await principal(session, demo.institution_id, demo.person("guardian2@demo.test"))
    assert await policy.guardian_link(restricted, student2) is None
    assert not await policy.may_view_student(restricted, student2)
    assert not await policy.may_view_person(restricted, student2)

    grandparent = await principal(session, demo.institution_id, demo.person("guardian3@demo.test"))
    student3 = demo.person("student3@demo.test")
    assert await policy.may_view_student(grandparent, student3, "can_view_attendance")
    assert not await policy.may_view_student(grandparent, student3, "can_view_grades")


async def test_guardians_to_notify_skip_restricted_and_unflagged_links(
    session: AsyncSession, demo: DemoSummary
) -> None:
    policy = Policy(session)
    student2 = demo.person("student2@demo.test")
    second_guardian_of_2 = demo.person("guardian14@demo.test")  # SMALL: 12 students, so 12 + 2
    assert await policy.guardians_to_notify(
        demo.institution_id, student2, "can_view_attendance"
    ) == [second_guardian_of_2]
    student1 = demo.student1_id
    assert await policy.guardians_to_notify(demo.institution_id, student1, "can_message") == [
        demo.guardian1_id,
        demo.person("guardian13@demo.test"),
    ]
    student3 = demo.person("student3@demo.test")
    assert demo.person("guardian3@demo.test") not in await policy.guardians_to_notify(
        demo.institution_id, student3, "can_view_grades"
    )
    with pytest.raises(ValueError, match="unknown guardian flag"):
        await policy.guardians_to_notify(demo.institution_id, student3, "can_fly")


async def test_guardians_to_notify_many_answers_like_one_at_a_time(
    session: AsyncSession, demo: DemoSummary
) -> None:
    policy = Policy(session)
    students = [demo.person(f"student{n}@demo.test") for n in range(1, 13)]
    for flag in ("can_view_grades", "can_view_attendance", "can_message"):
        many = await policy.guardians_to_notify_many(demo.institution_id, students, flag)
        assert list(many) == students
        for student in students:
            assert many[student] == await policy.guardians_to_notify(
                demo.institution_id, student, flag
            )
    grades = await policy.guardians_to_notify_many(demo.institution_id, students, "can_view_grades")
    assert grades[demo.person("student2@demo.test")] == [demo.person("guardian14@demo.test")]
    assert demo.person("guardian3@demo.test") not in grades[demo.person("student3@demo.test")]
    assert await policy.guardians_to_notify_many(demo.institution_id, [], "can_message") == {}
    with pytest.raises(ValueError, match="unknown guardian flag"):
        await policy.guardians_to_notify_many(demo.institution_id, students, "can_fly")


async def test_membership_and_messaging(session: AsyncSession, demo: DemoSummary) -> None:
    policy = Policy(session)
    s01 = demo.section_ids[0]
    student1 = await principal(session, demo.institution_id, demo.student1_id)
    guardian1 = await principal(session, demo.institution_id, demo.guardian1_id)
    assert await policy.is_member(student1, s01)
    assert not await policy.is_member(guardian1, s01)
    assert await policy.may_message(guardian1, demo.teacher1_id)
    assert not await policy.may_message(guardian1, demo.person("guardian3@demo.test"))
    no_messaging = await principal(session, demo.institution_id, demo.person("guardian4@demo.test"))
    teacher_of_4 = (await policy.teachers_of_section(demo.institution_id, demo.section_ids[2]))[0]
    assert not await policy.may_message(no_messaging, teacher_of_4)
    teacher1 = await principal(session, demo.institution_id, demo.teacher1_id)
    assert await policy.may_message(teacher1, demo.guardian1_id)
    assert not await policy.may_message(student1, demo.person("student3@demo.test"))


async def test_other_tenants_ids_are_unknown(
    session: AsyncSession, demo: DemoSummary, other_institution: OtherSummary
) -> None:
    policy = Policy(session)
    other_admin = await principal(
        session, other_institution.institution_id, other_institution.admin_id
    )
    assert not await policy.may_view_student(other_admin, demo.student1_id)
    assert not await policy.may_view_person(other_admin, demo.teacher1_id)
    assert not await policy.may_view_roster(other_admin, demo.section_ids[0])
    assert not await section_in_institution(
        session, other_institution.institution_id, demo.section_ids[0]
    )
    assert (
        await students_of_section(session, other_institution.institution_id, demo.section_ids[0])
        == []
    )
    assert (
        await teachers_of_section(session, other_institution.institution_id, demo.section_ids[0])
        == []
    )


async def test_every_demo_section_meets_today(session: AsyncSession, demo: DemoSummary) -> None:
    today = datetime.now(UTC).date()
    meetings = await meetings_on(session, demo.institution_id, today)
    assert {m.section_id for m in meetings} == set(demo.section_ids)
    assert all(m.starts_at < m.ends_at and m.starts_at.tzinfo is not None for m in meetings)
    only_s01 = await meetings_on(session, demo.institution_id, today, demo.section_ids[0])
    assert [m.section_id for m in only_s01] == [demo.section_ids[0]]


async def test_academic_sessions_on_a_day(session: AsyncSession, demo: DemoSummary) -> None:
    today = datetime.now(UTC).date()
    (period,) = await academic_sessions_on(session, demo.institution_id, today, "grading_period")
    assert period.starts_on <= today <= period.ends_on
    assert period.closes_on is not None
    assert period.closes_on >= period.ends_on
    term = await academic_session(session, demo.institution_id, demo.term_id)
    assert term is not None
    assert term.kind == "term"
    assert period.parent_id == term.id
    assert await academic_session(session, uuid.uuid4(), demo.term_id) is None
    kinds = {s.kind for s in await academic_sessions_on(session, demo.institution_id, today)}
    assert kinds == {"school_year", "term", "grading_period"}


async def profile_the_long_way(
    session: AsyncSession, institution_id: uuid.UUID, person_id: uuid.UUID, on: date
) -> RosterProfile | None:
    """`roster_profile` as the policy's separate questions answer it (what the one statement
    replaced)."""
    grants = await person_grants(session, institution_id, person_id, on)
    if grants is None:
        return None
    policy = Policy(session, today=on)
    memberships = await policy.sections_of_person(institution_id, person_id)
    me = Principal(person_id, person_id, institution_id, grants.display_name, grants.grants)
    children = []
    for link in await policy.children_links(me):
        sections = await policy.sections_of_person(institution_id, link.student_id)
        children.append(
            ChildFacts(
                link.student_id,
                link.allows("can_message"),
                frozenset(s.section_id for s in sections if s.role == "student"),
            )
        )
    return RosterProfile(
        grants.display_name,
        grants.grants,
        tuple((m.section_id, m.role) for m in memberships),
        tuple(children),
    )


async def test_a_roster_profile_is_what_the_policys_questions_answer(
    session: AsyncSession, demo: DemoSummary
) -> None:
    """Everyone of the demo school, on a day some of their roles, enrollments and links have
    ended, and on the day before: the one-statement profile equals the long way's answers."""
    today = datetime.now(UTC).date()
    inst = demo.institution_id
    guardian2 = demo.person("guardian2@demo.test")
    student2 = demo.person("student2@demo.test")
    # a link, an enrollment and a role that end today; a guardian whose links allow
    # messaging for one child and not another come from the demo (links 2 and 4)
    await session.execute(
        sa.update(guardian_link)
        .where(guardian_link.c.guardian_id == demo.guardian1_id)
        .values(ends_on=today)
    )
    await session.execute(
        sa.update(enrollment).where(enrollment.c.person_id == student2).values(ends_on=today)
    )
    await session.execute(
        sa.update(role_assignment)
        .where(role_assignment.c.person_id == demo.teacher1_id)
        .values(ends_on=today)
    )
    await session.flush()
    seen = set()
    for on in (today, today - timedelta(days=1)):
        singles = {}
        for person_id in demo.people.values():
            one = await roster_profile(session, inst, person_id, on)
            assert one == await profile_the_long_way(session, inst, person_id, on), person_id
            if one is not None:
                singles[person_id] = one
                seen.add((bool(one.memberships), bool(one.children), bool(one.grants)))
                seen.update(("restricted", c.can_message) for c in one.children)
        # everyone at once, in one statement, answers as each alone; a stranger is left out
        everyone = [*demo.people.values(), uuid.uuid4()]
        assert await roster_profiles(session, inst, everyone, on) == singles
    assert (True, False, True) in seen  # teachers and students
    assert (False, True, True) in seen  # guardians
    assert ("restricted", False) in seen
    assert ("restricted", True) in seen
    ended = await roster_profile(session, inst, demo.teacher1_id, today)
    assert ended is not None
    assert ended.grants == frozenset()
    assert ended.memberships
    before = await roster_profile(session, inst, demo.guardian1_id, today - timedelta(days=1))
    after = await roster_profile(session, inst, demo.guardian1_id, today)
    assert before is not None
    assert before.children
    assert after is not None
    assert not after.children
    assert after.grants == frozenset({RoleGrant(Role.GUARDIAN, None)})
    assert await roster_profile(session, uuid.uuid4(), guardian2, today) is None
    assert await roster_profile(session, inst, uuid.uuid4(), today) is None
    await session.execute(sa.update(person).where(person.c.id == guardian2).values(ends_on=today))
    assert await roster_profile(session, inst, guardian2, today) is None
    assert await roster_profile(session, inst, guardian2, today - timedelta(days=1)) is not None
