"""The whole demo product: the demo school's roster, then each slice's demo data on top of it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.attendance.public import seed_demo as seed_attendance
from edtech.billing.public import seed_demo as seed_billing
from edtech.communication.public import seed_demo as seed_communication
from edtech.demo import DemoScale, DemoSummary, seed_demo
from edtech.grades.public import seed_demo as seed_grades

Progress = Callable[[str, int, int], None]
SliceSeed = Callable[..., Awaitable[Any]]  # (session_factory, summary) -> anything

SLICE_SEEDS: tuple[tuple[str, SliceSeed], ...] = (
    ("attendance: today's sessions, scanner, cards", seed_attendance),
    ("grades: gradebook and draft results", seed_grades),
    ("communication: a conversation and an announcement", seed_communication),
    ("billing: fees, family accounts, invoices paid, partly paid and overdue", seed_billing),
)


async def seed_product_demo(
    session_factory: async_sessionmaker[AsyncSession],
    scale: DemoScale,
    progress: Progress | None = None,
) -> DemoSummary:
    """Seed everything a newcomer needs to try the product; idempotent like each part."""
    summary = await seed_demo(session_factory, scale, progress=progress)
    for done, (_step, seed) in enumerate(SLICE_SEEDS, start=1):
        await seed(session_factory, summary)
        if progress is not None:
            progress(
                "demo data: attendance, grades, communication, billing", done, len(SLICE_SEEDS)
            )
    return summary
