"""The browser tests' helpers: Debian's chromium driven by Playwright (the system executable,
no downloaded browser), console-error capture, the axe-core check, screenshots at two widths,
and the REST calls the tests make as the demo school's people."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from edtech.demo import DemoSummary
from tests.services import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = Path(os.environ.get("EDTECH_ARTIFACTS_DIR", ROOT / ".ci" / "artifacts")) / "web"
"""Screenshots land here (CI keeps `.ci/artifacts/`; git ignores it)."""

DEMO_PASSWORD = "edtech-demo"
SCANNER_KEY = "demo-scanner-key"
WIDTHS = (1280, 360)
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # This machine's network is closed: no update checks, sync or component downloads.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = Path(__import__("axe_playwright_python").__file__).parent / "axe.min.js"


def chromium_binary() -> str:
    """Debian's chromium; skips (fails under EDTECH_REQUIRE_SERVICES=1) when not installed."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    reason = "chromium is not installed: `apt-get install chromium` (Debian's package)"
    if REQUIRE_SERVICES:
        pytest.fail(f"EDTECH_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@dataclass
class Watched:
    """A page and every console error and uncaught exception it produced."""

    page: Page
    errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} @ {message.location.get('url', '')}")


@contextmanager
def open_page(browser: Browser, width: int = 1280) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    page = context.new_page()
    watched = Watched(page)
    page.on("console", watched.on_console)
    page.on("pageerror", lambda exc: watched.errors.append(f"uncaught: {exc}"))
    try:
        yield watched
    finally:
        context.close()


def sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url)
    page.fill("#signin-email", email)
    page.fill("#signin-password", DEMO_PASSWORD)
    page.click("form button[type=submit]")


def axe_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2 A/AA violations on the page as it is now (none is the goal)."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))  # over CDP: the page's CSP stays on
    result: dict[str, Any] = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


def screenshots(page: Page, name: str) -> list[Path]:
    """The page at each width (full page), kept under ARTIFACTS; the viewport is restored."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size or {"width": 1280, "height": 900}
    paths = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        path = ARTIFACTS / f"{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        paths.append(path)
    page.set_viewport_size(before)
    return paths


def check_page(watched: Watched, name: str, axe_widths: tuple[int, ...] = WIDTHS) -> None:
    """Screenshots at 1280 and 360 px, no console error so far, and axe finds nothing (at each
    of `axe_widths`)."""
    page = watched.page
    shots = screenshots(page, name)
    assert all(p.stat().st_size > 0 for p in shots)
    for width in axe_widths:
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], f"{name} at {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})
    assert watched.errors == [], f"console errors on {name}"


def expect_state(page: Page, state: str, timeout: float = 15_000) -> None:
    expect(page.locator("#connection")).to_have_attribute("data-state", state, timeout=timeout)


# -- REST as the demo school's people ---------------------------------------------------------


def login(client: httpx.Client, email: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": email, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def new_session(client: httpx.Client, auth: dict[str, str]) -> dict[str, Any]:
    """A session of teacher1's section that takes scans now, after any other session of the
    section (so a scan now is for this one): it starts in 239 minutes, opens 240 early."""
    me = client.get("/api/v1/me", headers=auth).json()
    section = me["sections"][0]["section_id"]
    now = datetime.now(UTC)
    body = {
        "section_id": section,
        "starts_at": (now + timedelta(minutes=239)).isoformat(),
        "ends_at": (now + timedelta(minutes=285)).isoformat(),
        "opens_before_minutes": 240,
    }
    r = client.post("/api/v1/attendance/sessions", json=body, headers=auth)
    assert r.status_code == 201, r.text
    session: dict[str, Any] = r.json()
    return session


def card_of(school: DemoSummary, student_id: str) -> str:
    """Demo cards are CARD-<n> for student<n>@demo.test."""
    for email, person_id in school.people.items():
        if str(person_id) == student_id and email.startswith("student"):
            return "CARD-" + email.removeprefix("student").split("@")[0]
    raise AssertionError(f"no demo card for student {student_id}")


def scan(client: httpx.Client, card: str) -> dict[str, Any]:
    """One card tap at the demo scanner, now; the scanner API's result for it."""
    now = datetime.now(UTC).isoformat()
    body = {"scans": [{"id": str(uuid.uuid4()), "credential": card, "scanned_at": now}]}
    r = client.post("/api/v1/attendance/scans", json=body, headers={"X-Device-Key": SCANNER_KEY})
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()["results"][0]
    return result


def ws_connections(node_url: str) -> int:
    """Open websockets on one node, from its own /metrics (straight to the node)."""
    for line in httpx.get(f"{node_url}/metrics", timeout=10).text.splitlines():
        if line.startswith("edtech_ws_connections "):
            return int(float(line.split()[1]))
    raise AssertionError("edtech_ws_connections missing from /metrics")
