"""Opening a new tenant with its first institution administrator, in the caller's transaction."""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.application.common import add_institution
from edtech.institutions.domain import Person, RoleAssignment
from edtech.institutions.domain.people import normalise_email
from edtech.institutions.infrastructure.repositories import SqlAlchemyRoster
from edtech.kernel.clock import school_zone
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Role


def slug_for(name: str) -> str:
    """A slug from a name: lowercase ASCII letters and digits joined by dashes ("Hill School"
    → "hill-school"); at most 64 characters."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:64].strip("-")
    return slug or "school"


@dataclass(frozen=True)
class NewTenant:
    name: str
    slug: str
    timezone: str
    locale: str
    currency: str
    admin_email: str
    admin_given_name: str = "School"
    admin_family_name: str = "Administrator"


@dataclass(frozen=True)
class OpenedTenant:
    institution_id: uuid.UUID
    admin_person_id: uuid.UUID


async def open_institution(session: AsyncSession, tenant: NewTenant, now: datetime) -> OpenedTenant:
    """A new institution (its slug unique, its settings valid — CreateInstitution's rule) and
    one person holding `institution_admin` from today (the date in its time zone), added to
    `session`; the caller commits (identity adds the admin's login and setup link in the same
    transaction)."""
    roster = SqlAlchemyRoster(session)
    inst = await add_institution(
        roster,
        slug=tenant.slug,
        name=tenant.name,
        timezone=tenant.timezone,
        locale=tenant.locale,
        currency=tenant.currency,
        now=now,
    )
    admin = Person(
        id=new_id(),
        institution_id=inst.id,
        given_name=tenant.admin_given_name,
        family_name=tenant.admin_family_name,
        email=normalise_email(tenant.admin_email),
        created_at=now,
    )
    admin.added(now)
    roster.add(admin)
    grant = RoleAssignment(
        id=new_id(),
        institution_id=inst.id,
        person_id=admin.id,
        role=Role.INSTITUTION_ADMIN,
        begins_on=now.astimezone(school_zone(inst.timezone)).date(),
    )
    grant.assigned(now)
    roster.add(grant)
    return OpenedTenant(inst.id, admin.id)
