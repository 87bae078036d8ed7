"""Recompute signals when marks or grades commit: an event sink that, in the same transaction,
defers the recomputation of every student whose attendance or published grades changed (a
durable job, ADR-0007)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.attendance.public import ExcuseDecided, MarkChanged, SessionClosed
from edtech.grades.public import GradesPublished
from edtech.kernel.clock import Clock
from edtech.kernel.events import DomainEvent
from edtech.platform.jobs.store import SqlJobs

RECOMPUTE = "insights.recompute"


class RecomputeOnAttendance:
    """Stages, for each institution whose attendance or published grades changed in the
    transaction, one `insights.recompute` job naming the students and closed sessions
    concerned (`students`, `sessions`: attendance; `graded`: published grades)."""

    event_types = frozenset(
        {ExcuseDecided.type, MarkChanged.type, SessionClosed.type, GradesPublished.type}
    )

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def stage(self, session: AsyncSession, events: Sequence[DomainEvent]) -> object:
        work: dict[uuid.UUID, tuple[set[str], set[str], set[str]]] = {}
        for event in events:
            if not isinstance(event, ExcuseDecided | MarkChanged | SessionClosed | GradesPublished):
                continue
            students, sessions, graded = work.setdefault(
                event.institution_id, (set(), set(), set())
            )
            if isinstance(event, ExcuseDecided | MarkChanged):
                students.add(str(event.student_id))
            elif isinstance(event, SessionClosed):
                sessions.add(str(event.session_id))
            else:
                graded.add(str(event.student_id))
        jobs = SqlJobs(session, self.clock)
        for institution_id, (students, sessions, graded) in work.items():
            args = {
                "institution_id": str(institution_id),
                "students": sorted(students),
                "sessions": sorted(sessions),
                "graded": sorted(graded),
            }
            if students or sessions:
                await jobs.defer(RECOMPUTE, args, institution_id=institution_id)
            else:
                # Publications only: merged into the institution's waiting recompute, if one
                # waits. A class published several times in a row is recomputed once, not
                # once per publication by jobs running side by side on the same students.
                # (Attendance stays one job per transaction: its marks come by the thousand
                # at 8 a.m., and each would wait its turn on the waiting job's row.)
                await jobs.defer_coalesced(
                    RECOMPUTE,
                    args,
                    lock=f"{RECOMPUTE}.graded:{institution_id}",
                    merge=merged,
                    institution_id=institution_id,
                )
        return None

    async def committed(self, staged: object) -> None:
        return None


def merged(waiting: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Two recomputes' arguments as one: every student and session either names."""
    return {
        "institution_id": waiting["institution_id"],
        **{
            key: sorted({*waiting.get(key, []), *new.get(key, [])})
            for key in ("students", "sessions", "graded")
        },
    }
