"""Peer for `bench.compare`: python-socketio (ASGI, under uvicorn) with its Redis manager.

    python -m bench.baselines.pysio_server --port 8201 --redis redis://127.0.0.1:6379/0

Nothing is persisted. A client connects to the main namespace, emits `subscribe`
`{"channel": …}` (acknowledged) to join that room; `POST /publish` with
`{"channel": …, "n": …, "ts": …}` emits `event` `{"offset": n, "ts": ts}` to the room through
the Redis manager, so every node (this one included) delivers it from Redis pub/sub — the same
path an edtech event takes after its commit. `GET /readyz` answers 200.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

import socketio  # type: ignore[import-untyped]
import uvicorn


def build(redis_url: str) -> Any:
    sio = socketio.AsyncServer(
        async_mode="asgi",
        client_manager=socketio.AsyncRedisManager(redis_url),
        cors_allowed_origins="*",
        transports=["websocket"],
    )

    @sio.on("subscribe")  # type: ignore[untyped-decorator]
    async def subscribe(sid: str, data: dict[str, str]) -> dict[str, bool]:
        await sio.enter_room(sid, data["channel"])
        return {"ok": True}

    async def http(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        if scope["path"] == "/publish" and scope["method"] == "POST":
            while True:
                message = await receive()
                body += message.get("body", b"")
                if not message.get("more_body"):
                    break
            msg = json.loads(body)
            await sio.emit("event", {"offset": msg["n"], "ts": msg["ts"]}, room=msg["channel"])
            status = 204
        elif scope["path"] == "/readyz":
            status = 200
        else:
            status = 404
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return socketio.ASGIApp(sio, other_asgi_app=http)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis", required=True)
    args = parser.parse_args()
    config = uvicorn.Config(
        build(args.redis),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        backlog=4096,
    )
    asyncio.run(uvicorn.Server(config).serve())


if __name__ == "__main__":
    main()
