"""Use case: an admin corrects a person's names, email, grade level or birth date."""

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
from edtech.institutions.domain import Person
from edtech.institutions.domain.people import normalise_email
from edtech.institutions.policy import Policy
from edtech.kernel.errors import ConflictError
from edtech.kernel.principal import Principal


class UpdatePerson(UseCase):
    """Correct a person's names, email, grade level or birth date; the email stays unique.

    A school admin corrects only the people of their own schools (`Policy.belonging`).
    """

    FIELDS = frozenset(
        {"given_name", "family_name", "email", "sourced_id", "grade_level", "birth_date"}
    )

    async def __call__(
        self, principal: Principal, person_id: uuid.UUID, changes: Mapping[str, Any]
    ) -> None:
        refuse_nulls(changes, "given_name", "family_name")
        Policy.require_people_admin(principal)
        changes = {**changes}
        if "email" in changes:
            changes["email"] = normalise_email(changes["email"])
        async with self.uow:
            roster = self.roster()
            person = await roster.get(Person, principal.institution_id, person_id)
            if person is None:
                raise not_found("person")
            await (await self.policy(principal.institution_id)).require_manager_of(
                principal, person.id
            )
            if changes.get("email") and await roster.email_taken(
                principal.institution_id, changes["email"], but=person.id
            ):
                raise ConflictError(
                    "a person with this email exists in the institution", field="email"
                )
            if changes.get("sourced_id") and await roster.sourced_id_taken(
                principal.institution_id, changes["sourced_id"], but=person.id
            ):
                raise ConflictError("a person with this sourcedId exists", field="sourced_id")
            apply(person, changes, self.FIELDS)
            await self.commit()
