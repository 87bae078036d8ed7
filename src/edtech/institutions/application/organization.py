"""Use cases for the tenant's settings, its schools and its calendar."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from edtech.institutions.application.common import UseCase, apply, not_found, refuse_nulls
from edtech.institutions.domain import (
    AcademicSession,
    Institution,
    OrgType,
    School,
    SessionKind,
)
from edtech.institutions.infrastructure.repositories import SqlAlchemyRoster
from edtech.institutions.policy import Policy
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal


class CreateInstitution(UseCase):
    """A new tenant; its slug is unique (it is how operators and the demo find it)."""

    async def __call__(
        self, *, slug: str, name: str, timezone: str, locale: str, currency: str
    ) -> uuid.UUID:
        async with self.uow:
            inst = await add_institution(
                self.roster(),
                slug=slug,
                name=name,
                timezone=timezone,
                locale=locale,
                currency=currency,
                now=self.now(),
            )
            await self.commit()
        return inst.id


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


class UpdateInstitution(UseCase):
    """Only institution admins change the tenant's name, time zone, locale or currency."""

    FIELDS = frozenset({"name", "timezone", "locale", "currency"})

    async def __call__(self, principal: Principal, changes: Mapping[str, Any]) -> None:
        refuse_nulls(changes, *self.FIELDS)
        Policy.require_admin(principal)
        async with self.uow:
            inst = await self.roster().institution(principal.institution_id)
            if inst is None:
                raise not_found("institution")
            apply(inst, changes, self.FIELDS)
            inst.check()
            await self.commit()


@dataclass(frozen=True)
class NewSchool:
    name: str
    org_type: OrgType = OrgType.SCHOOL
    parent_id: uuid.UUID | None = None
    timezone: str | None = None
    sourced_id: str | None = None


class CreateSchool(UseCase):
    """Institution admins add schools; names are unique within the institution."""

    async def __call__(self, principal: Principal, cmd: NewSchool) -> uuid.UUID:
        Policy.require_admin(principal)
        async with self.uow:
            roster = self.roster()
            if (
                cmd.parent_id is not None
                and await roster.get(School, principal.institution_id, cmd.parent_id) is None
            ):
                raise InvalidError(
                    "unknown parent", [FieldProblem(("parent_id",), "no such school")]
                )
            if await roster.school_name_taken(principal.institution_id, cmd.name):
                raise ConflictError(f"a school named {cmd.name!r} exists")
            school = School(
                id=new_id(),
                institution_id=principal.institution_id,
                name=cmd.name,
                org_type=cmd.org_type,
                parent_id=cmd.parent_id,
                timezone=cmd.timezone,
                sourced_id=cmd.sourced_id,
            )
            roster.add(school)
            await self.commit()
        return school.id


class UpdateSchool(UseCase):
    """Admins of a school rename it or change its time zone; names stay unique."""

    FIELDS = frozenset({"name", "org_type", "timezone", "sourced_id"})

    async def __call__(
        self, principal: Principal, school_id: uuid.UUID, changes: Mapping[str, Any]
    ) -> None:
        refuse_nulls(changes, "name", "org_type")
        async with self.uow:
            roster = self.roster()
            school = await roster.get(School, principal.institution_id, school_id)
            if school is None:
                raise not_found("school")
            Policy.require_admin(principal, school.id)
            if "name" in changes and await roster.school_name_taken(
                principal.institution_id, changes["name"], but=school.id
            ):
                raise ConflictError(f"a school named {changes['name']!r} exists")
            apply(school, changes, self.FIELDS)
            school.check()
            await self.commit()


@dataclass(frozen=True)
class NewAcademicSession:
    kind: SessionKind
    title: str
    starts_on: date
    ends_on: date
    school_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    closes_on: date | None = None


class CreateAcademicSession(UseCase):
    """A school year, term or grading period; each lies inside its parent's dates."""

    async def __call__(self, principal: Principal, cmd: NewAcademicSession) -> uuid.UUID:
        Policy.require_admin(principal, cmd.school_id)
        async with self.uow:
            roster = self.roster()
            if (
                cmd.school_id is not None
                and await roster.get(School, principal.institution_id, cmd.school_id) is None
            ):
                raise InvalidError(
                    "unknown school", [FieldProblem(("school_id",), "no such school")]
                )
            session = AcademicSession(
                id=new_id(),
                institution_id=principal.institution_id,
                kind=cmd.kind,
                title=cmd.title,
                starts_on=cmd.starts_on,
                ends_on=cmd.ends_on,
                school_id=cmd.school_id,
                parent_id=cmd.parent_id,
                closes_on=cmd.closes_on,
            )
            if cmd.parent_id is not None:
                parent = await roster.get(AcademicSession, principal.institution_id, cmd.parent_id)
                if parent is None:
                    raise InvalidError(
                        "unknown parent", [FieldProblem(("parent_id",), "no such session")]
                    )
                session.check_parent(parent)
            roster.add(session)
            await self.commit()
        return session.id


class UpdateAcademicSession(UseCase):
    """Retitle or re-date a session; it must still fit inside its parent."""

    FIELDS = frozenset({"title", "starts_on", "ends_on", "closes_on"})

    async def __call__(
        self, principal: Principal, session_id: uuid.UUID, changes: Mapping[str, Any]
    ) -> None:
        refuse_nulls(changes, "title", "starts_on", "ends_on")
        async with self.uow:
            roster = self.roster()
            session = await roster.get(AcademicSession, principal.institution_id, session_id)
            if session is None:
                raise not_found("academic session")
            Policy.require_admin(principal, session.school_id)
            apply(session, changes, self.FIELDS)
            session.check()
            if session.parent_id is not None:
                parent = await roster.get(
                    AcademicSession, principal.institution_id, session.parent_id
                )
                if parent is not None:
                    session.check_parent(parent)
            await self.commit()
