"""A background roster import's record (Core statements: a job's record with no behaviour),
and the progress log that tells the uploader's `/ws` channel how far it got."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.kernel.clock import Clock
from edtech.oneroster.domain.events import ImportProgressed
from edtech.oneroster.infrastructure.tables import roster_import
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.jobs import job_table
from edtech.platform.services import Services

READ_COLUMNS = [
    *(c for c in roster_import.c if c.name != "package"),
    job_table.c.state.label("job_state"),
    job_table.c.attempts.label("job_attempts"),
    job_table.c.last_error.label("job_error"),
]


async def add_import(session: AsyncSession, **values: Any) -> None:
    await session.execute(sa.insert(roster_import).values(**values))


async def update_import(session: AsyncSession, import_id: uuid.UUID, **values: Any) -> None:
    await session.execute(
        sa.update(roster_import).where(roster_import.c.id == import_id).values(**values)
    )


async def import_to_run(session: AsyncSession, import_id: uuid.UUID) -> Row[Any] | None:
    """The import with its package, unless it has already ended (a job retried after the
    import committed must not run it twice)."""
    stmt = sa.select(roster_import).where(
        roster_import.c.id == import_id, roster_import.c.state.in_(("queued", "running"))
    )
    return (await session.execute(stmt)).one_or_none()


async def import_of(
    session: AsyncSession, institution_id: uuid.UUID, import_id: uuid.UUID
) -> Row[Any] | None:
    """One import of this institution (never another's), with its job's state."""
    stmt = (
        sa.select(*READ_COLUMNS)
        .select_from(roster_import.outerjoin(job_table, job_table.c.id == roster_import.c.job_id))
        .where(roster_import.c.id == import_id, roster_import.c.institution_id == institution_id)
    )
    return (await session.execute(stmt)).one_or_none()


async def import_exists(
    session: AsyncSession, institution_id: uuid.UUID, import_id: uuid.UUID
) -> bool:
    found = await session.scalar(
        sa.select(roster_import.c.id).where(
            roster_import.c.id == import_id, roster_import.c.institution_id == institution_id
        )
    )
    return found is not None


class ImportProgressLog:
    """Records an import's progress on its row and publishes `oneroster.import_progressed`,
    each step in a short transaction of its own (beside the import's).

    `live` says whether steps can be written while the import's transaction is open: on
    PostgreSQL they can; SQLite has one writer at a time, so on the embedded default only the
    steps outside the import's transaction (started, then the outcome) are published."""

    def __init__(self, uows: Callable[[], UnitOfWork], clock: Clock, live: bool) -> None:
        self.uows, self.clock, self.live = uows, clock, live

    async def note(
        self,
        institution_id: uuid.UUID,
        import_id: uuid.UUID,
        phase: str,
        file: str | None = None,
        done: int = 0,
        total: int = 0,
    ) -> None:
        now = self.clock.now()
        progress = {"phase": phase, "file": file, "done": done, "total": total}
        async with self.uows() as uow:
            values: dict[str, Any] = {"progress": progress}
            if phase == "started":
                values.update(state="running", started_at=now)
            await update_import(uow.session, import_id, **values)
            uow.emit(
                ImportProgressed(
                    institution_id=institution_id,
                    occurred_at=now,
                    import_id=import_id,
                    phase=phase,
                    file=file,
                    done=done,
                    total=total,
                )
            )
            await uow.commit()


def progress_port(services: Services) -> ImportProgressLog:
    live = not services.settings.database_url.startswith("sqlite")
    return ImportProgressLog(services.uow, services.clock, live)


def uows_port(services: Services) -> Callable[[], UnitOfWork]:
    """A factory of fresh units of work, for a use case that records an outcome after its
    main transaction rolled back."""
    return services.uow
