"""`NodeApp`: raw websocket paths skip the middleware stack; everything else goes through it."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from edtech.platform.http.asgi import NodeApp


class Recorder:
    """A pure ASGI middleware that records the paths it saw."""

    def __init__(self, app: ASGIApp, seen: list[str]) -> None:
        self.app = app
        self.seen = seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            self.seen.append(scope["path"])
        await self.app(scope, receive, send)


def _app(seen: list[str], raw_calls: list[Scope]) -> NodeApp:
    app = NodeApp()
    app.add_middleware(Recorder, seen=seen)

    async def raw(scope: Scope, receive: Receive, send: Send) -> None:
        raw_calls.append(scope)
        await send({"type": "websocket.close", "code": 1000})

    app.raw_websockets["/ws"] = raw
    return app


async def _call(app: NodeApp, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: Any) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def _ws_scope(path: str) -> dict[str, Any]:
    return {"type": "websocket", "path": path, "headers": [], "query_string": b""}


async def test_raw_websocket_path_bypasses_the_middleware() -> None:
    seen: list[str] = []
    raw_calls: list[Scope] = []
    app = _app(seen, raw_calls)

    sent = await _call(app, _ws_scope("/ws"))

    assert len(raw_calls) == 1
    assert raw_calls[0]["app"] is app
    assert seen == []
    assert sent == [{"type": "websocket.close", "code": 1000}]


async def test_other_websocket_paths_go_through_the_stack() -> None:
    seen: list[str] = []
    raw_calls: list[Scope] = []
    app = _app(seen, raw_calls)

    await _call(app, _ws_scope("/ws/other"))

    assert raw_calls == []
    assert seen == ["/ws/other"]
