"""What the calendar's use cases share: who may edit a school's calendar, and its school."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.public import school_in_institution
from edtech.kernel.errors import FieldProblem, ForbiddenError, InvalidError
from edtech.kernel.principal import Principal


async def require_calendar_admin(
    session: AsyncSession, principal: Principal, school_id: uuid.UUID | None
) -> None:
    """An institution admin edits every school's calendar (and the institution-wide days); a
    school admin only their school's. The school must be one of the institution's."""
    if not principal.is_admin_of(school_id):
        raise ForbiddenError("Only administrators of the school edit its calendar.")
    if school_id is not None and not await school_in_institution(
        session, principal.institution_id, school_id
    ):
        raise InvalidError("Unknown school.", [FieldProblem(("school_id",), "no such school")])
