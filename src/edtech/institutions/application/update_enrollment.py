"""Use case: an admin corrects an enrollment's primary flag or start date."""

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


class UpdateEnrollment(UseCase):
    """Change who is the primary teacher, or correct an enrollment's start date."""

    async def __call__(
        self,
        principal: Principal,
        enrollment_id: uuid.UUID,
        *,
        is_primary: bool | None,
        begins_on: date | None,
    ) -> None:
        async with self.uow:
            roster = self.roster()
            enrollment = await roster.get(Enrollment, principal.institution_id, enrollment_id)
            if enrollment is None:
                raise not_found("enrollment")
            section = await roster.get(Section, principal.institution_id, enrollment.section_id)
            Policy.require_admin(principal, section.school_id if section else None)
            if is_primary is not None:
                enrollment.is_primary = is_primary
            if begins_on is not None:
                enrollment.begins_on = begins_on
            enrollment.check()
            await self.commit()
