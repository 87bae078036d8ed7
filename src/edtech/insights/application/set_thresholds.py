"""Use case: an institution administrator sets the institution's signal thresholds."""

from __future__ import annotations

from edtech.insights.domain.thresholds import Thresholds
from edtech.insights.infrastructure.thresholds import save_thresholds, thresholds_of
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ForbiddenError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.jobs.store import SqlJobs

RECOMPUTE_ALL = "insights.recompute_all"


class SetThresholds:
    """Only the institution's administrators set its thresholds, each within its range. The
    change queues, in the same transaction, the recomputation of every signal of the
    institution (`insights.recompute_all`): levels and evidence follow the new thresholds, and
    each level that changes is pushed to the counsellors like any other. A change of
    `guardians_see_signals` alone recomputes nothing (no level depends on it)."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, principal: Principal, thresholds: Thresholds) -> Thresholds:
        if not principal.is_institution_admin:
            raise ForbiddenError("Only institution administrators set the thresholds.")
        async with self.uow as uow:
            institution_id = principal.institution_id
            before = await thresholds_of(uow.session, institution_id)
            await save_thresholds(
                uow.session, institution_id, thresholds, self.clock.now(), principal.person_id
            )
            if not before.same_levels(thresholds):
                await SqlJobs(uow.session, self.clock).defer(
                    RECOMPUTE_ALL,
                    {"institution_id": str(institution_id)},
                    institution_id=institution_id,
                )
            await uow.commit()
        return thresholds
