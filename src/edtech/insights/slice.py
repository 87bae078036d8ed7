"""The insights slice as the composition root sees it: routes, the counsellors' channel, the
signals table, the recompute jobs and the sink that defers them when attendance or published
grades change, and the scheduled "attendance not taken" check."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from edtech.insights import channels, infrastructure
from edtech.insights.api import router
from edtech.insights.api.features import router as features_router
from edtech.insights.api.measures import router as measures_router
from edtech.insights.api.thresholds import router as thresholds_router
from edtech.insights.application.alert_attendance_not_taken import AlertAttendanceNotTaken
from edtech.insights.application.recompute_signals import RecomputeSignals
from edtech.insights.application.set_thresholds import RECOMPUTE_ALL
from edtech.insights.domain.features import RuleBasedScorer
from edtech.insights.infrastructure.repositories import students_with_signals
from edtech.insights.infrastructure.sink import RECOMPUTE, RecomputeOnAttendance
from edtech.institutions.public import (
    institutions_query,
    sections_of_institution,
    students_of_section,
)
from edtech.manifest import JobFunction, Scheduled, Slice
from edtech.platform.http.deps import use_case
from edtech.platform.observability.logging import get_logger
from edtech.platform.services import Services


async def recompute(services: Services, args: Mapping[str, Any]) -> None:
    """The `insights.recompute` job: the students and closed sessions a transaction touched
    (attendance) and the students whose published grades changed (`graded`)."""
    await use_case(RecomputeSignals)(services)(
        uuid.UUID(args["institution_id"]),
        [uuid.UUID(s) for s in args.get("students", [])],
        [uuid.UUID(s) for s in args.get("sessions", [])],
        [uuid.UUID(s) for s in args.get("graded", [])],
    )


RECOMPUTE_CHUNK = 200


async def recompute_all(services: Services, args: Mapping[str, Any]) -> None:
    """The `insights.recompute_all` job (thresholds changed): every student enrolled in a
    section of the institution today and every student with a signal (one who left keeps a
    current one), every indicator, `RECOMPUTE_CHUNK` students per transaction — a lowered
    threshold can raise a signal for a student who never had one."""
    institution_id = uuid.UUID(args["institution_id"])
    async with services.session_factory() as session:
        everyone = set(await students_with_signals(session, institution_id))
        for section_id, _term in await sections_of_institution(session, institution_id):
            everyone.update(await students_of_section(session, institution_id, section_id))
    students = sorted(everyone, key=str)
    for at in range(0, len(students), RECOMPUTE_CHUNK):
        chunk = students[at : at + RECOMPUTE_CHUNK]
        await use_case(RecomputeSignals)(services)(institution_id, chunk, (), chunk)


NOT_TAKEN_INTERVAL = timedelta(minutes=1)
log = get_logger("edtech.insights")


async def alert_not_taken(services: Services) -> int:
    """One scheduled pass (every minute): alert the registers nobody has started, in every
    institution in service. Returns how many sessions were alerted."""
    async with services.session_factory() as session:
        tenants = [r.id for r in await session.execute(institutions_query()) if not r.suspended]
    alert = use_case(AlertAttendanceNotTaken)(services)
    alerted = 0
    for institution_id in tenants:
        alerted += await alert(institution_id)
    if alerted:
        log.info("attendance_not_taken_alerted", count=alerted)
    return alerted


SLICE = Slice(
    name="insights",
    routers=[router, measures_router, features_router, thresholds_router],
    channels=channels.register,
    tables=[infrastructure],
    # The scoring port's default; a model is another `Scorer` component in its place.
    components=[lambda services: RuleBasedScorer()],
    jobs=[
        JobFunction(RECOMPUTE, recompute, max_attempts=5, coalescing=True),
        JobFunction(RECOMPUTE_ALL, recompute_all, max_attempts=5),
    ],
    schedules=[Scheduled("insights.attendance_not_taken", NOT_TAKEN_INTERVAL, alert_not_taken)],
    sinks=[lambda services: RecomputeOnAttendance(services.clock)],
)
