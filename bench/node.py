"""One benchmark node: the real app plus a `bench.room.{id}` channel, bench tokens and a minimal
REST publish route (`POST /bench/publish`), the edtech side of `bench.compare`.

python -m bench.node --port 8101 --database-url ... --broker-url redis://...

`POST /bench/publish` takes `{"channel": "<room uuid>", "n": 1, "ts": "<ISO instant>"}` and commits
one `bench.ticked` event (outbox row + channel offset, PostgreSQL) through the node's group
commit of event-only writes (`EventCommitter`: concurrent publishes share a transaction, each
answered once its event is committed), then the node publishes it; `ts` becomes the event's
`occurred_at`, so a subscriber measures latency from the client's send. It is the smallest
persisted write path the app has: the peers in `bench/baselines/` expose the same route and emit
without persisting. It is served ahead of FastAPI (a fast route, as the scan upload is); a body
that does not validate goes to the documented route, which answers the 422.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import uvicorn
from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, TypeAdapter, ValidationError

from edtech.app import create_app
from edtech.kernel.events import DomainEvent
from edtech.kernel.principal import Principal
from edtech.manifest import FastRoute, Slice
from edtech.platform.db.group_commit import EventCommitter
from edtech.platform.http.asgi import NodeApp
from edtech.platform.http.fast_route import FastAnswer, FastRequest, FastRouteApp
from edtech.platform.services import Services
from edtech.platform.serving import freeze_heap, uvicorn_config
from edtech.realtime.public import AuthorizationContext, ChannelType, Registrar
from edtech.settings import Settings
from edtech.slices import SLICES

SECRET = "bench-secret-not-for-production-0123456789"
TOKEN_TYPE = "bench"


async def anyone(
    principal: Principal, params: Mapping[str, uuid.UUID], ctx: AuthorizationContext
) -> bool:
    return True


ROOM = ChannelType("bench.room.{id}", anyone, "benchmark room", durable=True, history_size=1000)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Ticked(DomainEvent):
    type: ClassVar[str] = "bench.ticked"
    room_id: uuid.UUID
    n: int


def register(registry: Registrar) -> None:
    registry.add(ROOM)
    registry.route(Ticked, lambda e: [ROOM.name(id=e.room_id)])


class Publish(BaseModel):
    channel: uuid.UUID
    n: int
    ts: datetime


PUBLISH_PATH = "/bench/publish"
router = APIRouter()
_PUBLISH = TypeAdapter(Publish)


async def commit_tick(committer: EventCommitter, body: Publish) -> bytes:
    """Commit one `bench.ticked` event on `bench.room.{channel}`; the answer's body."""
    await committer.commit(
        [
            Ticked(
                institution_id=uuid.UUID(int=1), occurred_at=body.ts, room_id=body.channel, n=body.n
            )
        ]
    )
    return b"{}"


@router.post(PUBLISH_PATH, status_code=200)
async def publish(body: Publish, request: Request) -> Any:
    """Commit one event on `bench.room.{channel}` (no authentication: a benchmark node only)."""
    services: Services = request.app.state.services
    return json.loads(await commit_tick(services.components.get(EventCommitter), body))


def fast_publish(app: NodeApp, services: Services) -> FastRouteApp:
    """`POST /bench/publish` ahead of FastAPI: the same commit; a body that does not validate
    is the documented route's to refuse."""
    committer = services.components.get(EventCommitter)

    async def answer(request: FastRequest) -> FastAnswer | None:
        try:
            body = _PUBLISH.validate_json(request.body)
        except ValidationError:
            return None
        return FastAnswer(await commit_tick(committer, body))

    return FastRouteApp(app, PUBLISH_PATH, answer, max_body_bytes=4096)


def settings(database_url: str, broker_url: str, name: str = "") -> Settings:
    return Settings(
        database_url=database_url,
        broker_url=broker_url,
        secret_key=SECRET,
        node_name=name,
        log_level="WARNING",
        log_json=True,
    )


def bench_app(s: Settings) -> FastAPI:
    app = create_app(
        s,
        slices=[
            *SLICES,
            Slice(
                name="bench",
                channels=register,
                routers=[router],
                fast_routes=[FastRoute("POST", PUBLISH_PATH, fast_publish)],
            ),
        ],
    )
    rt = app.state.realtime
    signer = app.state.services.signer

    async def check(token: str) -> Principal:
        claims = signer.verify(token, TOKEN_TYPE, datetime.now(UTC))
        return Principal(
            account_id=uuid.UUID(claims["sub"]),
            person_id=uuid.UUID(claims["sub"]),
            institution_id=uuid.UUID(int=1),
            display_name="bench",
        )

    rt.check_token = check
    return app


def token(app_or_signer: Any, ttl: float = 3600) -> str:
    signer = getattr(getattr(app_or_signer, "state", None), "services", None)
    signer = signer.signer if signer is not None else app_or_signer
    return str(
        signer.issue(TOKEN_TYPE, str(uuid.uuid4()), datetime.now(UTC), timedelta(seconds=ttl))
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--broker-url", required=True)
    parser.add_argument("--name", default="")
    args = parser.parse_args()
    app = bench_app(settings(args.database_url, args.broker_url, args.name))
    server = uvicorn.Server(uvicorn_config(app, port=args.port, backlog=4096))
    freeze_heap()  # as `edtech serve` does
    asyncio.run(server.serve())


if __name__ == "__main__":
    main()
