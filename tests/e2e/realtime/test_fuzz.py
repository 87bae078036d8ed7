"""The websocket fuzzer: random and mutated frames, deep and huge frames, binary frames, and
interleaved subscribe/unsubscribe from many sockets, against a real node.

The invariant: the node stays up and keeps serving; every frame gets a reply (an error reply
with a documented code, or the answer to a valid request) or the socket closes with a documented
close code; subscriptions leave nothing behind. Seeded, bounded in count and time; set
`EDTECH_FUZZ_FULL=1` for the long profile (ten times the frames and sockets).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import random
import string
import uuid
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from edtech.platform.db.engine import is_sqlite
from edtech.realtime.protocol import CloseCode, ErrorCode
from edtech.settings import Settings
from tests.integration.realtime.support import Client, commit_posts, new_room, token_for
from tests.servers import LiveServer

FULL = os.environ.get("EDTECH_FUZZ_FULL") == "1"
FRAMES = 4000 if FULL else 400
SOCKETS = 100 if FULL else 12
DOCUMENTED_CLOSES = {int(code) for code in CloseCode} - {CloseCode.INTERNAL_ERROR}
"""What input may end a socket with: 1011 is a fault of the server's, never an answer to input."""
ERROR_CODES = {str(code) for code in ErrorCode}
OPS = ["subscribe", "unsubscribe", "send", "typing", "presence", "refresh", "ping", "nope", ""]


def _scalar(rng: random.Random) -> Any:
    return rng.choice(
        [
            None,
            True,
            rng.randint(-(2**70), 2**70),
            rng.random() * 10 ** rng.randint(-5, 300),
            "".join(rng.choice(string.printable) for _ in range(rng.randint(0, 40))),
            "\u0000\ud7ff\ufffd" * rng.randint(0, 3),
            "\ud800\udfff"[rng.randint(0, 1) :] + "é",  # a lone low surrogate, or a pair
            "x" * rng.randint(0, 5000),
        ]
    )


def _value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth > 3 or roll < 0.5:
        return _scalar(rng)
    if roll < 0.75:
        return [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {_scalar(rng).__str__()[:20]: _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def _mutated(rng: random.Random, room: uuid.UUID) -> str:
    """A plausible frame with one or more fields broken."""
    frame: dict[str, Any] = {
        "op": rng.choice(OPS),
        "ref": str(rng.randint(0, 10**6)) if rng.random() < 0.8 else _scalar(rng),
        "channel": rng.choice([f"test.room.{room}", f"user.{uuid.uuid4()}", "x" * 300, "Bad!"]),
    }
    if rng.random() < 0.5:
        frame["since"] = {"offset": _scalar(rng), "epoch": _scalar(rng)}
    if rng.random() < 0.5:
        frame["data"] = _value(rng)
        frame["id"] = _scalar(rng)
    for _ in range(rng.randint(0, 3)):
        key = rng.choice([*frame.keys(), "extra"])
        frame[key] = _value(rng)
    return json.dumps(frame, default=str)


def _garbage(rng: random.Random) -> str:
    return rng.choice(
        [
            "".join(rng.choice(string.printable) for _ in range(rng.randint(0, 200))),
            json.dumps(_value(rng), default=str),
            "{" * rng.randint(1, 500),
            '{"op": "subscribe", "channel": ' * rng.randint(1, 50),
            "[" * rng.randint(1, 2000),
        ]
    )


def _frame(rng: random.Random, room: uuid.UUID) -> str | bytes:
    roll = rng.random()
    if roll < 0.05:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64)))
    if roll < 0.55:
        return _mutated(rng, room)
    return _garbage(rng)


async def _healthy(server: LiveServer) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        assert (await http.get("/healthz")).status_code == 200


def _answer_is_documented(frame: dict[str, Any]) -> None:
    op = frame.get("op")
    assert op in {"reply", "pong", "event", "presence_diff", "unsubscribed"}, frame
    if op == "reply" and frame.get("ok") is False:
        assert frame["error"]["code"] in ERROR_CODES, frame


async def test_random_and_mutated_frames_get_documented_answers(live_server: LiveServer) -> None:
    rng = random.Random(20261204)
    services = live_server.app.state.services
    room = new_room()
    client = await Client.open(live_server.ws_url, token_for(services))
    sent = answered = reopened = 0
    for _ in range(FRAMES):
        frame = _frame(rng, room)
        try:
            await client.ws.send(frame)
            sent += 1
            # The rate limit (burst 60, 20/s) is part of the contract: stay under it, so every
            # frame is judged on its content rather than on the pace.
            raw = await asyncio.wait_for(client.ws.recv(), 10)
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else None
            assert code in DOCUMENTED_CLOSES, f"closed with {code} after {frame[:200]!r}"
            reopened += 1
            client = await Client.open(live_server.ws_url, token_for(services))
            continue
        _answer_is_documented(json.loads(raw))
        answered += 1
        await asyncio.sleep(0.03)
    await client.close()
    assert answered + reopened == sent
    assert answered > sent * 0.9  # only oversized or flooding frames may end a socket
    await _healthy(live_server)


async def test_a_deeply_nested_frame_gets_an_error_reply(live_server: LiveServer) -> None:
    client = await Client.open(live_server.ws_url, token_for(live_server.app.state.services))
    for depth in (1_000, 30_000):
        await client.ws.send("[" * depth)
        reply = json.loads(await asyncio.wait_for(client.ws.recv(), 10))
        assert reply["op"] == "reply"
        assert reply["ok"] is False
        assert reply["error"]["code"] == ErrorCode.BAD_JSON
    assert (await client.request("ping"))["op"] in ("pong", "reply")  # the socket goes on
    await client.close()


async def test_interleaved_subscriptions_from_many_sockets_leave_nothing_behind(
    live_server: LiveServer,
) -> None:
    rng = random.Random(42)
    services = live_server.app.state.services
    hub = live_server.app.state.realtime.hub
    room = new_room()
    channel = f"test.room.{room}"
    clients = [await Client.open(live_server.ws_url, token_for(services)) for _ in range(SOCKETS)]
    subscribed = [False] * SOCKETS

    async def churn(i: int) -> None:
        for _ in range(20):
            op = "unsubscribe" if subscribed[i] and rng.random() < 0.5 else "subscribe"
            reply = await clients[i].request(op, channel=channel)
            _answer_is_documented(reply)
            if op == "subscribe":
                subscribed[i] = True
            elif reply["ok"]:
                subscribed[i] = False
            await asyncio.sleep(rng.random() / 20)

    await asyncio.gather(*(churn(i) for i in range(SOCKETS)))
    await commit_posts(services, room, [1])
    for i, client in enumerate(clients):
        if subscribed[i]:
            event = await client.until(lambda f: f.get("op") == "event")
            assert event["channel"] == channel
            assert event["data"]["n"] == 1
    for client in clients:
        await client.close()
    async with asyncio.timeout(10):
        while hub.broker.channels:
            await asyncio.sleep(0.05)  # the node's last local subscriber went: no listener left
    await _healthy(live_server)


# Memory: the node's resident set may grow with what it must hold (sockets, subscriptions,
# queues), never with what it was sent. Recorded in docs/fuzz.md.
RSS_BASE_MIB = 16
RSS_PER_SOCKET_MIB = 1.0
"""The bound on the growth of the node process's RSS over all four phases, after a warm-up:
16 MiB, plus 1 MiB per socket open at once in the busiest phase (the node runs in this test's
process, so each socket counts both ends, with their buffers). What the sockets were sent —
~8 MiB of huge frames in the CI profile, ~80 MiB in the full one — must not show."""


def rss_mib() -> float:
    """This process's resident set, from /proc (Linux)."""
    gc.collect()
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


async def _flood(server: LiveServer, sockets: int, frames: int) -> None:
    """Sockets that send as fast as they can: cut off by the rate limit (a documented close)."""
    services = server.app.state.services

    async def one() -> None:
        client = await Client.open(server.ws_url, token_for(services))
        try:
            for n in range(frames):
                await client.ws.send(json.dumps({"op": "ping", "ref": str(n)}))
            await _closed_or_answering(client)
        except ConnectionClosed as exc:
            closed = exc.rcvd.code if exc.rcvd else None
            assert closed in DOCUMENTED_CLOSES, closed
        finally:
            await client.close()

    await asyncio.gather(*(one() for _ in range(sockets)))


async def _closed_or_answering(client: Client) -> None:
    """Drain what the node answered until it closes the socket or goes quiet."""
    try:
        while True:
            _answer_is_documented(json.loads(await asyncio.wait_for(client.ws.recv(), 2)))
    except TimeoutError:
        return


async def _huge_and_deep(server: LiveServer, sockets: int, frames: int) -> None:
    """Frames just under the size limit, over it, and nested 30,000 deep, from `sockets`
    sockets at once, each paced under the rate limit: every one gets an error reply or close
    1009 (then the socket is opened again)."""
    services = server.app.state.services
    limit = services.settings.realtime.ws_max_frame_bytes

    async def one() -> None:
        client = await Client.open(server.ws_url, token_for(services))
        for n in range(frames):
            try:
                await client.ws.send(rng_frame(n, limit))
                _answer_is_documented(json.loads(await asyncio.wait_for(client.ws.recv(), 10)))
            except ConnectionClosed as exc:
                closed = exc.rcvd.code if exc.rcvd else None
                assert closed in DOCUMENTED_CLOSES, closed
                client = await Client.open(server.ws_url, token_for(services))
            await asyncio.sleep(0.06)
        await client.close()

    await asyncio.gather(*(one() for _ in range(sockets)))


def rng_frame(n: int, limit: int) -> str:
    kind = n % 3
    if kind == 0:
        return '{"op": "ping", "ref": "' + "x" * (limit - 64) + '"}'  # just under
    if kind == 1:
        return "x" * (limit + 1)  # over: close 1009
    return "[" * 30_000  # deep: bad_json


async def test_memory_stays_bounded_through_floods_huge_deep_and_interleaved_frames(
    live_server: LiveServer, settings: Settings
) -> None:
    if not is_sqlite(settings.database_url):
        pytest.skip("the hub's memory does not depend on the database: measured once, on SQLite")
    scale = 10 if FULL else 1
    await _flood(live_server, sockets=4, frames=50)  # warm-up: imports, pools, first sockets
    figures = {"before": rss_mib()}
    await _flood(live_server, sockets=10 * scale, frames=200)
    figures["after flood"] = rss_mib()
    await _huge_and_deep(live_server, sockets=8 * scale, frames=24)  # ~8 MiB (~80 in full)
    figures["after huge and deep"] = rss_mib()
    await test_interleaved_subscriptions_from_many_sockets_leave_nothing_behind(live_server)
    figures["after interleaved"] = rss_mib()
    print("node RSS (MiB):", {k: round(v, 1) for k, v in figures.items()})  # for docs/fuzz.md
    growth = max(figures.values()) - figures["before"]
    busiest = max(10 * scale, 8 * scale, SOCKETS)  # flood, huge-and-deep, interleaved sockets
    assert growth < RSS_BASE_MIB + RSS_PER_SOCKET_MIB * busiest, figures
    await _healthy(live_server)
