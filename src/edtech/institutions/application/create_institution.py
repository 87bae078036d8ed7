"""Use case: a new tenant (institution) with a unique slug."""

from __future__ import annotations

import uuid

from edtech.institutions.application.common import (
    UseCase,
    add_institution,
)


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
