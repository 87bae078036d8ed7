"""Events the notifications tests commit through a node's unit of work, as the slices that
raise them would: a published grade, an overdue invoice."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import FastAPI

from edtech.billing.domain.events import InvoiceOverdue
from edtech.grades.domain.events import GradesPublished
from edtech.kernel.events import DomainEvent
from tests.integration.attendance.helpers import School

DUE = date(2026, 12, 4)  # a Friday


async def emit(app: FastAPI, *events: DomainEvent) -> None:
    """Commit `events` through a unit of work of the node (the sinks run in it)."""
    async with app.state.services.uow() as uow:
        for event in events:
            uow.emit(event)
        await uow.commit()


def grades_published(school: School, recipients: tuple[uuid.UUID, ...]) -> GradesPublished:
    student = school.demo.student1_id
    return GradesPublished(
        institution_id=school.demo.institution_id,
        occurred_at=school.clock.now(),
        section_id=school.s01,
        assessment_id=uuid.UUID(int=1),
        assessment_title="Essay 1",
        publication_id=uuid.UUID(int=2),
        student_id=student,
        result={"points": 9},
        previous=None,
        changes=["points"],
        total={},
        recipients=(student, *recipients),
    )


def overdue(school: School, reminder: int = 1) -> InvoiceOverdue:
    return InvoiceOverdue(
        institution_id=school.demo.institution_id,
        occurred_at=school.clock.now(),
        invoice_id=uuid.UUID(int=10),
        account_id=uuid.UUID(int=11),
        number="INV-0042",
        currency="USD",
        amount_due_minor=123450,
        due_on=DUE,
        reminder=reminder,
        recipients=(school.demo.guardian1_id,),
    )
