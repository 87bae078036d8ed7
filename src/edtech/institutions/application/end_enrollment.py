"""Use case: an admin takes a person out of a section (by end date; nothing is deleted)."""

from __future__ import annotations

import uuid
from datetime import date

from edtech.institutions.application.common import (
    UseCase,
    not_found,
)
from edtech.institutions.domain import Enrollment, Section
from edtech.institutions.policy import Policy
from edtech.kernel.principal import Principal


class EndEnrollment(UseCase):
    """Ending an enrollment removes the person from the roster from `ends_on` (default today)."""

    async def __call__(
        self, principal: Principal, enrollment_id: uuid.UUID, ends_on: date | None = None
    ) -> None:
        async with self.uow:
            roster = self.roster()
            enrollment = await roster.get(Enrollment, principal.institution_id, enrollment_id)
            if enrollment is None:
                raise not_found("enrollment")
            section = await roster.get(Section, principal.institution_id, enrollment.section_id)
            Policy.require_admin(principal, section.school_id if section else None)
            enrollment.end(ends_on or await self.today(principal.institution_id), self.now())
            await self.commit()
