"""Use cases for the code book and for students' credentials (cards, tags, barcodes)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from edtech.attendance.application.common import code_book, is_attendance_staff
from edtech.attendance.application.sessions import RosterFactory
from edtech.attendance.domain import AttendanceCode, Category, CredentialKind, credential_hash
from edtech.attendance.infrastructure.records import SqlAlchemyCredentials
from edtech.attendance.infrastructure.repositories import SqlAlchemyCodes
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


def require_admin(principal: Principal) -> None:
    if not principal.is_institution_admin:
        raise ForbiddenError("Only institution administrators edit attendance codes.")


@dataclass(frozen=True)
class CodeCommand:
    code: str
    name: str
    category: Category
    present_percent: int


class ListCodes:
    """The institution's code book; the default codes are written the first time it is read."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def __call__(self, principal: Principal) -> list[AttendanceCode]:
        async with self.uow as uow:
            book = await code_book(uow.session, principal.institution_id)
            await uow.commit()
        return book.all()


class CreateCode:
    """Add a code of the institution's own (say `L`, late bus → tardy); codes are unique."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def __call__(self, principal: Principal, cmd: CodeCommand) -> AttendanceCode:
        require_admin(principal)
        async with self.uow as uow:
            book = await code_book(uow.session, principal.institution_id)
            if cmd.code in book:
                raise ConflictError("This code exists already.", field="code")
            code = AttendanceCode(
                id=new_id(),
                institution_id=principal.institution_id,
                code=cmd.code,
                name=cmd.name,
                category=cmd.category,
                present_percent=cmd.present_percent,
            )
            SqlAlchemyCodes(uow.session).add(code)
            await uow.commit()
        return code


class ChangeCode:
    """Rename, re-weight, re-categorise or (de)activate a code; system codes keep their category."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    async def __call__(
        self, principal: Principal, code: str, changes: dict[str, Any]
    ) -> AttendanceCode:
        require_admin(principal)
        async with self.uow as uow:
            found = (await code_book(uow.session, principal.institution_id)).get(code)
            if found is None:
                raise NotFoundError("Code not found.")
            found.change(**changes)
            await uow.commit()
        return found


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
            roster = self.roster(uow.session, now.date())
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


class RevokeCredential:
    """A lost card stops working at once; its scans are then `unknown_credential`."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, principal: Principal, credential_id: uuid.UUID) -> None:
        if not is_attendance_staff(principal, None):
            raise ForbiddenError("Only the attendance office revokes credentials.")
        async with self.uow as uow:
            if not await SqlAlchemyCredentials(uow.session).revoke(
                principal.institution_id, credential_id, self.clock.now()
            ):
                raise NotFoundError("Credential not found.")
            await uow.commit()
