"""`create_app` builds a node from slice manifests: components started before the node serves
and stopped after, in reverse order; scheduled jobs run; routes and fast routes served."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated

import httpx
from fastapi import APIRouter, Depends
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from edtech.app import create_app
from edtech.manifest import FastRoute, Scheduled, Slice
from edtech.platform.http.deps import component
from edtech.platform.services import Services
from edtech.settings import Settings
from edtech.slices import SLICES
from tests.servers import LiveServer


class Journal:
    """What happened to the test's components, in order."""

    def __init__(self) -> None:
        self.entries: list[str] = []


class Counter:
    def __init__(self, journal: Journal, name: str) -> None:
        self.journal = journal
        self.name = name
        self.hits = 0

    async def start(self) -> None:
        self.journal.entries.append(f"start {self.name}")

    async def stop(self) -> None:
        self.journal.entries.append(f"stop {self.name}")


class Second(Counter):
    pass


router = APIRouter()


@router.get("/test/hits")
async def hits(counter: Annotated[Counter, Depends(component(Counter))]) -> dict[str, int]:
    counter.hits += 1
    return {"hits": counter.hits}


async def fast(scope: Scope, receive: Receive, send: Send) -> None:
    await PlainTextResponse("fast")(scope, receive, send)


def make_slice(journal: Journal, ran: asyncio.Event) -> Slice:
    async def job(services: Services) -> None:
        ran.set()

    return Slice(
        name="test",
        routers=[router],
        components=[
            lambda _s: Counter(journal, "first"),
            lambda _s: Second(journal, "second"),
        ],
        schedules=[Scheduled("test.job", timedelta(hours=1), job)],
        fast_routes=[FastRoute("GET", "/test/fast", build=lambda _app, _s: fast)],
    )


async def test_components_start_before_serving_and_stop_in_reverse(settings: Settings) -> None:
    journal, ran = Journal(), asyncio.Event()
    app = create_app(
        settings.model_copy(update={"background_jobs": True}),
        slices=[*SLICES, make_slice(journal, ran)],
    )
    server = LiveServer(app)
    await server.start()
    try:
        assert journal.entries == ["start first", "start second"]
        async with httpx.AsyncClient(base_url=server.url) as client:
            assert (await client.get("/test/hits")).json() == {"hits": 1}
            assert (await client.get("/test/hits")).json() == {"hits": 2}  # one per node
            assert (await client.get("/test/fast")).text == "fast"
        await asyncio.wait_for(ran.wait(), 5)
    finally:
        await server.stop()
    assert journal.entries[2:] == ["stop second", "stop first"]


async def test_jobs_do_not_run_where_background_jobs_are_off(settings: Settings) -> None:
    journal, ran = Journal(), asyncio.Event()
    server = LiveServer(create_app(settings, slices=[*SLICES, make_slice(journal, ran)]))
    await server.start()
    try:
        await asyncio.sleep(0.2)
        assert not ran.is_set()
    finally:
        await server.stop()
