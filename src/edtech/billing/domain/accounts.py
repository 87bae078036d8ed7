"""Payer accounts: a family (its students, seen by their billing guardians) or a sponsor."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from edtech.billing.domain.money import CurrencyMismatchError, Money
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError


class AccountKind(enum.StrEnum):
    FAMILY = "family"
    SPONSOR = "sponsor"


class AccountStudent:
    """A student billed to a family account, optionally on a fee plan."""

    def __init__(
        self,
        *,
        account_id: uuid.UUID,
        institution_id: uuid.UUID,
        student_id: uuid.UUID,
        fee_plan_id: uuid.UUID | None,
    ) -> None:
        self.account_id = account_id
        self.institution_id = institution_id
        self.student_id = student_id
        self.fee_plan_id = fee_plan_id


class Sponsorship:
    """A sponsor account pays one category of one student's fees (instead of the family)."""

    def __init__(
        self,
        *,
        account_id: uuid.UUID,
        institution_id: uuid.UUID,
        student_id: uuid.UUID,
        category_id: uuid.UUID,
    ) -> None:
        self.account_id = account_id
        self.institution_id = institution_id
        self.student_id = student_id
        self.category_id = category_id


class PayerAccount:
    """Who pays: invoices, payments and credit belong to an account, in the institution's
    currency. Guardians see a family account through their students (`can_view_billing`)."""

    students: list[AccountStudent]
    sponsorships: list[Sponsorship]

    def __init__(
        self,
        *,
        id: uuid.UUID,
        institution_id: uuid.UUID,
        kind: AccountKind,
        name: str,
        currency: str,
        created_at: datetime,
    ) -> None:
        Money(0, currency)
        self.id = id
        self.institution_id = institution_id
        self.kind = AccountKind(kind)
        self.name = name
        self.currency = currency
        self.created_at = created_at
        self.students = []
        self.sponsorships = []

    @property
    def student_ids(self) -> list[uuid.UUID]:
        if self.kind == AccountKind.SPONSOR:
            return sorted({s.student_id for s in self.sponsorships})
        return [s.student_id for s in self.students]

    def add_student(self, student_id: uuid.UUID, fee_plan_id: uuid.UUID | None) -> None:
        """A family lists each student once; sponsors list students through sponsorships."""
        if self.kind != AccountKind.FAMILY:
            raise InvalidError("Only a family account has students; sponsors sponsor categories.")
        if any(s.student_id == student_id for s in self.students):
            raise ConflictError("The student is already on this account.")
        self.students.append(
            AccountStudent(
                account_id=self.id,
                institution_id=self.institution_id,
                student_id=student_id,
                fee_plan_id=fee_plan_id,
            )
        )

    def sponsor(self, student_id: uuid.UUID, category_id: uuid.UUID) -> None:
        if self.kind != AccountKind.SPONSOR:
            raise InvalidError("Only a sponsor account can sponsor a category.")
        if any(
            s.student_id == student_id and s.category_id == category_id for s in self.sponsorships
        ):
            return
        self.sponsorships.append(
            Sponsorship(
                account_id=self.id,
                institution_id=self.institution_id,
                student_id=student_id,
                category_id=category_id,
            )
        )

    def require_currency(self, currency: str) -> None:
        if currency != self.currency:
            raise CurrencyMismatchError(
                f"This account is billed in {self.currency}, not {currency}.",
                [FieldProblem(("currency",), f"must be {self.currency}")],
            )
