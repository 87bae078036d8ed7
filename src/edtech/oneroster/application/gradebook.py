"""What the OneRoster gradebook use cases share: acting as the integration's person, finding
our records by `sourcedId`, and the mapping of `scoreStatus` onto result flags."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from edtech.grades.public import Editor, GradebookSync
from edtech.institutions.public import acting_as, institution_settings, sections_of_institution
from edtech.kernel.clock import Clock
from edtech.kernel.errors import FieldProblem, ForbiddenError, InvalidError
from edtech.kernel.principal import Principal
from edtech.oneroster.infrastructure.clients import Integration
from edtech.oneroster.infrastructure.sources import SqlAlchemySources
from edtech.platform.db.uow import UnitOfWork

SCORE_STATUSES = frozenset(
    {"exempt", "fully graded", "not submitted", "partially graded", "submitted"}
)
FLAG_OF_STATUS = {"exempt": "exempt", "not submitted": "missing"}


@dataclass
class Context:
    """One gradebook request's unit of work, bound to the integration's institution."""

    principal: Principal
    editor: Editor
    sources: SqlAlchemySources
    grades: GradebookSync
    today: date
    now: datetime


class GradebookCase:
    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def context(self, integration: Integration) -> Context:
        session = self.uow.session
        now = self.clock.now()
        settings = await institution_settings(session, integration.institution_id)
        today = now.astimezone(ZoneInfo(settings.timezone) if settings else None).date()
        try:
            principal = await acting_as(
                session, integration.institution_id, integration.acts_as, today
            )
        except LookupError as exc:
            raise ForbiddenError("the integration's person has left; register it again") from exc
        if not principal.is_institution_admin:
            raise ForbiddenError("the integration's person is no longer an institution admin")
        sources = SqlAlchemySources(session, integration.institution_id)
        await sources.load()
        return Context(
            principal,
            Editor(principal.person_id, principal.display_name, may_edit_locked=False),
            sources,
            GradebookSync(session, integration.institution_id, now, today),
            today,
            now,
        )


def target(ctx: Context, kind: str, sourced_id: str | None, field: str) -> uuid.UUID:
    """Our id of a record the request refers to, by its sourcedId (or our own id)."""
    if sourced_id:
        found = ctx.sources.get(kind, sourced_id)
        if found is not None and found.status == "active":
            return found.target_id
        try:
            return uuid.UUID(sourced_id)
        except ValueError:
            pass
    raise InvalidError(f"unknown {field}", [FieldProblem((field, "sourcedId"), "no such record")])


async def section_term(ctx: Context, section_id: uuid.UUID) -> uuid.UUID:
    for sid, term in await sections_of_institution(
        ctx.grades.session, ctx.principal.institution_id
    ):
        if sid == section_id:
            return term
    raise InvalidError("unknown class", [FieldProblem(("class", "sourcedId"), "no such class")])
