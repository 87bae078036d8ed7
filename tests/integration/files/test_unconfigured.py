"""A node with no storage configured (outside demo mode) answers 503 before doing anything."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from edtech.demo import DemoSummary
from edtech.settings import Settings
from tests import databases
from tests.integration.files.helpers import FILES, PDF, attach, listed, submit_excuse
from tests.roster import login


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """SQLite only: nothing here depends on the database (the acceptance runs both)."""
    return databases.fresh_sqlite(sqlite_template, tmp_path)


@pytest.fixture
def storage_url() -> str:
    return ""  # not configured, and not in demo mode


async def test_a_node_without_storage_answers_503(
    client: httpx.AsyncClient, demo: DemoSummary, settings: Settings
) -> None:
    assert settings.storage_url == ""
    assert not settings.demo
    guardian = await login(client, "guardian1@demo.test")
    excuse = await submit_excuse(client, guardian, demo.person("student1@demo.test"), "Flu")
    r = await attach(client, excuse["id"], guardian, "note.pdf", PDF)
    assert r.status_code == 503
    assert r.json()["code"] == "storage_not_set_up"
    assert "EDTECH_STORAGE_URL" in r.json()["detail"]
    assert await listed(client, guardian, record_type="excuse", record_id=excuse["id"]) == []
    card = await client.post(
        f"{FILES}/report-cards",
        json={"student_id": str(demo.person("student1@demo.test"))},
        headers=guardian,
    )
    assert card.status_code == 503
