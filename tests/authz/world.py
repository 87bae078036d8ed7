"""What the authorization suites know of the seeded world: ids to aim at, who is who, and a
fingerprint of every row of the demo institution (to prove a refused write changed nothing)."""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa

from edtech.demo import DemoSummary, OtherSummary
from edtech.platform.db.engine import make_engine
from edtech.settings import Settings
from edtech.slices import metadata
from tests.roster import login

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# Path parameter -> the table whose demo rows it names (its `id`, unless a column is given).
PARAM_TABLES: dict[str, tuple[str, str]] = {
    "school_id": ("school", "id"),
    "term_id": ("academic_session", "id"),
    "course_id": ("course", "id"),
    "section_id": ("section", "id"),
    "enrollment_id": ("enrollment", "id"),
    "link_id": ("guardian_link", "id"),
    "assignment_id": ("role_assignment", "id"),
    "account_id": ("billing_account", "id"),
    "invoice_id": ("billing_invoice", "id"),
    "payment_id": ("billing_payment", "id"),
    "code": ("attendance_code", "code"),
    "session_id": ("attendance_session", "id"),
    "credential_id": ("attendance_credential", "id"),
    "excuse_id": ("attendance_excuse", "id"),
    "scheme_id": ("grade_scheme", "id"),
    "assessment_id": ("assessment", "id"),
    "conversation_id": ("conversation", "id"),
    "message_id": ("message", "id"),
    "announcement_id": ("announcement", "id"),
    "device_id": ("device", "id"),
    "invitation_id": ("invitation", "id"),
    "request_id": ("pairing_request", "id"),
    "job_id": ("job", "id"),
    "provider_id": ("sso_provider", "id"),
    "notification_id": ("notification", "id"),
    "batch_id": ("notification_batch", "id"),
    "file_id": ("stored_file", "id"),
    "upload_id": ("file_upload", "id"),
    "id": ("person", "id"),  # a OneRoster sourcedId: a record made here goes by its id
    "rotation_id": ("rotation", "id"),
    "import_id": ("oneroster_import", "id"),
}
# A direct upload's declaration (a small PDF's name, type, size and SHA-256).
UPLOAD_SLOT = {
    "filename": "note.pdf",
    "content_type": "application/pdf",
    "size_bytes": 16,
    "sha256": "0" * 64,
}
# Tables a sign-in or a refused request may touch without changing the institution's records.
NOT_RECORDS = {"auth_session", "refresh_token", "login_attempt", "idempotency_key"}


@dataclass
class World:
    demo: DemoSummary
    other: OtherSummary
    settings: Settings
    demo_ids: dict[str, str]
    """One demo id per path parameter name."""
    demo_uuids: frozenset[str]
    """Every id of every row of the demo institution: none may reach another institution."""
    headers: dict[str, dict[str, str]]
    """Signed-in `Authorization` headers by login."""

    async def fingerprint(self) -> dict[str, str]:
        """A hash of the demo institution's rows, per table."""
        return await _fingerprint(self.settings, self.demo.institution_id)


async def _fingerprint(settings: Settings, institution_id: uuid.UUID) -> dict[str, str]:
    engine = make_engine(settings.database_url)
    prints: dict[str, str] = {}
    try:
        async with engine.connect() as conn:
            for table in metadata().sorted_tables:
                if "institution_id" not in table.c or table.name in NOT_RECORDS:
                    continue
                rows = (
                    await conn.execute(
                        sa.select(table)
                        .where(table.c.institution_id == institution_id)
                        .order_by(*table.primary_key.columns)
                    )
                ).all()
                prints[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    finally:
        await engine.dispose()
    return prints


async def _demo_rows(
    settings: Settings, institution_id: uuid.UUID
) -> tuple[dict[str, str], set[str]]:
    engine = make_engine(settings.database_url)
    firsts: dict[str, str] = {}
    every: set[str] = {str(institution_id)}
    tables = {t.name: t for t in metadata().sorted_tables}
    try:
        async with engine.connect() as conn:
            for table in tables.values():
                if "institution_id" not in table.c or "id" not in table.c:
                    continue
                ids = await conn.scalars(
                    sa.select(table.c.id).where(table.c.institution_id == institution_id)
                )
                every.update(str(i) for i in ids)
            for param, (name, column) in PARAM_TABLES.items():
                table = tables[name]
                value = await conn.scalar(
                    sa.select(table.c[column])
                    .where(table.c.institution_id == institution_id)
                    .order_by(table.c[column])
                    .limit(1)
                )
                if value is not None:
                    firsts[param] = str(value)
    finally:
        await engine.dispose()
    return firsts, every


LOGINS = (
    "admin@demo.test",
    "schooladmin@demo.test",
    "teacher1@demo.test",
    "teacher2@demo.test",
    "guardian1@demo.test",
    "guardian2@demo.test",
    "guardian3@demo.test",
    "student1@demo.test",
    "accountant@demo.test",
    "officer@demo.test",
    "admin@other.test",
    "guardian@other.test",
    "teacher@other.test",
)


async def discover(
    client: httpx.AsyncClient, settings: Settings, demo: DemoSummary, other: OtherSummary
) -> World:
    headers = {email: await login(client, email) for email in LOGINS}
    # An absence note, so `excuse_id` has a target (the demo seeds none).
    r = await client.post(
        "/api/v1/attendance/excuses",
        headers=headers["guardian1@demo.test"],
        json={
            "student_id": str(demo.student1_id),
            "starts_on": date.today().isoformat(),
            "ends_on": date.today().isoformat(),
            "reason": "dentist",
        },
    )
    assert r.status_code == 201, r.text
    # A doctor's note on it, so `file_id` has a target.
    note = await client.post(
        f"/api/v1/files/excuse-notes/{r.json()['id']}",
        headers=headers["guardian1@demo.test"],
        files={"file": ("note.pdf", b"%PDF-1.4\n%probe\n", "application/pdf")},
    )
    assert note.status_code == 201, note.text
    # A direct-upload slot on it, so `upload_id` has a target.
    slot = await client.post(
        f"/api/v1/files/excuse-notes/{r.json()['id']}/uploads",
        headers=headers["guardian1@demo.test"],
        json=UPLOAD_SLOT,
    )
    assert slot.status_code == 201, slot.text
    await _add_invitation(settings, demo)
    await _add_failed_job(settings, demo)
    await _add_roster_import(settings, demo)
    # An urgent announcement to S01's guardians, so `batch_id` (its notifications' batch) and
    # `notification_id` (guardian1's) have targets.
    announced = await client.post(
        "/api/v1/announcements",
        headers=headers["admin@demo.test"],
        json={
            "title": "Early pick-up",
            "body": "School closes at noon.",
            "audience": {"kind": "section_guardians", "section_id": str(demo.section_ids[0])},
            "priority": "urgent",
        },
    )
    assert announced.status_code == 201, announced.text
    # A pairing request, so `request_id` has a target: teacher2 asks with student1's code.
    code = await client.post(
        "/api/v1/pairing-codes",
        headers=headers["admin@demo.test"],
        json={"student_id": str(demo.student1_id)},
    )
    assert code.status_code == 201, code.text
    asked = await client.post(
        "/api/v1/pairing-requests",
        headers=headers["teacher2@demo.test"],
        json={"code": code.json()["code"]},
    )
    assert asked.status_code == 201, asked.text
    # A single sign-on provider, so `provider_id` has a target (the demo configures none).
    provider = await client.post(
        "/api/v1/sso-providers",
        headers=headers["admin@demo.test"],
        json={
            "name": "google",
            "display_name": "Google",
            "issuer": "https://accounts.google.com",
            "client_id": "demo-client",
            "client_secret": "demo-secret",
            "allowed_domains": ["demo.test"],
        },
    )
    assert provider.status_code == 201, provider.text
    await _add_rotation(client, headers["admin@demo.test"], demo)
    firsts, every = await _demo_rows(settings, demo.institution_id)
    ids = {
        **firsts,
        "institution_id": str(demo.institution_id),
        "person_id": str(demo.student1_id),
        "student_id": str(demo.student1_id),
        "day": date.today().isoformat(),
        "provider": "fake",
    }
    return World(demo, other, settings, ids, frozenset(every), headers)


async def _add_rotation(
    client: httpx.AsyncClient, admin: dict[str, str], demo: DemoSummary
) -> None:
    """A bell schedule and an A/B rotation, so `rotation_id` has a target."""
    school_id = str(demo.school_ids[0])
    period = {"name": "P1", "starts_at": "08:00", "ends_at": "08:45"}
    schedule = await client.post(
        "/api/v1/calendar/bell-schedules",
        headers=admin,
        json={"school_id": school_id, "name": "Regular", "periods": [period]},
    )
    assert schedule.status_code == 201, schedule.text
    rotation = await client.post(
        "/api/v1/calendar/rotations",
        headers=admin,
        json={
            "school_id": school_id,
            "name": "A/B",
            "labels": ["A", "B"],
            "starts_on": date.today().isoformat(),
            "bell_schedule_id": schedule.json()["id"],
        },
    )
    assert rotation.status_code == 201, rotation.text


async def _add_failed_job(settings: Settings, demo: DemoSummary) -> None:
    """A dead-lettered job of the demo institution, so `job_id` has a target."""
    job = metadata().tables["job"]
    now = datetime.now(UTC)
    engine = make_engine(settings.database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                sa.insert(job).values(
                    id=uuid.uuid4(),
                    name="authz.probe",
                    args={},
                    state="failed",
                    attempts=5,
                    max_attempts=5,
                    run_at=now,
                    institution_id=demo.institution_id,
                    last_error="RuntimeError: probe",
                    created_at=now,
                    finished_at=now,
                )
            )
    finally:
        await engine.dispose()


async def _add_roster_import(settings: Settings, demo: DemoSummary) -> None:
    """A finished roster import of the demo institution, so `import_id` has a target."""
    roster_import = metadata().tables["oneroster_import"]
    now = datetime.now(UTC)
    engine = make_engine(settings.database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                sa.insert(roster_import).values(
                    id=uuid.uuid4(),
                    institution_id=demo.institution_id,
                    requested_by=demo.person("admin@demo.test"),
                    state="succeeded",
                    dry_run=True,
                    lenient=False,
                    progress={"phase": "finished", "file": None, "done": 0, "total": 0},
                    report={"dry_run": True, "entities": {}, "warnings": []},
                    created_at=now,
                    finished_at=now,
                )
            )
    finally:
        await engine.dispose()


async def _add_invitation(settings: Settings, demo: DemoSummary) -> None:
    """An invitation, so `invitation_id` has a target (invitations are mailed; none is seeded)."""
    invitation = metadata().tables["invitation"]
    now = datetime.now(UTC)
    engine = make_engine(settings.database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                sa.insert(invitation).values(
                    id=uuid.uuid4(),
                    institution_id=demo.institution_id,
                    person_id=demo.student1_id,
                    email="student1@demo.test",
                    token_hash=hashlib.sha256(b"authz").hexdigest(),
                    created_at=now,
                    expires_at=now + timedelta(days=7),
                    send_count=0,
                )
            )
    finally:
        await engine.dispose()


def leaked(text: str, world: World, sent: set[str]) -> set[str]:
    """Demo ids in an answer to someone of another institution, other than those they sent."""
    return {u for u in UUID.findall(text) if u in world.demo_uuids and u not in sent}


def body_ids(body: Any) -> set[str]:
    return set(UUID.findall(repr(body)))
