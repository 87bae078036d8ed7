"""What every roster use case shares: its unit of work, its clock, patch helpers, and the
rules more than one use case applies (adding an institution, a new role assignment)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from edtech.institutions.domain import Institution, RoleAssignment, School
from edtech.institutions.infrastructure.meetings import school_clock
from edtech.institutions.infrastructure.repositories import SqlAlchemyRoster
from edtech.institutions.policy import Policy
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError, NotFoundError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal, Role
from edtech.platform.db.uow import UnitOfWork


class UseCase:
    """A roster use case: it opens the unit of work, checks the policy, changes, commits."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    def now(self) -> datetime:
        return self.clock.now()

    async def today(self, institution_id: uuid.UUID) -> date:
        """Today at the institution, in its time zone (never the UTC date)."""
        return (await school_clock(self.uow.session, self.clock, institution_id)).today()

    def roster(self) -> SqlAlchemyRoster:
        return SqlAlchemyRoster(self.uow.session)

    async def policy(self, institution_id: uuid.UUID) -> Policy:
        return Policy(self.uow.session, today=await self.today(institution_id))

    async def commit(self) -> None:
        """Commit; a uniqueness race lost to a concurrent writer is a conflict, not a crash."""
        try:
            await self.uow.commit()
        except IntegrityError as exc:
            raise ConflictError("this clashes with an existing record") from exc


def not_found(what: str) -> NotFoundError:
    return NotFoundError(f"{what} not found")


def refuse_nulls(changes: Mapping[str, Any], *required: str) -> None:
    """A patch may clear optional fields, never required ones."""
    problems = [
        FieldProblem((name,), "may not be null")
        for name in required
        if name in changes and changes[name] is None
    ]
    if problems:
        raise InvalidError("required fields cannot be cleared", problems)


def apply(obj: object, changes: Mapping[str, Any], allowed: frozenset[str]) -> None:
    for name, value in changes.items():
        if name in allowed:
            setattr(obj, name, value)


async def add_institution(
    roster: SqlAlchemyRoster,
    *,
    slug: str,
    name: str,
    timezone: str,
    locale: str,
    currency: str,
    now: datetime,
) -> Institution:
    """CreateInstitution's rule inside a unit of work someone else commits (provisioning)."""
    if await roster.institution_by_slug(slug) is not None:
        raise ConflictError(f"an institution with slug {slug!r} exists", field="slug")
    inst = Institution(
        id=new_id(),
        slug=slug,
        name=name,
        timezone=timezone,
        locale=locale,
        currency=currency,
        created_at=now,
    )
    roster.add(inst)
    return inst


@dataclass(frozen=True)
class NewRole:
    """A role to give a person: with their first roles (AddPerson) or later (AssignRole)."""

    role: Role
    school_id: uuid.UUID | None = None
    begins_on: date | None = None
    ends_on: date | None = None


async def new_role_assignment(
    case: UseCase,
    principal: Principal,
    person_id: uuid.UUID,
    new: NewRole,
    loc: tuple[str | int, ...],
) -> RoleAssignment:
    """Institution-wide roles need an institution admin; school roles an admin of that school."""
    Policy.require_admin(principal, new.school_id)
    if (
        new.school_id is not None
        and await case.roster().get(School, principal.institution_id, new.school_id) is None
    ):
        raise InvalidError("unknown school", [FieldProblem((*loc, "school_id"), "no such school")])
    assignment = RoleAssignment(
        id=new_id(),
        institution_id=principal.institution_id,
        person_id=person_id,
        role=new.role,
        school_id=new.school_id,
        begins_on=new.begins_on or await case.today(principal.institution_id),
        ends_on=new.ends_on,
    )
    assignment.assigned(case.now())
    return assignment
