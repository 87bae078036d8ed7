"""Use case: an admin of a school retitles, moves or reschedules a section."""

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
    Section,
)
from edtech.institutions.policy import Policy
from edtech.kernel.principal import Principal


class UpdateSection(UseCase):
    """Retitle a section, move its room, or change its weekly meetings (no overlaps)."""

    FIELDS = frozenset({"title", "code", "room", "class_type", "sourced_id"})

    async def __call__(
        self, principal: Principal, section_id: uuid.UUID, changes: Mapping[str, Any]
    ) -> None:
        refuse_nulls(changes, "title", "class_type", "meetings")
        async with self.uow:
            section = await self.roster().get(Section, principal.institution_id, section_id)
            if section is None:
                raise not_found("section")
            Policy.require_admin(principal, section.school_id)
            apply(section, changes, self.FIELDS)
            if "meetings" in changes:
                section.reschedule(tuple(changes["meetings"]))
            await self.commit()
