"""`FastRoute`: answers what its handler accepts; everything else reaches the documented route
with the body replayed; errors read as problem JSON; the request is measured like any other."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client import CollectorRegistry
from starlette.requests import Request

from edtech.kernel.errors import ConflictError
from edtech.platform.http.asgi import NodeApp
from edtech.platform.http.fast_route import FastAnswer, FastRequest, FastRouteApp
from edtech.platform.http.middleware import RequestContextMiddleware
from edtech.platform.http.problems import install_problem_handlers
from edtech.platform.observability.metrics import HttpMetrics

PATH = "/echo"


async def handler(request: FastRequest) -> FastAnswer | None:
    """Answers `{"n": <int>}` with a key; declines any other body; `n` < 0 is a conflict."""
    data = json.loads(request.body)
    if not isinstance(data.get("n"), int):
        return None
    if data["n"] < 0:
        raise ConflictError("negative")
    return FastAnswer(json.dumps({"fast": data["n"], "key": request.header(b"x-key")}).encode())


def node() -> tuple[NodeApp, CollectorRegistry]:
    app = NodeApp()
    install_problem_handlers(app)

    @app.post(PATH)
    async def documented(request: Request) -> dict[str, object]:
        return {"stack": (await request.body()).decode()}

    registry = CollectorRegistry()
    fast = FastRouteApp(app, PATH, handler, max_body_bytes=64, requires=(b"x-key",))
    # as the composition root mounts a slice's fast route
    app.raw_http[("POST", PATH)] = RequestContextMiddleware(fast, metrics=HttpMetrics(registry))
    return app, registry


async def client_of(app: NodeApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://node")


async def test_a_request_the_handler_accepts_is_answered_ahead_of_the_stack() -> None:
    app, registry = node()
    async with await client_of(app) as client:
        r = await client.post(PATH, json={"n": 3}, headers={"x-key": "k1", "x-request-id": "r-1"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"fast": 3, "key": "k1"}
    assert r.headers["x-request-id"] == "r-1"
    labels = {"method": "POST", "route": PATH, "status": "200"}
    assert registry.get_sample_value("edtech_http_requests_total", labels) == 1


async def test_a_declined_request_reaches_the_documented_route_with_its_body() -> None:
    app, _ = node()
    async with await client_of(app) as client:
        r = await client.post(PATH, json={"n": "three"}, headers={"x-key": "k1"})
    assert r.status_code == 200
    assert json.loads(r.json()["stack"]) == {"n": "three"}


async def test_requests_it_cannot_take_go_to_the_stack_unread() -> None:
    app, _ = node()

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"n": '
        yield b"4}"

    async with await client_of(app) as client:
        no_key = await client.post(PATH, json={"n": 1})
        text = await client.post(
            PATH, content=b'{"n": 1}', headers={"x-key": "k", "content-type": "text/plain"}
        )
        chunked = await client.post(
            PATH, content=chunks(), headers={"x-key": "k", "content-type": "application/json"}
        )
        big = await client.post(PATH, json={"n": 1, "pad": "x" * 100}, headers={"x-key": "k"})
    assert no_key.json() == {"stack": '{"n":1}'}
    assert text.json() == {"stack": '{"n": 1}'}
    assert chunked.json() == {"stack": '{"n": 4}'}
    assert big.status_code == 200  # no body limit on this bare app: the stack read it
    assert "stack" in big.json()


async def test_an_error_of_the_handler_reads_as_problem_json() -> None:
    app, _ = node()
    async with await client_of(app) as client:
        r = await client.post(PATH, json={"n": -1}, headers={"x-key": "k"})
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == "negative"


def templated() -> NodeApp:
    """A node whose fast route has a `{name}` segment and answers 201 with it."""
    app = NodeApp()
    install_problem_handlers(app)

    @app.post("/things/{thing}/parts")
    async def documented(thing: str, request: Request) -> dict[str, object]:
        return {"stack": thing, "body": (await request.body()).decode()}

    async def parts(request: FastRequest) -> FastAnswer | None:
        thing = request.path_params["thing"]
        if not thing.isdigit():
            return None
        return FastAnswer(json.dumps({"fast": thing}).encode(), status=201)

    app.add_raw_http(
        "POST",
        "/things/{thing}/parts",
        FastRouteApp(app, "/things/{thing}/parts", parts, max_body_bytes=64),
    )
    return app


async def test_a_template_path_hands_its_segments_to_the_handler_and_it_sets_the_status() -> None:
    async with await client_of(templated()) as client:
        fast = await client.post("/things/42/parts", json={})
        declined = await client.post("/things/abc/parts", json={})
        other = await client.post("/things/42/parts/more", json={})
    assert (fast.status_code, fast.json()) == (201, {"fast": "42"})
    assert (declined.status_code, declined.json()) == (200, {"stack": "abc", "body": "{}"})
    assert other.status_code == 404  # not the template's path: the stack's router answers


async def test_what_the_stacks_middleware_is_for_goes_to_the_stack() -> None:
    app, _ = node()
    headers = {"x-key": "k", "content-type": "application/json"}
    async with await client_of(app) as client:
        browser = await client.post(
            PATH, json={"n": 1}, headers={"x-key": "k", "origin": "https://a.test"}
        )
        nul = await client.post(PATH, content=b'{"n": 1, "s": "a\\u0000"}', headers=headers)
        query = await client.post(f"{PATH}?q=%00", json={"n": 1}, headers={"x-key": "k"})
    assert browser.json() == {"stack": '{"n":1}'}
    assert nul.json() == {"stack": '{"n": 1, "s": "a\\u0000"}'}
    assert query.json() == {"stack": '{"n":1}'}


def test_a_template_with_a_convertor_is_refused() -> None:
    app = NodeApp()
    fast = FastRouteApp(app, "/things/{thing:int}", handler, max_body_bytes=64)
    with pytest.raises(ValueError, match="plain segments"):
        app.add_raw_http("POST", "/things/{thing:int}", fast)
