"""The demo's people × the records of children: a guardian sees their own children only, as far
as each link allows and no custody order forbids; a teacher the students of their sections; a
student themselves; the office everyone. Expectations come from the policy below and the
roster's facts (links, flags, custody, enrollments, roles) read from the tables.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import httpx
import sqlalchemy as sa

from edtech.platform.db.engine import make_engine
from edtech.slices import metadata
from tests.authz.world import LOGINS, World

OFFICE = {"institution_admin", "school_admin", "attendance_officer", "accountant"}
STAFF = OFFICE | {"teacher"}


@dataclass(frozen=True)
class Link:
    guardian: uuid.UUID
    student: uuid.UUID
    custody: bool
    flags: dict[str, bool]
    active: bool


@dataclass(frozen=True)
class Roster:
    people: dict[str, uuid.UUID]
    roles: dict[uuid.UUID, set[str]]
    links: list[Link]
    sections_of: dict[uuid.UUID, set[uuid.UUID]]  # student -> sections
    taught_by: dict[uuid.UUID, set[uuid.UUID]]  # teacher or aide -> sections
    accounts: dict[uuid.UUID, set[uuid.UUID]]  # billing account -> students

    def office(self, p: uuid.UUID) -> bool:
        return bool(self.roles.get(p, set()) & OFFICE)

    def teaches(self, p: uuid.UUID, student: uuid.UUID) -> bool:
        return bool(self.taught_by.get(p, set()) & self.sections_of.get(student, set()))

    def child(self, guardian: uuid.UUID, student: uuid.UUID, flag: str | None = None) -> bool:
        return any(
            link.guardian == guardian
            and link.student == student
            and link.active
            and not link.custody
            and (flag is None or link.flags[flag])
            for link in self.links
        )


Rule = Callable[[Roster, uuid.UUID, uuid.UUID], bool]


def sees_records(flag: str) -> Rule:
    """The student, the office, the student's teachers, and guardians whose link allows it."""

    def rule(r: Roster, who: uuid.UUID, student: uuid.UUID) -> bool:
        return (
            who == student
            or r.office(who)
            or r.teaches(who, student)
            or r.child(who, student, flag)
        )

    rule.__doc__ = f"{sees_records.__doc__} ({flag})"
    return rule


def sees_person(r: Roster, who: uuid.UUID, target: uuid.UUID) -> bool:
    """The office everyone; a teacher staff colleagues, the students of their sections and those
    students' guardians; a student themselves and their teachers; a guardian their children (an
    active link without a custody order), their children's teachers and themselves."""
    if who == target or r.office(who):
        return True
    if "teacher" in r.roles.get(who, set()):
        return (
            bool(r.roles.get(target, set()) & STAFF)
            or r.teaches(who, target)
            or any(r.teaches(who, link.student) for link in r.links if link.guardian == target)
        )
    if "student" in r.roles.get(who, set()) and r.teaches(target, who):
        return True
    children = {link.student for link in r.links if r.child(who, link.student)}
    return any(r.teaches(target, child) for child in children) or target in children


def sees_account(r: Roster, who: uuid.UUID, account: uuid.UUID) -> bool:
    """Billing managers (accountants, institution admins) every account; a guardian a family
    account of a child whose link allows billing."""
    roles = r.roles.get(who, set())
    if roles & {"accountant", "institution_admin"}:
        return True
    return any(r.child(who, s, "can_view_billing") for s in r.accounts.get(account, set()))


# Operation -> (rule, the kind of target its path parameter names).
POLICY: dict[str, tuple[Rule, str]] = {
    "GET /api/v1/people/{person_id}": (sees_person, "person"),
    "GET /api/v1/students/{student_id}/grades": (sees_records("can_view_grades"), "student"),
    "GET /api/v1/attendance/reports/students/{student_id}?first={today}&last={today}": (
        sees_records("can_view_attendance"),
        "student",
    ),
    "GET /api/v1/billing/accounts/{account_id}": (sees_account, "account"),
}


async def roster(world: World) -> Roster:
    t = metadata().tables
    today = date.today()
    engine = make_engine(world.settings.database_url)
    demo = world.demo.institution_id
    try:
        async with engine.connect() as conn:
            person = t["person"]
            people = {
                r.email: r.id
                for r in await conn.execute(
                    sa.select(person.c.email, person.c.id).where(person.c.institution_id == demo)
                )
            }
            roles: dict[uuid.UUID, set[str]] = {}
            for r in await conn.execute(sa.select(t["role_assignment"])):
                if r.institution_id == demo and (r.ends_on is None or r.ends_on >= today):
                    roles.setdefault(r.person_id, set()).add(r.role)
            links = [
                Link(
                    r.guardian_id,
                    r.student_id,
                    r.custody_restriction,
                    {
                        "can_view_grades": r.can_view_grades,
                        "can_view_attendance": r.can_view_attendance,
                        "can_view_billing": r.can_view_billing,
                    },
                    r.begins_on <= today and (r.ends_on is None or r.ends_on >= today),
                )
                for r in await conn.execute(sa.select(t["guardian_link"]))
                if r.institution_id == demo
            ]
            sections_of: dict[uuid.UUID, set[uuid.UUID]] = {}
            taught_by: dict[uuid.UUID, set[uuid.UUID]] = {}
            for r in await conn.execute(sa.select(t["enrollment"])):
                if r.ends_on is not None and r.ends_on < today:
                    continue
                into = sections_of if r.role == "student" else taught_by
                into.setdefault(r.person_id, set()).add(r.section_id)
            accounts: dict[uuid.UUID, set[uuid.UUID]] = {}
            for r in await conn.execute(sa.select(t["billing_account_student"])):
                accounts.setdefault(r.account_id, set()).add(r.student_id)
    finally:
        await engine.dispose()
    return Roster(people, roles, links, sections_of, taught_by, accounts)


async def test_records_of_children_follow_the_policy(
    client: httpx.AsyncClient, world: World
) -> None:
    r = await roster(world)
    students = [r.people[f"student{n}@demo.test"] for n in range(1, 7)]
    targets = {
        "person": [*students, r.people["teacher1@demo.test"], r.people["guardian1@demo.test"]],
        "student": students,
        "account": sorted(r.accounts),
    }
    assert len(targets["account"]) >= 3
    # The matrix holds only if it has both answers in every column: a policy never exercised
    # either way proves nothing.
    wrong: list[str] = []
    seen: dict[str, set[bool]] = {op: set() for op in POLICY}
    for op, (rule, kind) in POLICY.items():
        method, template = op.split(" ")
        for who in (w for w in LOGINS if w.endswith("@demo.test")):
            me = r.people[who]
            for target in targets[kind]:
                param = template[template.index("{") : template.index("}") + 1]
                url = template.replace(param, str(target)).replace("{today}", str(date.today()))
                answer = await client.request(method, url, headers=world.headers[who])
                assert answer.status_code < 500, (who, url, answer.text)
                allowed = answer.status_code == 200
                expected = rule(r, me, target)
                seen[op].add(expected)
                if allowed != expected:
                    wrong.append(f"{who} {op} [{target}]: {answer.status_code}, policy={expected}")
                elif not allowed:
                    assert answer.status_code in (403, 404), (who, url, answer.status_code)
    assert all(s == {True, False} for s in seen.values()), seen
    assert not wrong, "\n".join(wrong)


@dataclass(frozen=True)
class Sections:
    """Sections, sessions and conversations with the facts their rules read."""

    school_of: dict[uuid.UUID, uuid.UUID]  # section -> school
    section_of_session: dict[uuid.UUID, uuid.UUID]
    grants: dict[uuid.UUID, set[tuple[str, uuid.UUID | None]]]  # person -> (role, school)
    teachers: dict[uuid.UUID, set[uuid.UUID]]  # section -> teachers and aides
    participants: dict[uuid.UUID, set[uuid.UUID]]  # conversation -> people
    gradebooks: set[uuid.UUID]  # sections whose gradebook is set up

    def holds(self, who: uuid.UUID, roles: set[str], school: uuid.UUID | None) -> bool:
        """Holds one of `roles` institution-wide, or for `school` (any school when None)."""
        return any(
            role in roles and (where is None or school is None or where == school)
            for role, where in self.grants.get(who, set())
        )


SectionRule = Callable[[Sections, uuid.UUID, uuid.UUID], bool]


def section_office(s: Sections, who: uuid.UUID, section: uuid.UUID) -> bool:
    """A roster: the section's teachers and aides, and the office (whose reads span the
    institution)."""
    return who in s.teachers.get(section, set()) or s.holds(who, OFFICE, None)


def attendance_staff(s: Sections, who: uuid.UUID, section: uuid.UUID) -> bool:
    """Attendance figures of a section: its teachers and aides, attendance officers and
    administrators of its school (not the accountant)."""
    return who in s.teachers.get(section, set()) or s.holds(
        who, {"attendance_officer", "school_admin", "institution_admin"}, s.school_of[section]
    )


def gradebook_staff(s: Sections, who: uuid.UUID, section: uuid.UUID) -> bool:
    """Drafts: the section's teachers and aides, and the administrators of its school."""
    return who in s.teachers.get(section, set()) or s.holds(
        who, {"institution_admin", "school_admin"}, s.school_of[section]
    )


def board_watchers(s: Sections, who: uuid.UUID, session: uuid.UUID) -> bool:
    """A session's board: the section's teachers and aides, attendance officers and
    administrators of its school."""
    section = s.section_of_session[session]
    return who in s.teachers.get(section, set()) or s.holds(
        who, {"attendance_officer", "school_admin", "institution_admin"}, s.school_of[section]
    )


def participants(s: Sections, who: uuid.UUID, conversation: uuid.UUID) -> bool:
    """A conversation: its participants only."""
    return who in s.participants.get(conversation, set())


SECTION_POLICY: dict[str, tuple[SectionRule, str]] = {
    "GET /api/v1/sections/{section_id}/roster": (section_office, "section"),
    "GET /api/v1/attendance/reports/sections/{section_id}?first={today}&last={today}": (
        attendance_staff,
        "section",
    ),
    "GET /api/v1/sections/{section_id}/gradebook": (gradebook_staff, "gradebook"),
    "GET /api/v1/sections/{section_id}/assessments": (gradebook_staff, "section"),
    "GET /api/v1/sections/{section_id}/gradebook/grid": (gradebook_staff, "section"),
    "GET /api/v1/sections/{section_id}/gradebook.csv": (gradebook_staff, "section"),
    "GET /api/v1/attendance/sessions/{session_id}/board": (board_watchers, "session"),
    "GET /api/v1/conversations/{conversation_id}": (participants, "conversation"),
    "GET /api/v1/conversations/{conversation_id}/messages": (participants, "conversation"),
}


async def sections(world: World) -> Sections:
    t = metadata().tables
    today = date.today()
    demo = world.demo.institution_id
    engine = make_engine(world.settings.database_url)
    try:
        async with engine.connect() as conn:
            sec = t["section"]
            school_of = {
                r.id: r.school_id
                for r in await conn.execute(sa.select(sec).where(sec.c.institution_id == demo))
            }
            ses = t["attendance_session"]
            section_of_session = {
                r.id: r.section_id
                for r in await conn.execute(sa.select(ses).where(ses.c.institution_id == demo))
            }
            grants: dict[uuid.UUID, set[tuple[str, uuid.UUID | None]]] = {}
            for r in await conn.execute(sa.select(t["role_assignment"])):
                if r.institution_id == demo and (r.ends_on is None or r.ends_on >= today):
                    grants.setdefault(r.person_id, set()).add((r.role, r.school_id))
            teachers: dict[uuid.UUID, set[uuid.UUID]] = {}
            for r in await conn.execute(sa.select(t["enrollment"])):
                if r.role != "student" and (r.ends_on is None or r.ends_on >= today):
                    teachers.setdefault(r.section_id, set()).add(r.person_id)
            gb = t["gradebook"]
            gradebooks = set(
                await conn.scalars(sa.select(gb.c.section_id).where(gb.c.institution_id == demo))
            )
            people: dict[uuid.UUID, set[uuid.UUID]] = {}
            for r in await conn.execute(sa.select(t["conversation_participant"])):
                people.setdefault(r.conversation_id, set()).add(r.person_id)
    finally:
        await engine.dispose()
    return Sections(school_of, section_of_session, grants, teachers, people, gradebooks)


async def test_sections_boards_and_conversations_follow_the_policy(
    client: httpx.AsyncClient, world: World
) -> None:
    s = await sections(world)
    people = (await roster(world)).people
    targets = {
        "section": sorted(s.school_of),
        "session": sorted(s.section_of_session),
        "conversation": sorted(s.participants),
        "gradebook": sorted(s.gradebooks),
    }
    assert all(targets.values()), targets
    wrong: list[str] = []
    seen: dict[str, set[bool]] = {op: set() for op in SECTION_POLICY}
    for op, (rule, kind) in SECTION_POLICY.items():
        method, template = op.split(" ")
        for who in (w for w in LOGINS if w.endswith("@demo.test")):
            for target in targets[kind]:
                param = template[template.index("{") : template.index("}") + 1]
                url = template.replace(param, str(target)).replace("{today}", str(date.today()))
                answer = await client.request(method, url, headers=world.headers[who])
                assert answer.status_code < 500, (who, url, answer.text)
                expected = rule(s, people[who], target)
                seen[op].add(expected)
                if (answer.status_code == 200) != expected:
                    wrong.append(f"{who} {op} [{target}]: {answer.status_code}, policy={expected}")
                elif not expected:
                    assert answer.status_code in (403, 404), (who, url, answer.status_code)
    assert all(v == {True, False} for v in seen.values()), seen
    assert not wrong, "\n".join(wrong)
