"""Use case: an institution admin changes the tenant's settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from edtech.institutions.application.common import (
    UseCase,
    apply,
    not_found,
    refuse_nulls,
)
from edtech.institutions.policy import Policy
from edtech.kernel.principal import Principal


class UpdateInstitution(UseCase):
    """Only institution admins change the tenant's name, time zone, locale or currency."""

    FIELDS = frozenset({"name", "timezone", "locale", "currency"})

    async def __call__(self, principal: Principal, changes: Mapping[str, Any]) -> None:
        refuse_nulls(changes, *self.FIELDS)
        Policy.require_admin(principal)
        async with self.uow:
            inst = await self.roster().institution(principal.institution_id)
            if inst is None:
                raise not_found("institution")
            apply(inst, changes, self.FIELDS)
            inst.check()
            await self.commit()
