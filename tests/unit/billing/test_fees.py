"""Pricing a plan: items split over instalments, grants as negative lines, to the minor unit."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from edtech.billing.domain.catalogue import (
    FeeCategory,
    FeeItem,
    FeePlan,
    Grant,
    GrantKind,
    Installment,
    StudentProfile,
    Target,
    plan_lines,
)
from edtech.billing.domain.money import Money
from edtech.kernel.errors import InvalidError

INST = uuid.uuid4()
TUITION = FeeCategory(id=uuid.uuid4(), institution_id=INST, code="tuition", name="Tuition")
TRANSPORT = FeeCategory(id=uuid.uuid4(), institution_id=INST, code="bus", name="Transport")
CATS = {TUITION.id: TUITION, TRANSPORT.id: TRANSPORT}


def _plan(currency: str, tuition: str, bus: str) -> tuple[FeePlan, list[FeeItem]]:
    items = [
        FeeItem(
            id=uuid.uuid4(),
            institution_id=INST,
            category_id=TUITION.id,
            name="Tuition",
            amount_minor=Money.parse(tuition, currency).minor,
            currency=currency,
        ),
        FeeItem(
            id=uuid.uuid4(),
            institution_id=INST,
            category_id=TRANSPORT.id,
            name="Bus",
            amount_minor=Money.parse(bus, currency).minor,
            currency=currency,
        ),
    ]
    plan_id = uuid.uuid4()
    plan = FeePlan(
        id=plan_id,
        institution_id=INST,
        name="Year",
        currency=currency,
        item_ids=[i.id for i in items],
        installments=[
            Installment(
                id=uuid.uuid4(),
                plan_id=plan_id,
                institution_id=INST,
                seq=n,
                label=f"T{n}",
                due_on=date(2026, 3 * n, 1),
                share=1,
            )
            for n in (1, 2, 3)
        ],
    )
    return plan, items


def _sibling(student: uuid.UUID, currency: str) -> Grant:
    return Grant(
        id=uuid.uuid4(),
        institution_id=INST,
        student_id=student,
        kind=GrantKind.SIBLING,
        name="Sibling 7.5%",
        percent_bp=750,
        category_id=TUITION.id,
        approved_by=uuid.uuid4(),
    )


# Worked by hand: tuition 1234.57 (or 123457 ¥, or 1234.567 KD) split 1:1:1 by largest
# remainder; 7.5 % of the year's tuition rounded once, half away from zero, then split 1:1:1.
EXPECTED = {
    "EUR": (
        "1234.57",
        "300.00",
        [41153, 41152, 41152],
        [10000, 10000, 10000],
        9259,
        [3087, 3086, 3086],
    ),
    "JPY": (
        "123457",
        "30000",
        [41153, 41152, 41152],
        [10000, 10000, 10000],
        9259,
        [3087, 3086, 3086],
    ),
    "KWD": (
        "1234.567",
        "300.000",
        [411523, 411522, 411522],
        [100000, 100000, 100000],
        92593,
        [30865, 30864, 30864],
    ),
}


@pytest.mark.parametrize("currency", sorted(EXPECTED))
def test_two_children_three_installments_sibling_discount(currency: str) -> None:
    tuition, bus, t_parts, b_parts, discount, d_parts = EXPECTED[currency]
    plan, items = _plan(currency, tuition, bus)
    first, second = uuid.uuid4(), uuid.uuid4()
    grants = [_sibling(second, currency)]
    one = plan_lines(plan, items, grants, StudentProfile(first), CATS)
    two = plan_lines(plan, items, grants, StudentProfile(second), CATS)
    for k in range(3):
        assert [ln.amount_minor for ln in one.per_installment[k]] == [t_parts[k], b_parts[k]]
        assert [ln.amount_minor for ln in two.per_installment[k]] == [
            t_parts[k],
            b_parts[k],
            -d_parts[k],
        ]
        assert two.per_installment[k][2].category_id == TUITION.id
    assert sum(d_parts) == discount
    assert sum(t_parts) == Money.parse(tuition, currency).minor


def test_targeting_selects_students() -> None:
    school = uuid.uuid4()
    item = FeeItem(
        id=uuid.uuid4(),
        institution_id=INST,
        category_id=TRANSPORT.id,
        name="Bus",
        amount_minor=100,
        currency="EUR",
        target=Target.SCHOOL,
        target_value=str(school),
    )
    assert item.applies_to(StudentProfile(uuid.uuid4(), school_ids=frozenset({school})))
    assert not item.applies_to(StudentProfile(uuid.uuid4()))
    sid = uuid.uuid4()
    mine = FeeItem(
        id=uuid.uuid4(),
        institution_id=INST,
        category_id=TRANSPORT.id,
        name="Trip",
        amount_minor=100,
        currency="EUR",
        target=Target.STUDENT,
        target_value=str(sid),
    )
    assert mine.applies_to(StudentProfile(sid))
    assert not mine.applies_to(StudentProfile(uuid.uuid4()))


def test_fixed_grant_never_exceeds_the_fees() -> None:
    plan, items = _plan("EUR", "100.00", "10.00")
    sid = uuid.uuid4()
    grant = Grant(
        id=uuid.uuid4(),
        institution_id=INST,
        student_id=sid,
        kind=GrantKind.NEED,
        name="Bursary",
        amount_minor=999_999,
        currency="EUR",
        approved_by=uuid.uuid4(),
    )
    fees = plan_lines(plan, items, [grant], StudentProfile(sid), CATS)
    total = sum(ln.amount_minor for inst in fees.per_installment for ln in inst)
    assert total == 0


def test_expired_grant_is_ignored() -> None:
    plan, items = _plan("EUR", "100.00", "10.00")
    sid = uuid.uuid4()
    grant = Grant(
        id=uuid.uuid4(),
        institution_id=INST,
        student_id=sid,
        kind=GrantKind.MERIT,
        name="Merit",
        percent_bp=5000,
        valid_to=date(2025, 1, 1),
        approved_by=uuid.uuid4(),
    )
    fees = plan_lines(plan, items, [grant], StudentProfile(sid), CATS)
    assert all(ln.amount_minor > 0 for inst in fees.per_installment for ln in inst)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"percent_bp": 1000, "amount_minor": 5, "currency": "EUR"},
        {},
        {"percent_bp": 0},
        {"percent_bp": 10_001},
        {"amount_minor": -1, "currency": "EUR"},
        {"percent_bp": 10, "valid_from": date(2026, 2, 1), "valid_to": date(2026, 1, 1)},
    ],
)
def test_invalid_grants_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(InvalidError):
        Grant(
            id=uuid.uuid4(),
            institution_id=INST,
            student_id=uuid.uuid4(),
            kind=GrantKind.STAFF,
            name="x",
            approved_by=uuid.uuid4(),
            **kwargs,
        )  # type: ignore[arg-type]


def test_fee_item_amount_must_be_positive() -> None:
    with pytest.raises(InvalidError):
        FeeItem(
            id=uuid.uuid4(),
            institution_id=INST,
            category_id=TUITION.id,
            name="x",
            amount_minor=0,
            currency="EUR",
        )
