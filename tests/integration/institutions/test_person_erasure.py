"""Erasing a person who left: personal fields anonymised, login gone, history kept and said why."""

from __future__ import annotations

import httpx
import sqlalchemy as sa
from fastapi import FastAPI

from edtech.demo import DemoSummary, OtherSummary
from edtech.notifications.infrastructure.tables import notification_preference
from tests.roster import DEMO_PASSWORD, login

PEOPLE = "/api/v1/people"


async def test_an_admin_erases_a_guardian_who_left_and_their_login_goes_with_them(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary, other_institution: OtherSummary
) -> None:
    guardian_id = demo.person("guardian1@demo.test")
    guardian = await login(client, "guardian1@demo.test")
    r = await client.put(
        "/api/v1/me/notification-preferences", json={"sms_number": "+15555550123"}, headers=guardian
    )
    assert r.status_code == 200, r.text
    admin = await login(client, "admin@demo.test")
    erasure = f"{PEOPLE}/{guardian_id}/erasure"

    # Not before they have left: the school still works with them.
    r = await client.post(erasure, headers=admin)
    assert r.status_code == 409, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "left" in r.json()["detail"]
    assert (await client.get(f"{PEOPLE}/{guardian_id}", headers=admin)).json()["erased_at"] is None

    r = await client.post(f"{PEOPLE}/{guardian_id}/end", headers=admin)
    assert r.status_code == 200, r.text

    # Only an institution administrator of the person's own institution.
    teacher = await login(client, "teacher1@demo.test")
    assert (await client.post(erasure, headers=teacher)).status_code == 403
    other_admin = await login(client, "admin@other.test")
    assert (await client.post(erasure, headers=other_admin)).status_code == 404

    r = await client.post(erasure, headers=admin)
    assert r.status_code == 201, r.text
    report = r.json()
    assert report["person_id"] == str(guardian_id)
    assert report["erased_by"] == str(demo.person("admin@demo.test"))
    assert set(report["anonymised"]) == {
        "given_name",
        "family_name",
        "email",
        "birth_date",
        "grade_level",
    }
    assert [d["what"] for d in report["dropped"]] == ["login", "contacts"]
    kept = {k["what"]: k["why"] for k in report["kept"]}
    assert {"roster", "attendance", "grades", "billing", "messages", "files"} <= set(kept)
    assert all(why for why in kept.values())

    person = (await client.get(f"{PEOPLE}/{guardian_id}", headers=admin)).json()
    assert (person["given_name"], person["family_name"]) == ("Erased", "person")
    assert person["display_name"] == "Erased person"
    assert (person["email"], person["birth_date"], person["grade_level"]) == (None, None, None)
    assert person["erased_at"] is not None

    # The login is gone: the password signs nobody in, the old token is refused.
    r = await client.post(
        "/api/v1/auth/token",
        data={"username": "guardian1@demo.test", "password": DEMO_PASSWORD},
    )
    assert r.status_code == 401, r.text
    assert (await client.get("/api/v1/me", headers=guardian)).status_code == 401

    # History stays: the child still has the link, ended, now naming nobody.
    student = demo.person("student1@demo.test")
    links = await client.get(
        "/api/v1/guardian-links", params={"guardian_id": str(guardian_id)}, headers=admin
    )
    assert links.status_code == 200, links.text
    [link] = links.json()["items"]
    assert (link["student_id"], link["active"]) == (str(student), False)

    # Their notification preferences (and SMS number) are gone.
    async with app.state.services.session_factory() as session:
        left = await session.scalar(
            sa.select(sa.func.count())
            .select_from(notification_preference)
            .where(notification_preference.c.person_id == guardian_id)
        )
    assert left == 0

    # The identity audit trail says who erased whom.
    audit = await client.get(
        "/api/v1/audit",
        params={"action": "person_erased", "subject_person_id": str(guardian_id)},
        headers=admin,
    )
    assert audit.status_code == 200, audit.text
    assert len(audit.json()["items"]) == 1

    # Once only.
    r = await client.post(erasure, headers=admin)
    assert r.status_code == 409, r.text
