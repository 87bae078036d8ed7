"""The teacher's board in a real browser follows the section's roster live: a student enrolled
while the board is open gets a tile (and the tally counts them), a student whose enrollment
ends loses their unmarked tile."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Browser, expect

from edtech.demo import DemoSummary
from edtech.topology.local import LocalTopology
from tests.e2e.web.helpers import expect_state, login, new_session, open_page, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

LIVE_MS = 5_000


def test_the_board_adds_an_enrolled_students_tile_and_drops_a_leavers_live(
    web_topology: LocalTopology, web_school: DemoSummary, browser: Browser
) -> None:
    topology = web_topology
    with httpx.Client(base_url=topology.url, timeout=20) as client, open_page(browser) as watched:
        teacher = login(client, "teacher1@demo.test")
        admin = login(client, "admin@demo.test")
        session = new_session(client, teacher)
        board = client.get(f"/api/v1/attendance/sessions/{session['id']}/board", headers=teacher)
        students = [m["student_id"] for m in board.json()["marks"]]
        newcomer = next(
            str(pid)
            for email, pid in sorted(web_school.people.items())
            if email.startswith("student") and str(pid) not in students
        )
        page = watched.page
        sign_in(page, f"{topology.url}/app/board?session={session['id']}", "teacher1@demo.test")
        expect_state(page, "live")
        expect(page.locator(".tile")).to_have_count(len(students))

        body = {
            "section_id": session["section_id"],
            "person_id": newcomer,
            "role": "student",
            "begins_on": session["day"],
        }
        r = client.post("/api/v1/enrollments", json=body, headers=admin)
        assert r.status_code == 201, r.text
        tile = page.locator(f"#tile-{newcomer}")
        expect(tile).to_have_attribute("data-category", "unmarked", timeout=LIVE_MS)
        expect(page.locator(".tile")).to_have_count(len(students) + 1)
        expect(page.locator('[data-tally="expected"]')).to_have_text(str(len(students) + 1))
        expect(tile.locator(".name")).not_to_have_text(newcomer, timeout=LIVE_MS)  # named

        ends = {"ends_on": session["day"]}  # the session's day, whatever the UTC date
        r = client.post(f"/api/v1/enrollments/{r.json()['id']}/end", json=ends, headers=admin)
        assert r.status_code == 200, r.text
        expect(tile).to_have_count(0, timeout=LIVE_MS)
        expect(page.locator('[data-tally="expected"]')).to_have_text(str(len(students)))
        assert not watched.errors, watched.errors
