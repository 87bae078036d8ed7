"""The OneRoster 1.2 REST provider: rostering with paging, sorting, filtering and fields;
OAuth 2 client credentials with scopes; the gradebook written back and seen by the teacher."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from edtech.demo import DemoSummary
from tests.integration.oneroster.helpers import (
    give_login,
    imported,
    package,
    person_id,
    section_id,
)
from tests.roster import login

R = "/ims/oneroster/rostering/v1p2"
G = "/ims/oneroster/gradebook/v1p2"


async def _client(http: httpx.AsyncClient, admin: dict[str, str], *scopes: str) -> tuple[str, str]:
    r = await http.post(
        "/api/v1/roster/clients", json={"name": "LMS", "scopes": list(scopes)}, headers=admin
    )
    assert r.status_code == 201, r.text
    return r.json()["client_id"], r.json()["client_secret"]


async def _token(
    http: httpx.AsyncClient, creds: tuple[str, str], scope: str | None = None
) -> httpx.Response:
    data = {"grant_type": "client_credentials", **({"scope": scope} if scope else {})}
    return await http.post("/ims/oneroster/oauth2/token", data=data, auth=creds)


async def _bearer(http: httpx.AsyncClient, creds: tuple[str, str]) -> dict[str, str]:
    r = await _token(http, creds)
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "bearer"
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def test_the_rostering_service_pages_sorts_filters_and_selects_fields(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    await imported(client, app, admin, package("bulk"))
    roster = await _bearer(client, await _client(client, admin, "roster.readonly"))

    r = await client.get(
        f"{R}/users",
        params={
            "filter": "primaryOrg.sourcedId='org-hs'",
            "sort": "familyName",
            "orderBy": "desc",
            "limit": 2,
            "offset": 1,
            "fields": "sourcedId,familyName",
        },
        headers=roster,
    )
    assert r.status_code == 200, r.text
    hs = ["s-1", "s-2", "s-3", "s-4", "t-ada", "t-grace", "c-1"]
    assert r.headers["X-Total-Count"] == str(len(hs))
    assert r.json() == {
        "users": [
            {"sourcedId": "s-1", "familyName": "Ortiz"},
            {"sourcedId": "s-2", "familyName": "O'Neil, Jr."},
        ]
    }
    assert 'rel="next"' in r.headers["Link"]
    assert "offset=3" in r.headers["Link"]

    r = await client.get(
        f"{R}/users",
        params={"filter": "email='ada.lovelace@lakeside.example' OR familyName='Hopper'"},
        headers=roster,
    )
    assert sorted(u["sourcedId"] for u in r.json()["users"]) == ["t-ada", "t-grace"]
    r = await client.get(
        f"{R}/teachers", params={"filter": "roles.org.sourcedId='org-ms'"}, headers=roster
    )
    assert [u["sourcedId"] for u in r.json()["users"]] == ["t-alan"]
    r = await client.get(f"{R}/classes/cls-alg1-p1/students", headers=roster)
    assert sorted(u["sourcedId"] for u in r.json()["users"]) == ["s-1", "s-2"]
    r = await client.get(
        f"{R}/terms/as-term/gradingPeriods", params={"sort": "startDate"}, headers=roster
    )
    assert [s["sourcedId"] for s in r.json()["academicSessions"]] == ["as-gp1", "as-gp2"]
    r = await client.get(f"{R}/classes/cls-bio-p3", headers=roster)
    cls = r.json()["class"]
    assert cls["course"] == {
        "sourcedId": "crs-bio",
        "href": f"{R}/courses/crs-bio",
        "type": "course",
    }
    assert [t["sourcedId"] for t in cls["terms"]] == ["as-term", "as-gp1"]
    r = await client.get(f"{R}/users/g-1", headers=roster)
    assert sorted(a["sourcedId"] for a in r.json()["user"]["agents"]) == ["s-1", "s-2"]

    bad = await client.get(
        f"{R}/users", params={"filter": "email = a@b.org; DROP TABLE person"}, headers=roster
    )
    assert bad.status_code == 422, bad.text
    assert (
        await client.get(f"{R}/users", params={"fields": "nope"}, headers=roster)
    ).status_code == 422
    assert (await client.get(f"{R}/users/nobody", headers=roster)).status_code == 404
    assert (await client.get(f"{R}/users")).status_code == 401
    # a roster-only client may not touch the gradebook, nor ask for its scopes
    assert (
        await client.get(f"{G}/classes/cls-alg1-p1/lineItems", headers=roster)
    ).status_code == 403
    creds = await _client(client, admin, "roster.readonly")
    assert (await _token(client, creds, "gradebook.createput")).status_code == 400
    assert (await _token(client, (creds[0], "wrong"))).status_code == 401


async def test_an_lms_writes_line_items_and_results_and_the_teacher_sees_them(
    client: httpx.AsyncClient,
    app: FastAPI,
    demo: DemoSummary,
    database_url: str,
    demo_password_hash: str,
) -> None:
    admin = await login(client, "admin@demo.test")
    await imported(client, app, admin, package("bulk"))
    lms = await _bearer(
        client,
        await _client(
            client, admin, "gradebook.readonly", "gradebook.createput", "gradebook.delete"
        ),
    )
    item = {
        "lineItem": {
            "title": "Quiz 1: linear equations",
            "class": {"sourcedId": "cls-alg1-p1"},
            "category": {"sourcedId": "Quizzes"},
            "resultValueMax": 10,
            "dueDate": "2026-12-01T15:00:00Z",
        }
    }
    r = await client.put(f"{G}/lineItems/li-quiz1", json=item, headers=lms)
    assert r.status_code == 201, r.text
    assert r.json()["lineItem"]["resultValueMax"] == 10
    item["lineItem"]["title"] = "Quiz 1: linear equations (retake)"
    r = await client.put(f"{G}/lineItems/li-quiz1", json=item, headers=lms)
    assert r.status_code == 200
    assert r.json()["lineItem"]["title"].endswith("(retake)")

    def result(student: str, **extra: object) -> dict[str, object]:
        return {
            "result": {
                "lineItem": {"sourcedId": "li-quiz1"},
                "student": {"sourcedId": student},
                **extra,
            }
        }

    r = await client.put(
        f"{G}/results/res-s1", json=result("s-1", score=8, scoreStatus="fully graded"), headers=lms
    )
    assert r.status_code == 201, r.text
    r = await client.put(
        f"{G}/results/res-s1",
        json=result("s-1", score=12, scoreStatus="fully graded", comment="bonus question"),
        headers=lms,
    )
    assert r.status_code == 200, r.text
    got = (await client.get(f"{G}/results/res-s1", headers=lms)).json()["result"]
    assert got["score"] == 12
    assert got["metadata"]["edtech.extraCredit"] is True
    assert got["metadata"]["edtech.published"] is False  # a draft until the teacher publishes
    r = await client.put(
        f"{G}/results/res-s2", json=result("s-2", scoreStatus="exempt"), headers=lms
    )
    assert r.status_code == 201, r.text
    assert (await client.get(f"{G}/results/res-s2", headers=lms)).json()["result"][
        "scoreStatus"
    ] == "exempt"
    outsider = await client.put(
        f"{G}/results/res-s3", json=result("s-3", score=5, scoreStatus="fully graded"), headers=lms
    )
    assert outsider.status_code == 422, outsider.text  # s-3 is not in this class
    listed = await client.get(f"{G}/lineItems/li-quiz1/results", headers=lms)
    assert sorted(x["sourcedId"] for x in listed.json()["results"]) == ["res-s1", "res-s2"]

    # the teacher sees the line item and the drafts in the gradebook
    ada = await person_id(client, admin, "t-ada")
    await give_login(
        database_url, demo.institution_id, ada, "ada.lovelace@lakeside.example", demo_password_hash
    )
    teacher = await login(client, "ada.lovelace@lakeside.example")
    p1 = await section_id(client, admin, "ALG1-P1")
    grid = await client.get(f"/api/v1/sections/{p1}/gradebook/grid", headers=teacher)
    assert grid.status_code == 200, grid.text
    text = grid.text
    assert "Quiz 1: linear equations (retake)" in text
    assert "exempt" in text
    assert "extra_credit" in text

    assert (await client.delete(f"{G}/results/res-s1", headers=lms)).status_code == 204
    assert (await client.get(f"{G}/results/res-s1", headers=lms)).status_code == 404
    assert (await client.delete(f"{G}/results/res-s1", headers=lms)).status_code == 404
    grid = await client.get(f"/api/v1/sections/{p1}/gradebook/grid", headers=teacher)
    assert "extra_credit" not in grid.text
    assert "exempt" in grid.text


async def test_an_lms_puts_a_category_and_its_line_items_go_into_it_by_title(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    await imported(client, app, admin, package("bulk"))
    reader = await _bearer(client, await _client(client, admin, "gradebook.readonly"))
    lms = await _bearer(client, await _client(client, admin, "gradebook.createput"))
    body = {"category": {"title": "Homework", "weight": 20, "metadata": {"sis.code": "HW"}}}
    refused = await client.put(f"{G}/categories/cat-hw", json=body, headers=reader)
    assert refused.status_code == 403, refused.text
    r = await client.put(f"{G}/categories/cat-hw", json=body, headers=lms)
    assert r.status_code == 201, r.text
    assert r.json()["category"]["title"] == "Homework"
    body["category"]["title"] = "Homework & practice"
    r = await client.put(f"{G}/categories/cat-hw", json=body, headers=lms)
    assert r.status_code == 200, r.text
    listed = (await client.get(f"{G}/categories", headers=reader)).json()["categories"]
    assert [(c["sourcedId"], c["title"], c["metadata"]) for c in listed] == [
        ("cat-hw", "Homework & practice", {"sis.code": "HW"})
    ]
    assert (await client.get(f"{G}/categories/nope", headers=reader)).status_code == 404

    item = {
        "lineItem": {
            "title": "Worksheet 3",
            "class": {"sourcedId": "cls-alg1-p1"},
            "category": {"sourcedId": "cat-hw"},
            "resultValueMax": 5,
        }
    }
    r = await client.put(f"{G}/lineItems/li-ws3", json=item, headers=lms)
    assert r.status_code == 201, r.text
    p1 = await section_id(client, admin, "ALG1-P1")
    book = await client.get(f"/api/v1/sections/{p1}/gradebook", headers=admin)
    assert book.status_code == 200, book.text
    assert "Homework & practice" in book.text  # the category's title, not its sourcedId
    assert "cat-hw" not in book.text


async def test_a_client_with_a_wrong_secret_or_a_nul_in_its_credentials_is_refused(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    """A NUL in the Basic credentials reached PostgreSQL, which takes none in text: a 500."""
    admin = await login(client, "admin@demo.test")
    client_id, secret = await _client(client, admin, "roster-core.readonly")
    for creds in (
        (client_id, secret + "x"),
        ("\x00" + client_id, secret),
        (client_id, secret + "\x00"),
        ("\x00", "\x00"),
    ):
        r = await _token(client, creds)
        assert r.status_code == 401, (creds, r.text)
        assert r.json()["error"] == "invalid_client"
    assert (await _token(client, (client_id, secret))).status_code == 200


async def test_a_page_under_an_id_of_any_characters_gets_its_links(
    client: httpx.AsyncClient, demo: DemoSummary
) -> None:
    """The `Link` header was built from the decoded path: an id holding a NUL or a character
    past Latin-1 made it unsendable, and the connection dropped without an answer."""
    admin = await login(client, "admin@demo.test")
    roster = await _bearer(client, await _client(client, admin, "roster.readonly"))
    for raw in ("a%00b", "%F0%9F%98%80", "caf%C3%A9"):
        r = await client.get(f"{R}/schools/{raw}/classes", headers=roster)
        assert r.status_code == 200, r.text  # no such school: no classes
        assert r.json() == {"classes": []}
        assert f"/schools/{raw}/classes?" in r.headers["link"]
    r = await client.get(f"{R}/users", params={"limit": 1}, headers=roster)
    assert f"{R}/users?limit=1&offset=1>" in r.headers["link"]
