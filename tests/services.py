"""Where the tests find PostgreSQL and Redis, and what to do when they are not there.

Without them a test that needs one skips with a reason saying what to start; with
EDTECH_REQUIRE_SERVICES=1 (CI) it fails instead, so a missing service never hides a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlsplit

import pytest

POSTGRES_URL = os.environ.get(
    "EDTECH_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("EDTECH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE_SERVICES = os.environ.get("EDTECH_REQUIRE_SERVICES") == "1"

HOW_TO_START = {
    "PostgreSQL": "start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) "
    "main start` or point EDTECH_TEST_POSTGRES_URL at one",
    "Redis": "start it with `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' "
    "--appendonly no` or point EDTECH_TEST_REDIS_URL at one",
}


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def available(service: str) -> bool:
    """Whether `service` ("PostgreSQL" or "Redis") is reachable now (or required, so tests
    that choose it then fail loudly when it is not)."""
    url, port = (POSTGRES_URL, 5432) if service == "PostgreSQL" else (REDIS_URL, 6379)
    return REQUIRE_SERVICES or _reachable(url, port)


def need(service: str) -> None:
    """Skip (or, under EDTECH_REQUIRE_SERVICES=1, fail) unless `service` is reachable."""
    url, port = (POSTGRES_URL, 5432) if service == "PostgreSQL" else (REDIS_URL, 6379)
    if _reachable(url, port):
        return
    reason = f"{service} is not reachable at {urlsplit(url).netloc}: {HOW_TO_START[service]}"
    if REQUIRE_SERVICES:
        pytest.fail(f"EDTECH_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def caddy_binary() -> str:
    """Caddy's path; skips (fails under EDTECH_REQUIRE_SERVICES=1) when it is not installed."""
    found = shutil.which("caddy")
    if found:
        return found
    reason = "caddy is not installed: `apt-get install caddy` (Debian's package is enough)"
    if REQUIRE_SERVICES:
        pytest.fail(f"EDTECH_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)
