"""Use case: an admin retitles or re-dates an academic session."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from edtech.institutions.application.common import (
    UseCase,
    apply,
    not_found,
    refuse_nulls,
)
from edtech.institutions.domain import (
    AcademicSession,
)
from edtech.institutions.policy import Policy
from edtech.kernel.principal import Principal


class UpdateAcademicSession(UseCase):
    """Retitle or re-date a session; it must still fit inside its parent."""

    FIELDS = frozenset({"title", "starts_on", "ends_on", "closes_on"})

    async def __call__(
        self, principal: Principal, session_id: uuid.UUID, changes: Mapping[str, Any]
    ) -> None:
        refuse_nulls(changes, "title", "starts_on", "ends_on")
        async with self.uow:
            roster = self.roster()
            session = await roster.get(AcademicSession, principal.institution_id, session_id)
            if session is None:
                raise not_found("academic session")
            Policy.require_admin(principal, session.school_id)
            apply(session, changes, self.FIELDS)
            session.check()
            if session.parent_id is not None:
                parent = await roster.get(
                    AcademicSession, principal.institution_id, session.parent_id
                )
                if parent is not None:
                    session.check_parent(parent)
            await self.commit()
