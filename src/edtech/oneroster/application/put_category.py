"""Use case: an integration creates or replaces a gradebook category by its sourcedId."""

from __future__ import annotations

import uuid
from typing import Any

from edtech.oneroster.application.gradebook import GradebookCase
from edtech.oneroster.infrastructure.clients import Integration

CATEGORY = "category"


def category_target(institution_id: uuid.UUID, sourced_id: str) -> uuid.UUID:
    """A category is a name in each class's gradebook, not one record of ours: its mapping
    points at a stable id derived from the institution and the sourcedId."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"oneroster:category:{institution_id}:{sourced_id}")


class PutCategory(GradebookCase):
    """A category is kept as sent (`title`, `weight`, extensions); a line item that names it
    goes into the category of that title in its class's gradebook (created there if the
    gradebook is unweighted). A later PUT replaces it; line items already placed keep their
    category."""

    async def __call__(
        self, integration: Integration, sourced_id: str, record: dict[str, Any]
    ) -> bool:
        async with self.uow:
            ctx = await self.context(integration)
            found = ctx.sources.get(CATEGORY, sourced_id)
            target = category_target(integration.institution_id, sourced_id)
            await ctx.sources.put(CATEGORY, sourced_id, target, "active", record, ctx.now)
            await self.uow.commit()
        return found is None or found.status != "active"
