"""The demo catalogue: valid in any currency, and instalments on both sides of the seeding day."""

from __future__ import annotations

from datetime import date

import pytest

from edtech.billing.application.seed_demo_billing import ITEMS, installments
from edtech.billing.domain.money import Money


@pytest.mark.parametrize(("currency", "unit"), [("USD", 100), ("JPY", 1), ("KWD", 1000)])
def test_demo_prices_are_whole_units_valid_in_any_currency(currency: str, unit: int) -> None:
    # An admin may switch the demo school's currency before seeding: nothing may be refused.
    assert [Money.parse(item.amount, currency).minor for item in ITEMS] == [
        int(item.amount) * unit for item in ITEMS
    ]


@pytest.mark.parametrize("today", [date(2026, 1, 1), date(2026, 8, 1), date(2026, 11, 26)])
def test_demo_plan_has_two_instalments_past_due_and_one_to_come(today: date) -> None:
    due = [i.due_on for i in installments(today)]
    assert due == sorted(due)
    assert [d < today for d in due] == [True, True, False]
    assert [i.share for i in installments(today)] == [1, 1, 1]
