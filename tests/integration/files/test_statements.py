"""A student's statement of account as a PDF, read from billing's public module, rendered for
those who may see the family's bills."""

from __future__ import annotations

import httpx

from edtech.demo import DemoSummary
from tests.integration.files.helpers import (
    FILES,
    download,
    listed,
    open_family_account,
    pay,
    pdf_text,
)
from tests.integration.grades.helpers import ok
from tests.roster import login


async def test_a_statement_lists_the_payments_and_the_balance_for_who_sees_the_bills(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    student = demo.person("student1@demo.test")
    acc = await login(client, "accountant@demo.test")
    family = await open_family_account(client, acc, student)
    payment = await pay(client, acc, family["id"], "125.50")

    statement = ok(
        await client.post(f"{FILES}/statements", json={"student_id": str(student)}, headers=acc),
        201,
    )
    assert statement["category"] == "statement"
    assert statement["filename"].startswith("statement-")
    text = " ".join(pdf_text((await download(client, statement, acc)).content).split())
    assert "Family One (USD)" in text
    assert f"{payment['receipt_number']}" in text
    assert "125.50" in text
    assert "Balance due 0.00 USD" in text  # nothing invoiced: the payment is credit

    guardian = await login(client, "guardian1@demo.test")
    mine = ok(
        await client.post(
            f"{FILES}/statements", json={"student_id": str(student)}, headers=guardian
        ),
        201,
    )
    seen = await listed(client, guardian, category="statement")
    assert {f["id"] for f in seen} == {statement["id"], mine["id"]}
    # another family, a guardian whose link does not show bills, a teacher: no such student
    for who, about in (
        ("guardian7@demo.test", "student1@demo.test"),
        ("guardian3@demo.test", "student3@demo.test"),
        ("teacher1@demo.test", "student1@demo.test"),
    ):
        h = await login(client, who)
        body = {"student_id": str(demo.person(about))}
        r = await client.post(f"{FILES}/statements", json=body, headers=h)
        assert r.status_code == 404, (who, r.text)
        assert await listed(client, h, category="statement") == []
