"""Use case: an admin changes a guardian link's relationship, priority, rights or custody flags."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from edtech.institutions.application.common import (
    UseCase,
    not_found,
    refuse_nulls,
)
from edtech.institutions.domain import GuardianLink
from edtech.institutions.policy import Policy
from edtech.kernel.principal import Principal


class UpdateGuardianLink(UseCase):
    """Change a link's relationship, priority, flags or custody restriction; effective at once.

    Only admins of the student's school (or the institution) change a child's family links.
    """

    FIELDS = frozenset(
        {
            "relationship",
            "legal_guardian",
            "lives_with",
            "contact_priority",
            "custody_restriction",
            "custody_note",
            "can_view_attendance",
            "can_view_grades",
            "can_view_billing",
            "can_message",
        }
    )

    async def __call__(
        self, principal: Principal, link_id: uuid.UUID, changes: Mapping[str, Any]
    ) -> None:
        refuse_nulls(changes, *(self.FIELDS - {"custody_note"}))
        Policy.require_people_admin(principal)
        async with self.uow:
            link = await self.roster().get(GuardianLink, principal.institution_id, link_id)
            if link is None:
                raise not_found("guardian link")
            await (await self.policy(principal.institution_id)).require_manager_of(
                principal, link.student_id
            )
            link.change({k: v for k, v in changes.items() if k in self.FIELDS}, self.now())
            await self.commit()
