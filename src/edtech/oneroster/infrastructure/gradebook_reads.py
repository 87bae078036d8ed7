"""The gradebook as OneRoster 1.2 REST objects: line items and results by sourcedId, read from
the integration's mappings and the gradebook as it is now (a teacher may have changed it)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.grades.public import GradebookSync
from edtech.oneroster.infrastructure.sources import SqlAlchemySources

GRADEBOOK = "/ims/oneroster/gradebook/v1p2"


def _number(value: Any) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == int(value) else float(value)


class GradebookReads:
    def __init__(
        self, session: AsyncSession, institution_id: uuid.UUID, now: datetime, today: date
    ) -> None:
        self.sources = SqlAlchemySources(session, institution_id)
        self.grades = GradebookSync(session, institution_id, now, today)

    async def load(self) -> GradebookReads:
        await self.sources.load()
        return self

    async def line_item(self, sourced_id: str) -> dict[str, Any] | None:
        found = self.sources.get("lineItem", sourced_id)
        if found is None or found.status != "active":
            return None
        a = await self.grades.assessment(found.target_id)
        if a is None:
            return None
        return {
            **found.record,
            "sourcedId": sourced_id,
            "status": "active",
            "title": a.title,
            "resultValueMin": 0,
            "resultValueMax": _number(a.max_points),
            "dueDate": a.due_at.isoformat().replace("+00:00", "Z") if a.due_at else None,
        }

    def line_items_of_class(self, class_sourced_id: str) -> list[str]:
        return sorted(
            k
            for k, s in self.sources.of_kind("lineItem").items()
            if s.status == "active"
            and s.record.get("class", {}).get("sourcedId") == class_sourced_id
        )

    async def result(self, sourced_id: str) -> dict[str, Any] | None:
        found = self.sources.get("result", sourced_id)
        if found is None or found.status != "active":
            return None
        item_id = found.record.get("lineItem", {}).get("sourcedId", "")
        item = self.sources.get("lineItem", item_id)
        if item is None or item.status != "active":
            return None
        view = await self.grades.result(item.target_id, found.target_id)
        if view is None:
            return None
        status = (
            "exempt"
            if "exempt" in view.flags
            else "not submitted"
            if "missing" in view.flags
            else found.record.get("scoreStatus", "fully graded")
        )
        return {
            **found.record,
            "sourcedId": sourced_id,
            "status": "active",
            "score": _number(view.points),
            "scoreStatus": status,
            "comment": view.comment,
            "metadata": {
                "edtech.extraCredit": "extra_credit" in view.flags,
                "edtech.published": view.published,
            },
        }

    def results_of_line_item(self, line_item: str) -> list[str]:
        return sorted(
            k
            for k, s in self.sources.of_kind("result").items()
            if s.status == "active" and s.record.get("lineItem", {}).get("sourcedId") == line_item
        )

    def category(self, sourced_id: str) -> dict[str, Any] | None:
        found = self.sources.get("category", sourced_id)
        if found is None or found.status != "active":
            return None
        return {**found.record, "sourcedId": sourced_id, "status": "active"}

    def categories(self) -> list[dict[str, Any]]:
        found = (self.category(k) for k in sorted(self.sources.of_kind("category")))
        return [c for c in found if c is not None]
