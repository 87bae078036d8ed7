"""Security headers at Caddy, on a real Caddy: nosniff, Referrer-Policy, no framing and a CSP on
every response through the local topology; HSTS only over TLS. The production Caddyfile carries
the very same header snippet and log filter as the local one."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from edtech.topology.caddyfile import LOG_FILTER, SECURITY_SNIPPET, _indent
from edtech.topology.local import LocalTopology
from edtech.topology.processes import ManagedProcess, free_port
from tests.services import caddy_binary

ROOT = Path(__file__).resolve().parents[3]

pytestmark = [pytest.mark.e2e]


def assert_security_headers(r: httpx.Response) -> None:
    assert r.headers["x-content-type-options"] == "nosniff", r.headers
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_the_production_caddyfile_has_the_same_headers_and_log_filter() -> None:
    production = (ROOT / "Caddyfile").read_text()
    assert SECURITY_SNIPPET in production
    assert "\timport security_headers\n" in production
    assert production.count(_indent(LOG_FILTER, 2)) == 2  # Caddy's own log and the access log


@pytest.mark.postgres
@pytest.mark.redis
async def test_responses_through_caddy_carry_the_security_headers(
    topology: LocalTopology,
) -> None:
    async with httpx.AsyncClient(base_url=topology.url, timeout=20) as client:
        api = await client.get("/api/v1/auth/sessions")  # a 401 problem+json
        assert api.status_code == 401
        assert_security_headers(api)
        assert api.headers["content-security-policy"].startswith("default-src 'none'")
        docs = await client.get("/docs")
        assert docs.status_code == 200
        assert_security_headers(docs)
        # Swagger UI's script comes from its CDN; nothing else may.
        assert (
            "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net"
            in (docs.headers["content-security-policy"])
        )
        # Plain HTTP: no HSTS (it would mean nothing, and must not pin a plain-HTTP site).
        assert "strict-transport-security" not in api.headers


async def tls_get(client: httpx.AsyncClient, url: str, within: float = 30.0) -> httpx.Response:
    """GET over TLS once Caddy has its certificate: the plain-HTTP site answers (what
    `wait_healthy` checks) before Caddy's internal CA has issued the TLS site's certificate, and
    a handshake meanwhile ends in an `internal_error` alert."""
    deadline = time.monotonic() + within
    while True:
        try:
            return await client.get(url)
        except httpx.ConnectError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def test_hsts_is_sent_over_tls_only(tmp_path: Path) -> None:
    tls_port, http_port = free_port(), free_port()
    config = tmp_path / "Caddyfile"
    config.write_text(
        "{\n\tadmin off\n\tskip_install_trust\n\tauto_https disable_redirects\n}\n\n"
        + SECURITY_SNIPPET
        + f"\nhttps://127.0.0.1:{tls_port} {{\n\ttls internal\n\timport security_headers\n"
        '\trespond "ok"\n}\n'
        + f'\nhttp://127.0.0.1:{http_port} {{\n\timport security_headers\n\trespond "ok"\n}}\n'
    )
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    caddy = ManagedProcess(
        name="caddy-tls",
        argv=[caddy_binary(), "run", "--config", str(config), "--adapter", "caddyfile"],
        env=env,
        log_path=tmp_path / "caddy.log",
        health_url=f"http://127.0.0.1:{http_port}/",
    )
    caddy.start()
    try:
        caddy.wait_healthy(30)
        async with httpx.AsyncClient(verify=False, timeout=10) as client:  # Caddy's own CA
            secure = await tls_get(client, f"https://127.0.0.1:{tls_port}/")
            plain = await client.get(f"http://127.0.0.1:{http_port}/")
    finally:
        caddy.stop(5)
    assert secure.status_code == 200, caddy.log_tail()
    assert secure.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert_security_headers(secure)
    assert "strict-transport-security" not in plain.headers
    assert_security_headers(plain)
