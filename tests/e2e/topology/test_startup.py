"""Start-up waits for PostgreSQL and Redis with capped exponential backoff, then gives up loudly."""

from __future__ import annotations

import pytest

from edtech.topology.processes import free_port
from edtech.topology.startup import (
    DependencyUnavailableError,
    dependency_probes,
    wait_for_dependencies,
    wait_until_available,
)
from tests.services import POSTGRES_URL, REDIS_URL, need


async def test_retries_with_growing_pauses_until_the_dependency_answers() -> None:
    failures = [ConnectionRefusedError("not yet"), ConnectionRefusedError("still not")]
    reports: list[tuple[str, int, float, str]] = []

    async def probe() -> None:
        if failures:
            raise failures.pop(0)

    attempts = await wait_until_available(
        "database",
        probe,
        wait_seconds=10,
        initial_delay=0.05,
        report=lambda *r: reports.append(r),
    )

    assert attempts == 3
    assert [(name, n) for name, n, _, _ in reports] == [("database", 1), ("database", 2)]
    first, second = reports[0][2], reports[1][2]
    assert 0.04 <= first <= 0.06
    assert 0.08 <= second <= 0.12
    assert "still not" in reports[1][3]


async def test_gives_up_after_the_wait_naming_the_dependency_and_error() -> None:
    async def probe() -> None:
        raise ConnectionRefusedError("connection refused")

    with pytest.raises(DependencyUnavailableError, match=r"broker unavailable .*refused"):
        await wait_until_available("broker", probe, wait_seconds=0.3, initial_delay=0.05)


def test_embedded_mode_waits_for_nothing() -> None:
    assert dependency_probes("sqlite+aiosqlite:///./x.db", "memory://") == {}
    probes = dependency_probes("postgresql+asyncpg://h/db", "redis://h:6379/0")
    assert set(probes) == {"database", "broker"}


async def test_unreachable_services_time_out() -> None:
    port = free_port()
    with pytest.raises(DependencyUnavailableError, match="database"):
        await wait_for_dependencies(
            f"postgresql+asyncpg://postgres@127.0.0.1:{port}/x", "memory://", wait_seconds=0.5
        )
    with pytest.raises(DependencyUnavailableError, match="broker"):
        await wait_for_dependencies(
            "sqlite+aiosqlite:///x.db", f"redis://127.0.0.1:{port}/0", wait_seconds=0.5
        )


@pytest.mark.postgres
@pytest.mark.redis
async def test_running_services_are_found_at_once() -> None:
    need("PostgreSQL")
    need("Redis")
    await wait_for_dependencies(POSTGRES_URL, REDIS_URL, wait_seconds=10)
