"""Attendance letters (chronic absence) over real HTTP: the institution's own text, filled from
the student's attendance measures, rendered as a PDF, kept and readable as a doctor's note is.
Each test on SQLite with a directory store and on PostgreSQL with a real S3 API."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI

from tests.integration.attendance.fixtures import app, clock, school
from tests.integration.attendance.helpers import SCHOOL_ZONE, School
from tests.integration.files.helpers import FILES, download, listed, pdf_text
from tests.integration.grades.helpers import ok
from tests.integration.insights.helpers import four_days_and_an_absence
from tests.roster import login

__all__ = ["app", "clock", "school"]

TEMPLATE = f"{FILES}/attendance-letter-template"
LETTERS = f"{FILES}/attendance-letters"


async def test_a_chronically_absent_student_gets_the_institutions_letter_with_their_measures(
    client: httpx.AsyncClient, school: School, app: FastAPI
) -> None:
    await four_days_and_an_absence(client, school, app)
    admin = await login(client, "admin@demo.test")
    officer = await login(client, "officer@demo.test")
    guardian = await login(client, "guardian1@demo.test")
    other_family = await login(client, "guardian7@demo.test")
    student1 = str(school.person("student1@demo.test"))
    day = school.clock.now().astimezone(SCHOOL_ZONE).date()
    first = (day - timedelta(days=4)).isoformat()

    default = ok(await client.get(TEMPLATE, headers=admin))
    assert "{days_absent}" in default["body"]
    assert "days_absent" in default["placeholders"]
    bad = await client.put(
        TEMPLATE, json={"title": "Letter", "body": "{student} has {grade}"}, headers=admin
    )
    assert bad.status_code == 422
    assert "{days_absent}" in bad.text  # the allowed ones are named
    same = {"title": default["title"], "body": default["body"]}
    assert (await client.put(TEMPLATE, json=same, headers=officer)).status_code == 403
    mine = {
        "title": "Absences of {student}",
        "body": "{student} missed {days_absent} of {days_enrolled} days from {from} to {to} "
        "({attendance_percent} % attended; {absences_unexcused} unexcused).\n\nThe office.",
    }
    assert ok(await client.put(TEMPLATE, json=mine, headers=admin))["title"] == mine["title"]

    letter = ok(
        await client.post(LETTERS, json={"student_id": student1, "from": first}, headers=officer),
        201,
    )
    assert (letter["category"], letter["record_type"]) == ("attendance_letter", "student")
    text = " ".join(pdf_text((await download(client, letter, officer)).content).split())
    assert "Absences of (not given)" not in text  # the student's name is filled in
    assert "Absences of " in text
    assert f"missed 1 of 5 days from {first} to {day.isoformat()}" in text
    assert "(80.0 % attended; 1 unexcused)" in text

    # the family sees it, as it sees the child's attendance; another family does not
    seen = await listed(client, guardian, category="attendance_letter")
    assert [f["id"] for f in seen] == [letter["id"]]
    assert (await client.get(letter["download"], headers=other_family)).status_code == 404

    # four present days: not chronic, no letter
    calm = await client.post(
        LETTERS,
        json={"student_id": student1, "from": first, "to": (day - timedelta(days=1)).isoformat()},
        headers=officer,
    )
    assert calm.status_code == 409
    assert calm.json()["code"] == "not_chronically_absent"
    backwards = await client.post(
        LETTERS, json={"student_id": student1, "from": day.isoformat(), "to": first}, headers=admin
    )
    assert backwards.status_code == 422
    # a teacher, a guardian: no such student for them
    for who in (guardian, await login(client, "teacher1@demo.test")):
        assert (
            await client.post(LETTERS, json={"student_id": student1}, headers=who)
        ).status_code == 404

    # The institution's own chronic threshold decides: at 25 %, one day in five is not chronic.
    thresholds = ok(await client.get("/api/v1/insights/thresholds", headers=admin))
    ok(
        await client.put(
            "/api/v1/insights/thresholds",
            json={**thresholds, "chronic_absence_percent": 25},
            headers=admin,
        )
    )
    under = await client.post(
        LETTERS, json={"student_id": student1, "from": first}, headers=officer
    )
    assert under.status_code == 409, under.text
    assert under.json()["code"] == "not_chronically_absent"


async def test_the_template_is_as_long_as_the_document_says_and_no_longer(
    client: httpx.AsyncClient, school: School
) -> None:
    """The OpenAPI document's bounds are the domain's: at the bound the text is set, one past
    it is a 422 and the template is unchanged (the document said 400 and 20,000 before)."""
    admin = await login(client, "admin@demo.test")
    schema = ok(await client.get("/openapi.json"))["components"]["schemas"]["LetterTemplateIn"]
    title_max = schema["properties"]["title"]["maxLength"]
    body_max = schema["properties"]["body"]["maxLength"]
    longest = {"title": "T" * title_max, "body": "{student} " + "b" * (body_max - 10)}
    assert ok(await client.put(TEMPLATE, json=longest, headers=admin))["title"] == longest["title"]
    for field in ("title", "body"):
        r = await client.put(TEMPLATE, json=longest | {field: longest[field] + "x"}, headers=admin)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    kept = ok(await client.get(TEMPLATE, headers=admin))
    assert (kept["title"], kept["body"]) == (longest["title"], longest["body"])
