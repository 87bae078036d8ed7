"""The read queries of the jobs admin view: a page of an institution's jobs, one job.

Reads bypass the queue's port (`edtech.platform.jobs`): they select straight from its table,
leaving out the claim's internals (the lock and the lease).
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.platform.jobs import job_table

COLUMNS = [c for c in job_table.c if c.name not in ("lock", "lease_until")]


def jobs_query(institution_id: uuid.UUID, state: str | None) -> sa.Select[Any]:
    """The institution's jobs (in `state` unless None), newest run time first, for a page."""
    stmt = sa.select(*COLUMNS).where(job_table.c.institution_id == institution_id)
    if state is not None:
        stmt = stmt.where(job_table.c.state == state)
    return stmt.order_by(job_table.c.run_at.desc(), job_table.c.id)


async def is_institutions_job(
    session: AsyncSession, institution_id: uuid.UUID, job_id: uuid.UUID
) -> bool:
    """Whether the job exists and carries this institution (the sweeps carry none)."""
    found = await session.scalar(
        sa.select(job_table.c.id).where(
            job_table.c.id == job_id, job_table.c.institution_id == institution_id
        )
    )
    return found is not None


async def job_row(session: AsyncSession, job_id: uuid.UUID) -> Row[Any]:
    """One job, which must exist."""
    return (await session.execute(sa.select(*COLUMNS).where(job_table.c.id == job_id))).one()
