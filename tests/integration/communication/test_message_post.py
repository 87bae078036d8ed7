"""`POST …/conversations/{id}/messages` is served ahead of FastAPI's stack; whatever it hands
over, the documented route answers, so both answer every request alike."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.fast_routes import answer, stack_client
from tests.integration.communication.helpers import People
from tests.roster import login

G1, T1 = "guardian1@demo.test", "teacher1@demo.test"


@pytest.fixture
async def stack(app: FastAPI, people: People) -> AsyncIterator[httpx.AsyncClient]:
    """FastAPI's stack of the node `people` talks to (running: its lifespan started)."""
    async with stack_client(app) as c:
        yield c


def message(client_id: str = "m-1", body: str = "hello") -> bytes:
    return json.dumps({"client_id": client_id, "body": body}).encode()


JSON = {"content-type": "application/json"}

# (case, path after the conversation's id or a replacement id, headers beyond the login, body)
BAD: list[tuple[str, str | None, dict[str, str] | None, bytes]] = [
    ("no token", None, {}, message()),
    ("a bad token", None, {"authorization": "Bearer nope"}, message()),
    ("another scheme", None, {"authorization": "Basic Zzpn"}, message()),
    ("not an id", "not-a-uuid", None, message()),
    ("an id in another form", "{00000000-0000-0000-0000-000000000001}", None, message()),
    ("no such conversation", str(uuid.UUID(int=1)), None, message()),
    ("not JSON", None, None, b'{"client_id": '),
    ("a list", None, None, b"[]"),
    ("no client id", None, None, b'{"body": "x"}'),
    ("an unknown field", None, None, b'{"client_id": "m-1", "body": "x", "colour": "red"}'),
    ("an empty body", None, None, message(body="   ")),
    ("a bad client id", None, None, message(client_id="no spaces allowed")),
    ("a NUL", None, None, b'{"client_id": "m-1", "body": "a\\u0000b"}'),
    ("a lone surrogate", None, None, b'{"client_id": "m-1", "body": "a\\ud800b"}'),
]


@pytest.mark.parametrize(("case", "target", "extra", "body"), BAD, ids=[b[0] for b in BAD])
async def test_refusals_read_exactly_as_the_documented_route_words_them(
    people: People,
    stack: httpx.AsyncClient,
    case: str,
    target: str | None,
    extra: dict[str, str] | None,
    body: bytes,
) -> None:
    conv = (await people.start(G1, T1)).json()["id"]
    headers = {**JSON, **(await people.as_(G1) if extra is None else extra)}
    path = f"/api/v1/conversations/{target or conv}/messages"
    raw = await people.client.post(path, content=body, headers=headers)
    documented = await stack.post(path, content=body, headers=headers)
    assert 400 <= raw.status_code < 500, case
    assert answer(raw) == answer(documented), case
    # and nothing was posted
    page = await people.client.get(
        f"/api/v1/conversations/{conv}/messages", headers=await people.as_(G1)
    )
    assert page.json()["items"] == []


async def test_a_use_case_refusal_reads_as_the_documented_route_words_it(
    people: People, stack: httpx.AsyncClient
) -> None:
    conv = (await people.start(G1, T1)).json()["id"]
    outsider = await people.as_("guardian3@demo.test")  # signed in, but not taking part
    path = f"/api/v1/conversations/{conv}/messages"
    raw = await people.client.post(path, content=message(), headers={**JSON, **outsider})
    documented = await stack.post(path, content=message(), headers={**JSON, **outsider})
    assert raw.status_code == 404
    assert answer(raw) == answer(documented)


async def test_a_posted_message_reads_as_the_documented_route_words_it(
    app: FastAPI, people: People, stack: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    conv = (await people.start(G1, T1)).json()["id"]
    path = f"/api/v1/conversations/{conv}/messages"
    headers = {**JSON, **(await people.as_(G1))}
    handled: list[str] = []
    middleware_stack = app.middleware_stack  # built by the requests above
    assert middleware_stack is not None

    async def counting(scope: Any, receive: Any, send: Any) -> None:
        handled.append(scope["path"])
        await middleware_stack(scope, receive, send)

    monkeypatch.setattr(app, "middleware_stack", counting)
    raw = await people.client.post(path, content=message("r-1", "héllo"), headers=headers)
    assert handled == []  # the fast route answered it, FastAPI's stack never saw it
    documented = await stack.post(path, content=message("r-2", "again"), headers=headers)
    assert raw.status_code == documented.status_code == 201
    assert raw.headers["content-type"] == documented.headers["content-type"]
    assert raw.headers["x-request-id"]
    one, two = raw.json(), documented.json()
    assert one.keys() == two.keys()
    assert (one["body"], one["seq"], one["replayed"]) == ("héllo", 1, False)
    assert (two["body"], two["seq"], two["replayed"]) == ("again", 2, False)
    # a replay through the other path is the same message, 200 on both
    again_raw = await people.client.post(path, content=message("r-2", "other"), headers=headers)
    again_documented = await stack.post(path, content=message("r-1", "other"), headers=headers)
    assert (again_raw.status_code, again_documented.status_code) == (200, 200)
    assert again_raw.json() == {**two, "replayed": True}
    assert again_documented.json() == {**one, "replayed": True}


async def test_a_revoked_token_reads_as_the_documented_route_words_it(
    people: People, stack: httpx.AsyncClient
) -> None:
    """Checked on PostgreSQL in the post's own transaction (ADR-0022), on SQLite before it:
    either way refused (401) as the documented route refuses it, and nothing posted."""
    conv = (await people.start(G1, T1)).json()["id"]
    revoked = await login(people.client, G1)  # a second sign-in of the guardian, then over
    assert (await people.client.post("/api/v1/auth/logout", headers=revoked)).status_code == 204
    path = f"/api/v1/conversations/{conv}/messages"
    raw = await people.client.post(path, content=message(), headers={**JSON, **revoked})
    documented = await stack.post(path, content=message(), headers={**JSON, **revoked})
    assert raw.status_code == 401
    assert answer(raw) == answer(documented)
    page = await people.client.get(
        f"/api/v1/conversations/{conv}/messages", headers=await people.as_(G1)
    )
    assert page.json()["items"] == []
    # the guardian's live sign-in still posts through the same route
    posted = await people.client.post(
        path, content=message(), headers={**JSON, **await people.as_(G1)}
    )
    assert posted.status_code == 201
