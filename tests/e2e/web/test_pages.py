"""The pages in a real browser (Debian's chromium, driven by Playwright), through Caddy in front
of two real nodes: the teacher's board turns tiles live as the scanner posts and survives the
death of its node; the parent app carries messages both ways and shows a published grade with
its explanation; a grandparent without the right sees no grades; every page is screenshot at
1280 and 360 px, logs no console error, and passes axe-core's WCAG 2 A/AA rules."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from edtech.demo import DemoSummary
from edtech.topology.local import LocalTopology
from edtech.web.csp import APP_CSP
from tests.e2e.web.helpers import (
    card_of,
    check_page,
    expect_state,
    login,
    new_session,
    open_page,
    scan,
    sign_in,
    ws_connections,
)
from tests.services import REQUIRE_SERVICES

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

CLIENTS_JS = Path(__file__).resolve().parents[3] / "clients" / "js"
LIVE_MS = 1_000
"""The acceptance bound: a scan turns its tile within a second."""
SETTLE_MS = 20_000
"""How long a page may take to show what the server answered: a wait on a loaded 2-core
machine, not a performance bound (a passing wait ends as soon as the page shows it)."""
NODE_TESTS_SECONDS = 180
"""`node --test` as a whole; its live test has a 100 s timeout of its own."""


def test_board_turns_tiles_live_and_resumes_on_another_node_after_its_node_is_killed(
    web_topology: LocalTopology, web_school: DemoSummary, browser: Browser
) -> None:
    topology = web_topology
    with httpx.Client(base_url=topology.url, timeout=20) as client, open_page(browser) as watched:
        teacher = login(client, "teacher1@demo.test")
        session = new_session(client, teacher)
        board = client.get(f"/api/v1/attendance/sessions/{session['id']}/board", headers=teacher)
        students = [m["student_id"] for m in board.json()["marks"]]
        assert len(students) >= 6, students
        start_offset = board.json()["channel"]["offset"]
        page = watched.page

        sign_in(page, f"{topology.url}/app/board?session={session['id']}", "teacher1@demo.test")
        expect_state(page, "live")
        expect(page.locator(".tile")).to_have_count(len(students))
        expect(page.locator('[data-tally="present"]')).to_have_text("0")

        # Live: each scan through the scanner API turns its tile within a second; the tally follows.
        for n, student in enumerate(students[:3], start=1):
            assert scan(client, card_of(web_school, student))["result"] == "recorded"
            tile = page.locator(f"#tile-{student}")
            expect(tile).to_have_attribute("data-category", "present", timeout=LIVE_MS)
            expect(page.locator('[data-tally="present"]')).to_have_text(str(n), timeout=LIVE_MS)
            expect(page.locator('[data-tally="unmarked"]')).to_have_text(str(len(students) - n))
        # Marking by hand: pick the student's tile, a code, save; the tile and tally follow.
        by_hand = students[5]
        page.click(f"#tile-{by_hand}")
        expect(page.locator("#mark-student")).to_have_value(by_hand)
        page.select_option("#mark-code", "A")
        page.click("#mark-form button[type=submit]")
        expect(page.locator(f"#tile-{by_hand}")).to_have_attribute("data-category", "absent")
        expect(page.locator('[data-tally="absent"]')).to_have_text("1")
        check_page(watched, "board")

        # The rotating QR code for self check-in, over the board (full screen on a projector).
        page.click("#qr-open")
        expect(page.locator("#qr-image")).to_have_attribute(
            "src", re.compile(r"^data:image/gif;base64,"), timeout=SETTLE_MS
        )
        check_page(watched, "board-qr")
        page.keyboard.press("Escape")
        expect(page.locator("#qr")).to_be_hidden()

        # The node behind the page: the only one holding a socket.
        holding = {n.name: ws_connections(topology.node_url(n)) for n in topology.nodes}
        (doomed_name,) = [name for name, count in holding.items() if count == 1]
        doomed = topology.node(doomed_name)
        (survivor,) = [n for n in topology.nodes if n is not doomed]
        page.evaluate(
            """() => {
              window.__states = [];
              const node = document.getElementById("connection");
              new MutationObserver(() => window.__states.push(node.dataset.state))
                .observe(node, {attributes: true, attributeFilter: ["data-state"]});
            }"""
        )

        # It stops dead (so it delivers nothing more), two scans land on the other node meanwhile,
        # then it is killed and another node is started in its place.
        doomed.signal(signal.SIGSTOP)
        with httpx.Client(base_url=topology.node_url(survivor), timeout=20) as direct:
            for student in students[3:5]:
                assert scan(direct, card_of(web_school, student))["result"] == "recorded"
        expect(page.locator(f"#tile-{students[3]}")).to_have_attribute("data-category", "unmarked")
        doomed.kill()
        assert doomed.wait_exit(10)
        doomed.start()

        expect_state(page, "resumed", timeout=30_000)
        states = page.evaluate("() => window.__states")
        assert "reconnecting" in states, states
        assert states.index("reconnecting") < states.index("resumed"), states
        for student in students[3:5]:
            expect(page.locator(f"#tile-{student}")).to_have_attribute("data-category", "present")
        expect(page.locator('[data-tally="present"]')).to_have_text("5")
        # Each scan once: the board applied five scan events (a duplicate offset would make six,
        # a lost one four), and as many events as the channel's offsets advanced.
        position = page.locator("#position")
        expect(position).to_have_attribute("data-scans", "5")
        final = client.get(f"/api/v1/attendance/sessions/{session['id']}/board", headers=teacher)
        advanced = final.json()["channel"]["offset"] - start_offset
        expect(position).to_have_attribute("data-offset", str(start_offset + advanced))
        expect(position).to_have_attribute("data-events", str(advanced))
        for student in students:
            expect(page.locator(f"#tile-{student}")).to_have_count(1)

        assert [e for e in watched.errors if "WebSocket" not in e] == []
    # The module's next test gets the topology whole: the node started in the killed one's
    # place ready, not still importing while the survivor alone answers through Caddy (on a
    # loaded CI machine a page's request once met a 503 in that window).
    doomed.wait_healthy(topology.config.startup_timeout)


def _conversation_with(client: httpx.Client, auth: dict[str, str], person_id: str) -> str:
    page = client.get("/api/v1/conversations", params={"limit": 100}, headers=auth).json()
    for conversation in page["items"]:
        if any(p["person_id"] == person_id for p in conversation["participants"]):
            return str(conversation["id"])
    raise AssertionError("teacher1 has no conversation with guardian1 (demo not seeded?)")


def test_parent_app_messages_live_both_ways_and_a_published_grade_with_its_explanation(
    web_topology: LocalTopology, web_school: DemoSummary, browser: Browser
) -> None:
    topology = web_topology
    with httpx.Client(base_url=topology.url, timeout=20) as client, open_page(browser) as watched:
        teacher = login(client, "teacher1@demo.test")
        parent = login(client, "guardian1@demo.test")
        guardian = client.get("/api/v1/me", headers=parent).json()
        child = guardian["children"][0]["student_id"]
        conversation = _conversation_with(client, teacher, guardian["person"]["id"])
        page = watched.page

        sign_in(page, f"{topology.url}/app/parent", "guardian1@demo.test")
        expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=15_000)
        expect_state(page, "live")
        # Installable: the manifest, and a service worker in control of /app/.
        scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
        assert scope == f"{topology.url}/app/"
        manifest = client.get("/app/manifest.webmanifest").json()
        assert (manifest["start_url"], manifest["display"]) == ("/app/parent", "standalone")

        # teacher1 writes over REST: the message appears live, once.
        text = f"Museum trip on Friday ({uuid.uuid4().hex[:6]})"
        posted = client.post(
            f"/api/v1/conversations/{conversation}/messages",
            json={"client_id": uuid.uuid4().hex, "body": text},
            headers=teacher,
        )
        assert posted.status_code == 201, posted.text
        expect(page.locator("#messages li", has_text=text)).to_have_count(1, timeout=SETTLE_MS)

        # guardian1 replies in the page: it is in teacher1's conversation.
        reply = f"We will be there ({uuid.uuid4().hex[:6]})"
        page.fill("#message-body", reply)
        page.press("#message-body", "Enter")
        expect(page.locator("#messages li", has_text=reply)).to_have_count(1, timeout=SETTLE_MS)
        deadline = time.monotonic() + 10
        bodies: list[str] = []
        while time.monotonic() < deadline and reply not in bodies:
            messages = client.get(f"/api/v1/conversations/{conversation}/messages", headers=teacher)
            bodies = [m["body"] for m in messages.json()["items"]]
            time.sleep(0.1)
        assert bodies.count(reply) == 1, bodies
        check_page(watched, "parent-messages")

        # teacher1 publishes an assessment: the grade appears with its explained total.
        page.click("#tab-grades")
        section = client.get("/api/v1/me", headers=teacher).json()["sections"][0]["section_id"]
        assessments = client.get(f"/api/v1/sections/{section}/assessments", headers=teacher)
        assessment = assessments.json()["items"][0]
        published = client.post(
            f"/api/v1/assessments/{assessment['id']}/publications", json={}, headers=teacher
        )
        assert published.status_code == 201, published.text
        row = page.locator(f'.grade[data-assessment-id="{assessment["id"]}"]')
        expect(row).to_contain_text(assessment["title"], timeout=SETTLE_MS)
        grades = client.get(f"/api/v1/students/{child}/grades", headers=parent).json()
        (mine,) = [s for s in grades["sections"] if s["section_id"] == section]
        assert mine["total"]["text"]
        expect(page.locator(f'.grades[data-section-id="{section}"] .explanation')).to_have_text(
            mine["total"]["text"]
        )
        check_page(watched, "parent-grades")

        # Invoices and the family's statement: its movements and the balance due, as billing
        # states them.
        page.click("#tab-invoices")
        (account,) = [
            a
            for a in client.get("/api/v1/billing/accounts", headers=parent).json()
            if any(s["student_id"] == child for s in a["students"])
        ]
        statement = client.get(
            f"/api/v1/billing/accounts/{account['id']}/statement", headers=parent
        ).json()
        shown = page.locator(f'.statement[data-account-id="{account["id"]}"]')
        expect(shown.locator(".closing")).to_contain_text(
            f"{statement['closing_balance']['amount']} {statement['currency']}", timeout=SETTLE_MS
        )
        expect(shown.locator("tbody tr")).to_have_count(len(statement["lines"]))
        check_page(watched, "parent-invoices")


def test_guardian3_without_the_grades_right_sees_no_grades(
    web_topology: LocalTopology, web_school: DemoSummary, browser: Browser
) -> None:
    with open_page(browser) as watched:
        page = watched.page
        sign_in(page, f"{web_topology.url}/app/parent", "guardian3@demo.test")
        expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=15_000)
        page.click("#tab-grades")
        panel = page.locator("#panel-grades")
        expect(panel).to_be_visible()
        expect(panel).to_have_text("Grades are not shared with you for this child.")
        expect(panel.locator(".grade, .explanation, table")).to_have_count(0)
        check_page(watched, "parent-guardian3")


LINK_PAGES = [
    ("/app/", "home", "Teacher's live board"),
    ("/app/forgot-password", "forgot-password", "Send me a link"),
    ("/app/reset-password?token=pwr_example", "reset-password", "Set password"),
    ("/app/invitation", "invitation-without-token", "This link cannot be used"),
    ("/app/confirm-email", "confirm-email-without-token", "This link cannot be used"),
    ("/app/sso/callback?error=access_denied&state=s", "sso-callback-refused", "access_denied"),
]


def test_the_home_page_and_the_pages_mailed_links_open_are_served_accessible_and_clean(
    web_topology: LocalTopology, browser: Browser
) -> None:
    # Through Caddy the pages carry one policy, the pages' own (Caddy's replaces the node's).
    served = httpx.get(f"{web_topology.url}/app/", timeout=20)
    assert served.headers.get_list("content-security-policy") == [APP_CSP]
    assert served.headers["x-content-type-options"] == "nosniff"
    with open_page(browser) as watched:
        page = watched.page
        for path, name, shows in LINK_PAGES:
            page.goto(f"{web_topology.url}{path}")
            expect(page.locator("main")).to_contain_text(shows)
            # A link's secret (and a provider's code and state) leaves the address bar at once.
            assert "token=" not in page.url
            assert "state=" not in page.url
            check_page(watched, name, axe_widths=(360,))  # phone-first; the big ones: both


def test_office_view_follows_sessions_live_and_decides_the_note_a_parent_sent(
    web_topology: LocalTopology, web_school: DemoSummary, browser: Browser
) -> None:
    """The office sees a started session nobody has taken, then (live) the teacher's absence
    mark; guardian1 sends a note from the parent app; the office approves it and the absence
    leaves "absent without a note" live (the approval excuses the mark on the session's channel)."""
    topology = web_topology
    student1 = str(web_school.people["student1@demo.test"])
    with (
        httpx.Client(base_url=topology.url, timeout=20) as client,
        open_page(browser) as office,
        open_page(browser) as family,
    ):
        # teacher2's section S02 (student1 is in it): a session that started two minutes ago.
        teacher = login(client, "teacher2@demo.test")
        section = client.get("/api/v1/me", headers=teacher).json()["sections"][0]["section_id"]
        now = datetime.now(UTC)
        created = client.post(
            "/api/v1/attendance/sessions",
            json={
                "section_id": section,
                "starts_at": (now - timedelta(minutes=2)).isoformat(),
                "ends_at": (now + timedelta(minutes=60)).isoformat(),
            },
            headers=teacher,
        )
        assert created.status_code == 201, created.text
        session = created.json()["id"]

        page = office.page
        sign_in(page, f"{topology.url}/app/office", "officer@demo.test")
        expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=20_000)
        expect_state(page, "live")
        row = page.locator(f"#session-{session}")
        expect(row).to_have_count(1)
        expect(page.locator(f'#untaken li[data-session-id="{session}"]')).to_have_count(1)
        absent_here = page.locator(
            f'#unexcused li[data-student-id="{student1}"][data-session-id="{session}"]'
        )
        expect(absent_here).to_have_count(0)

        # The teacher marks student1 absent over REST: the office sees it live.
        marked = client.put(
            f"/api/v1/attendance/sessions/{session}/marks/{student1}",
            json={"code": "A"},
            headers=teacher,
        )
        assert marked.status_code == 200, marked.text
        expect(absent_here).to_have_count(1, timeout=SETTLE_MS)
        expect(row.locator('[data-count="absent"]')).to_have_text("1")
        expect(page.locator(f'#untaken li[data-session-id="{session}"]')).to_have_count(0)
        check_page(office, "office")
        # Phone-sized: the sessions table scrolls inside its box, the page does not.
        page.set_viewport_size({"width": 360, "height": 900})
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
        page.set_viewport_size({"width": 1280, "height": 900})

        # guardian1 sends a note from the parent app's attendance tab.
        reason = f"Dentist ({uuid.uuid4().hex[:6]})"
        parent = family.page
        sign_in(parent, f"{topology.url}/app/parent", "guardian1@demo.test")
        expect(parent.locator("body")).to_have_attribute("data-ready", "true", timeout=15_000)
        parent.select_option("#child-picker", student1)
        # The child's tabs are drawn again: fill the note once they are (not before, or the new
        # empty form replaces the filled one and the browser refuses to send it).
        expect(parent.locator("body")).not_to_have_attribute(
            "data-loading", "true", timeout=SETTLE_MS
        )
        parent.click("#tab-attendance")
        parent.fill("#note-reason", reason)
        parent.click("#note-form button[type=submit]")
        expect(parent.locator("#note-status")).to_have_text(
            "Your note was sent to the school.", timeout=SETTLE_MS
        )
        mine = parent.locator("#my-notes li", has_text=reason)
        expect(mine).to_have_attribute("data-state", "pending")
        check_page(family, "parent-note")

        # The office (looking again) has the note; approving it excuses the absence, live.
        page.reload()
        expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=20_000)
        note = page.locator("#notes li.note", has_text=reason)
        expect(note).to_have_count(1)
        note.get_by_role("button", name=re.compile("^Approve")).click()
        expect(note).to_have_count(0, timeout=SETTLE_MS)
        expect(absent_here).to_have_count(0, timeout=SETTLE_MS)
        # ... and the parent app hears the decision on guardian1's inbox.
        expect(mine).to_have_attribute("data-state", "approved", timeout=SETTLE_MS)
        assert [e for e in office.errors if "WebSocket" not in e] == []


def test_parent_acknowledges_an_announcement_and_the_sender_sees_who_did(
    web_topology: LocalTopology, web_school: DemoSummary, browser: Browser
) -> None:
    topology = web_topology
    guardian1 = str(web_school.people["guardian1@demo.test"])
    with httpx.Client(base_url=topology.url, timeout=20) as client, open_page(browser) as family:
        teacher = login(client, "teacher1@demo.test")
        section = client.get("/api/v1/me", headers=teacher).json()["sections"][0]["section_id"]
        page = family.page
        sign_in(page, f"{topology.url}/app/parent", "guardian1@demo.test")
        expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=15_000)
        expect_state(page, "live")
        page.click("#tab-announcements")

        # teacher1 announces to the guardians of the section, asking for acknowledgement: it
        # appears live on guardian1's page.
        title = f"Trip forms due Friday ({uuid.uuid4().hex[:6]})"
        made = client.post(
            "/api/v1/announcements",
            json={
                "title": title,
                "body": "Please sign and return the trip form.",
                "audience": {"kind": "section_guardians", "section_id": section},
                "requires_ack": True,
            },
            headers=teacher,
        )
        assert made.status_code == 201, made.text
        announcement = made.json()["id"]
        item = page.locator(f'#announcements li[data-announcement-id="{announcement}"]')
        expect(item).to_contain_text(title, timeout=SETTLE_MS)
        acks = f"/api/v1/announcements/{announcement}/acknowledgements"
        before = client.get(acks, headers=teacher).json()
        assert guardian1 not in [a["person_id"] for a in before["acknowledged"]]
        check_page(family, "parent-announcements")

        item.get_by_role("button", name=re.compile("^Acknowledge")).click()
        expect(item.locator(".acknowledged")).to_have_text("✓ Acknowledged", timeout=SETTLE_MS)
        expect(item.get_by_role("button")).to_have_count(0)
        after = client.get(acks, headers=teacher).json()
        assert guardian1 in [a["person_id"] for a in after["acknowledged"]], after


def test_the_sdk_passes_its_node_tests_against_the_topology_a_node_killed_mid_stream(
    web_topology: LocalTopology, web_school: DemoSummary
) -> None:
    """`node --test clients/js/test/` against these two nodes behind Caddy (last in the module:
    it kills a node)."""
    node = shutil.which("node")
    if node is None or not _node_has_websocket(node):
        reason = "Node.js 20+ is not installed (the SDK's own tests need its WebSocket)"
        if REQUIRE_SERVICES:
            pytest.fail(f"EDTECH_REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)
    topology = web_topology
    with httpx.Client(base_url=topology.url, timeout=20) as client:
        teacher = login(client, "teacher1@demo.test")
        session = new_session(client, teacher)
        board = client.get(f"/api/v1/attendance/sessions/{session['id']}/board", headers=teacher)
    cards = [card_of(web_school, m["student_id"]) for m in board.json()["marks"]][:6]
    assert len(cards) == 6, cards
    # Both nodes up and ready: the board test started its killed node again without waiting,
    # and a node still starting refuses the live test's look at its sockets.
    for process in topology.nodes:
        if process.alive():
            process.wait_healthy(topology.config.startup_timeout)
        else:
            topology.restart_node(process.name)
    env = {
        **os.environ,
        "EDTECH_TEST_URL": topology.url,
        "EDTECH_TEST_NODES": ",".join(f"{topology.node_url(n)}={n.pid}" for n in topology.nodes),
        "EDTECH_TEST_CARDS": ",".join(cards),
    }
    try:
        # Each node test has its own timeout (100 s at most, so a failure names the test), and
        # the client and any frozen node are released whatever happens: Node exits well within
        # this bound; if it did not, the output so far says which test was running.
        done = subprocess.run(
            [node, "--experimental-websocket", "--test", "test/"],
            cwd=CLIENTS_JS,
            env=env,
            capture_output=True,
            text=True,
            timeout=NODE_TESTS_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        pytest.fail(f"node --test ran past {NODE_TESTS_SECONDS} s:\n{out[-4000:]}")
    finally:
        for process in topology.nodes:  # a node the tests froze must not stay frozen
            if process.alive():
                process.signal(signal.SIGCONT)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout, done.stdout[-2000:]
    assert "# skipped 0" in done.stdout, done.stdout[-2000:]


def _node_has_websocket(node: str) -> bool:
    probe = subprocess.run(
        [
            node,
            "--experimental-websocket",
            "-e",
            "process.exit(typeof WebSocket === 'function' ? 0 : 1)",
        ],
        capture_output=True,
        timeout=30,
        check=False,
    )
    return probe.returncode == 0
