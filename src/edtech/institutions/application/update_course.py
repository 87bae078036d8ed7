"""Use case: an admin of a school renames or recodes one of its courses."""

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
    Course,
)
from edtech.institutions.policy import Policy
from edtech.kernel.errors import ConflictError
from edtech.kernel.principal import Principal


class UpdateCourse(UseCase):
    """Rename or recode a course; the code stays unique within its school."""

    FIELDS = frozenset({"code", "title", "sourced_id"})

    async def __call__(
        self, principal: Principal, course_id: uuid.UUID, changes: Mapping[str, Any]
    ) -> None:
        refuse_nulls(changes, "code", "title")
        async with self.uow:
            roster = self.roster()
            course = await roster.get(Course, principal.institution_id, course_id)
            if course is None:
                raise not_found("course")
            Policy.require_admin(principal, course.school_id)
            if "code" in changes and await roster.course_code_taken(
                principal.institution_id, course.school_id, changes["code"], but=course.id
            ):
                raise ConflictError(f"course code {changes['code']!r} is taken in this school")
            apply(course, changes, self.FIELDS)
            await self.commit()
