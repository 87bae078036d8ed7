"""The ports billing's use cases need besides persistence: the roster (the payment provider's
port is `domain/provider.py`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.billing.domain.catalogue import StudentProfile
from edtech.kernel.clock import Clock
from edtech.kernel.principal import Principal


class Roster(Protocol):
    """The roster (institutions slice) as billing needs it, bound to one session."""

    async def currency(self, institution_id: uuid.UUID) -> str | None:
        """The currency the institution bills in."""
        ...

    async def student_profile(
        self, institution_id: uuid.UUID, student_id: uuid.UUID, on: date
    ) -> StudentProfile | None:
        """The student's schools, grades and sections on `on`; None if not a current student."""
        ...

    async def billing_guardians(
        self, institution_id: uuid.UUID, student_ids: list[uuid.UUID]
    ) -> list[uuid.UUID]:
        """Guardians allowed to see these students' bills (to tell them of new ones)."""
        ...

    async def billing_children(self, principal: Principal) -> set[uuid.UUID]:
        """The students whose bills this guardian may see."""
        ...

    async def today(self, institution_id: uuid.UUID, clock: Clock) -> date:
        """Today at the institution, in its time zone (due dates are judged on it)."""
        ...


RosterFactory = Callable[[AsyncSession], Roster]
"""Binds the roster to a session: a use case's `uow.session`, or a read route's session."""
