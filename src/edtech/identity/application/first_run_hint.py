"""A node started on a database without any institution says, once, how to create one."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.institutions.public import institutions_query
from edtech.platform.observability.logging import get_logger

log = get_logger("edtech.identity")

HINT = (
    "uv run edtech institution create --name 'My School' --timezone Europe/Berlin "
    "--currency EUR --locale de-DE --admin-email office@my-school.example"
)


class FirstRunHint:
    """On start, outside demo mode: if the database holds no institution, log how to create the
    first one (the node serves regardless; sign-in simply has nobody to let in yet)."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], demo: bool) -> None:
        self.session_factory = session_factory
        self.demo = demo
        self.shown = False

    async def start(self) -> None:
        if self.demo:
            return
        async with self.session_factory() as session:
            count = await session.scalar(
                sa.select(sa.func.count()).select_from(institutions_query().subquery())
            )
        if not count:
            self.shown = True
            log.warning("no_institution_yet", create_the_first_with=HINT)
