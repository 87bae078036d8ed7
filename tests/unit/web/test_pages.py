"""The `/app` router: pages by path, assets by name, the pages' CSP on each, nothing else."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from edtech.platform.http.problems import install_problem_handlers
from edtech.topology.caddyfile import SECURITY_SNIPPET
from edtech.web.csp import APP_CSP
from edtech.web.pages import PAGES, STATIC, build_router


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_problem_handlers(app)
    app.include_router(build_router())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://node") as c:
        yield c


@pytest.mark.parametrize("path", sorted(PAGES))
async def test_every_page_is_served_as_html_with_the_pages_csp(
    client: httpx.AsyncClient, path: str
) -> None:
    r = await client.get(f"/app/{path}")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["content-security-policy"] == APP_CSP
    assert r.headers["referrer-policy"] == "no-referrer"
    # Nothing inline: every script has a src, no element carries an event-handler attribute.
    assert re.findall(r"<script(?![^>]*\ssrc=)", r.text) == []
    assert re.findall(r"<[^>]*\son[a-z]+=", r.text) == []
    assert "style=" not in r.text


def test_the_links_identity_mails_open_are_pages() -> None:
    from edtech.identity.application.common import EMAIL_PATH, INVITATION_PATH, RESET_PATH

    for path in (INVITATION_PATH, RESET_PATH, EMAIL_PATH):
        assert path.removeprefix("/app/") in PAGES


async def test_assets_are_served_with_their_media_type(client: httpx.AsyncClient) -> None:
    js = await client.get("/app/js/edtech.js")
    assert js.status_code == 200
    assert js.headers["content-type"].startswith("text/javascript")
    assert (await client.get("/app/css/app.css")).headers["content-type"].startswith("text/css")


async def test_app_redirects_to_the_home_page(client: httpx.AsyncClient) -> None:
    r = await client.get("/app", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (308, "/app/")


@pytest.mark.parametrize(
    "path", ["/app/nope", "/app/../pyproject.toml", "/app/js/../../web/pages.py", "/app/%2e%2e/x"]
)
async def test_nothing_outside_the_shipped_files_is_served(
    client: httpx.AsyncClient, path: str
) -> None:
    r = await client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")


def test_every_page_references_only_shipped_files() -> None:
    shipped = {p.relative_to(STATIC).as_posix() for p in STATIC.rglob("*") if p.is_file()}
    for page in PAGES.values():
        html = (STATIC / page).read_text(encoding="utf-8")
        for ref in re.findall(r'(?:src|href)="/app/([^"?]+)"', html):
            assert ref in shipped, f"{page} names /app/{ref}"


def test_caddy_sends_the_same_policy_for_the_pages() -> None:
    assert f'Content-Security-Policy "{APP_CSP}"' in SECURITY_SNIPPET
    root = Path(__file__).resolve().parents[3]
    assert SECURITY_SNIPPET in (root / "Caddyfile").read_text()
