"""Use case: an integration deletes a result."""

from __future__ import annotations

from edtech.kernel.errors import NotFoundError
from edtech.oneroster.application.gradebook import GradebookCase
from edtech.oneroster.infrastructure.clients import Integration


class DeleteResult(GradebookCase):
    """Deleting a result empties the student's draft (the grade history keeps what it was);
    the result is then gone for the integration (404)."""

    async def __call__(self, integration: Integration, sourced_id: str) -> None:
        async with self.uow:
            ctx = await self.context(integration)
            found = ctx.sources.get("result", sourced_id)
            item = (
                None
                if found is None
                else ctx.sources.get(
                    "lineItem", found.record.get("lineItem", {}).get("sourcedId", "")
                )
            )
            if found is None or found.status != "active" or item is None:
                raise NotFoundError("result not found")
            await ctx.grades.clear_result(item.target_id, found.target_id, ctx.editor)
            await ctx.sources.put(
                "result", sourced_id, found.target_id, "tobedeleted", found.record, ctx.now
            )
            await self.uow.commit()
