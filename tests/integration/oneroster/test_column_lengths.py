"""A value longer than the roster's column for it is a problem of its line, on both dialects.

SQLite stores any length, so such a package imported there; on PostgreSQL the import's job
failed at the insert, again and again, and the upload never finished.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from edtech.demo import DemoSummary
from tests.integration.oneroster.helpers import import_outcome, texts, zipped
from tests.roster import login

ZOE = b"s-3,,,true,s3,,Zoe,Nakamura,,S2003,zoe.n@students.lakeside.example,,,,10,"


async def test_too_long_a_name_or_a_grade_fails_the_import_by_line_and_changes_nothing(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    files = texts("bulk")
    assert ZOE in files["users.csv"]
    long = ZOE.replace(b",Zoe,", b"," + b"Z" * 101 + b",").replace(
        b",10,", b",10 " + b"1" * 17 + b","
    )
    files["users.csv"] = files["users.csv"].replace(ZOE, long)
    outcome = await import_outcome(client, app, admin, zipped(files))
    assert outcome["state"] == "failed", outcome
    body = outcome["problem"]
    assert body["code"] == "invalid"
    locs = {tuple(e["loc"][1:]): e["msg"] for e in body["errors"] if e["loc"][0] == "users.csv"}
    line = next(loc[0] for loc in locs)
    assert locs == {
        (line, "givenName"): "at most 100 characters",
        (line, "grades"): "each grade at most 16 characters",
    }
    people = await client.get("/api/v1/people", params={"q": "Nakamura"}, headers=admin)
    assert people.json()["items"] == []


async def test_names_and_grades_as_long_as_their_columns_import(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    admin = await login(client, "admin@demo.test")
    files = texts("bulk")
    longest = ZOE.replace(b",Zoe,", b"," + b"Z" * 100 + b",").replace(
        b",10,", b"," + b"1" * 16 + b","
    )
    files["users.csv"] = files["users.csv"].replace(ZOE, longest)
    outcome = await import_outcome(client, app, admin, zipped(files))
    assert outcome["state"] == "succeeded", outcome
    people = await client.get("/api/v1/people", params={"q": "Nakamura"}, headers=admin)
    (zoe,) = people.json()["items"]
    assert (zoe["given_name"], zoe["grade_level"]) == ("Z" * 100, "1" * 16)


async def test_a_nul_in_a_field_fails_the_import_by_line_and_changes_nothing(
    client: httpx.AsyncClient, app: FastAPI, demo: DemoSummary
) -> None:
    """SQLite stored the NUL; on PostgreSQL the import's job failed at the insert, attempt
    after attempt, and the upload never finished."""
    admin = await login(client, "admin@demo.test")
    files = texts("bulk")
    files["users.csv"] = files["users.csv"].replace(ZOE, ZOE.replace(b",Zoe,", b",Z\x00e,"))
    outcome = await import_outcome(client, app, admin, zipped(files))
    assert outcome["state"] == "failed", outcome
    (error,) = [e for e in outcome["problem"]["errors"] if e["loc"][0] == "users.csv"]
    assert (error["loc"][2:], error["msg"]) == (["givenName"], "a NUL character (U+0000)")
    people = await client.get("/api/v1/people", params={"q": "Nakamura"}, headers=admin)
    assert people.json()["items"] == []
