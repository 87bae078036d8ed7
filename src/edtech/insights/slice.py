"""The insights slice as the composition root sees it: routes, the counsellors' channel, the
signals table, the recompute job and the sink that defers it when attendance changes."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from edtech.insights import channels, infrastructure
from edtech.insights.api import router
from edtech.insights.api.measures import router as measures_router
from edtech.insights.application.recompute_signals import RecomputeSignals
from edtech.insights.infrastructure.sink import RECOMPUTE, RecomputeOnAttendance
from edtech.manifest import JobFunction, Slice
from edtech.platform.http.deps import use_case
from edtech.platform.services import Services


async def recompute(services: Services, args: Mapping[str, Any]) -> None:
    """The `insights.recompute` job: the students and closed sessions a transaction touched."""
    await use_case(RecomputeSignals)(services)(
        uuid.UUID(args["institution_id"]),
        [uuid.UUID(s) for s in args.get("students", [])],
        [uuid.UUID(s) for s in args.get("sessions", [])],
    )


SLICE = Slice(
    name="insights",
    routers=[router, measures_router],
    channels=channels.register,
    tables=[infrastructure],
    jobs=[JobFunction(RECOMPUTE, recompute, max_attempts=5)],
    sinks=[lambda services: RecomputeOnAttendance(services.clock)],
)
