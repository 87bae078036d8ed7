"""The websocket `send` path's directory: profiles and the institution's zone from the node's
`ProfileCache` while fresh, the school day judged in that zone (both dialects)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.communication.infrastructure import ProfileCache, RosterDirectory
from edtech.demo import DemoSummary
from edtech.institutions.infrastructure.tables import institution
from edtech.kernel.clock import FixedClock
from tests.integration.communication.helpers import statements

# 03:30 UTC on 6 January: still 5 January in New York, already the 6th in Tokyo
AT = datetime(2026, 1, 6, 3, 30, tzinfo=UTC)


class Ticks:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


async def test_the_school_day_comes_from_the_cached_zone_until_its_ttl_runs_out(
    session: AsyncSession, demo: DemoSummary
) -> None:
    inst = demo.institution_id

    async def set_zone(name: str) -> None:
        await session.execute(
            sa.update(institution).where(institution.c.id == inst).values(timezone=name)
        )

    ticks = Ticks()
    cache = ProfileCache(ttl=3.0, now=ticks)
    clock = FixedClock(AT)
    await set_zone("America/New_York")
    with statements() as seen:
        assert await cache.directory(session, clock).day(inst) == date(2026, 1, 5)
        read = len(seen)
        assert read == 1
        # another message a moment later, the zone changed meanwhile: the cached zone holds
        await set_zone("Asia/Tokyo")
        ticks.t += 2.9
        seen.clear()
        assert await cache.directory(session, clock).day(inst) == date(2026, 1, 5)
        assert seen == []
        # once the ttl ran out the zone is read again
        ticks.t += 0.2
        assert await cache.directory(session, clock).day(inst) == date(2026, 1, 6)
        assert len(seen) == 1


async def test_profiles_come_from_the_cache_and_the_missing_in_one_statement(
    session: AsyncSession, demo: DemoSummary
) -> None:
    inst = demo.institution_id
    ticks = Ticks()
    cache = ProfileCache(ttl=3.0, now=ticks)
    clock = FixedClock(AT)
    guardian, teacher, stranger = demo.guardian1_id, demo.teacher1_id, uuid.uuid4()
    fresh = await RosterDirectory(session, clock).profiles(inst, [guardian, teacher])
    assert set(fresh) == {guardian, teacher}
    with statements() as seen:
        directory = cache.directory(session, clock)
        assert await directory.profile(inst, guardian) == fresh[guardian]
        seen.clear()  # (the zone, then the guardian)
        # the guardian from the cache; the teacher and a stranger in one statement
        both = await directory.profiles(inst, [guardian, teacher, stranger])
        assert both == fresh
        assert len(seen) == 1
        seen.clear()
        # all three remembered now, the stranger as nobody
        again = await cache.directory(session, clock).profiles(inst, [guardian, teacher, stranger])
        assert again == fresh
        assert seen == []
