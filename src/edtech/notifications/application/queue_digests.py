"""Use case: the digest sweep — queue one digest job per person whose daily digest is due."""

from __future__ import annotations

from edtech.kernel.clock import Clock
from edtech.notifications.application.plan_notifications import school_zone
from edtech.notifications.application.send_digest import DIGEST_JOB
from edtech.notifications.infrastructure.digests import SqlDigests
from edtech.notifications.infrastructure.repository import FINAL
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.jobs import Deferred, SqlJobs


class QueueDigests:
    """Every few minutes (a schedule, on one node at a time): each person with held
    notifications whose digest hour has come gets one digest job for that school day (lock
    `digest:<person>:<day>`: never two queued). A held notification that came after its day's
    digest was sent (it was being sent as the notification was made) waits for the next
    day's, at the same hour: one digest per person and day."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self) -> int:
        """Returns how many digest jobs it queued."""
        async with self.uow as uow:
            digests = SqlDigests(uow.session)
            now = self.clock.now()
            queued = []
            for due in await digests.due(now):
                if due.marker is None:
                    queued.append(
                        Deferred(
                            DIGEST_JOB,
                            {
                                "institution_id": str(due.institution_id),
                                "person_id": str(due.person_id),
                                "day": due.day.isoformat(),
                            },
                            at=now,
                            lock=f"digest:{due.person_id}:{due.day.isoformat()}",
                            institution_id=due.institution_id,
                        )
                    )
                elif due.marker in FINAL:
                    zone = await school_zone(uow.session, due.institution_id)
                    await digests.roll_over(due.person_id, due.day, zone)
            await SqlJobs(uow.session, self.clock).defer_many(queued)
            await uow.commit()
        return len(queued)
