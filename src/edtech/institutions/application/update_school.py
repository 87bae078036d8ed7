"""Use case: an admin of a school renames it or changes its time zone."""

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
    School,
)
from edtech.institutions.policy import Policy
from edtech.kernel.errors import ConflictError
from edtech.kernel.principal import Principal


class UpdateSchool(UseCase):
    """Admins of a school rename it or change its time zone; names stay unique."""

    FIELDS = frozenset({"name", "org_type", "timezone", "sourced_id"})

    async def __call__(
        self, principal: Principal, school_id: uuid.UUID, changes: Mapping[str, Any]
    ) -> None:
        refuse_nulls(changes, "name", "org_type")
        async with self.uow:
            roster = self.roster()
            school = await roster.get(School, principal.institution_id, school_id)
            if school is None:
                raise not_found("school")
            Policy.require_admin(principal, school.id)
            if "name" in changes and await roster.school_name_taken(
                principal.institution_id, changes["name"], but=school.id
            ):
                raise ConflictError(f"a school named {changes['name']!r} exists")
            apply(school, changes, self.FIELDS)
            school.check()
            await self.commit()
