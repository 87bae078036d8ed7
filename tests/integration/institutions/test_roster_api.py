"""Roster CRUD over real HTTP as the demo admin: create, read, patch, end, list (both dialects)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from edtech.demo import DemoSummary, school_year
from tests.roster import login

API = "/api/v1"


@pytest.fixture
async def admin(client: httpx.AsyncClient, demo: DemoSummary) -> dict[str, str]:
    return await login(client, "admin@demo.test")


def error_locs(r: httpx.Response) -> set[str]:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    return {".".join(str(p) for p in e["loc"]) for e in r.json()["errors"]}


async def post(
    client: httpx.AsyncClient, h: dict[str, str], path: str, body: dict[str, Any]
) -> dict[str, Any]:
    r = await client.post(f"{API}{path}", headers=h, json=body)
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


async def test_admin_builds_a_school_term_section_and_roster(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    h = admin
    today = datetime.now(ZoneInfo("Europe/Berlin")).date()  # the school's date
    start, end = school_year(today)
    school = await post(
        client, h, "/schools", {"name": "Hilltop Elementary", "timezone": "Europe/Berlin"}
    )
    r = await client.post(f"{API}/schools", headers=h, json={"name": "Hilltop Elementary"})
    assert r.status_code == 409
    year = await post(
        client,
        h,
        "/terms",
        {
            "kind": "school_year",
            "title": "Year",
            "starts_on": str(start),
            "ends_on": str(end),
            "school_id": school["id"],
        },
    )
    term = await post(
        client,
        h,
        "/terms",
        {
            "kind": "term",
            "title": "Whole year",
            "starts_on": str(start),
            "ends_on": str(end),
            "parent_id": year["id"],
            "school_id": school["id"],
        },
    )
    period = await post(
        client,
        h,
        "/terms",
        {
            "kind": "grading_period",
            "title": "P1",
            "starts_on": str(start),
            "ends_on": str(start + timedelta(days=60)),
            "parent_id": term["id"],
            "school_id": school["id"],
        },
    )
    assert period["closes_on"] == str(start + timedelta(days=60))
    r = await client.post(
        f"{API}/terms",
        headers=h,
        json={
            "kind": "term",
            "title": "Too long",
            "starts_on": str(start),
            "ends_on": str(end + timedelta(days=1)),
            "parent_id": year["id"],
        },
    )
    assert "starts_on" in error_locs(r)
    current = (
        await client.get(
            f"{API}/terms", headers=h, params={"active": True, "school_id": school["id"]}
        )
    ).json()
    assert {t["id"] for t in current["items"]} >= {year["id"], term["id"]}

    course = await post(
        client, h, "/courses", {"school_id": school["id"], "code": "READ-1", "title": "Reading 1"}
    )
    r = await client.post(
        f"{API}/courses",
        headers=h,
        json={"school_id": school["id"], "code": "READ-1", "title": "x"},
    )
    assert r.status_code == 409
    weekday = today.strftime("%A").lower()
    section = await post(
        client,
        h,
        "/sections",
        {
            "course_id": course["id"],
            "term_id": term["id"],
            "title": "Reading 1A",
            "room": "H1",
            "meetings": [{"weekday": weekday, "starts_at": "09:00", "ends_at": "09:50"}],
        },
    )
    assert section["school_id"] == school["id"]
    assert section["course_title"] == "Reading 1"
    meetings = (await client.get(f"{API}/sections/{section['id']}/meetings", headers=h)).json()
    assert len(meetings) == 1
    starts = datetime.fromisoformat(meetings[0]["starts_at"])
    assert starts.astimezone(UTC).hour in (7, 8)  # 09:00 in Berlin is 07:00 or 08:00 UTC
    week = (
        await client.get(
            f"{API}/sections/{section['id']}/meetings",
            headers=h,
            params={"from": str(today), "to": str(today + timedelta(days=6))},
        )
    ).json()
    assert len(week) == 1  # only today has today's weekday in a seven-day window
    backwards = await client.get(
        f"{API}/sections/{section['id']}/meetings",
        headers=h,
        params={"from": str(today), "to": str(today - timedelta(days=1))},
    )
    assert error_locs(backwards) == {"query.to"}

    pupil = await post(
        client,
        h,
        "/people",
        {
            "given_name": "Pia",
            "family_name": "Pupil",
            "email": "Pia.Pupil@Example.org",
            "grade_level": "1",
            "roles": [{"role": "student", "school_id": school["id"]}],
        },
    )
    assert pupil["email"] == "pia.pupil@example.org"
    assert [r["role"] for r in pupil["roles"]] == ["student"]
    teacher = await post(
        client,
        h,
        "/people",
        {
            "given_name": "Tom",
            "family_name": "Teach",
            "roles": [{"role": "teacher", "school_id": school["id"]}],
        },
    )
    enrolled = await post(
        client,
        h,
        "/enrollments",
        {"section_id": section["id"], "person_id": pupil["id"], "role": "student"},
    )
    await post(
        client,
        h,
        "/enrollments",
        {
            "section_id": section["id"],
            "person_id": teacher["id"],
            "role": "teacher",
            "is_primary": True,
        },
    )
    r = await client.post(
        f"{API}/enrollments",
        headers=h,
        json={"section_id": section["id"], "person_id": pupil["id"], "role": "student"},
    )
    assert r.status_code == 409
    roster = (await client.get(f"{API}/sections/{section['id']}/roster", headers=h)).json()["items"]
    assert [(e["person_id"], e["role"]) for e in roster] == [
        (teacher["id"], "teacher"),
        (pupil["id"], "student"),
    ]

    ended = await client.post(f"{API}/enrollments/{enrolled['id']}/end", headers=h)
    assert ended.status_code == 200
    assert ended.json()["active"] is False
    # Roster dates are the institution's (its zone, which may differ from this school's).
    zone = (await client.get(f"{API}/institutions/me", headers=h)).json()["timezone"]
    assert ended.json()["ends_on"] == str(datetime.now(ZoneInfo(zone)).date())
    roster = (await client.get(f"{API}/sections/{section['id']}/roster", headers=h)).json()["items"]
    assert [e["person_id"] for e in roster] == [teacher["id"]]
    still_there = await client.get(f"{API}/enrollments/{enrolled['id']}", headers=h)
    assert still_there.status_code == 200
    again = await client.post(f"{API}/enrollments/{enrolled['id']}/end", headers=h)
    assert again.status_code == 409
    # After ending, the student may be enrolled again (a new enrollment, history kept).
    back = await post(
        client,
        h,
        "/enrollments",
        {"section_id": section["id"], "person_id": pupil["id"], "role": "student"},
    )
    assert (await client.delete(f"{API}/enrollments/{back['id']}", headers=h)).status_code == 204
    history = (
        await client.get(f"{API}/enrollments", headers=h, params={"person_id": pupil["id"]})
    ).json()
    assert history["total"] == 2
    assert all(not e["active"] for e in history["items"])


async def test_patch_changes_only_given_fields(
    client: httpx.AsyncClient, admin: dict[str, str], demo: DemoSummary
) -> None:
    h = admin
    s01 = demo.section_ids[0]
    before = (await client.get(f"{API}/sections/{s01}", headers=h)).json()
    after = (await client.patch(f"{API}/sections/{s01}", headers=h, json={"room": "Lab 2"})).json()
    assert after == {**before, "room": "Lab 2"}
    cleared = (await client.patch(f"{API}/sections/{s01}", headers=h, json={"room": None})).json()
    assert cleared["room"] is None
    r = await client.patch(f"{API}/sections/{s01}", headers=h, json={"title": None})
    assert error_locs(r) == {"title"}
    inst = await client.patch(
        f"{API}/institutions/me", headers=h, json={"name": "Demo District", "currency": "EUR"}
    )
    assert inst.status_code == 200
    assert (inst.json()["name"], inst.json()["currency"]) == ("Demo District", "EUR")
    person = await client.patch(
        f"{API}/people/{demo.student1_id}", headers=h, json={"grade_level": "8"}
    )
    assert person.json()["grade_level"] == "8"


async def test_invalid_input_is_422_naming_each_field(
    client: httpx.AsyncClient, admin: dict[str, str], demo: DemoSummary
) -> None:
    h = admin
    assert error_locs(await client.post(f"{API}/people", headers=h, json={})) == {
        "body.given_name",
        "body.family_name",
    }
    bad_email = await client.post(
        f"{API}/people", headers=h, json={"given_name": "A", "family_name": "B", "email": "nope"}
    )
    assert error_locs(bad_email) == {"body.email"}
    unknown_field = await client.post(
        f"{API}/people", headers=h, json={"given_name": "A", "family_name": "B", "age": 9}
    )
    assert error_locs(unknown_field) == {"body.age"}
    settings = await client.patch(
        f"{API}/institutions/me",
        headers=h,
        json={"timezone": "Nowhere/City", "currency": "dollars"},
    )
    assert error_locs(settings) == {"timezone", "currency"}
    course_id = (await client.get(f"{API}/courses", headers=h)).json()["items"][0]["id"]
    backwards = await client.post(
        f"{API}/sections",
        headers=h,
        json={
            "course_id": course_id,
            "term_id": str(demo.term_id),
            "title": "X",
            "meetings": [{"weekday": "monday", "starts_at": "10:00", "ends_at": "09:00"}],
        },
    )
    assert error_locs(backwards) == {"body.meetings.0"}
    bad_weekday = await client.post(
        f"{API}/sections",
        headers=h,
        json={
            "course_id": course_id,
            "term_id": str(demo.term_id),
            "title": "X",
            "meetings": [{"weekday": "someday", "starts_at": "09:00", "ends_at": "10:00"}],
        },
    )
    assert error_locs(bad_weekday) == {"body.meetings.0.weekday"}
    unknown_section = await client.post(
        f"{API}/enrollments",
        headers=h,
        json={
            "section_id": str(demo.guardian1_id),
            "person_id": str(demo.student1_id),
            "role": "student",
        },
    )
    assert error_locs(unknown_section) == {"section_id"}
    no_note = await client.post(
        f"{API}/guardian-links",
        headers=h,
        json={
            "student_id": str(demo.student1_id),
            "guardian_id": str(demo.teacher1_id),
            "custody_restriction": True,
        },
    )
    assert error_locs(no_note) == {"custody_note"}
    not_a_uuid = await client.get(f"{API}/people/not-a-uuid", headers=h)
    assert error_locs(not_a_uuid) == {"path.person_id"}


async def test_failed_create_leaves_nothing_half_written(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    h = admin
    body = {
        "given_name": "Half",
        "family_name": "Written",
        "roles": [{"role": "teacher"}, {"role": "school_admin"}],  # a school admin needs a school
    }
    r = await client.post(f"{API}/people", headers=h, json=body)
    assert error_locs(r) == {"school_id"}
    found = (await client.get(f"{API}/people", headers=h, params={"q": "Half Written"})).json()
    assert found["total"] == 0


async def test_duplicates_are_409(
    client: httpx.AsyncClient, admin: dict[str, str], demo: DemoSummary
) -> None:
    h = admin
    same_email = await client.post(
        f"{API}/people",
        headers=h,
        json={"given_name": "A", "family_name": "B", "email": "TEACHER1@demo.test"},
    )
    assert same_email.status_code == 409
    assert same_email.headers["content-type"].startswith("application/problem+json")
    same_enrollment = await client.post(
        f"{API}/enrollments",
        headers=h,
        json={
            "section_id": str(demo.section_ids[0]),
            "person_id": str(demo.student1_id),
            "role": "student",
        },
    )
    assert same_enrollment.status_code == 409
    same_link = await client.post(
        f"{API}/guardian-links",
        headers=h,
        json={"student_id": str(demo.student1_id), "guardian_id": str(demo.guardian1_id)},
    )
    assert same_link.status_code == 409
    same_role = await client.post(
        f"{API}/people/{demo.guardian1_id}/roles", headers=h, json={"role": "guardian"}
    )
    assert same_role.status_code == 409
    taken = await client.patch(
        f"{API}/people/{demo.student1_id}", headers=h, json={"email": "student2@demo.test"}
    )
    assert taken.status_code == 409


async def test_unknown_ids_are_404(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    missing = "01900000-0000-7000-8000-000000000000"
    for path in (
        "schools",
        "terms",
        "courses",
        "sections",
        "people",
        "enrollments",
        "guardian-links",
        "sections/{id}/roster",
        "sections/{id}/meetings",
        "people/{id}/roles",
    ):
        url = (
            f"{API}/{path.replace('{id}', missing)}"
            if "{id}" in path
            else f"{API}/{path}/{missing}"
        )
        r = await client.get(url, headers=admin)
        assert r.status_code == 404, (url, r.text)
    assert (await client.post(f"{API}/enrollments/{missing}/end", headers=admin)).status_code == 404
    assert (
        await client.patch(f"{API}/people/{missing}", headers=admin, json={"grade_level": "1"})
    ).status_code == 404


async def test_people_list_paginates_filters_and_sorts_stably(
    client: httpx.AsyncClient, admin: dict[str, str], demo: DemoSummary
) -> None:
    h = admin
    seen: list[dict[str, Any]] = []
    url: str | None = f"{API}/people?role=student&limit=5"
    while url:
        page = (await client.get(url, headers=h)).json()
        assert page["total"] == 12
        seen.extend(page["items"])
        url = page["next"]
    assert len(seen) == 12
    assert len({p["id"] for p in seen}) == 12
    keys = [(p["family_name"], p["given_name"], p["id"]) for p in seen]
    assert keys == sorted(keys)

    by_email = (await client.get(f"{API}/people", headers=h, params={"q": "STUDENT1@demo"})).json()
    assert [p["id"] for p in by_email["items"]] == [str(demo.student1_id)]
    in_s01 = (
        await client.get(
            f"{API}/people", headers=h, params={"section_id": str(demo.section_ids[0])}
        )
    ).json()
    assert str(demo.student1_id) in {p["id"] for p in in_s01["items"]}
    assert str(demo.teacher1_id) in {p["id"] for p in in_s01["items"]}
    north = demo.school_ids[0]
    north_students = (
        await client.get(
            f"{API}/people", headers=h, params={"school_id": str(north), "role": "student"}
        )
    ).json()
    assert north_students["total"] == 6  # the odd-numbered students
    teachers = (await client.get(f"{API}/people", headers=h, params={"role": "teacher"})).json()
    assert teachers["total"] == 4
    enrollments = (
        await client.get(
            f"{API}/enrollments",
            headers=h,
            params={"section_id": str(demo.section_ids[0]), "role": "student"},
        )
    ).json()
    assert {e["role"] for e in enrollments["items"]} == {"student"}
    assert all(e["section_id"] == str(demo.section_ids[0]) for e in enrollments["items"])
    bad_limit = await client.get(f"{API}/people", headers=h, params={"limit": 0})
    assert error_locs(bad_limit) == {"query.limit"}


async def test_ending_a_person_ends_their_roles_enrollments_and_links(
    client: httpx.AsyncClient, admin: dict[str, str], demo: DemoSummary
) -> None:
    h = admin
    student = demo.person("student12@demo.test")
    r = await client.post(f"{API}/people/{student}/end", headers=h)
    assert r.status_code == 200
    zone = (await client.get(f"{API}/institutions/me", headers=h)).json()["timezone"]
    today = str(datetime.now(ZoneInfo(zone)).date())  # the institution's date, not UTC's
    assert r.json()["ends_on"] == today
    assert r.json()["roles"] == []
    enrollments = (
        await client.get(f"{API}/enrollments", headers=h, params={"person_id": str(student)})
    ).json()
    assert enrollments["total"] > 0
    assert all(e["ends_on"] == today for e in enrollments["items"])
    links = (
        await client.get(f"{API}/guardian-links", headers=h, params={"student_id": str(student)})
    ).json()
    assert all(not link["active"] for link in links["items"])
    current = (
        await client.get(f"{API}/people", headers=h, params={"active": True, "q": "student12@"})
    ).json()
    assert current["total"] == 0
    left = (await client.get(f"{API}/people", headers=h, params={"active": False})).json()
    assert [p["id"] for p in left["items"]] == [str(student)]
    assert (await client.post(f"{API}/people/{student}/end", headers=h)).status_code == 409
    other = demo.person("student11@demo.test")
    assert (await client.delete(f"{API}/people/{other}", headers=h)).status_code == 204
    assert (await client.get(f"{API}/people/{other}", headers=h)).json()["ends_on"] == today
    assert (
        await client.delete(f"{API}/people/{demo.person('admin@demo.test')}", headers=h)
    ).status_code == 409


async def test_roles_are_dated_and_ended_not_deleted(
    client: httpx.AsyncClient, admin: dict[str, str], demo: DemoSummary
) -> None:
    h = admin
    teacher = demo.teacher1_id
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    role = await post(
        client,
        h,
        f"/people/{teacher}/roles",
        {"role": "attendance_officer", "begins_on": str(tomorrow)},
    )
    assert role["active"] is False  # not yet
    today_only = (
        await client.get(f"{API}/people/{teacher}/roles", headers=h, params={"active": True})
    ).json()
    assert [r["role"] for r in today_only] == ["teacher"]
    ended = await client.post(
        f"{API}/people/{teacher}/roles/{role['id']}/end",
        headers=h,
        json={"ends_on": str(tomorrow + timedelta(days=5))},
    )
    assert ended.status_code == 200
    assert ended.json()["ends_on"] == str(tomorrow + timedelta(days=5))
    everything = (await client.get(f"{API}/people/{teacher}/roles", headers=h)).json()
    assert {r["role"] for r in everything} == {"teacher", "attendance_officer"}
    before_start = await client.post(
        f"{API}/people/{teacher}/roles/{role['id']}/end",
        headers=h,
        json={"ends_on": str(date(2000, 1, 1))},
    )
    assert before_start.status_code == 422


async def test_custody_restriction_set_by_admin_takes_effect_at_once(
    client: httpx.AsyncClient, admin: dict[str, str], demo: DemoSummary
) -> None:
    h = admin
    links = (
        await client.get(
            f"{API}/guardian-links", headers=h, params={"guardian_id": str(demo.guardian1_id)}
        )
    ).json()
    (link,) = links["items"]
    g1 = await login(client, "guardian1@demo.test")
    assert (await client.get(f"{API}/people/{demo.student1_id}", headers=g1)).status_code == 200
    r = await client.patch(
        f"{API}/guardian-links/{link['id']}",
        headers=h,
        json={"custody_restriction": True, "custody_note": "order 7"},
    )
    assert r.status_code == 200
    assert r.json()["custody_restriction"] is True
    assert (await client.get(f"{API}/people/{demo.student1_id}", headers=g1)).status_code == 404
    assert (await client.get(f"{API}/me", headers=g1)).json()["children"] == []
    await client.patch(
        f"{API}/guardian-links/{link['id']}", headers=h, json={"custody_restriction": False}
    )
    assert (await client.get(f"{API}/people/{demo.student1_id}", headers=g1)).status_code == 200
    ended = await client.post(f"{API}/guardian-links/{link['id']}/end", headers=h)
    assert ended.json()["active"] is False
    assert (await client.get(f"{API}/people/{demo.student1_id}", headers=g1)).status_code == 404
    relinked = await post(
        client,
        h,
        "/guardian-links",
        {
            "student_id": str(demo.student1_id),
            "guardian_id": str(demo.guardian1_id),
            "can_view_billing": False,
        },
    )
    assert relinked["can_view_billing"] is False
    assert (
        await client.delete(f"{API}/guardian-links/{relinked['id']}", headers=h)
    ).status_code == 204
