"""The fee catalogue: categories, targeted fee items, instalment plans and approved grants."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import date

from edtech.billing.domain.descriptions import describe
from edtech.billing.domain.money import Money, allocate, percent_of
from edtech.kernel.errors import FieldProblem, InvalidError


class Target(enum.StrEnum):
    """Who a fee item applies to."""

    EVERYONE = "everyone"
    SCHOOL = "school"
    GRADE = "grade"
    SECTION = "section"
    STUDENT = "student"


@dataclass(frozen=True)
class StudentProfile:
    """What the roster says about a student, as far as fee targeting needs it."""

    student_id: uuid.UUID
    school_ids: frozenset[uuid.UUID] = frozenset()
    grade_levels: frozenset[str] = frozenset()
    section_ids: frozenset[uuid.UUID] = frozenset()


class FeeCategory:
    """A kind of fee (tuition, transport, meals); sponsors and grants are scoped by category."""

    def __init__(self, *, id: uuid.UUID, institution_id: uuid.UUID, code: str, name: str) -> None:
        self.id = id
        self.institution_id = institution_id
        self.code = code
        self.name = name


class FeeItem:
    """A priced fee in one category, aimed at everyone, a school, a grade, a section or a student.

    The amount is for the whole plan period; a plan spreads it over its instalments.
    """

    def __init__(
        self,
        *,
        id: uuid.UUID,
        institution_id: uuid.UUID,
        category_id: uuid.UUID,
        name: str,
        amount_minor: int,
        currency: str,
        target: Target = Target.EVERYONE,
        target_value: str | None = None,
    ) -> None:
        if amount_minor <= 0:
            raise InvalidError(
                "A fee item's amount must be positive.",
                [FieldProblem(("amount",), "must be greater than zero")],
            )
        if (target == Target.EVERYONE) != (target_value is None):
            raise InvalidError(
                "A targeted fee item needs a target value, and only then.",
                [FieldProblem(("target_value",), "required unless target is 'everyone'")],
            )
        Money(amount_minor, currency)  # validates the currency
        self.id = id
        self.institution_id = institution_id
        self.category_id = category_id
        self.name = name
        self.amount_minor = amount_minor
        self.currency = currency
        self.target = Target(target)
        self.target_value = target_value

    def applies_to(self, profile: StudentProfile) -> bool:
        """True when the item's targeting selects this student."""
        value = self.target_value or ""
        match self.target:
            case Target.EVERYONE:
                return True
            case Target.SCHOOL:
                return value in {str(s) for s in profile.school_ids}
            case Target.GRADE:
                return value in profile.grade_levels
            case Target.SECTION:
                return value in {str(s) for s in profile.section_ids}
            case Target.STUDENT:
                return value == str(profile.student_id)


class Installment:
    """One instalment of a plan: a due date, an optional term, and a relative share."""

    def __init__(
        self,
        *,
        id: uuid.UUID,
        plan_id: uuid.UUID,
        institution_id: uuid.UUID,
        seq: int,
        label: str,
        due_on: date,
        share: int,
        term_id: uuid.UUID | None = None,
    ) -> None:
        self.id = id
        self.plan_id = plan_id
        self.institution_id = institution_id
        self.seq = seq
        self.label = label
        self.due_on = due_on
        self.share = share
        self.term_id = term_id


class FeePlan:
    """A set of fee items billed in instalments; each item is split by the instalments' shares
    (largest remainder), so the instalments of an item add up to the item exactly."""

    def __init__(
        self,
        *,
        id: uuid.UUID,
        institution_id: uuid.UUID,
        name: str,
        currency: str,
        item_ids: list[uuid.UUID],
        installments: list[Installment],
    ) -> None:
        problems: list[FieldProblem] = []
        if not item_ids:
            problems.append(FieldProblem(("item_ids",), "a plan needs at least one fee item"))
        if len(set(item_ids)) != len(item_ids):
            problems.append(FieldProblem(("item_ids",), "an item is listed twice"))
        if not installments:
            problems.append(FieldProblem(("installments",), "a plan needs an instalment"))
        for i, inst in enumerate(installments):
            if inst.share <= 0:
                problems.append(FieldProblem(("installments", i, "share"), "must be positive"))
        if problems:
            raise InvalidError("The fee plan is not valid.", problems)
        Money(0, currency)
        self.id = id
        self.institution_id = institution_id
        self.name = name
        self.currency = currency
        self.item_ids = list(item_ids)
        self.installments = sorted(installments, key=lambda i: i.seq)

    def split(self, amount_minor: int) -> list[int]:
        """`amount_minor` spread over the instalments in order (parts add up exactly)."""
        return allocate(amount_minor, [i.share for i in self.installments])


class GrantKind(enum.StrEnum):
    SIBLING = "sibling"
    STAFF = "staff"
    MERIT = "merit"
    NEED = "need"


class Grant:
    """An approved discount or scholarship for one student: a percentage or a fixed amount off
    the student's fees in one category (or all), valid between two dates (inclusive).

    A fixed amount is for the whole plan period, spread over instalments like the fees are.
    """

    def __init__(
        self,
        *,
        id: uuid.UUID,
        institution_id: uuid.UUID,
        student_id: uuid.UUID,
        kind: GrantKind,
        name: str,
        percent_bp: int | None = None,
        amount_minor: int | None = None,
        currency: str | None = None,
        category_id: uuid.UUID | None = None,
        valid_from: date | None = None,
        valid_to: date | None = None,
        approved_by: uuid.UUID,
    ) -> None:
        problems: list[FieldProblem] = []
        if (percent_bp is None) == (amount_minor is None):
            problems.append(FieldProblem(("percent",), "give a percent or an amount, not both"))
        if percent_bp is not None and not 0 < percent_bp <= 10_000:
            problems.append(FieldProblem(("percent",), "must be above 0 and at most 100"))
        if amount_minor is not None and amount_minor <= 0:
            problems.append(FieldProblem(("amount",), "must be greater than zero"))
        if amount_minor is not None and currency is None:
            problems.append(FieldProblem(("currency",), "a fixed grant needs a currency"))
        if valid_from and valid_to and valid_to < valid_from:
            problems.append(FieldProblem(("valid_to",), "ends before it starts"))
        if problems:
            raise InvalidError("The grant is not valid.", problems)
        self.id = id
        self.institution_id = institution_id
        self.student_id = student_id
        self.kind = GrantKind(kind)
        self.name = name
        self.percent_bp = percent_bp
        self.amount_minor = amount_minor
        self.currency = currency
        self.category_id = category_id
        self.valid_from = valid_from
        self.valid_to = valid_to
        self.approved_by = approved_by

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def discount_on(self, scope_minor: int) -> int:
        """How much this grant takes off `scope_minor` (never more than it)."""
        if self.percent_bp is not None:
            return min(scope_minor, percent_of(scope_minor, self.percent_bp))
        assert self.amount_minor is not None
        return min(scope_minor, self.amount_minor)


@dataclass(frozen=True)
class DraftLine:
    """A line an invoice will carry: who, which category, what, how much (negative = discount)."""

    student_id: uuid.UUID | None
    category_id: uuid.UUID | None
    description: str
    amount_minor: int
    fee_item_id: uuid.UUID | None = None
    grant_id: uuid.UUID | None = None


@dataclass(frozen=True)
class StudentFees:
    """One student's lines for every instalment of a plan (index = instalment order)."""

    student_id: uuid.UUID
    per_installment: list[list[DraftLine]] = field(default_factory=list)


def plan_lines(
    plan: FeePlan,
    items: list[FeeItem],
    grants: list[Grant],
    profile: StudentProfile,
    categories: dict[uuid.UUID, FeeCategory],
) -> StudentFees:
    """Price a plan for one student: every targeted item, less every grant valid on the plan's
    first due date, each split over the instalments.

    A grant is computed once on the whole-period amount of the items in its scope (so a 10 %
    discount is exactly 10 % of the year, rounded once), spread over those items by largest
    remainder, and each item's gross and discount are split over the instalments separately.
    Grants apply in id order, each to what the previous ones left, so together they never
    exceed the gross.
    """
    chosen = [i for i in items if i.id in plan.item_ids and i.applies_to(profile)]
    chosen.sort(key=lambda i: plan.item_ids.index(i.id))
    first_due = plan.installments[0].due_on
    n = len(plan.installments)
    out: list[list[DraftLine]] = [[] for _ in range(n)]
    remaining = {i.id: i.amount_minor for i in chosen}
    for item in chosen:
        cat = categories[item.category_id]
        for k, part in enumerate(plan.split(item.amount_minor)):
            out[k].append(
                DraftLine(
                    profile.student_id,
                    item.category_id,
                    describe("{} ({})", item.name, cat.name),
                    part,
                    fee_item_id=item.id,
                )
            )
    for grant in sorted(grants, key=lambda g: g.id):
        if grant.student_id != profile.student_id or not grant.valid_on(first_due):
            continue
        if grant.currency is not None and grant.currency != plan.currency:
            continue
        scope = [i for i in chosen if grant.category_id in (None, i.category_id)]
        base = sum(remaining[i.id] for i in scope)
        if base <= 0:
            continue
        discount = grant.discount_on(base)
        if discount == 0:
            continue
        per_item = allocate(discount, [remaining[i.id] for i in scope])
        for item, item_discount in zip(scope, per_item, strict=True):
            if item_discount == 0:
                continue
            remaining[item.id] -= item_discount
            for k, part in enumerate(plan.split(item_discount)):
                if part:
                    out[k].append(
                        DraftLine(
                            profile.student_id,
                            item.category_id,
                            describe("{} — {}", grant.name, item.name),
                            -part,
                            grant_id=grant.id,
                        )
                    )
    return StudentFees(profile.student_id, out)
