"""Guardian pairing: a per-child code a parent enters to ask for a link the office approves."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError
from edtech.kernel.events import Aggregate, DomainEvent


class PairingCodeError(InvalidError):
    """The code is unknown, expired or withdrawn (deliberately not saying which)."""

    def __init__(self) -> None:
        super().__init__(
            "This pairing code is not valid (mistyped, expired or replaced): ask the school.",
            [FieldProblem(("code",), "not a valid pairing code")],
        )


@dataclass(eq=False, kw_only=True)
class PairingCode(Aggregate):
    """A child's pairing code: valid a week, one live code per child (a new one replaces it).

    Entering it only *asks* for a guardian link; nothing is granted until the office approves.
    Only its hash is stored.
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    student_id: uuid.UUID
    code_hash: str
    created_at: datetime
    expires_at: datetime
    issued_by: uuid.UUID
    revoked_at: datetime | None = None

    def is_live(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def check_usable(self, now: datetime) -> None:
        if not self.is_live(now):
            raise PairingCodeError()

    def revoke(self, at: datetime) -> None:
        if self.revoked_at is None:
            self.revoked_at = at


class PairingState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True, kw_only=True)
class PairingRequested(DomainEvent):
    type: ClassVar[str] = "roster.pairing_requested"
    request_id: uuid.UUID
    student_id: uuid.UUID
    guardian_id: uuid.UUID


@dataclass(eq=False, kw_only=True)
class PairingRequest(Aggregate):
    """An adult's request, made with a child's code, to be linked to that child as guardian.

    It takes effect only when an administrator approves it (the link then starts that day with
    every right; the office narrows them as for any link); it can be rejected; either decision
    is final.
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    student_id: uuid.UUID
    guardian_id: uuid.UUID
    code_id: uuid.UUID
    relationship: str
    requested_at: datetime
    state: PairingState = PairingState.PENDING
    decided_at: datetime | None = None
    decided_by: uuid.UUID | None = None
    link_id: uuid.UUID | None = None

    def requested(self) -> None:
        self.record(
            PairingRequested(
                institution_id=self.institution_id,
                occurred_at=self.requested_at,
                request_id=self.id,
                student_id=self.student_id,
                guardian_id=self.guardian_id,
            )
        )

    def _decide(self, state: PairingState, at: datetime, by: uuid.UUID) -> None:
        if self.state is not PairingState.PENDING:
            raise ConflictError(f"this request was {self.state.value} already")
        self.state, self.decided_at, self.decided_by = state, at, by

    def approve(self, link_id: uuid.UUID, at: datetime, by: uuid.UUID) -> None:
        self._decide(PairingState.APPROVED, at, by)
        self.link_id = link_id

    def reject(self, at: datetime, by: uuid.UUID) -> None:
        self._decide(PairingState.REJECTED, at, by)
