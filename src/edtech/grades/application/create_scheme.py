"""Use case: define a grading scheme for the institution."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from edtech.grades.application.common import require_scheme_author
from edtech.grades.domain import GradingScheme, LetterBand, SchemeKind
from edtech.grades.infrastructure.repositories import SqlAlchemySchemes, conflicts_as
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ConflictError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


@dataclass(frozen=True)
class SchemeDraft:
    name: str
    kind: SchemeKind
    bands: tuple[LetterBand, ...] = ()
    pass_percent: Decimal | None = None


class CreateScheme:
    """Teachers and admins define the institution's schemes; names are unique per institution."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    async def __call__(self, principal: Principal, draft: SchemeDraft) -> GradingScheme:
        require_scheme_author(principal)
        scheme = GradingScheme(
            id=new_id(),
            institution_id=principal.institution_id,
            name=draft.name.strip(),
            kind=draft.kind,
            bands=draft.bands,
            pass_percent=draft.pass_percent,
            created_at=self.clock.now(),
        )
        async with self.uow as uow, conflicts_as("the institution's grading schemes"):
            schemes = SqlAlchemySchemes(uow.session)
            if await schemes.name_taken(principal.institution_id, draft.name):
                raise ConflictError(f"a grading scheme named {draft.name.strip()!r} exists already")
            schemes.add(scheme)
            await uow.commit()
        return scheme
