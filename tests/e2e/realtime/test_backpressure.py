"""A slow consumer is cut off without delaying anyone else, and recovers by offset."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.integration.realtime.support import Client, commit_batch, new_room, token_for
from tests.servers import LiveServer


async def test_slow_consumer_is_closed_with_4009_while_others_stay_fast(
    live_server: LiveServer,
) -> None:
    services = live_server.app.state.services
    live_server.app.state.realtime.settings.ws_send_queue_bytes = 1024 * 1024
    live_server.app.state.realtime.settings.recovery_max_events = 10_000
    room = new_room()
    channel = f"test.room.{room}"
    healthy = await Client.open(live_server.ws_url, token_for(services))
    await healthy.subscribe(channel)
    # max_queue=1: the client library stops reading the socket once one frame waits.
    slow_ws = await connect(
        f"{live_server.ws_url}/ws?token={token_for(services)}",
        max_queue=1,
        max_size=2**20,
        ping_interval=None,
    )
    await slow_ws.send(json.dumps({"op": "subscribe", "ref": "s", "channel": channel}))
    reply = json.loads(await slow_ws.recv())
    assert reply["ok"] is True

    text = "x" * 16_000
    lags: list[float] = []
    total = 0
    for batch in range(60):  # 15 events * 16 KB per batch: far more than buffers hold in all
        await commit_batch(services, room, range(total + 1, total + 16), text)
        total += 15
        while len(healthy.events) < total:
            try:
                frame = json.loads(await asyncio.wait_for(healthy.ws.recv(), 10))
            except ConnectionClosed:
                raise AssertionError(
                    f"healthy closed at {len(healthy.events)} of {total}, batch {batch}"
                ) from None
            if frame.get("op") == "event":
                healthy.events.append(frame)
                lags.append(time.time() - datetime.fromisoformat(frame["ts"]).timestamp())
        if batch == 5:
            baseline = sorted(lags)[len(lags) // 2]
    assert [e["offset"] for e in healthy.events] == list(range(1, total + 1))
    registry = services.metrics_registry
    assert registry.get_sample_value("edtech_ws_slow_consumer_closes_total") == 1
    late = sorted(lags[len(lags) // 2 :])
    assert late[len(late) // 2] < max(0.25, baseline * 5)  # no build-up behind the slow one

    received: list[int] = []
    code = None
    try:
        while True:
            frame = json.loads(await asyncio.wait_for(slow_ws.recv(), 10))
            if frame.get("op") == "event":
                received.append(frame["offset"])
    except ConnectionClosed as exc:
        code = exc.rcvd.code if exc.rcvd else None
    assert code == 4009
    assert received == list(range(1, len(received) + 1))
    assert len(received) < total

    resumed = await Client.open(live_server.ws_url, token_for(services))
    again = await resumed.subscribe(
        channel, since={"offset": received[-1], "epoch": reply["data"]["epoch"]}
    )
    assert again["data"]["recovered"] is True
    assert await resumed.wait_events(channel, total - len(received)) == list(
        range(len(received) + 1, total + 1)
    )
    await resumed.close()
    await healthy.close()
