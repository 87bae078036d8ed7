"""What every billing use case shares: the unit of work, the clock, the roster port, permissions."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.billing.domain.accounts import AccountKind, PayerAccount
from edtech.billing.domain.catalogue import StudentProfile
from edtech.billing.domain.ledger import LedgerTransaction
from edtech.billing.infrastructure.repositories.ledger import (
    SqlAlchemyDocumentNumbers,
    SqlAlchemyLedger,
)
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.principal import Principal, Role
from edtech.platform.db.uow import UnitOfWork

BeforeCommit = Callable[[AsyncSession, Any], Awaitable[None]]
"""Called with the use case's result inside its transaction, just before commit (the
Idempotency-Key response is stored this way, atomically with the change)."""

MANAGERS = frozenset({Role.ACCOUNTANT, Role.INSTITUTION_ADMIN})


class Roster(Protocol):
    """The port to the roster (institutions slice) as billing needs it."""

    async def currency(self, session: AsyncSession, institution_id: uuid.UUID) -> str | None:
        """The currency the institution bills in."""
        ...

    async def student_profile(
        self, session: AsyncSession, institution_id: uuid.UUID, student_id: uuid.UUID, on: date
    ) -> StudentProfile | None:
        """The student's schools, grades and sections on `on`; None if not a current student."""
        ...

    async def billing_guardians(
        self, session: AsyncSession, institution_id: uuid.UUID, student_ids: list[uuid.UUID]
    ) -> list[uuid.UUID]:
        """Guardians allowed to see these students' bills (to tell them of new ones)."""
        ...


def require_manager(principal: Principal) -> None:
    """Accountants and institution admins manage billing; to anyone else it does not exist."""
    if not principal.roles & MANAGERS:
        raise NotFoundError("Not found.")


def not_found(what: str) -> NotFoundError:
    return NotFoundError(f"{what} not found.")


class UseCase:
    """Base: a use case is built per request with its collaborators."""

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: Roster) -> None:
        self.uow = uow
        self.clock = clock
        self.roster = roster

    def now(self) -> datetime:
        return self.clock.now()

    async def post(self, institution_id: uuid.UUID, tx: LedgerTransaction) -> None:
        """Append a balanced transaction to the institution's ledger, dated now."""
        await SqlAlchemyLedger(self.uow.session, institution_id).post(tx, self.now())

    async def next_number(self, institution_id: uuid.UUID, series: str) -> int:
        """The next number of a gapless series (invoice, credit_note, receipt, refund)."""
        return await SqlAlchemyDocumentNumbers(self.uow.session, institution_id).next(series)

    async def family_guardians(
        self, account: PayerAccount | None, student_ids: Iterable[uuid.UUID]
    ) -> tuple[uuid.UUID, ...]:
        """Who hears of a family account's bills: its students' billing guardians (a sponsor's
        documents are not the family's business)."""
        if account is None or account.kind != AccountKind.FAMILY:
            return ()
        ids = [s for s in student_ids if s in set(account.student_ids)]
        if not ids:
            return ()
        found = await self.roster.billing_guardians(self.uow.session, account.institution_id, ids)
        return tuple(found)

    async def commit(self, result: Any, before_commit: BeforeCommit | None) -> None:
        if before_commit is not None:
            await before_commit(self.uow.session, result)
        await self.uow.commit()
