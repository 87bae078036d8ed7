"""Two recomputations of the same student at once (two jobs, two nodes) both succeed: the
signal's first row is an upsert, not a read followed by an insert."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa

from edtech.insights.application import recompute_signals
from edtech.insights.application.recompute_signals import RecomputeSignals
from edtech.insights.infrastructure.tables import student_signal
from edtech.kernel.clock import FixedClock
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.db.uow import UnitOfWork
from edtech.settings import Settings
from tests.integration.attendance.helpers import School


async def test_two_recomputes_of_one_student_at_once_both_succeed(
    settings: Settings, school: School, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    student = school.person("student1@demo.test")
    institution = school.demo.institution_id
    # Both recomputations read the student's record before either writes the signal: the
    # interleaving in which a read-then-insert has both insert.
    barrier = asyncio.Barrier(2)
    read = recompute_signals.absence_summaries

    async def record_then_wait(*args: Any) -> Any:
        rows = await read(*args)
        await barrier.wait()
        return rows

    monkeypatch.setattr(recompute_signals, "absence_summaries", record_then_wait)
    engine = make_engine(settings.database_url)
    try:
        factory = make_session_factory(engine)

        def recompute() -> RecomputeSignals:
            return RecomputeSignals(UnitOfWork(factory), clock)

        results = await asyncio.wait_for(
            asyncio.gather(
                recompute()(institution, [student]),
                recompute()(institution, [student]),
                return_exceptions=True,
            ),
            timeout=60,
        )
        assert [r for r in results if isinstance(r, BaseException)] == []
        async with factory() as session:
            rows = (
                await session.execute(
                    sa.select(
                        student_signal.c.indicator, student_signal.c.level, student_signal.c.version
                    ).where(student_signal.c.student_id == student)
                )
            ).all()
        # one row per attendance indicator, created once, whichever recompute came first
        assert sorted(
            (
                str(getattr(r.indicator, "value", r.indicator)),
                str(getattr(r.level, "value", r.level)),
                r.version,
            )
            for r in rows
        ) == [("absence", "none", 1), ("consecutive_absence", "none", 1)]
    finally:
        await engine.dispose()
