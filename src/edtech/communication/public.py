"""What the rest of the system may use from communication: the release job, the demo data, the
attachments port (`AttachmentClaims`, implemented by the files slice as a node component) and who
may download what a message or an announcement carries.

Wiring: `slice.py` schedules `run_release(services)` every 15 s (ADR-0007). It
releases the notifications and read receipts held during staff quiet hours once they end, and
publishes scheduled announcements when due. One node at a time runs it (one job per
schedule), and rows are claimed with SKIP LOCKED on PostgreSQL besides.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.communication.application import (
    AnnounceCommand,
    CreateAnnouncement,
    PostMessage,
    ReleaseDue,
    StartConversation,
    StartConversationCommand,
    roster_directory,
)
from edtech.communication.application.ports import AttachmentClaims
from edtech.communication.domain import (
    MAX_ATTACHMENTS,
    Attachment,
    Audience,
    AudienceKind,
    Context,
    ContextKind,
    ConversationKind,
    Priority,
    direct_key,
)
from edtech.communication.infrastructure import RosterDirectory, SqlAlchemyConversations
from edtech.communication.infrastructure.exports import student_messages_record
from edtech.communication.infrastructure.queries import (
    may_read_announcement_files,
    may_read_message_files,
)
from edtech.institutions.public import acting_as, school_clock
from edtech.kernel.clock import Clock, SystemClock
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.http.deps import use_case
from edtech.platform.observability.logging import get_logger
from edtech.platform.services import Services

__all__ = [
    "MAX_ATTACHMENTS",
    "RELEASE_INTERVAL_SECONDS",
    "Attachment",
    "AttachmentClaims",
    "may_read_announcement_files",
    "may_read_message_files",
    "release_due",
    "run_release",
    "seed_demo",
    "student_messages_record",
]

log = get_logger(__name__)
RELEASE_INTERVAL_SECONDS = 15.0


async def release_due(services: Services) -> int:
    """One sweep: release what quiet hours held and publish due announcements; returns a count."""
    release = use_case(ReleaseDue, lambda s: roster_directory(s.clock))(services)
    return await release()


async def run_release(services: Services) -> int:
    """One scheduled pass (every `RELEASE_INTERVAL_SECONDS`) of `release_due`, logged."""
    released = await release_due(services)
    if released:
        log.info("communication_released", count=released)
    return released


DEMO_MESSAGES = (
    ("guardian", "Hello! Could you tell me how my child is settling in this term?"),
    ("teacher", "Hi! Doing well: very engaged in class, homework always on time."),
    ("guardian", "That's great to hear, thank you."),
)


async def seed_demo(
    session_factory: async_sessionmaker[AsyncSession], summary: Any, *, clock: Clock | None = None
) -> bool:
    """A conversation between guardian1 and teacher1 about student1 with a few messages, and
    one announcement from teacher1 to the guardians of section S01 (acknowledgement asked).

    `summary` is the `edtech.demo.DemoSummary`. Idempotent: returns False if already seeded.
    """
    clock = clock or SystemClock()
    institution_id = summary.institution_id
    context = Context(ContextKind.STUDENT, summary.student1_id)
    async with session_factory() as session:
        today = (await school_clock(session, clock, institution_id)).today()
        key = direct_key([summary.guardian1_id, summary.teacher1_id], context)
        if await SqlAlchemyConversations(session).find_direct(institution_id, key) is not None:
            return False
        guardian = await acting_as(session, institution_id, summary.guardian1_id, today)
        teacher = await acting_as(session, institution_id, summary.teacher1_id, today)

    def uow() -> UnitOfWork:
        return UnitOfWork(session_factory)

    directory = roster_directory(clock)
    started = await StartConversation(uow(), clock, directory)(
        guardian,
        StartConversationCommand(ConversationKind.DIRECT, [teacher.person_id], context),
    )
    for n, (who, body) in enumerate(DEMO_MESSAGES, start=1):
        author = guardian if who == "guardian" else teacher
        await PostMessage(uow(), clock, RosterDirectory)(
            author, started.conversation_id, f"demo-{n}", body
        )
    await CreateAnnouncement(uow(), clock, directory)(
        teacher,
        AnnounceCommand(
            title="Field trip on Friday",
            body="We visit the science museum on Friday. Please acknowledge that you saw this.",
            audience=Audience(AudienceKind.SECTION_GUARDIANS, section_id=summary.section_ids[0]),
            priority=Priority.NORMAL,
            requires_ack=True,
        ),
    )
    return True
