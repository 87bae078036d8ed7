"""Import → export → import is a no-op: the export is the package the importer reads back."""

from __future__ import annotations

import csv
import io

import httpx
from fastapi import FastAPI

from edtech.demo import DemoSummary
from tests.integration.oneroster.helpers import imported, package, unzipped, writes
from tests.roster import login


async def test_import_export_import_changes_nothing(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    await imported(client, app, admin, package("bulk"))
    r = await client.get("/api/v1/roster/export", headers=admin)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/zip"
    files = unzipped(r.content)
    manifest = dict(csv.reader(io.StringIO(files["manifest.csv"].decode())))
    assert manifest["oneroster.version"] == "1.2"
    assert manifest["file.users"] == "bulk"
    classes = list(csv.DictReader(io.StringIO(files["classes.csv"].decode())))
    p2 = next(c for c in classes if c["sourcedId"] == "cls-alg1-p2")
    assert p2["location"] == 'Room "B" 12'
    assert p2["metadata.capacity"] == "28"
    assert p2["status"] == ""
    assert p2["dateLastModified"] == ""
    users = list(csv.DictReader(io.StringIO(files["users.csv"].decode())))
    # the demo's own people are exported too, under their ids, and read back as themselves
    assert len(users) > 11

    again = await imported(client, app, admin, r.content)
    assert writes(again) == 0, {
        k: v for k, v in again["entities"].items() if v["unchanged"] != sum(v.values())
    }
    assert again["entities"]["user"]["unchanged"] == len(users)
    second = await client.get("/api/v1/roster/export", headers=admin)
    assert unzipped(second.content) == files
