"""Helpers of the OneRoster tests: the fixture packages (dated into this school year) as zips,
uploads, exports, and people found by their sourcedId."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from edtech.identity.public import create_account
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.jobs import JobRunner

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "oneroster"


def school_year() -> tuple[int, int]:
    today = datetime.now(UTC).date()
    first = today.year if today.month >= 8 else today.year - 1
    return first, first + 1


def texts(name: str) -> dict[str, bytes]:
    """The fixture package `name` (bulk, delta), its dates in the current school year."""
    y0, y1 = school_year()
    out = {}
    for file in sorted((FIXTURES / name).glob("*.csv")):
        raw = file.read_bytes().decode("utf-8")
        raw = raw.replace("{Y0}", str(y0)).replace("{Y1}", str(y1)).replace("{BY}", str(y0 - 14))
        raw = raw.replace("{TS}", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"))
        out[file.name] = raw.encode("utf-8")
    return out


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def package(name: str) -> bytes:
    return zipped(texts(name))


def unzipped(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


async def upload(
    client: httpx.AsyncClient, auth: dict[str, str], data: bytes, **params: Any
) -> httpx.Response:
    return await client.post(
        "/api/v1/roster/imports",
        content=data,
        params={k: str(v).lower() for k, v in params.items()},
        headers={**auth, "Content-Type": "application/zip"},
    )


async def run_jobs(app: FastAPI) -> int:
    """Run every due job on this node until none is left (tests run no background runner)."""
    runner = app.state.services.components.get(JobRunner)
    total = 0
    while ran := await runner.run_once():
        total += ran
    return total


async def import_outcome(
    client: httpx.AsyncClient, app: FastAPI, auth: dict[str, str], data: bytes, **params: Any
) -> dict[str, Any]:
    """Upload, run the queued import job, and read the import back over REST."""
    r = await upload(client, auth, data, **params)
    assert r.status_code == 202, r.text
    assert r.json()["state"] == "queued"
    await run_jobs(app)
    done = await client.get(r.headers["location"], headers=auth)
    assert done.status_code == 200, done.text
    body: dict[str, Any] = done.json()
    return body


async def imported(
    client: httpx.AsyncClient, app: FastAPI, auth: dict[str, str], data: bytes
) -> dict[str, Any]:
    """The report of an import that must succeed."""
    outcome = await import_outcome(client, app, auth, data)
    assert outcome["state"] == "succeeded", outcome
    report: dict[str, Any] = outcome["report"]
    return report


def writes(report: dict[str, Any]) -> int:
    return sum(e["created"] + e["changed"] + e["ended"] for e in report["entities"].values())


async def person_id(client: httpx.AsyncClient, auth: dict[str, str], sourced_id: str) -> uuid.UUID:
    r = await client.get("/api/v1/people", params={"q": sourced_id, "limit": 200}, headers=auth)
    assert r.status_code == 200, r.text
    found = [p for p in r.json()["items"] if p.get("sourced_id") == sourced_id]
    assert len(found) == 1, r.text
    return uuid.UUID(found[0]["id"])


async def section_id(client: httpx.AsyncClient, auth: dict[str, str], code: str) -> uuid.UUID:
    r = await client.get("/api/v1/sections", params={"limit": 200}, headers=auth)
    assert r.status_code == 200, r.text
    found = [s for s in r.json()["items"] if s.get("code") == code]
    assert len(found) == 1, r.text
    return uuid.UUID(found[0]["id"])


async def give_login(
    database_url: str, institution_id: uuid.UUID, person: uuid.UUID, email: str, password_hash: str
) -> None:
    """A login for an imported person (a SIS import brings people, not passwords)."""
    engine = make_engine(database_url)
    try:
        async with make_session_factory(engine)() as session:
            await create_account(
                session,
                institution_id=institution_id,
                person_id=person,
                email=email,
                password_hash=password_hash,
            )
            await session.commit()
    finally:
        await engine.dispose()
