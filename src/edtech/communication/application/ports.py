"""The ports of the communication use cases: the roster as this slice sees it (`Directory`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.communication.domain import Audience, Profile
from edtech.kernel.clock import Clock


class Directory(Protocol):
    """The roster facts this slice needs (adapter: `RosterDirectory` over institutions.public)."""

    async def profile(self, institution_id: uuid.UUID, person_id: uuid.UUID) -> Profile | None: ...

    async def timezone(self, institution_id: uuid.UUID) -> ZoneInfo: ...

    async def display_names(
        self, institution_id: uuid.UUID, person_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, str]: ...

    async def section_exists(self, institution_id: uuid.UUID, section_id: uuid.UUID) -> bool: ...

    async def school_exists(self, institution_id: uuid.UUID, school_id: uuid.UUID) -> bool: ...

    async def person_exists(self, institution_id: uuid.UUID, person_id: uuid.UUID) -> bool: ...

    async def audience(self, institution_id: uuid.UUID, audience: Audience) -> list[uuid.UUID]: ...


DirectoryPort = Callable[[AsyncSession], Directory]
"""The roster port a use case is built with (`use_case(cls, directory)`): bound by the use case
to its unit of work's session, by a read route to its read session."""

DirectoryFactory = Callable[[AsyncSession, date | Clock], Directory]
"""The directory judged on a given day: the shape of the node's `ProfileCache` (the websocket
`send` path binds it to the hub's unit of work and today)."""
