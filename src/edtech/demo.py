"""The demo school: seeds a realistic institution idempotently, with fixed logins for scripts.

`seed_demo` writes one institution ("Demo School District", slug `demo`) with two schools, a
school year whose current term contains today, sections that meet every day of the week (so a
demo always has meetings today), teachers, students, guardians and office staff, each with a
login whose password is `DEMO_PASSWORD`. Running it again finds the school and changes nothing.

Who is who (N counts from 1; S is the number of students):
* teacherN is the primary teacher of section S0N (wrapping); extra teachers are aides.
* studentN is at Northside (odd N) or Riverside (even N) and takes two sections there;
  student1 is in S01 (teacher1) and S02.
* guardianN is the first guardian of studentN; guardian(S+N) is the second guardian of
  studentN for the first `second_guardians` students.
* guardian1: every right, student1 only. guardian2: custody restriction on student2 (sees
  nothing of them). guardian3: grandparent of student3 without grades or billing. guardian4:
  may not message. guardian5: also guardian of student6, in the other school.

Rows go in through the roster's bulk writer, not through use cases, so seeding raises no
domain events (nobody is watching an empty school).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.identity.public import create_accounts_bulk
from edtech.institutions.public import (
    MeetingTime,
    RosterBulk,
    Weekday,
    institution_by_slug,
    people_by_email,
    roster_counts,
    schools_of_institution,
    sections_of_institution,
)
from edtech.kernel.principal import Role
from edtech.platform.security.passwords import hash_password

DEMO_PASSWORD = "edtech-demo"
DEMO_SLUG = "demo"
OTHER_SLUG = "other-academy"

Progress = Callable[[str, int, int], None]
"""Told (step, done, total) as seeding advances; the CLI draws a progress bar from it."""


@dataclass(frozen=True)
class DemoScale:
    """How big the demo school is. Every student gets a guardian; the first
    `second_guardians` students get a second one."""

    sections: int
    students: int
    teachers: int
    second_guardians: int
    schools: int = 2


FULL = DemoScale(sections=16, students=320, teachers=20, second_guardians=160)
SMALL = DemoScale(sections=3, students=12, teachers=4, second_guardians=6)


class Login(NamedTuple):
    """A demo login to print: the email, and the role with what is special about it."""

    email: str
    role: str


@dataclass(frozen=True)
class DemoSummary:
    """What was seeded (or found): the ids scripts and tests need, and the logins to print."""

    institution_id: uuid.UUID
    school_ids: tuple[uuid.UUID, ...]
    """Northside, then Riverside."""
    section_ids: tuple[uuid.UUID, ...]
    """S01, S02, … (S01 is teacher1's, with student1)."""
    term_id: uuid.UUID
    teacher1_id: uuid.UUID
    student1_id: uuid.UUID
    guardian1_id: uuid.UUID
    people: Mapping[str, uuid.UUID]
    """Person id by login email, for every seeded person."""
    logins: tuple[Login, ...]
    created: bool
    counts: Mapping[str, int] = field(default_factory=dict)

    def person(self, email: str) -> uuid.UUID:
        return self.people[email]


@dataclass(frozen=True)
class OtherSummary:
    """The second tenant, for isolation tests."""

    institution_id: uuid.UUID
    school_id: uuid.UUID
    section_id: uuid.UUID
    admin_id: uuid.UUID
    teacher_id: uuid.UUID
    student_id: uuid.UUID
    guardian_id: uuid.UUID
    logins: tuple[Login, ...]


GIVEN = """
Ava Liam Maya Noah Zoe Ethan Lena Omar Iris Mateo Sofia Kai Amara Jonas Priya Lucas
Hana Diego Elif Theo Nia Felix Yara Hugo Mila Ravi Chloe Tariq Ingrid Samuel Aiko
""".split()  # noqa: SIM905 - a word list reads better as text
ADULT_GIVEN = """
Maria David Fatima James Anna Carlos Grace Ahmed Julia Peter Mei Robert Leila Thomas
Sara Daniel Olga Kwame Helen Marco
""".split()  # noqa: SIM905 - a word list reads better as text
FAMILY = """
Garcia Smith Nguyen Okafor Müller Rossi Kowalski Haddad Tanaka Johnson Silva
Andersen Patel Dubois Cohen Kim O'Brien Novak Mensah Fischer Lopez Ivanova Abara
Bianchi Yilmaz Walker Sato
""".split()  # noqa: SIM905 - a word list reads better as text
COURSES = (
    ("MATH", "Mathematics"),
    ("ENG", "English"),
    ("SCI", "Science"),
    ("HIST", "History"),
    ("ART", "Art"),
    ("MUS", "Music"),
    ("PE", "Physical Education"),
    ("CS", "Computer Science"),
)
SCHOOLS = (("Northside Middle School", "N", "7"), ("Riverside High School", "R", "10"))
CUSTODY_NOTE = "Court order on file: no contact, no pick-up, no information."
SPECIAL_LINKS: dict[int, dict[str, Any]] = {
    2: {"custody_restriction": True, "custody_note": CUSTODY_NOTE, "lives_with": False},
    3: {"relationship": "grandparent", "can_view_grades": False, "can_view_billing": False},
    4: {"can_message": False},
}
"""Link overrides for guardianN of studentN (see the module docstring)."""


def school_year(today: date) -> tuple[date, date]:
    """August 1 to July 31, the year that contains `today`."""
    start_year = today.year if today.month >= 8 else today.year - 1
    return date(start_year, 8, 1), date(start_year + 1, 7, 31)


def calendar(bulk: RosterBulk, today: date) -> uuid.UUID:
    """A school year of two terms of two grading periods each; returns the term containing today."""
    start, end = school_year(today)
    year = bulk.academic_session("school_year", f"{start.year}–{end.year}", start, end)
    midyear = date(start.year + 1, 1, 1)
    current = None
    for title, first, last in (
        ("Fall", start, midyear - timedelta(days=1)),
        ("Spring", midyear, end),
    ):
        term = bulk.academic_session("term", f"{title} {first.year}", first, last, year)
        half = first + (last - first) / 2
        week = timedelta(days=7)
        bulk.academic_session("grading_period", f"{title} Q1", first, half, term, half + week)
        bulk.academic_session(
            "grading_period", f"{title} Q2", half + timedelta(days=1), last, term, last + week
        )
        if first <= today <= last:
            current = term
    assert current is not None
    return current


def meeting_pattern(period: int) -> tuple[MeetingTime, ...]:
    """Period `period` of the day (08:00, 08:55, …), 45 minutes, every day of the week."""
    starts = datetime.combine(date(2000, 1, 1), time(8, 0)) + timedelta(minutes=55 * (period % 8))
    ends = starts + timedelta(minutes=45)
    return tuple(MeetingTime(day, starts.time(), ends.time()) for day in Weekday)


def plan_demo(scale: DemoScale, today: date, now: datetime) -> RosterBulk:
    """Every row of the demo school, in memory."""
    bulk = RosterBulk(
        slug=DEMO_SLUG,
        name="Demo School District",
        timezone="America/New_York",
        locale="en-US",
        currency="USD",
        now=now,
        begins_on=school_year(today)[0],
    )
    schools = [bulk.school(name) for name, _, _ in SCHOOLS[: scale.schools]]
    term = calendar(bulk, today)

    # Sections: split across schools (the first ones get the remainder), one course per subject.
    sections_of: list[list[uuid.UUID]] = []
    school_of: dict[uuid.UUID, uuid.UUID] = {}
    for s, school_id in enumerate(schools):
        _, prefix, grade = SCHOOLS[s]
        count = scale.sections // scale.schools + (1 if s < scale.sections % scale.schools else 0)
        courses: dict[int, uuid.UUID] = {}
        mine = []
        for k in range(count):
            code, subject = COURSES[k % len(COURSES)]
            if k % len(COURSES) not in courses:
                courses[k % len(COURSES)] = bulk.course(
                    school_id, f"{code}-{grade}", f"{subject} {grade}"
                )
            number = len(school_of) + 1
            section_id = bulk.section(
                school_id,
                courses[k % len(COURSES)],
                term,
                title=f"{subject} {grade}{'ABCDEFGH'[k // len(COURSES) % 8]}",
                code=f"S{number:02d}",
                room=f"{prefix}{101 + k}",
                meetings=meeting_pattern(k),
            )
            mine.append(section_id)
            school_of[section_id] = school_id
        sections_of.append(mine)
    all_sections = [sid for mine in sections_of for sid in mine]

    for email, given, family, role, scope in (
        ("admin@demo.test", "Alex", "Admin", Role.INSTITUTION_ADMIN, None),
        ("schooladmin@demo.test", "Sam", "Principal", Role.SCHOOL_ADMIN, schools[0]),
        ("accountant@demo.test", "Robin", "Ledger", Role.ACCOUNTANT, None),
        ("officer@demo.test", "Jordan", "Roll", Role.ATTENDANCE_OFFICER, None),
    ):
        bulk.role(bulk.person(given, family, email), role, scope)

    # Teachers: teacherN is the primary teacher of section N (wrapping); extras are aides.
    teachers = [
        bulk.person(
            ADULT_GIVEN[n % len(ADULT_GIVEN)],
            FAMILY[(n * 5) % len(FAMILY)],
            f"teacher{n}@demo.test",
        )
        for n in range(1, scale.teachers + 1)
    ]
    teaches_at: dict[uuid.UUID, set[uuid.UUID]] = {t: set() for t in teachers}
    for j, section_id in enumerate(all_sections):
        bulk.enroll(section_id, teachers[j % len(teachers)], "teacher", primary=True)
        teaches_at[teachers[j % len(teachers)]].add(school_of[section_id])
    for extra, teacher in enumerate(teachers[len(all_sections) :]):
        section_id = all_sections[extra % len(all_sections)]
        bulk.enroll(section_id, teacher, "aide")
        teaches_at[teacher].add(school_of[section_id])
    for teacher, where in teaches_at.items():
        for school_id in sorted(where):
            bulk.role(teacher, Role.TEACHER, school_id)

    # Students alternate between schools; each takes two sections of their school.
    students = []
    for i in range(1, scale.students + 1):
        s, k = (i - 1) % scale.schools, (i - 1) // scale.schools
        grade = SCHOOLS[s][2]
        student = bulk.person(
            GIVEN[i % len(GIVEN)],
            FAMILY[(i * 7) % len(FAMILY)],
            f"student{i}@demo.test",
            grade_level=grade,
            birth_date=date(today.year - int(grade) - 6, 1 + i % 12, 1 + i % 28),
        )
        students.append(student)
        bulk.role(student, Role.STUDENT, schools[s])
        mine = sections_of[s]
        for section_id in dict.fromkeys([mine[k % len(mine)], mine[(k + 1) % len(mine)]]):
            bulk.enroll(section_id, student, "student")

    # Guardians: guardianN for studentN, then second guardians guardian(S+N).
    firsts = []
    for i, student in enumerate(students, start=1):
        family = FAMILY[(i * 7) % len(FAMILY)]
        guardian = bulk.person(ADULT_GIVEN[i % len(ADULT_GIVEN)], family, f"guardian{i}@demo.test")
        firsts.append(guardian)
        bulk.role(guardian, Role.GUARDIAN)
        bulk.link(student, guardian, **SPECIAL_LINKS.get(i, {}))
    for i, student in enumerate(students[: scale.second_guardians], start=1):
        family = FAMILY[(i * 7) % len(FAMILY)]
        n = scale.students + i
        guardian = bulk.person(
            ADULT_GIVEN[(i + 7) % len(ADULT_GIVEN)], family, f"guardian{n}@demo.test"
        )
        bulk.role(guardian, Role.GUARDIAN)
        bulk.link(student, guardian, contact_priority=2)
    if len(students) >= 6:
        bulk.link(students[5], firsts[4], contact_priority=2)  # guardian5's second child
    return bulk


def plan_other(today: date, now: datetime) -> RosterBulk:
    """Other Academy: one school, one section, an admin, a teacher, a student and a guardian."""
    bulk = RosterBulk(
        slug=OTHER_SLUG,
        name="Other Academy",
        timezone="Europe/London",
        locale="en-GB",
        currency="GBP",
        now=now,
        begins_on=school_year(today)[0],
    )
    school = bulk.school("Other Academy")
    term = calendar(bulk, today)
    course = bulk.course(school, "MATH-8", "Mathematics 8")
    section = bulk.section(school, course, term, "Mathematics 8A", "O01", "B12", meeting_pattern(1))
    bulk.role(bulk.person("Olivia", "Other", "admin@other.test"), Role.INSTITUTION_ADMIN)
    teacher = bulk.person("Oscar", "Other", "teacher@other.test")
    bulk.role(teacher, Role.TEACHER, school)
    bulk.enroll(section, teacher, "teacher", primary=True)
    student = bulk.person("Otto", "Other", "student@other.test", grade_level="8")
    bulk.role(student, Role.STUDENT, school)
    bulk.enroll(section, student, "student")
    guardian = bulk.person("Opal", "Other", "guardian@other.test")
    bulk.role(guardian, Role.GUARDIAN)
    bulk.link(student, guardian)
    return bulk


async def _demo_hash() -> str:
    """argon2 is slow on purpose: hash off the event loop."""
    return await asyncio.to_thread(hash_password, DEMO_PASSWORD)


async def _write(
    session: AsyncSession, bulk: RosterBulk, password_hash: str, progress: Progress | None
) -> None:
    total, done = len(bulk.rows) + 1, 0

    def tick(table: str, rows: int) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(f"{table.replace('_', ' ')}: {rows}", done, total)

    await bulk.write(session, tick)
    logins = [
        {
            "institution_id": bulk.institution_id,
            "person_id": pid,
            "email": email,
            "password_hash": password_hash,
        }
        for email, pid in bulk.emails.items()
    ]
    await create_accounts_bulk(session, logins, now=bulk.now)
    await session.commit()
    tick("logins", len(logins))


async def seed_demo(
    session_factory: async_sessionmaker[AsyncSession],
    scale: DemoScale = FULL,
    progress: Progress | None = None,
    *,
    today: date | None = None,
    password_hash: str | None = None,
) -> DemoSummary:
    """Seed the demo school once; later calls find it and return its summary (created=False).

    `password_hash` lets tests reuse one argon2 hash across seeds (hashing is slow on purpose).
    """
    now = datetime.now(UTC)
    async with session_factory() as session:
        existing = await institution_by_slug(session, DEMO_SLUG)
        if existing is not None:
            if progress:
                progress("already seeded", 1, 1)
            return await _summary(session, existing, created=False)
        bulk = plan_demo(scale, today or now.date(), now)
        if progress:
            progress("hashing the demo password", 0, len(bulk.rows) + 1)
        await _write(session, bulk, password_hash or await _demo_hash(), progress)
        return await _summary(session, bulk.institution_id, created=True)


async def seed_other_institution(
    session_factory: async_sessionmaker[AsyncSession],
    *,
    today: date | None = None,
    password_hash: str | None = None,
) -> OtherSummary:
    """A second, small tenant ("Other Academy") for isolation tests; idempotent too."""
    now = datetime.now(UTC)
    async with session_factory() as session:
        institution_id = await institution_by_slug(session, OTHER_SLUG)
        if institution_id is None:
            bulk = plan_other(today or now.date(), now)
            await _write(session, bulk, password_hash or await _demo_hash(), None)
            institution_id = bulk.institution_id
        people = await people_by_email(session, institution_id)
        (school_id,) = await schools_of_institution(session, institution_id)
        ((section_id, _),) = await sections_of_institution(session, institution_id)
    roles = {
        "admin": "institution_admin",
        "teacher": "teacher",
        "student": "student",
        "guardian": "guardian",
    }
    return OtherSummary(
        institution_id=institution_id,
        school_id=school_id,
        section_id=section_id,
        admin_id=people["admin@other.test"],
        teacher_id=people["teacher@other.test"],
        student_id=people["student@other.test"],
        guardian_id=people["guardian@other.test"],
        logins=tuple(Login(f"{who}@other.test", role) for who, role in roles.items()),
    )


async def _summary(
    session: AsyncSession, institution_id: uuid.UUID, *, created: bool
) -> DemoSummary:
    people = await people_by_email(session, institution_id)
    sections = await sections_of_institution(session, institution_id)

    def count(prefix: str) -> int:
        return sum(1 for email in people if email.startswith(prefix))

    return DemoSummary(
        institution_id=institution_id,
        school_ids=tuple(await schools_of_institution(session, institution_id)),
        section_ids=tuple(section_id for section_id, _ in sections),
        term_id=sections[0][1],
        teacher1_id=people["teacher1@demo.test"],
        student1_id=people["student1@demo.test"],
        guardian1_id=people["guardian1@demo.test"],
        people=people,
        logins=demo_logins(count("teacher"), count("student"), count("guardian")),
        created=created,
        counts=await roster_counts(session, institution_id),
    )


def demo_logins(teachers: int, students: int, guardians: int) -> tuple[Login, ...]:
    """The logins to print; the password of each is `DEMO_PASSWORD`."""
    return (
        Login("admin@demo.test", "institution_admin"),
        Login("schooladmin@demo.test", "school_admin (Northside Middle School)"),
        Login("accountant@demo.test", "accountant"),
        Login("officer@demo.test", "attendance_officer"),
        Login("teacher1@demo.test", "teacher (S01, with student1)"),
        Login("student1@demo.test", "student (S01 with teacher1, and S02)"),
        Login("guardian1@demo.test", "guardian (of student1 only, every right)"),
        Login(
            "guardian2@demo.test",
            "guardian (custody restriction on student2: sees nothing of them)",
        ),
        Login("guardian3@demo.test", "guardian (grandparent of student3, no grades or billing)"),
        Login("guardian4@demo.test", "guardian (of student4, may not message)"),
        Login("guardian5@demo.test", "guardian (of student5 and student6, two schools)"),
        Login(f"teacher1..{teachers}@demo.test", "teacher (teacherN teaches section SNN)"),
        Login(f"student1..{students}@demo.test", "student"),
        Login(f"guardian1..{guardians}@demo.test", "guardian (guardianN of studentN)"),
    )
