"""A person's roster facts in one round trip: the statements every request and every chat message
asks, built once (bound parameters, so SQLAlchemy compiles each once per dialect).

`grants_at` is what a sign-in is checked against (name, roles, the institution's zone), and,
with identity's login check in the same statement (`GrantsAtWhere`), every access token;
`profile_on` is what the messaging policy needs about someone (roles, sections, and a
guardian's children with their sections). Each used to take two to five statements.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.domain import EnrollmentRole
from edtech.institutions.infrastructure.tables import (
    active,
    enrollment,
    guardian_link,
    institution,
    person,
    role_assignment,
)
from edtech.institutions.infrastructure.tenancy import suspended
from edtech.kernel.clock import school_zone
from edtech.kernel.principal import Role, RoleGrant
from edtech.platform.db.bulk import among_bound, padded
from edtech.platform.db.driver import DriverStatement

_INSTITUTION = sa.bindparam("institution_id", type_=sa.Uuid())
_PERSON = sa.bindparam("person_id", type_=sa.Uuid())
_ON = sa.bindparam("on", type_=sa.Date())
_FROM = sa.bindparam("from_day", type_=sa.Date())
_TO = sa.bindparam("to_day", type_=sa.Date())


@dataclass(frozen=True)
class PersonGrants:
    """Who a person is today, for building their `Principal`."""

    display_name: str
    grants: frozenset[RoleGrant]
    timezone: str | None = None
    """The institution's time zone (IANA name), read in the same statement."""


@dataclass(frozen=True)
class ChildFacts:
    """A guardian's usable (not custody-restricted) link to a child, judged on one day."""

    student_id: uuid.UUID
    can_message: bool
    sections: frozenset[uuid.UUID]
    """The sections the child attends as a student."""


@dataclass(frozen=True)
class RosterProfile:
    """Who a person is on one day, as the messaging policy asks it."""

    display_name: str
    grants: frozenset[RoleGrant]
    memberships: tuple[tuple[uuid.UUID, str], ...]
    """(section id, enrollment role), by section id."""
    children: tuple[ChildFacts, ...]
    """By student id."""


PersonCondition = Callable[
    [sa.ColumnElement[uuid.UUID], sa.ColumnElement[uuid.UUID]], sa.ColumnElement[bool]
]
"""A caller's further condition on the person's row, given its id and institution_id columns."""


_ROLE_COLUMNS = (
    role_assignment.c.role,
    role_assignment.c.school_id,
    role_assignment.c.begins_on.label("role_begins_on"),
    role_assignment.c.ends_on.label("role_ends_on"),
)
_ROLES_NEAR_THE_DAY = sa.and_(
    role_assignment.c.institution_id == person.c.institution_id,
    role_assignment.c.person_id == person.c.id,
    role_assignment.c.begins_on <= _TO,
    sa.or_(role_assignment.c.ends_on.is_(None), role_assignment.c.ends_on > _FROM),
)
"""A person's role assignments that may hold within a day of the UTC date (`_on_roll` judges
the exact school day): the columns and the outer join's condition of both grants statements."""


def _grants_at(condition: PersonCondition | None = None) -> sa.Select[Any]:
    """The person with every role assignment that may hold within a day of the UTC date (the
    institution's calendar day is never further from it); the exact day is judged in Python
    once the zone, read in the same statement, gives it."""
    where = [
        person.c.institution_id == _INSTITUTION,
        person.c.id == _PERSON,
        ~suspended(_INSTITUTION),
    ]
    if condition is not None:
        where.append(condition(person.c.id, person.c.institution_id))
    return (
        sa.select(
            person.c.given_name,
            person.c.family_name,
            person.c.ends_on,
            sa.select(institution.c.timezone)
            .where(institution.c.id == _INSTITUTION)
            .scalar_subquery()
            .label("timezone"),
            *_ROLE_COLUMNS,
        )
        .select_from(person.outerjoin(role_assignment, _ROLES_NEAR_THE_DAY))
        .where(*where)
    )


_GRANTS_AT = _grants_at()


def _on_roll(rows: Iterable[Any], on: date) -> PersonGrants | None:
    rows = list(rows)
    if not rows or (rows[0].ends_on is not None and rows[0].ends_on <= on):
        return None
    return PersonGrants(
        display_name=f"{rows[0].given_name} {rows[0].family_name}",
        grants=frozenset(
            RoleGrant(Role(r.role), r.school_id)
            for r in rows
            if r.role is not None
            and r.role_begins_on <= on
            and (r.role_ends_on is None or r.role_ends_on > on)
        ),
        timezone=rows[0].timezone,
    )


async def grants_on(
    session: AsyncSession, institution_id: uuid.UUID, person_id: uuid.UUID, on: date
) -> PersonGrants | None:
    """The person's name and roles on the school day `on`; None if unknown here or gone, or if
    the institution is suspended. One statement."""
    params = {
        "institution_id": institution_id,
        "person_id": person_id,
        "from_day": on,
        "to_day": on,
    }
    return _on_roll(await session.execute(_GRANTS_AT, params), on)


async def grants_at(
    session: AsyncSession, institution_id: uuid.UUID, person_id: uuid.UUID, at: datetime
) -> PersonGrants | None:
    """`grants_on` at the instant `at`, judged on the institution's calendar day then (in its
    time zone, never the UTC date). One statement: the person, their roles and the zone."""
    return await _judged_at(session, _GRANTS_AT, institution_id, person_id, at, {})


class GrantsAtWhere:
    """`grants_at` with the caller's condition on the person's row in the same statement (None
    also when it does not hold): one round trip where two would ask the same row.

    `condition(person_id, institution_id)` receives the person row's columns and returns a
    boolean expression: correlate to them, bind its own parameters (named apart from
    `institution_id`, `person_id`, `from_day`, `to_day`) and pass their values as keywords at
    each call: `await grants(session, institution_id, person_id, at, name=value)`. Build it
    once, at import, like every statement on a request's path (ADR-0016): the statement is
    compiled once per dialect, the condition's parameters bound at each call."""

    def __init__(self, condition: PersonCondition) -> None:
        self._statement = _grants_at(condition)

    async def __call__(
        self,
        session: AsyncSession,
        institution_id: uuid.UUID,
        person_id: uuid.UUID,
        at: datetime,
        **params: Any,
    ) -> PersonGrants | None:
        return await _judged_at(session, self._statement, institution_id, person_id, at, params)


async def _judged_at(
    session: AsyncSession,
    statement: sa.Select[Any],
    institution_id: uuid.UUID,
    person_id: uuid.UUID,
    at: datetime,
    params: dict[str, Any],
) -> PersonGrants | None:
    rows = list(
        await session.execute(
            statement,
            {
                **params,
                **_days_around(at),
                "institution_id": institution_id,
                "person_id": person_id,
            },
        )
    )
    return _on_roll_at(rows, at) if rows else None


def _days_around(at: datetime) -> dict[str, date]:
    """The grants statements' window: a day either side of the UTC date, which holds the
    institution's calendar day at `at` whatever its zone."""
    utc_day = at.date()
    return {"from_day": utc_day - timedelta(days=1), "to_day": utc_day + timedelta(days=1)}


def _on_roll_at(rows: list[Any], at: datetime) -> PersonGrants | None:
    """`_on_roll` on the institution's calendar day at `at` (its zone read with the rows)."""
    return _on_roll(rows, at.astimezone(school_zone(rows[0].timezone)).date())


class GrantsOfMany:
    """`grants_at` for many people in one statement, each named by a row of the caller's
    `source`: a subquery with (at least) `person_id` and `institution_id` columns, keyed by the
    values of its columns `key` (identity's live sign-ins: account, session, person,
    institution). A key whose person is unknown there, gone, or whose institution is suspended
    is absent from the answer, as `grants_at` answers None. Built once, at import; `source`
    binds its own parameters, passed as keywords at each call. On PostgreSQL the statement
    goes to the driver connection (`DriverStatement`, ADR-0023: `source` must bind its lists
    as arrays); on another dialect it is built on `elsewhere` (by default `source`)."""

    def __init__(
        self, source: sa.Subquery, key: Sequence[str], *, elsewhere: sa.Subquery | None = None
    ) -> None:
        self._key = tuple(key)
        self._statement = DriverStatement(
            self._grants(source),
            elsewhere=None if elsewhere is None else self._grants(elsewhere),
        )

    def _grants(self, source: sa.Subquery) -> sa.Select[Any]:
        return (
            sa.select(
                *(source.c[name].label(f"key_{name}") for name in self._key),
                person.c.given_name,
                person.c.family_name,
                person.c.ends_on,
                institution.c.timezone,
                *_ROLE_COLUMNS,
            )
            .select_from(
                source.join(
                    person,
                    sa.and_(
                        person.c.institution_id == source.c.institution_id,
                        person.c.id == source.c.person_id,
                    ),
                )
                .join(institution, institution.c.id == person.c.institution_id)
                .outerjoin(role_assignment, _ROLES_NEAR_THE_DAY)
            )
            .where(~suspended(person.c.institution_id))
        )

    async def __call__(
        self, session: AsyncSession, at: datetime, **params: Any
    ) -> dict[tuple[Any, ...], PersonGrants]:
        """Each key's grants at the instant `at`, judged on its institution's calendar day."""
        width = len(self._key)
        by_key: dict[tuple[Any, ...], list[Any]] = {}
        for row in await self._statement.rows(session, {**params, **_days_around(at)}):
            by_key.setdefault(tuple(row[:width]), []).append(row)
        judged = {key: _on_roll_at(rows, at) for key, rows in by_key.items()}
        return {key: grants for key, grants in judged.items() if grants is not None}


def _facts(kind: str, who: Any, *columns: Any) -> list[Any]:
    """One branch of the profile's union: (kind, whose, id, second id, name, second name,
    flag)."""
    five = list(columns) + [None] * (5 - len(columns))
    types: tuple[sa.types.TypeEngine[Any], ...] = (
        sa.Uuid(),
        sa.Uuid(),
        sa.String(),
        sa.String(),
        sa.Boolean(),
    )
    return [
        sa.literal_column(f"'{kind}'", sa.String()).label("kind"),
        who.label("who"),
        *(
            (sa.cast(sa.null(), t) if c is None else c).label(f"c{i}")
            for i, (c, t) in enumerate(zip(five, types, strict=True))
        ),
    ]


_STUDENT = EnrollmentRole.STUDENT.value


def _profiles(postgresql: bool) -> sa.CompoundSelect[Any]:
    """The profiles' union. The people are bound once per statement under `people`: on
    PostgreSQL one array (`= ANY`: one text for any number of them, nothing rendered per
    execution), elsewhere an expanding `IN`."""

    def among(column: sa.ColumnElement[uuid.UUID]) -> sa.ColumnElement[bool]:
        return among_bound(column, "people", postgresql=postgresql)

    child_link = sa.and_(
        guardian_link.c.institution_id == _INSTITUTION,
        among(guardian_link.c.guardian_id),
        guardian_link.c.custody_restriction.is_(False),
        active(guardian_link, _ON),
    )
    return sa.union_all(
        sa.select(
            *_facts("person", person.c.id, None, None, person.c.given_name, person.c.family_name)
        ).where(
            person.c.institution_id == _INSTITUTION,
            among(person.c.id),
            sa.or_(person.c.ends_on.is_(None), person.c.ends_on > _ON),
            ~suspended(_INSTITUTION),
        ),
        sa.select(
            *_facts(
                "role",
                role_assignment.c.person_id,
                role_assignment.c.school_id,
                None,
                sa.cast(role_assignment.c.role, sa.String()),
            )
        ).where(
            role_assignment.c.institution_id == _INSTITUTION,
            among(role_assignment.c.person_id),
            active(role_assignment, _ON),
        ),
        sa.select(
            *_facts(
                "section",
                enrollment.c.person_id,
                enrollment.c.section_id,
                None,
                sa.cast(enrollment.c.role, sa.String()),
            )
        ).where(
            enrollment.c.institution_id == _INSTITUTION,
            among(enrollment.c.person_id),
            active(enrollment, _ON),
        ),
        sa.select(
            *_facts(
                "child",
                guardian_link.c.guardian_id,
                guardian_link.c.student_id,
                None,
                None,
                None,
                guardian_link.c.can_message,
            )
        ).where(child_link),
        sa.select(
            *_facts(
                "child_section",
                guardian_link.c.guardian_id,
                guardian_link.c.student_id,
                enrollment.c.section_id,
            )
        )
        .select_from(
            guardian_link.join(
                enrollment,
                sa.and_(
                    enrollment.c.institution_id == guardian_link.c.institution_id,
                    enrollment.c.person_id == guardian_link.c.student_id,
                    enrollment.c.role == _STUDENT,
                    active(enrollment, _ON),
                ),
            )
        )
        .where(child_link),
    )


_PROFILES = DriverStatement.per_dialect(_profiles)
"""The profiles' union per dialect (PostgreSQL or not): built once, values bound at execution."""


@dataclass
class _Gathered:
    """One person's rows of the profiles' union, as they come."""

    name: str | None = None
    grants: set[RoleGrant] = field(default_factory=set)
    memberships: list[tuple[uuid.UUID, str]] = field(default_factory=list)
    links: dict[uuid.UUID, bool] = field(default_factory=dict)
    child_sections: dict[uuid.UUID, set[uuid.UUID]] = field(default_factory=dict)

    def profile(self) -> RosterProfile | None:
        if self.name is None:
            return None
        return RosterProfile(
            display_name=self.name,
            grants=frozenset(self.grants),
            memberships=tuple(sorted(self.memberships, key=lambda m: m[0])),
            children=tuple(
                ChildFacts(s, self.links[s], frozenset(self.child_sections.get(s, ())))
                for s in sorted(self.links)
            ),
        )


async def profile_on(
    session: AsyncSession, institution_id: uuid.UUID, person_id: uuid.UUID, on: date
) -> RosterProfile | None:
    """The person's roles, sections and usable links to children on the school day `on`; None if
    unknown here or gone, or if the institution is suspended. One statement."""
    return (await profiles_on(session, institution_id, [person_id], on)).get(person_id)


async def profiles_on(
    session: AsyncSession, institution_id: uuid.UUID, person_ids: Iterable[uuid.UUID], on: date
) -> dict[uuid.UUID, RosterProfile]:
    """`profile_on` of several people in one statement; those unknown here or gone (or all,
    if the institution is suspended) are left out."""
    people = list(dict.fromkeys(person_ids))
    if not people:
        return {}
    postgresql = session.get_bind().dialect.name == "postgresql"
    # (an array on PostgreSQL; elsewhere padded: a handful of texts for any number of people)
    params = {
        "institution_id": institution_id,
        "people": people if postgresql else padded(people),
        "on": on,
    }
    gathered = {person_id: _Gathered() for person_id in people}
    for kind, who, c0, c1, c2, c3, c4 in await _PROFILES.rows(session, params):
        mine = gathered[who]
        if kind == "person":
            mine.name = f"{c2} {c3}"
        elif kind == "role":
            mine.grants.add(RoleGrant(Role(c2), c0))
        elif kind == "section":
            mine.memberships.append((c0, c2))
        elif kind == "child":
            mine.links[c0] = bool(c4)
        else:
            mine.child_sections.setdefault(c0, set()).add(c1)
    found = {person_id: mine.profile() for person_id, mine in gathered.items()}
    return {person_id: p for person_id, p in found.items() if p is not None}
