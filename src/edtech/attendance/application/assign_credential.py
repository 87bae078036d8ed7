"""Use case: give a student a card, tag, barcode or static QR (kept hashed)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from edtech.attendance.application.common import is_attendance_staff
from edtech.attendance.application.ports import RosterFactory
from edtech.attendance.domain import CredentialKind, credential_hash
from edtech.attendance.infrastructure.records import SqlAlchemyCredentials
from edtech.kernel.clock import Clock
from edtech.kernel.errors import (
    ConflictError,
    FieldProblem,
    ForbiddenError,
    InvalidError,
    NotFoundError,
)
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


@dataclass(frozen=True)
class CredentialCommand:
    student_id: uuid.UUID
    kind: CredentialKind
    value: str


class AssignCredential:
    """Give a student a card, tag, barcode or static QR; only its hash is kept.

    A credential belongs to one student at a time: assigning a revoked one again reuses it,
    assigning one that another student holds is refused.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: RosterFactory) -> None:
        self.uow, self.clock, self.roster = uow, clock, roster

    async def __call__(self, principal: Principal, cmd: CredentialCommand) -> uuid.UUID:
        if not is_attendance_staff(principal, None):
            raise ForbiddenError("Only the attendance office assigns credentials.")
        value = cmd.value.strip()
        if not 1 <= len(value) <= 256:
            raise InvalidError(
                "Invalid credential.", [FieldProblem(("value",), "1–256 characters")]
            )
        now = self.clock.now()
        async with self.uow as uow:
            roster = self.roster(uow.session)
            if cmd.student_id not in await roster.names(principal.institution_id, [cmd.student_id]):
                raise NotFoundError("Student not found.", field="student_id")
            creds = SqlAlchemyCredentials(uow.session)
            value_hash = credential_hash(principal.institution_id, value)
            existing = await creds.by_hash(principal.institution_id, value_hash)
            row = {
                "student_id": cmd.student_id,
                "kind": cmd.kind.value,
                "label": "…" + value[-4:],
                "created_at": now,
                "revoked_at": None,
            }
            if existing is None:
                credential_id = new_id()
                await creds.insert(
                    {
                        "id": credential_id,
                        "institution_id": principal.institution_id,
                        "value_hash": value_hash,
                        **row,
                    }
                )
            elif existing.revoked_at is None and existing.student_id != cmd.student_id:
                raise ConflictError("Another student holds this credential; revoke it first.")
            else:
                credential_id = existing.id
                await creds.reassign(credential_id, row)
            await uow.commit()
        return credential_id
