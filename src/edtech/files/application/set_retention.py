"""Use case: an institution sets how long it keeps its files, per category."""

from __future__ import annotations

from collections.abc import Mapping

from edtech.files.domain import Category
from edtech.files.domain.retention import Periods, check_periods, with_defaults
from edtech.files.infrastructure.retention import (
    locked_retention_overrides,
    save_retention_overrides,
)
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ForbiddenError
from edtech.kernel.principal import Principal, Role
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.observability.logging import get_logger

log = get_logger("edtech.files")


class SetRetention:
    """Institution administrators set the retention period of the categories they name (days,
    or null: as long as the record); the others keep theirs. Periods outside what the law and
    the category allow are refused (422, per category) and change nothing. The pruning job
    (`files.prune`) applies them from its next run; the log records who changed what."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(
        self, principal: Principal, changes: Mapping[Category, int | None]
    ) -> Periods:
        if Role.INSTITUTION_ADMIN not in principal.roles:
            raise ForbiddenError("only institution administrators set how long files are kept")
        check_periods(changes)
        now = self.clock.now()
        async with self.uow as uow:
            periods = await locked_retention_overrides(
                uow.session, principal.institution_id, principal.person_id, now
            )
            periods.update(changes)
            await save_retention_overrides(
                uow.session, principal.institution_id, periods, principal.person_id, now
            )
            await uow.commit()
        log.info(
            "file_retention_set",
            institution_id=str(principal.institution_id),
            by=str(principal.person_id),
            changes={c.value: d for c, d in changes.items()},
        )
        return with_defaults(periods)
