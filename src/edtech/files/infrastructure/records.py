"""What the files slice asks other slices, through their public modules only: who may read
what (the roster), and the facts of the records documents are made of."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.attendance import public as attendance
from edtech.billing import public as billing
from edtech.communication import public as communication
from edtech.grades import public as grades
from edtech.insights import public as insights
from edtech.institutions import public as roster
from edtech.kernel.clock import Clock
from edtech.kernel.principal import Principal

RIGHTS = ("can_view_attendance", "can_view_grades", "can_view_billing")


class SliceRecords:
    """The other slices as the files slice sees them, bound to a session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def guardian_rights(self, principal: Principal) -> dict[uuid.UUID, frozenset[str]]:
        """The principal's children (custody-restricted links left out) and what each link
        allows."""
        links = await roster.Policy(self.session).children_links(principal)
        out: dict[uuid.UUID, set[str]] = {}
        for link in links:
            out.setdefault(link.student_id, set()).update(r for r in RIGHTS if link.allows(r))
        return {s: frozenset(r) for s, r in out.items()}

    async def may_read_attachment(
        self, principal: Principal, record_type: str, record_id: uuid.UUID
    ) -> bool:
        """Whether the principal may read the message or announcement carrying a file."""
        inst, person = principal.institution_id, principal.person_id
        if record_type == "message":
            return await communication.may_read_message_files(self.session, inst, person, record_id)
        if record_type == "announcement":
            return await communication.may_read_announcement_files(
                self.session, inst, person, record_id
            )
        return False

    async def is_person(self, institution_id: uuid.UUID, person_id: uuid.UUID) -> bool:
        """A person of the institution, current or past (a record outlives a departure)."""
        return await roster.person_in_institution(self.session, institution_id, person_id)

    async def school_name(self, institution_id: uuid.UUID) -> str:
        found = await roster.institution_settings(self.session, institution_id)
        return "" if found is None else found.name

    async def school_time(self, institution_id: uuid.UUID, moment: datetime) -> datetime:
        """`moment` in the school's time zone: dates on documents are the school's dates."""
        found = await roster.institution_settings(self.session, institution_id)
        try:
            zone = ZoneInfo(found.timezone) if found is not None else ZoneInfo("UTC")
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        return moment.astimezone(zone)

    async def names(self, institution_id: uuid.UUID, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
        return await roster.display_names(self.session, institution_id, ids)

    async def section_titles(
        self, institution_id: uuid.UUID, ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, str]:
        return await roster.section_titles(self.session, institution_id, ids)

    async def billing_emails(
        self, institution_id: uuid.UUID, student_ids: tuple[uuid.UUID, ...], on: date
    ) -> list[str]:
        """Email addresses of the guardians allowed to see these students' bills."""
        policy = roster.Policy(self.session, today=on)
        ids: dict[uuid.UUID, None] = {}
        for sid in student_ids:
            for gid in await policy.guardians_to_notify(institution_id, sid, "can_view_billing"):
                ids[gid] = None
        found = await roster.contacts(self.session, institution_id, list(ids), on)
        return [c.email for gid in ids if (c := found.get(gid)) is not None and c.email]

    async def chronic_percent(self, institution_id: uuid.UUID) -> int:
        """The institution's chronic-absence threshold (insights' thresholds)."""
        return await insights.chronic_percent_of(self.session, institution_id)

    async def school_today(self, institution_id: uuid.UUID, clock: Clock) -> date:
        """Today at the institution (its time zone), never the UTC date."""
        return (await roster.school_clock(self.session, clock, institution_id)).today()

    async def attendance_measures(
        self,
        institution_id: uuid.UUID,
        student_id: uuid.UUID,
        first: date,
        last: date,
        chronic_percent: int,
    ) -> insights.StudentMeasures:
        return await insights.student_attendance_measures(
            self.session, institution_id, student_id, first, last, chronic_percent
        )

    async def excuse(
        self, institution_id: uuid.UUID, excuse_id: uuid.UUID
    ) -> attendance.ExcuseFacts | None:
        return await attendance.excuse_facts(self.session, institution_id, excuse_id)

    async def receipt(
        self, institution_id: uuid.UUID, payment_id: uuid.UUID
    ) -> billing.ReceiptFacts | None:
        return await billing.receipt_facts(self.session, institution_id, payment_id)

    async def invoice(
        self, institution_id: uuid.UUID, invoice_id: uuid.UUID
    ) -> billing.InvoiceFacts | None:
        return await billing.invoice_facts(self.session, institution_id, invoice_id)

    async def billing(
        self, institution_id: uuid.UUID, student_id: uuid.UUID
    ) -> dict[str, list[dict[str, Any]]]:
        """The student's payer accounts, their issued invoices and their payments."""
        return await billing.student_billing_record(self.session, institution_id, student_id)

    async def report(
        self, institution_id: uuid.UUID, student_id: uuid.UUID
    ) -> list[grades.SectionReport]:
        return await grades.published_report(self.session, institution_id, student_id)

    async def student_record(
        self, institution_id: uuid.UUID, student_id: uuid.UUID
    ) -> dict[str, list[dict[str, Any]]]:
        """Everything the other slices hold about the student, by record type."""
        out: dict[str, list[dict[str, Any]]] = {}
        for part in (
            await roster.student_roster_record(self.session, institution_id, student_id),
            await attendance.student_attendance_record(self.session, institution_id, student_id),
            await grades.student_grades_record(self.session, institution_id, student_id),
            await communication.student_messages_record(self.session, institution_id, student_id),
            await billing.student_billing_record(self.session, institution_id, student_id),
        ):
            out.update(part)
        return out
