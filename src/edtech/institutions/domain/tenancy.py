"""A tenant taken out of service and put back: suspension, its events and its rule."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from edtech.kernel.errors import ConflictError
from edtech.kernel.events import Aggregate, DomainEvent


@dataclass(frozen=True, kw_only=True)
class InstitutionSuspended(DomainEvent):
    """Nobody of the institution may sign in or use a token, device or socket any more."""

    type: ClassVar[str] = "institutions.institution_suspended"


@dataclass(frozen=True, kw_only=True)
class InstitutionReactivated(DomainEvent):
    type: ClassVar[str] = "institutions.institution_reactivated"


@dataclass(eq=False, kw_only=True)
class Suspension(Aggregate):
    """A span during which an institution is out of service (e.g. its contract ended).

    While a suspension is open, the institution's logins, tokens, devices and sockets are
    refused; lifting it restores them (sessions revoked meanwhile stay revoked). Suspensions
    are kept as history: suspending an institution already suspended, or reactivating one that
    is not, is a conflict.
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    suspended_at: datetime
    suspended_by: str
    reason: str | None = None
    reactivated_at: datetime | None = None
    reactivated_by: str | None = None

    @classmethod
    def begin(
        cls, *, id: uuid.UUID, institution_id: uuid.UUID, at: datetime, by: str, reason: str | None
    ) -> Suspension:
        suspension = cls(
            id=id, institution_id=institution_id, suspended_at=at, suspended_by=by, reason=reason
        )
        suspension.record(InstitutionSuspended(institution_id=institution_id, occurred_at=at))
        return suspension

    @property
    def is_open(self) -> bool:
        return self.reactivated_at is None

    def lift(self, at: datetime, by: str) -> None:
        if not self.is_open:
            raise ConflictError("the institution is not suspended")
        self.reactivated_at = at
        self.reactivated_by = by
        self.record(InstitutionReactivated(institution_id=self.institution_id, occurred_at=at))
