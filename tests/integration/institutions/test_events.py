"""Roster use cases commit their events with the change (read from the unit of work)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.demo import DemoSummary
from edtech.institutions.application.add_person import AddPerson, NewPerson
from edtech.institutions.application.end_enrollment import EndEnrollment
from edtech.institutions.application.enroll_person import EnrollPerson, NewEnrollment
from edtech.institutions.application.link_guardian import LinkGuardian, NewGuardianLink
from edtech.institutions.domain import EnrollmentRole
from edtech.institutions.public import person_grants
from edtech.kernel.clock import SystemClock
from edtech.kernel.errors import ConflictError
from edtech.kernel.events import DomainEvent
from edtech.kernel.principal import Principal
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.db.uow import UnitOfWork
from edtech.settings import Settings


class RecordingSink:
    """An event sink that remembers what it was handed, in the transaction and after it."""

    event_types = None

    def __init__(self) -> None:
        self.staged_events: list[DomainEvent] = []
        self.committed_events: list[DomainEvent] = []

    async def stage(self, session: AsyncSession, events: Sequence[DomainEvent]) -> object:
        self.staged_events.extend(events)
        return list(events)

    async def committed(self, staged: object) -> None:
        assert isinstance(staged, list)
        self.committed_events.extend(staged)


async def test_enrolling_and_ending_commit_enrollment_changed_events(
    settings: Settings, demo: DemoSummary
) -> None:
    engine = make_engine(settings.database_url)
    sink = RecordingSink()
    try:
        factory = make_session_factory(engine)
        async with factory() as session:
            admin_id = demo.person("admin@demo.test")
            grants = await person_grants(
                session, demo.institution_id, admin_id, datetime.now(UTC).date()
            )
            assert grants is not None
            admin = Principal(
                uuid.uuid4(), admin_id, demo.institution_id, grants.display_name, grants.grants
            )
        uow = UnitOfWork(factory, [sink])
        clock = SystemClock()
        newcomer = await AddPerson(uow, clock)(
            admin, NewPerson(given_name="Nora", family_name="New")
        )
        enrollment_id = await EnrollPerson(uow, clock)(
            admin,
            NewEnrollment(
                section_id=demo.section_ids[0], person_id=newcomer, role=EnrollmentRole.STUDENT
            ),
        )
        await EndEnrollment(uow, clock)(admin, enrollment_id)
        await LinkGuardian(uow, clock)(
            admin, NewGuardianLink(student_id=newcomer, guardian_id=demo.guardian1_id)
        )
        try:
            await LinkGuardian(uow, clock)(
                admin, NewGuardianLink(student_id=newcomer, guardian_id=demo.guardian1_id)
            )
        except ConflictError:
            pass
        else:
            raise AssertionError("a second open link for the same pair must be refused")
    finally:
        await engine.dispose()
    types = [e.type for e in sink.committed_events]
    assert types == [
        "roster.person_added",
        "roster.enrollment_changed",
        "roster.enrollment_changed",
        "roster.guardian_linked",
    ]
    enrolled, ended = sink.committed_events[1], sink.committed_events[2]
    assert enrolled.payload()["change"] == "enrolled"
    assert ended.payload()["change"] == "ended"
    assert ended.payload()["section_id"] == str(demo.section_ids[0])
    assert all(e.institution_id == demo.institution_id for e in sink.committed_events)
    assert sink.staged_events == sink.committed_events
