"""What the rest of the product may use from attendance: demo seeding, the close-time task,
and the demo scanner replay. Other slices import only this module."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.attendance.application.close_due_sessions import CloseDueSessions
from edtech.attendance.application.common import cancel_in
from edtech.attendance.application.plan_sessions import PlanSessions
from edtech.attendance.domain import (
    CredentialKind,
    ExcuseDecided,
    MarkChanged,
    SessionClosed,
    credential_hash,
)
from edtech.attendance.infrastructure.exports import (
    ExcuseFacts,
    excuse_facts,
    student_attendance_record,
)
from edtech.attendance.infrastructure.queries import (
    AbsenceSummary,
    SessionRecord,
    absence_summaries,
    report_rows,
    student_record,
    students_of_sessions,
)
from edtech.attendance.infrastructure.repositories import SqlAlchemyCodes
from edtech.attendance.infrastructure.roster import InstitutionsRoster
from edtech.attendance.infrastructure.tables import attendance_credential
from edtech.identity.public import create_device
from edtech.institutions.public import institutions_query, school_clock
from edtech.kernel.clock import Clock, SystemClock
from edtech.kernel.ids import new_id
from edtech.platform.db.engine import dialect_insert
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.http.deps import use_case
from edtech.platform.observability.logging import get_logger
from edtech.platform.services import Services

log = get_logger("edtech.attendance")

DEMO_SCANNER_KEY = "demo-scanner-key"
CLOSE_INTERVAL_SECONDS = 15.0
CLOSE_BATCH = 50
_STUDENT = re.compile(r"^student(\d+)@demo\.test$")

__all__ = [
    "DEMO_SCANNER_KEY",
    "AbsenceSummary",
    "ExcuseDecided",
    "ExcuseFacts",
    "MarkChanged",
    "SessionClosed",
    "SessionRecord",
    "absence_summaries",
    "cancel_sessions_on",
    "close_due_sessions",
    "excuse_facts",
    "plan_tomorrow",
    "replay_scanner",
    "report_rows",
    "run_closer",
    "seed_demo",
    "student_attendance_record",
    "student_record",
    "students_of_sessions",
]


class _DemoSummary(Protocol):
    @property
    def institution_id(self) -> uuid.UUID: ...
    @property
    def school_ids(self) -> tuple[uuid.UUID, ...]: ...
    @property
    def people(self) -> Any: ...


async def cancel_sessions_on(
    session: AsyncSession,
    institution_id: uuid.UUID,
    school_id: uuid.UUID | None,
    day: date,
    reason: str,
    now: datetime,
) -> int:
    """Cancel the sessions of `day` that have not ended (one school's, or every school's when
    `school_id` is None) in the caller's transaction — a closure or holiday declared after
    they were planned. No absences, no alerts; boards and students are told."""
    roster = InstitutionsRoster(session, day)
    return await cancel_in(session, roster, institution_id, school_id, day, reason, now)


PLAN_INTERVAL = timedelta(hours=1)


async def plan_tomorrow(services: Services) -> int:
    """One scheduled pass (every `PLAN_INTERVAL`): plan tomorrow's sessions — tomorrow at each
    institution, in its time zone — from the meetings, the calendar and the rotations, for every
    institution in service. Idempotent: meetings already planned are skipped, so running it
    each hour only fills what changed. Returns how many sessions it made."""
    async with services.session_factory() as session:
        tenants = [r.id for r in await session.execute(institutions_query()) if not r.suspended]
    plan = use_case(PlanSessions, lambda s: InstitutionsRoster.on_clock(s.clock))
    created = 0
    for institution_id in tenants:
        async with services.session_factory() as session:
            today = (await school_clock(session, services.clock, institution_id)).today()
        created += len(await plan(services)(None, institution_id, today + timedelta(days=1)))
    if created:
        log.info("attendance_sessions_planned", count=created)
    return created


async def close_due_sessions(services: Services) -> int:
    """Close every session whose close time has passed; returns how many were closed."""
    close = use_case(CloseDueSessions, lambda s: InstitutionsRoster.on_clock(s.clock))(services)
    return await close(CLOSE_BATCH)


async def run_closer(services: Services) -> int:
    """One scheduled pass (every `CLOSE_INTERVAL_SECONDS`): close due sessions batch by batch
    until none is left; returns how many."""
    total = 0
    while True:
        closed = await close_due_sessions(services)
        total += closed
        if closed < CLOSE_BATCH:  # a full batch means more may be waiting: go again at once
            break
    if total:
        log.info("attendance_sessions_closed", count=total)
    return total


async def seed_demo(
    session_factory: async_sessionmaker[AsyncSession],
    summary: _DemoSummary,
    *,
    clock: Clock | None = None,
    day: date | None = None,
) -> dict[str, int]:
    """Demo attendance, idempotently: the default codes, today's sessions for every section,
    a scanner whose key is `demo-scanner-key`, and a card `CARD-<n>` for `student<n>@demo.test`."""
    clock = clock or SystemClock()
    institution_id = summary.institution_id
    if day is None:
        async with session_factory() as session:
            day = (await school_clock(session, clock, institution_id)).today()
    created = await PlanSessions(
        UnitOfWork(session_factory), clock, InstitutionsRoster.on_clock(clock)
    )(None, institution_id, day)
    async with session_factory() as session:
        await SqlAlchemyCodes(session).book(institution_id)
        await create_device(
            session,
            institution_id=institution_id,
            school_id=summary.school_ids[0],
            name="Demo scanner",
            location="Main entrance",
            key=DEMO_SCANNER_KEY,
            now=clock.now(),
        )
        rows = []
        for email, person_id in summary.people.items():
            match = _STUDENT.match(email)
            if match is None:
                continue
            value = f"CARD-{match.group(1)}"
            rows.append(
                {
                    "id": new_id(),
                    "institution_id": institution_id,
                    "student_id": person_id,
                    "kind": CredentialKind.CARD.value,
                    "value_hash": credential_hash(institution_id, value),
                    "label": "…" + value[-4:],
                    "created_at": clock.now(),
                    "revoked_at": None,
                }
            )
        if rows:
            await session.execute(
                dialect_insert(session)(attendance_credential).values(rows).on_conflict_do_nothing()
            )
        await session.commit()
    return {"sessions": len(created), "credentials": len(rows)}


async def _sessions_around(
    client: httpx.AsyncClient, auth: dict[str, str], now: datetime
) -> list[dict[str, Any]]:
    """Sessions dated yesterday, today or tomorrow in UTC: the school's "today", in whatever
    zone it keeps, is one of them (a session's date is its start's date in the school's zone)."""
    items: list[dict[str, Any]] = []
    for shift in (-1, 0, 1):
        day = (now + timedelta(days=shift)).date().isoformat()
        listed = await client.get(
            "/api/v1/attendance/sessions", params={"date": day, "limit": 200}, headers=auth
        )
        listed.raise_for_status()
        items.extend(listed.json()["items"])
    return items


async def replay_scanner(
    base_url: str,
    *,
    students: int,
    key: str = DEMO_SCANNER_KEY,
    officer_email: str = "officer@demo.test",
    password: str = "edtech-demo",  # noqa: S107 - the demo school's published password
    pace: float = 0.5,
    say: Callable[[str], None] = print,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> dict[str, int]:
    """`edtech demo scanner`: replay a morning's arrivals against a running server.

    Signs in as the attendance officer, starts a fresh session for every section that meets
    today — has a session dated yesterday, today or tomorrow in UTC, whatever the school's zone
    (it began ten minutes ago, five minutes' grace) — unless one is already running, then
    taps `CARD-1` … `CARD-<n>` one by one: the first two thirds arrived on time (uploaded late,
    as an offline device would), the rest are arriving now, ten minutes late. Watch any
    teacher's board fill up (teacher1's section S01 gets every one of its students). `now`
    is the wall clock (a test gives the server's).
    """
    counts: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        r = await client.post(
            "/api/v1/auth/token", data={"username": officer_email, "password": password}
        )
        r.raise_for_status()
        auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
        started = now()
        items = await _sessions_around(client, auth, started)
        # Sections in the order they were made (time-ordered ids: S01 first). A student in two
        # sections is expected in both sessions at once; the scan lands in the first made.
        sections = sorted({s["section_id"] for s in items}, key=uuid.UUID)
        running = {
            s["section_id"]
            for s in items
            if s["state"] in ("scheduled", "open")
            and datetime.fromisoformat(s["opens_at"])
            <= started
            < datetime.fromisoformat(s["closes_at"])
        }
        starts = started - timedelta(minutes=10)
        for section_id in sections:
            if section_id in running:  # an earlier replay's session is still on: reuse it
                continue
            made = await client.post(
                "/api/v1/attendance/sessions",
                json={
                    "section_id": section_id,
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + timedelta(minutes=45)).isoformat(),
                    "grace_minutes": 5,
                    "late_cutoff_minutes": 30,
                },
                headers=auth,
            )
            if made.status_code == 201:
                say(f"session {made.json()['id']} for section {section_id}")
        on_time = (2 * students) // 3
        for n in range(1, students + 1):
            at = starts + timedelta(minutes=1) if n <= on_time else now()
            scan = {
                "id": f"replay-{started:%Y%m%d%H%M%S}-{n}",
                "credential": f"CARD-{n}",
                "scanned_at": at.isoformat(),
            }
            r = await client.post(
                "/api/v1/attendance/scans", json={"scans": [scan]}, headers={"X-Device-Key": key}
            )
            r.raise_for_status()
            result = r.json()["results"][0]
            counts[result["result"]] = counts.get(result["result"], 0) + 1
            late = f", {result['minutes_late']} min late" if result.get("minutes_late") else ""
            say(f"CARD-{n}: {result['result']} {result.get('category') or ''}{late}")
            await asyncio.sleep(pace)
    return counts
