"""Who may do what in a gradebook, in the domain's words (answered through the roster)."""

from __future__ import annotations

import uuid

from edtech.grades.application.ports import Roster
from edtech.grades.domain import Editor
from edtech.kernel.errors import ForbiddenError, NotFoundError
from edtech.kernel.principal import Principal, Role


async def require_gradebook_manager(
    roster: Roster, principal: Principal, section_id: uuid.UUID
) -> Editor:
    """Teachers and aides of the section, and admins of its school, keep its gradebook.

    Only admins may change grades after a grading period closed. Another tenant's section is
    unknown (404), exactly like a missing one.
    """
    school_id = await roster.school_of_section(principal.institution_id, section_id)
    if school_id is None:
        raise NotFoundError("section not found")
    if not await roster.may_manage_section(principal, section_id):
        raise ForbiddenError("only the section's teachers and its school's admins keep its grades")
    return Editor(
        person_id=principal.person_id,
        name=principal.display_name,
        may_edit_locked=principal.is_admin_of(school_id),
    )


def require_scheme_author(principal: Principal) -> None:
    """Teachers and admins (of the institution or any school) define grading schemes."""
    if not principal.roles & {Role.TEACHER, Role.INSTITUTION_ADMIN, Role.SCHOOL_ADMIN}:
        raise ForbiddenError("only teachers and administrators define grading schemes")
