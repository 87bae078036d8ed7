"""Use case: an admin ends a guardian link (it stays as history)."""

from __future__ import annotations

import uuid
from datetime import date

from edtech.institutions.application.common import (
    UseCase,
    not_found,
)
from edtech.institutions.domain import GuardianLink
from edtech.institutions.policy import Policy
from edtech.kernel.principal import Principal


class EndGuardianLink(UseCase):
    """End a link (it stays as history); the adult loses access from `ends_on`.

    Only admins of the student's school (or the institution) end a child's family links.
    """

    async def __call__(
        self, principal: Principal, link_id: uuid.UUID, ends_on: date | None = None
    ) -> None:
        Policy.require_people_admin(principal)
        async with self.uow:
            link = await self.roster().get(GuardianLink, principal.institution_id, link_id)
            if link is None:
                raise not_found("guardian link")
            await (await self.policy(principal.institution_id)).require_manager_of(
                principal, link.student_id
            )
            link.end(ends_on or await self.today(principal.institution_id), self.now())
            await self.commit()
