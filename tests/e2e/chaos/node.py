"""A chaos-suite node: the real app (every slice, served the way `edtech serve` serves it) plus
one durable test channel type `chaos.room.{id}` whose `send` commits numbered events, and test
tokens (signed with the node's secret, claims carry the principal).

    python -m tests.e2e.chaos.node serve --host 127.0.0.1 --port 8001 --no-migrate
    python -m tests.e2e.chaos.node migrate        # any other command: the `edtech` CLI

The topology runs it as its node command, so nodes start, drain and crash exactly as
`edtech serve` nodes do; only the channel and the token check are the test's.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

from edtech.app import create_app
from edtech.kernel.principal import Principal
from edtech.manifest import Slice
from edtech.platform.serving import freeze_heap, uvicorn_config
from edtech.realtime.public import AuthorizationContext, ChannelType, Registrar, SendContext
from edtech.settings import Settings
from edtech.slices import SLICES
from edtech.topology.graceful import LifecycleSettings, serve_gracefully
from edtech.topology.startup import wait_for_dependencies
from tests.integration.realtime.support import RoomPosted, RoomPostedData, fake_check_token


class BurstIn(BaseModel):
    """Commit events numbered n, n+1, … n+count-1 (one transaction), each carrying `text`."""

    n: int = Field(ge=1)
    count: int = Field(1, ge=1, le=100)
    text: str = Field("", max_length=20_000)


async def anyone(
    principal: Principal, params: Mapping[str, uuid.UUID], ctx: AuthorizationContext
) -> bool:
    return True


async def burst(ctx: SendContext, body: Any) -> Mapping[str, Any]:
    for i in range(body.count):
        ctx.uow.emit(
            RoomPosted(
                institution_id=ctx.principal.institution_id,
                occurred_at=ctx.clock.now(),
                room_id=ctx.params["id"],
                n=body.n + i,
                text=body.text,
            )
        )
    return {"n": body.n}  # the hub adds `offset` (send_offset=True): the first event's


ROOM = ChannelType(
    pattern="chaos.room.{id}",
    authorize=anyone,
    description="A chaos-suite room (durable): `send` commits numbered events.",
    durable=True,
    history_size=100,
    events={"test.room_posted": RoomPostedData},
    send=burst,
    send_model=BurstIn,
    send_offset=True,
)


def register(registry: Registrar) -> None:
    registry.add(ROOM)
    registry.route(RoomPosted, lambda e: [ROOM.name(id=e.room_id)])


def chaos_app(settings: Settings) -> FastAPI:
    app = create_app(settings, slices=[*SLICES, Slice(name="chaos", channels=register)])
    app.state.realtime.check_token = fake_check_token(app.state.services)
    return app


def serve(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="chaos-node serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--no-migrate", action="store_true")
    args = parser.parse_args(argv)
    settings = Settings()
    lifecycle = LifecycleSettings()
    asyncio.run(
        wait_for_dependencies(
            settings.database_url,
            settings.broker_url,
            wait_seconds=lifecycle.startup_wait_seconds,
        )
    )
    config = uvicorn_config(
        chaos_app(settings),
        host=args.host,
        port=args.port,
        timeout_graceful_shutdown=lifecycle.shutdown_grace_seconds,
    )
    freeze_heap()
    serve_gracefully(config, lifecycle)


def main() -> None:
    if sys.argv[1:2] == ["serve"]:
        serve(sys.argv[2:])
        return
    from edtech.cli import main as edtech_main

    edtech_main()


if __name__ == "__main__":
    main()
