"""Test-only channel types, events and a websocket client for the realtime tests."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from fastapi import FastAPI
from pydantic import BaseModel
from websockets.asyncio.client import ClientConnection, connect

from edtech.app import create_app
from edtech.kernel.errors import AuthenticationError, ConflictError
from edtech.kernel.events import DomainEvent
from edtech.kernel.principal import Principal, Role, RoleGrant
from edtech.manifest import Slice
from edtech.platform.services import Services
from edtech.realtime.public import (
    AuthorizationContext,
    ChannelType,
    Registrar,
    SendContext,
)
from edtech.settings import Settings
from edtech.slices import SLICES

TEST_TOKEN = "ws-test"
TENANT_A = uuid.UUID("00000000-0000-7000-8000-00000000000a")
TENANT_B = uuid.UUID("00000000-0000-7000-8000-00000000000b")


@dataclasses.dataclass(frozen=True, kw_only=True)
class RoomPosted(DomainEvent):
    type: ClassVar[str] = "test.room_posted"
    room_id: uuid.UUID
    n: int
    text: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Noticed(DomainEvent):
    type: ClassVar[str] = "test.noticed"
    person_id: uuid.UUID
    text: str


class RoomPostedData(BaseModel):
    room_id: uuid.UUID
    n: int
    text: str


class NoticedData(BaseModel):
    person_id: uuid.UUID
    text: str


class PostIn(BaseModel):
    text: str
    n: int


ROOM_TENANT: dict[uuid.UUID, uuid.UUID] = {}
"""Which tenant owns each test room (a stand-in for a real tenant check)."""


async def same_tenant(
    principal: Principal, params: Mapping[str, uuid.UUID], ctx: AuthorizationContext
) -> bool:
    return ROOM_TENANT.get(params["id"]) == principal.institution_id


async def post(ctx: SendContext, body: Any) -> Mapping[str, Any]:
    if body.text == "conflict":
        raise ConflictError("Refused on purpose.")
    ctx.uow.emit(
        RoomPosted(
            institution_id=ctx.principal.institution_id,
            occurred_at=ctx.clock.now(),
            room_id=ctx.params["id"],
            n=body.n,
            text=body.text,
        )
    )
    return {"accepted": body.n}


ROOM = ChannelType(
    pattern="test.room.{id}",
    authorize=same_tenant,
    description="A test room (durable).",
    durable=True,
    history_size=5,
    presence=True,
    events={"test.room_posted": RoomPostedData},
    send=post,
    send_model=PostIn,
)
FLASH = ChannelType(
    pattern="test.flash.{id}",
    authorize=same_tenant,
    description="A test channel (ephemeral).",
    durable=False,
    history_size=5,
    events={"test.room_posted": RoomPostedData},
)


def register(registry: Registrar) -> None:
    registry.add(ROOM)
    registry.add(FLASH)
    registry.route(
        RoomPosted,
        lambda e: [ROOM.name(id=e.room_id), FLASH.name(id=e.room_id)],
    )
    registry.route(Noticed, lambda e: [f"user.{e.person_id}"])
    registry.describe("user.{id}", {Noticed.type: NoticedData})


def new_room(tenant: uuid.UUID = TENANT_A) -> uuid.UUID:
    room = uuid.uuid4()
    ROOM_TENANT[room] = tenant
    return room


def fake_check_token(services: Services) -> Any:
    """Accept test tokens signed by the node (a fake of identity's port, claims carry all)."""

    async def check(token: str) -> Principal:
        claims = services.signer.verify(token, TEST_TOKEN, datetime.now(UTC))
        if claims.get("bad"):
            raise AuthenticationError("bad")
        return Principal(
            account_id=uuid.UUID(claims["sub"]),
            person_id=uuid.UUID(claims["pid"]),
            institution_id=uuid.UUID(claims["iid"]),
            display_name=claims["name"],
            grants=frozenset(RoleGrant(Role(r)) for r in claims["roles"]),
        )

    return check


def token_for(
    services: Services,
    person_id: uuid.UUID | None = None,
    institution_id: uuid.UUID = TENANT_A,
    ttl: float = 600,
    name: str = "Test Person",
) -> str:
    return services.signer.issue(
        TEST_TOKEN,
        str(uuid.uuid4()),
        datetime.now(UTC),
        timedelta(seconds=ttl),
        pid=str(person_id or uuid.uuid4()),
        iid=str(institution_id),
        name=name,
        roles=["teacher"],
    )


async def commit_posts(services: Services, room: uuid.UUID, ns: range | list[int]) -> None:
    """Commit one RoomPosted per n, each in its own transaction, through the unit of work."""
    for n in ns:
        async with services.uow() as uow:
            uow.emit(
                RoomPosted(
                    institution_id=TENANT_A,
                    occurred_at=datetime.now(UTC),
                    room_id=room,
                    n=n,
                )
            )
            await uow.commit()


class Client:
    """A websocket client that keeps events apart from replies."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self.others: list[dict[str, Any]] = []
        self._ref = 0

    @classmethod
    async def open(cls, ws_url: str, token: str | None, **kw: Any) -> Client:
        url = f"{ws_url}/ws" + (f"?token={token}" if token else "")
        kw.setdefault("open_timeout", 30)  # CI machines get busy; a handshake is not the test
        # Never stop reading the socket because frames wait unread: a paused reader also misses
        # the server's close frame, and close() then sits out its whole close_timeout.
        kw.setdefault("max_queue", None)
        return cls(await connect(url, max_size=2**22, **kw))

    async def close(self) -> None:
        await self.ws.close()

    async def request(self, op: str, **fields: Any) -> dict[str, Any]:
        self._ref += 1
        ref = str(self._ref)
        await self.ws.send(json.dumps({"op": op, "ref": ref, **fields}))
        return await self.until(lambda f: f.get("op") in ("reply", "pong") and f.get("ref") == ref)

    async def until(self, pred: Any, timeout: float = 10) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            while True:
                frame = json.loads(await self.ws.recv())
                if frame.get("op") == "event":
                    self.events.append(frame)
                else:
                    self.others.append(frame)
                if pred(frame):
                    return frame

    async def wait_events(self, channel: str, count: int, timeout: float = 15) -> list[int]:
        """Read until `count` events of `channel` are held; returns their offsets."""

        def offsets() -> list[int]:
            return [e["offset"] for e in self.events if e["channel"] == channel]

        if len(offsets()) < count:
            await self.until(lambda _f: len(offsets()) >= count, timeout)
        return offsets()

    async def subscribe(self, channel: str, since: dict[str, Any] | None = None) -> dict[str, Any]:
        fields: dict[str, Any] = {"channel": channel}
        if since is not None:
            fields["since"] = since
        return await self.request("subscribe", **fields)


async def commit_batch(services: Services, room: uuid.UUID, ns: range, text: str = "") -> None:
    """Commit one RoomPosted per n in ONE transaction."""
    async with services.uow() as uow:
        for n in ns:
            uow.emit(
                RoomPosted(
                    institution_id=TENANT_A,
                    occurred_at=datetime.now(UTC),
                    room_id=room,
                    n=n,
                    text=text,
                )
            )
        await uow.commit()


class RedisProcess:
    """A private redis-server on a free port, which tests may kill and restart."""

    def __init__(self) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        import shutil

        server = shutil.which("redis-server")
        assert server, "redis-server is not installed"
        self.proc = await asyncio.create_subprocess_exec(
            server,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                _r, w = await asyncio.open_connection("127.0.0.1", self.port)
                w.close()
                await w.wait_closed()
                return
            except OSError:
                await asyncio.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        self.proc = None


def realtime_app(settings: Settings) -> FastAPI:
    """A node with the test channel types (as one more slice) and test tokens accepted."""
    app = create_app(settings, slices=[*SLICES, Slice(name="test", channels=register)])
    app.state.realtime.check_token = fake_check_token(app.state.services)
    return app
