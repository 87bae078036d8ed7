"""Generated invoice lines name their fee, category and grant within the description column,
even from the longest names the catalogue accepts (both dialects)."""

from __future__ import annotations

import httpx

from edtech.demo import DemoSummary
from tests.integration.billing.helpers import post, sign_in

LONGEST_NAME = 200


def long_name(words: str) -> str:
    return (words * LONGEST_NAME)[:LONGEST_NAME]


async def test_lines_from_the_longest_names_are_shortened_to_fit(
    client: httpx.AsyncClient, school: DemoSummary
) -> None:
    """An item, its category and a grant each named with 200 characters are billed: each name
    is shortened with "…" so that the line fits its 300 characters, and both names still show."""
    category_name = long_name("Tuition and boarding category ")
    item_name = long_name("Full year tuition for the upper school ")
    grant_name = long_name("Sibling discount for the second child ")
    acc = await sign_in(client, "accountant@demo.test")
    student = str(school.person("student1@demo.test"))
    category = await post(
        client, "/fee-categories", {"code": "tuition", "name": category_name}, acc
    )
    item = await post(
        client,
        "/fee-items",
        {"category_id": category["id"], "name": item_name, "amount": "900.00"},
        acc,
    )
    plan = await post(
        client,
        "/fee-plans",
        {
            "name": "Year",
            "item_ids": [item["id"]],
            "installments": [{"label": "Autumn", "due_on": "2026-01-15", "share": 1}],
        },
        acc,
    )
    await post(
        client,
        "/grants",
        {"student_id": student, "kind": "sibling", "name": grant_name, "percent": "10"},
        acc,
    )
    await post(
        client,
        "/accounts",
        {"name": "Family 1", "students": [{"student_id": student, "fee_plan_id": plan["id"]}]},
        acc,
    )

    (invoice,) = await post(
        client, "/invoices/generate", {"plan_id": plan["id"], "due_by": "2026-12-31"}, acc
    )

    fee, discount = (ln["description"] for ln in invoice["lines"])
    assert len(fee) <= 300
    assert fee.startswith(item_name[:140])
    assert f"… ({category_name[:140]}" in fee
    assert fee.endswith("…)")
    assert len(discount) <= 300
    assert discount.startswith(grant_name[:140])
    assert f"… — {item_name[:140]}" in discount
    assert discount.endswith("…")
    assert invoice["total"]["amount"] == "810.00"
