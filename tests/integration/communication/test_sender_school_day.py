"""A message judges the roster on the sender's school day, by the zone their sign-in read with
their roles: the institution's zone is not asked again (both dialects)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.communication.application import (
    PostMessage,
    StartConversation,
    StartConversationCommand,
    roster_directory,
)
from edtech.communication.domain import Context, ContextKind, ConversationKind
from edtech.communication.infrastructure import RosterDirectory
from edtech.demo import DemoSummary
from edtech.institutions.infrastructure.tables import institution, person
from edtech.institutions.public import acting_as
from edtech.kernel.clock import FixedClock
from edtech.kernel.errors import ForbiddenError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from tests.integration.communication.helpers import statements

# 03:30 UTC tomorrow (the demo's roster holds around today): still today in New York, already
# tomorrow in Tokyo
AT = datetime.combine(datetime.now(UTC).date() + timedelta(days=1), time(3, 30), UTC)


async def test_the_sender_s_school_day_comes_from_their_sign_in(
    session_factory: async_sessionmaker[AsyncSession], demo: DemoSummary
) -> None:
    inst, clock = demo.institution_id, FixedClock(AT)
    async with session_factory() as session:
        guardian = await acting_as(session, inst, demo.guardian1_id, AT.date())
    started = await StartConversation(UnitOfWork(session_factory), clock, roster_directory(clock))(
        guardian,
        StartConversationCommand(
            ConversationKind.DIRECT,
            [demo.teacher1_id],
            Context(ContextKind.STUDENT, demo.student1_id),
        ),
    )
    async with session_factory() as session:
        # the teacher leaves: on the roll today, gone tomorrow
        await session.execute(
            sa.update(person).where(person.c.id == demo.teacher1_id).values(ends_on=AT.date())
        )
        await session.execute(
            sa.update(institution).where(institution.c.id == inst).values(timezone="Asia/Tokyo")
        )
        await session.commit()
    post = PostMessage(UnitOfWork(session_factory), clock, RosterDirectory)

    async def send(sender: Principal, client_id: str) -> None:
        await post(sender, started.conversation_id, client_id, "Is the trip still on?")

    # signed in from New York: still today there, the teacher is on the roll
    with statements() as seen:
        await send(dataclasses.replace(guardian, timezone="America/New_York"), "ny-1")
    assert not [s for s in seen if "FROM institution" in s and "timezone" in s], seen
    # signed in from Tokyo: tomorrow already, the teacher has left
    with pytest.raises(ForbiddenError, match="left the institution"):
        await send(dataclasses.replace(guardian, timezone="Asia/Tokyo"), "tokyo-1")
    # a principal made without a sign-in carries no zone: the institution's is read (Tokyo)
    assert guardian.timezone is None
    with statements() as seen, pytest.raises(ForbiddenError, match="left the institution"):
        await send(guardian, "unzoned-1")
    assert [s for s in seen if "FROM institution" in s and "timezone" in s]
