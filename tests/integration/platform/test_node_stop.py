"""A node told to stop always stops: a part whose stop never returns is given up on after
`STOP_WITHIN` (logged as `node_stop_timeout`), and the rest of the node stops after it."""

from __future__ import annotations

import asyncio

import pytest

import edtech.app
from edtech.app import create_app
from edtech.manifest import Slice
from edtech.settings import Settings
from edtech.slices import SLICES
from tests.servers import LiveServer


class Stuck:
    """A component whose stop waits for something that never comes."""

    def __init__(self) -> None:
        self.stopping = False

    async def stop(self) -> None:
        self.stopping = True
        await asyncio.Event().wait()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # dialect-neutral
async def test_a_part_that_never_stops_does_not_keep_the_node_from_stopping(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(edtech.app, "STOP_WITHIN", 0.5)
    stuck = Stuck()
    app = create_app(settings, slices=[*SLICES, Slice(name="stuck", components=[lambda _: stuck])])
    server = LiveServer(app)
    await server.start()
    await server.stop(within=10)  # without the bound: "uvicorn did not stop within 10 s"
    assert stuck.stopping
    # The parts stopped after it (realtime, the database pool) did stop.
    assert not app.state.realtime.started
