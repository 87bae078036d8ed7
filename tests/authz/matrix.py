"""The policy matrix's world: who acts (a role), on what (a subject: a student, one of their
sections, their school and guardian), and how the two relate; plus a SQLite snapshot of the
world, restored after every write that may have changed it.

Relations, each played by real demo people (`DemoScale` of `SCALE`: six sections, three per
school, one teacher each):

* own — the actor's own: student1 for themselves, their guardian1, their teacher1 (S01), the
  Northside admin and the office;
* other_family — student3 (Northside, S03) for guardian1 and student1;
* other_section — student1 / S01 for teacher3, who teaches S03 at the same school;
* other_school — student2 (Riverside, S04) for the Northside admin and teacher1 (and for the
  institution admin, whose grants span schools);
* other_institution — student1 for Other Academy's admin, teacher, guardian and student;
* custody — student2 for guardian2 (a custody order);
* flag — student3 for guardian3 (no grades, no billing).
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from edtech.demo import DemoScale
from edtech.platform.db.engine import make_engine
from edtech.settings import Settings
from edtech.slices import metadata
from tests.authz.world import NOT_RECORDS, PARAM_TABLES, UPLOAD_SLOT
from tests.roster import login

SCALE = DemoScale(sections=6, students=12, teachers=6, second_guardians=6)

ROLES = (
    "institution_admin",
    "school_admin",
    "teacher",
    "guardian",
    "student",
    "accountant",
    "attendance_officer",
)
RELATIONS = (
    "own",
    "other_family",
    "other_section",
    "other_school",
    "other_institution",
    "custody",
    "flag",
)


@dataclass(frozen=True)
class Subject:
    """What a request is aimed at: a student, one of their sections, their guardian."""

    name: str
    student: str
    section: str
    guardian: str


SUBJECTS = {
    "A": Subject("A", "student1@demo.test", "S01", "guardian1@demo.test"),
    "B": Subject("B", "student2@demo.test", "S04", "guardian2@demo.test"),
    "C": Subject("C", "student3@demo.test", "S03", "guardian3@demo.test"),
}


@dataclass(frozen=True)
class Scenario:
    role: str
    relation: str
    login: str
    subject: str

    @property
    def key(self) -> str:
        return f"{self.role}/{self.relation} ({self.login} -> {self.subject})"


SCENARIOS = (
    Scenario("institution_admin", "own", "admin@demo.test", "A"),
    Scenario("institution_admin", "other_school", "admin@demo.test", "B"),
    Scenario("institution_admin", "other_institution", "admin@other.test", "A"),
    Scenario("school_admin", "own", "schooladmin@demo.test", "A"),
    Scenario("school_admin", "other_school", "schooladmin@demo.test", "B"),
    Scenario("teacher", "own", "teacher1@demo.test", "A"),
    Scenario("teacher", "other_section", "teacher3@demo.test", "A"),
    Scenario("teacher", "other_school", "teacher1@demo.test", "B"),
    Scenario("teacher", "other_institution", "teacher@other.test", "A"),
    Scenario("guardian", "own", "guardian1@demo.test", "A"),
    Scenario("guardian", "other_family", "guardian1@demo.test", "C"),
    Scenario("guardian", "custody", "guardian2@demo.test", "B"),
    Scenario("guardian", "flag", "guardian3@demo.test", "C"),
    Scenario("guardian", "other_institution", "guardian@other.test", "A"),
    Scenario("student", "own", "student1@demo.test", "A"),
    Scenario("student", "other_family", "student1@demo.test", "C"),
    Scenario("student", "other_institution", "student@other.test", "A"),
    Scenario("accountant", "own", "accountant@demo.test", "A"),
    Scenario("attendance_officer", "own", "officer@demo.test", "A"),
)
# student2 and student3 sign in too, so each subject has a sign-in session to aim at.
LOGINS = tuple(
    dict.fromkeys([*(s.login for s in SCENARIOS), "student2@demo.test", "student3@demo.test"])
)


async def pools(settings: Settings, institution_id: uuid.UUID) -> dict[str, dict[str, str]]:
    """One id per path parameter for each subject, each row chosen for that subject (its
    student's, section's or school's when the table says whose it is; else the institution's
    first)."""
    tables = metadata().tables
    engine = make_engine(settings.database_url)
    found: dict[str, dict[str, str]] = {}
    try:
        async with engine.connect() as conn:

            async def one(table: str, column: str, *where: sa.ColumnElement[bool]) -> Any:
                t = tables[table]
                return await conn.scalar(
                    sa.select(t.c[column])
                    .where(t.c.institution_id == institution_id, *where)
                    .order_by(t.c[column])
                    .limit(1)
                )

            person, sec = tables["person"], tables["section"]
            for name, subject in SUBJECTS.items():
                student = await one("person", "id", person.c.email == subject.student)
                guardian = await one("person", "id", person.c.email == subject.guardian)
                section = await one("section", "id", sec.c.code == subject.section)
                assert student, subject
                assert guardian, subject
                assert section, subject
                row = (await conn.execute(sa.select(sec).where(sec.c.id == section))).one()
                bas = tables["billing_account_student"]
                account = await conn.scalar(
                    sa.select(bas.c.account_id).where(bas.c.student_id == student).limit(1)
                )
                by: dict[str, Any] = {
                    "student_id": student,
                    "person_id": student,
                    "guardian_id": guardian,
                    "account_id": account,
                    "section_id": section,
                    "school_id": row.school_id,
                    "context_id": student,
                }
                # The person a new conversation is with: the subject's guardian.
                participant = guardian
                ids: dict[str, Any] = {
                    **by,
                    "institution_id": institution_id,
                    "course_id": row.course_id,
                    "term_id": row.term_id,
                    "day": date.today().isoformat(),
                    "provider": "fake",
                }
                del ids["context_id"]
                ids["participant_id"] = participant
                for param, (table, column) in PARAM_TABLES.items():
                    if param in ids:
                        continue
                    t = tables[table]
                    where = [t.c[c] == v for c, v in by.items() if c in t.c]
                    if table == "guardian_link":  # the subject's guardian's link
                        where = [t.c.student_id == student, t.c.guardian_id == guardian]
                    if table == "pairing_request":
                        where = [t.c.student_id == student]
                    if table == "message":
                        where = [t.c.conversation_id == ids.get("conversation_id")]
                    if table == "notification":  # the subject's guardian's (an announcement's)
                        where = [t.c.person_id == guardian]
                    if table == "stored_file":  # a file about the subject (a doctor's note)
                        about = tables["stored_file_subject"]
                        where = [
                            t.c.id.in_(
                                sa.select(about.c.file_id).where(about.c.student_id == student)
                            )
                        ]
                    if table == "file_upload":  # a slot for a note about the subject
                        excuses = tables["attendance_excuse"]
                        where = [
                            t.c.record_id.in_(
                                sa.select(excuses.c.id).where(excuses.c.student_id == student)
                            )
                        ]
                    value = await one(table, column, *where)
                    if value is not None:
                        ids[param] = value
                sessions, account = tables["auth_session"], tables["account"]
                ids["sign_in_id"] = await conn.scalar(
                    sa.select(sessions.c.id)
                    .join(account, account.c.id == sessions.c.account_id)
                    .where(account.c.person_id == student)
                    .order_by(sessions.c.id)
                    .limit(1)
                )
                found[name] = {k: str(v) for k, v in ids.items() if v is not None}
    finally:
        await engine.dispose()
    return found


async def furnish(
    client: httpx.AsyncClient,
    settings: Settings,
    headers: Mapping[str, Mapping[str, str]],
    institution_id: uuid.UUID,
) -> None:
    """Rows the demo seeds for student1 only, given to every subject: an absence note with a
    doctor's note, an invitation, a pairing request, a conversation about them."""
    people = await _people(settings, institution_id)
    second_guardian_of_student2 = "guardian14@demo.test"
    notes = {
        "A": "guardian1@demo.test",
        "B": second_guardian_of_student2,
        "C": "guardian3@demo.test",
    }
    for name, subject in SUBJECTS.items():
        if name == "A":  # the world gave student1 a note, an invitation, a pairing request
            continue
        who = notes[name]
        h = headers.get(who) or await login(client, who)
        r = await client.post(
            "/api/v1/attendance/excuses",
            headers=dict(h),
            json={
                "student_id": str(people[subject.student]),
                "starts_on": date.today().isoformat(),
                "ends_on": date.today().isoformat(),
                "reason": "dentist",
            },
        )
        assert r.status_code == 201, r.text
        # A doctor's note on it, by its author (student1's is the world's).
        note = await client.post(
            f"/api/v1/files/excuse-notes/{r.json()['id']}",
            headers=dict(h),
            files={"file": ("note.pdf", b"%PDF-1.4\n%probe\n", "application/pdf")},
        )
        assert note.status_code == 201, note.text
        slot = await client.post(
            f"/api/v1/files/excuse-notes/{r.json()['id']}/uploads",
            headers=dict(h),
            json=UPLOAD_SLOT,
        )
        assert slot.status_code == 201, slot.text
        code = await client.post(
            "/api/v1/pairing-codes",
            headers=dict(headers["admin@demo.test"]),
            json={"student_id": str(people[subject.student])},
        )
        assert code.status_code == 201, code.text
        asked = await client.post(
            "/api/v1/pairing-requests",
            headers=dict(headers["accountant@demo.test"]),
            json={"code": code.json()["code"]},
        )
        assert asked.status_code == 201, asked.text
        await _invite(settings, institution_id, people[subject.student], subject.student)
    admin = dict(headers["admin@demo.test"])
    sections = await _sections(settings, institution_id)
    for name, subject in SUBJECTS.items():
        if name == "A":  # the demo seeds S01's gradebook, assessments and a Northside scanner
            continue
        section_id, school_id, term_id = sections[subject.section]
        r = await client.post(
            "/api/v1/devices", headers=admin, json={"school_id": str(school_id), "name": "door"}
        )
        assert r.status_code == 201, r.text
        book = await client.put(
            f"/api/v1/sections/{section_id}/gradebook",
            headers=admin,
            json={"categories": [{"name": "Tests", "weight_ppm": 1_000_000}], "version": 0},
        )
        assert book.status_code == 200, book.text
        periods = await client.get(
            "/api/v1/terms",
            headers=admin,
            params={"kind": "grading_period", "parent_id": str(term_id), "active": "true"},
        )
        schemes = await client.get("/api/v1/grade-schemes", headers=admin)
        r = await client.post(
            f"/api/v1/sections/{section_id}/assessments",
            headers=admin,
            json={
                "title": "Quiz",
                "category_id": book.json()["categories"][0]["id"],
                "grading_period_id": periods.json()["items"][0]["id"],
                "scheme_id": schemes.json()["items"][0]["id"],
                "max_points": "10",
            },
        )
        assert r.status_code == 201, r.text
    # Conversations about student3 and student2, with a message each.
    for guardian, teacher, student in (
        ("guardian3@demo.test", "teacher3@demo.test", "student3@demo.test"),
        (second_guardian_of_student2, "teacher4@demo.test", "student2@demo.test"),
    ):
        h = dict(headers.get(guardian) or await login(client, guardian))
        started = await client.post(
            "/api/v1/conversations",
            headers=h,
            json={
                "kind": "direct",
                "participant_ids": [str(people[teacher])],
                "context": {"kind": "student", "id": str(people[student])},
            },
        )
        assert started.status_code in (200, 201), started.text
        cid = started.json()["id"]
        posted = await client.post(
            f"/api/v1/conversations/{cid}/messages",
            headers=h,
            json={"client_id": f"matrix-{cid}", "body": "hello"},
        )
        assert posted.status_code in (200, 201), posted.text


async def _sections(
    settings: Settings, institution_id: uuid.UUID
) -> dict[str, tuple[uuid.UUID, uuid.UUID, uuid.UUID]]:
    """Section code -> (id, school, term)."""
    section = metadata().tables["section"]
    engine = make_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.select(section).where(section.c.institution_id == institution_id)
            )
            return {r.code: (r.id, r.school_id, r.term_id) for r in rows}
    finally:
        await engine.dispose()


async def _people(settings: Settings, institution_id: uuid.UUID) -> dict[str, uuid.UUID]:
    person = metadata().tables["person"]
    engine = make_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.select(person.c.email, person.c.id).where(
                    person.c.institution_id == institution_id
                )
            )
            return {r.email: r.id for r in rows}
    finally:
        await engine.dispose()


async def _invite(
    settings: Settings, institution_id: uuid.UUID, person_id: uuid.UUID, email: str
) -> None:
    invitation = metadata().tables["invitation"]
    now = datetime.now(UTC)
    engine = make_engine(settings.database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                sa.insert(invitation).values(
                    id=uuid.uuid4(),
                    institution_id=institution_id,
                    person_id=person_id,
                    email=email,
                    token_hash=hashlib.sha256(email.encode()).hexdigest(),
                    created_at=now,
                    expires_at=now + timedelta(days=7),
                    send_count=0,
                )
            )
    finally:
        await engine.dispose()


class Snapshot:
    """The world's SQLite file, copied once and copied back (SQLite's backup API, safe beside
    the live server's open connections) whenever a write may have changed it.

    A connection of its own watches `PRAGMA data_version`, which moves whenever another
    connection commits: a call after which it has not moved changed nothing, and needs neither
    a fingerprint nor a restore."""

    def __init__(self, database_url: str, directory: Path) -> None:
        self.path = Path(database_url.split("///", 1)[1])
        self.copy = directory / "authz-snapshot.sqlite"
        self.tables = [
            t.name for t in metadata().sorted_tables if t.name not in NOT_RECORDS | DERIVED
        ]
        _backup(self.path, self.copy)
        self.print = self.fingerprint()
        self.watch = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        self.mark = self.version()

    def version(self) -> int:
        return int(self.watch.execute("PRAGMA data_version").fetchone()[0])

    async def restore(self) -> None:
        if self.version() == self.mark:
            return
        # In a thread: the live server shares this event loop and may hold the lock we wait on.
        await asyncio.to_thread(_backup, self.copy, self.path)
        self.mark = self.version()

    def fingerprint(self) -> dict[str, str]:
        """A hash of every table's rows (sign-ins and other bookkeeping aside)."""
        conn = sqlite3.connect(self.path, timeout=30)
        try:
            return {
                name: hashlib.sha256(
                    repr(
                        conn.execute(
                            f'SELECT {COLUMNS.get(name, "*")} FROM "{name}" ORDER BY 1'
                        ).fetchall()
                    ).encode()
                ).hexdigest()
                for name in self.tables
            }
        finally:
            conn.close()

    async def changed(self) -> list[str]:
        if self.version() == self.mark:
            return []
        now = await asyncio.to_thread(self.fingerprint)
        changed = sorted(name for name in self.tables if now[name] != self.print[name])
        if not changed:  # only bookkeeping moved: the records are the snapshot's
            self.mark = self.version()
        return changed

    def close(self) -> None:
        self.watch.close()


# Rows a refused request may write without changing anyone's records: the sign-in bookkeeping
# of `world.NOT_RECORDS`, and the audit trail (a refusal may well be audited).
DERIVED = {"audit_entry"}
# The relay marks events published after the fact: a refused request must add none.
COLUMNS = {"outbox_event": "id"}


def _backup(source: Path, target: Path) -> None:
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
