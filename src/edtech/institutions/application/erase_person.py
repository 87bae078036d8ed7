"""Use case: erase a person who left — their personal fields anonymised, their history kept."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from edtech.institutions.application.common import UseCase, not_found
from edtech.institutions.domain import Person
from edtech.institutions.domain.people import ERASED_FIELDS
from edtech.kernel.errors import ForbiddenError
from edtech.kernel.principal import Principal
from edtech.platform.observability.logging import get_logger

log = get_logger(__name__)

KEPT: tuple[tuple[str, str], ...] = (
    (
        "roster",
        "Roles, enrollments and guardian links stay as the school's register of who was "
        "where and when; they now name nobody.",
    ),
    (
        "attendance",
        "Attendance registers are records the school must keep; they now name nobody.",
    ),
    ("grades", "Results and their history are the academic record; they now name nobody."),
    (
        "billing",
        "Invoices, payments and refunds are financial records kept as accounting law "
        "requires; they now name nobody.",
    ),
    (
        "messages",
        "Messages the person wrote belong to the conversations of the others in them; "
        "they now show the sender as erased.",
    ),
    (
        "sourced_id",
        "The student information system's key, so that a later roster import does not "
        "create the person again; it names nobody here.",
    ),
    (
        "files",
        "Files are erased on their own request (POST /api/v1/files/erasures), which reports "
        "what it deletes and what the law makes the school keep.",
    ),
)
"""What an erasure keeps, and why — the same for every person, so it is stated once."""

DROPPED: tuple[tuple[str, str], ...] = (
    (
        "login",
        "Their sign-in account, sessions, single sign-on links, pending invitations and "
        "password resets are deleted.",
    ),
    (
        "contacts",
        "Their devices, push subscriptions and notification preferences (with their SMS "
        "number) are deleted; delivery records keep who was reached and how, not the address.",
    ),
)


@dataclass(frozen=True)
class Erasure:
    """The report of one erasure: what was anonymised, dropped and kept, and why."""

    person_id: uuid.UUID
    erased_at: datetime
    erased_by: uuid.UUID
    anonymised: tuple[str, ...]
    dropped: tuple[tuple[str, str], ...]
    kept: tuple[tuple[str, str], ...]


class ErasePerson(UseCase):
    """An institution administrator erases a person who has left (their membership ended
    before today at the school). Logins go with it (identity reacts to `PersonErased`)."""

    async def __call__(self, principal: Principal, person_id: uuid.UUID) -> Erasure:
        if not principal.is_institution_admin:
            raise ForbiddenError("only an institution administrator may erase a person")
        async with self.uow:
            person = await self.roster().get(Person, principal.institution_id, person_id)
            if person is None:
                raise not_found("person")
            today = await self.today(principal.institution_id)
            person.erase(today, principal.person_id, self.now())
            await self.commit()
        log.info("person_erased", person_id=str(person_id), erased_by=str(principal.person_id))
        assert person.erased_at is not None
        return Erasure(
            person_id=person_id,
            erased_at=person.erased_at,
            erased_by=principal.person_id,
            anonymised=ERASED_FIELDS,
            dropped=DROPPED,
            kept=KEPT,
        )
