"""What every roster use case shares: its unit of work, its clock, and patch helpers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from edtech.institutions.infrastructure.repositories import SqlAlchemyRoster
from edtech.institutions.policy import Policy
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError, NotFoundError
from edtech.platform.db.uow import UnitOfWork


class UseCase:
    """A roster use case: it opens the unit of work, checks the policy, changes, commits."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.now().date()

    def roster(self) -> SqlAlchemyRoster:
        return SqlAlchemyRoster(self.uow.session)

    def policy(self) -> Policy:
        return Policy(self.uow.session, today=self.today())

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
