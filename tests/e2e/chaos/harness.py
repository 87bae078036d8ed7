"""The chaos suite's moving parts: a publisher that commits numbered events on a few channels,
clients that track offsets per channel and resume with `since` after any close, a readiness
watch, private PostgreSQL and Redis servers the faults may stop, and the checker.

The invariant, checked by offsets against the database's `channel_state` (what was committed):
each client got every event after its first subscription exactly once after dropping duplicates
by offset, in offset order, or was told `recovered: false` for the gap; nothing else is missing.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from edtech.platform.security.tokens import TokenSigner
from edtech.topology.processes import free_port
from tests.integration.realtime.support import token_for


def _pg_bin() -> Path:
    """Where initdb and pg_ctl are: EDTECH_CHAOS_PG_BIN, else Debian's newest server version."""
    if configured := os.environ.get("EDTECH_CHAOS_PG_BIN"):
        return Path(configured)
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()
CLOSED = (ConnectionClosed, OSError, InvalidHandshake, TimeoutError)


def chaos_token(secret: str) -> str:
    """A test token the chaos node accepts (its own person, so its `send` receipts are its own)."""
    return token_for(SimpleNamespace(signer=TokenSigner(secret)), ttl=3600)


# -- private servers ------------------------------------------------------------------------


class PostgresCluster:
    """A PostgreSQL cluster of the suite's own (initdb on a free port, trust auth on loopback),
    so restarting it disturbs nothing else on the machine. Run as `postgres` when we are root
    (initdb refuses root)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="edtech-chaos-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/edtech"
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.root, "postgres")

    def _run(self, tool: str, *args: str, timeout: float = 60) -> None:
        argv = [str(PG_BIN / tool), *args]
        if self._as_postgres:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        subprocess.run(
            argv, check=True, timeout=timeout, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL
        )

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
            "-c fsync=off -c max_connections=200"
        )
        log = str(self.root / "log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # `status` says the postmaster runs; wait for accepts
            if (
                subprocess.run(
                    [str(PG_BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                    stdout=subprocess.DEVNULL,
                    check=False,
                ).returncode
                == 0
            ):
                return
            time.sleep(0.1)
        raise RuntimeError("the private PostgreSQL did not start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def destroy(self) -> None:
        if self.running():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


# -- clients --------------------------------------------------------------------------------


@dataclass
class Track:
    """What one client knows of one channel."""

    channel: str
    epoch: str = ""
    start: int | None = None
    last: int = 0
    seen: set[int] = field(default_factory=set)
    duplicates: int = 0
    out_of_order: list[tuple[int, int]] = field(default_factory=list)
    unrecovered: list[tuple[int, int]] = field(default_factory=list)
    wrong_payload: list[int] = field(default_factory=list)

    def since(self) -> dict[str, Any] | None:
        return None if self.start is None else {"offset": self.last, "epoch": self.epoch}

    def on_reply(self, data: dict[str, Any]) -> None:
        if self.start is None:
            self.start = self.last = int(data["offset"])
        elif data.get("recovered") is False:
            # Told to reload: the gap is acknowledged, live delivery goes on from here.
            if int(data["offset"]) > self.last:
                self.unrecovered.append((self.last + 1, int(data["offset"])))
            self.last = max(self.last, int(data["offset"]))
        self.epoch = data["epoch"]

    def on_event(self, offset: int, data: dict[str, Any]) -> None:
        if offset in self.seen or (self.start is not None and offset <= self.start):
            self.duplicates += 1  # dropped by offset, as a client does
            return
        if offset != self.last + 1:
            self.out_of_order.append((self.last, offset))
        if data.get("n") != offset:
            self.wrong_payload.append(offset)
        self.seen.add(offset)
        self.last = max(self.last, offset)


@dataclass
class ChaosClient:
    """A websocket client on one or more channels; after any close it reconnects (with jittered
    backoff) and resubscribes each channel with `since` its last offset."""

    url: str
    token: str
    channels: list[str]
    name: str = ""
    read_delay: float = 0.0
    """Seconds to sleep after each frame: a slow consumer."""
    rcvbuf: int = 0
    """A small kernel receive buffer (bytes), so a slow reader pushes back at once."""
    tracks: dict[str, Track] = field(default_factory=dict)
    closes: Counter[str] = field(default_factory=Counter)
    connects: int = 0
    subscribe_errors: Counter[str] = field(default_factory=Counter)
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    ws: ClientConnection | None = None
    task: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.tracks = {c: Track(c) for c in self.channels}

    def start(self) -> ChaosClient:
        self.task = asyncio.create_task(self.run(), name=f"client {self.name}")
        return self

    async def run(self) -> None:
        pause = 0.05
        while not self.stopping.is_set():
            try:
                async with connect(
                    f"{self.url}/ws?token={self.token}",
                    sock=await self._socket(),
                    open_timeout=15,
                    max_queue=1 if self.read_delay else None,
                    max_size=2**22,
                    ping_interval=None if self.read_delay else 20,
                ) as ws:
                    self.ws = ws
                    self.connects += 1
                    await self._session(ws)
                    pause = 0.05
            except ConnectionClosed as exc:
                self.closes[str(exc.rcvd.code if exc.rcvd else "no close frame")] += 1
            except CLOSED as exc:
                self.closes[type(exc).__name__] += 1
            finally:
                self.ws = None
            if not self.stopping.is_set():
                await asyncio.sleep(random.uniform(0, pause))
                pause = min(pause * 2, 1.0)

    async def _socket(self) -> socket.socket | None:
        if not self.rcvbuf:
            return None
        parts = urlsplit(self.url)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
        sock.setblocking(False)
        try:
            await asyncio.get_running_loop().sock_connect(sock, (parts.hostname, parts.port))
        except OSError:
            sock.close()
            raise
        return sock

    async def _session(self, ws: ClientConnection) -> None:
        for ref, track in enumerate(self.tracks.values()):
            frame: dict[str, Any] = {"op": "subscribe", "ref": str(ref), "channel": track.channel}
            if (since := track.since()) is not None:
                frame["since"] = since
            await ws.send(json.dumps(frame))
        replies = 0
        async for raw in ws:
            message = json.loads(raw)
            op = message.get("op")
            if op == "event":
                track = self.tracks.get(message["channel"])
                if track is not None:
                    track.on_event(int(message["offset"]), message["data"])
            elif op == "reply":
                if not message.get("ok"):
                    # e.g. `unavailable` while the database restarts: try again on a new socket.
                    self.subscribe_errors[message.get("error", {}).get("code", "?")] += 1
                    await asyncio.sleep(0.2)
                    return
                track = list(self.tracks.values())[int(message["ref"])]
                track.on_reply(message["data"])
                replies += 1
                if replies == len(self.tracks):
                    self.subscribed.set()
            if self.read_delay:
                await asyncio.sleep(self.read_delay)
            if self.stopping.is_set():
                return

    async def stop(self) -> None:
        self.stopping.set()
        if self.ws is not None:
            ws, self.ws = self.ws, None
            try:
                await asyncio.wait_for(ws.close(), 5)
            except (TimeoutError, *CLOSED):
                ws.transport.abort()
        if self.task is not None:
            await asyncio.wait_for(asyncio.gather(self.task, return_exceptions=True), 20)

    async def caught_up(self, finals: dict[str, int], timeout: float) -> bool:
        """Wait until every channel is at its final offset (or the time is up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(self.tracks[c].last >= f for c, f in finals.items() if c in self.tracks):
                return True
            await asyncio.sleep(0.1)
        return False


# -- the publisher --------------------------------------------------------------------------


@dataclass
class Publisher:
    """Commits numbered events on each channel through `send` (n = the event's offset, since
    each channel is fresh). One socket per channel, each waiting for the reply before the next;
    after a close or an error reply it retries the SAME command id, which takes effect once."""

    url: str
    token: str
    channels: list[str]
    interval: float = 0.02
    count: int = 1
    text: str = ""
    committed: dict[str, int] = field(default_factory=dict)
    """Per channel, the last offset a reply acknowledged."""
    in_flight: dict[str, int] = field(default_factory=dict)
    """Per channel, how many events the command not yet acknowledged may have committed."""
    retries: Counter[str] = field(default_factory=Counter)
    wrong_offsets: list[tuple[str, int, Any]] = field(default_factory=list)
    duplicates_answered: int = 0
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self) -> Publisher:
        self.tasks = [asyncio.create_task(self._run(c), name=f"publish {c}") for c in self.channels]
        return self

    async def _run(self, channel: str) -> None:
        n = self.committed.setdefault(channel, 0) + 1
        command, data = self._command(n)
        self.in_flight[channel] = data["count"]
        while not self.stopping.is_set():
            try:
                async with connect(f"{self.url}/ws?token={self.token}", open_timeout=10) as ws:
                    # Commands go to channels the socket is subscribed to.
                    await ws.send(json.dumps({"op": "subscribe", "ref": "s", "channel": channel}))
                    if not (await self._reply(ws, "s")).get("ok"):
                        self.retries["subscribe"] += 1
                        await asyncio.sleep(0.2)
                        continue
                    while not self.stopping.is_set():
                        frame = {"op": "send", "ref": command, "channel": channel}
                        await ws.send(json.dumps({**frame, "id": command, "data": data}))
                        reply = await self._reply(ws, command)
                        if not reply.get("ok"):
                            self.retries[reply.get("error", {}).get("code", "?")] += 1
                            await asyncio.sleep(0.2)
                            continue
                        if reply["data"]["offset"] != n:  # n numbers the channel's offsets
                            self.wrong_offsets.append((channel, n, reply["data"]))
                        self.duplicates_answered += bool(reply["data"].get("duplicate"))
                        n += data["count"]
                        self.committed[channel] = n - 1
                        command, data = self._command(n)
                        self.in_flight[channel] = data["count"]
                        await asyncio.sleep(self.interval)
            except CLOSED as exc:
                self.retries[type(exc).__name__] += 1
                await asyncio.sleep(0.1)

    def _command(self, n: int) -> tuple[str, dict[str, Any]]:
        """A new command id and its data, both kept for every retry of that command."""
        return uuid.uuid4().hex, {"n": n, "count": self.count, "text": self.text}

    @staticmethod
    async def _reply(ws: ClientConnection, ref: str) -> dict[str, Any]:
        async with asyncio.timeout(10):
            while True:
                message: dict[str, Any] = json.loads(await ws.recv())
                if message.get("op") == "reply" and message.get("ref") == ref:
                    return message

    async def stop(self) -> None:
        self.stopping.set()
        await asyncio.wait_for(asyncio.gather(*self.tasks, return_exceptions=True), 30)

    def total(self) -> int:
        return sum(self.committed.values())


# -- readiness --------------------------------------------------------------------------------


@dataclass
class ReadinessWatch:
    """Polls each node's own `/readyz` (not through Caddy) and keeps what it answered, when.

    It runs in a thread of its own: the test's event loop, busy with thousands of clients in a
    storm, would otherwise delay the probes and count its own slowness as the node's."""

    nodes: dict[str, str]
    every: float = 0.2
    samples: dict[str, list[tuple[float, str, str]]] = field(default_factory=dict)
    thread: threading.Thread | None = None
    stopping: threading.Event = field(default_factory=threading.Event)

    def start(self) -> ReadinessWatch:
        self.samples = {name: [] for name in self.nodes}
        self.thread = threading.Thread(target=self._run, name="readiness watch", daemon=True)
        self.thread.start()
        return self

    def _run(self) -> None:
        with httpx.Client(timeout=5) as http:
            while not self.stopping.is_set():
                for name, url in self.nodes.items():
                    self._probe(http, name, url)
                self.stopping.wait(self.every)

    def _probe(self, http: httpx.Client, name: str, url: str) -> None:
        try:
            r = http.get(f"{url}/readyz")
            failing = [k for k, v in r.json().get("checks", {}).items() if v != "ok"]
            self.samples[name].append((time.monotonic(), str(r.status_code), ",".join(failing)))
        except httpx.HTTPError as exc:
            self.samples[name].append((time.monotonic(), type(exc).__name__, ""))

    async def stop(self) -> None:
        self.stopping.set()
        if self.thread is not None:
            await asyncio.to_thread(self.thread.join, 10)

    def between(self, name: str, start: float, end: float) -> list[tuple[float, str, str]]:
        return [s for s in self.samples[name] if start <= s[0] <= end]

    def first(self, name: str, after: float, status: str, check: str = "") -> float | None:
        """Seconds from `after` to the first sample with `status` (and `check` failing)."""
        for t, code, failing in self.samples[name]:
            if t >= after and code == status and check in failing:
                return t - after
        return None

    async def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        since = time.monotonic()
        while time.monotonic() < deadline:
            if all(
                any(t > since and code == "200" for t, code, _ in s) for s in self.samples.values()
            ):
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"not every node ready again within {timeout}s: {self.tail()}")

    def not_ready(self) -> dict[str, list[tuple[str, str]]]:
        """Every answer other than 200, per node: (status or error, failing checks)."""
        return {n: [(c, f) for _, c, f in s if c != "200"] for n, s in self.samples.items()}

    def tail(self) -> dict[str, list[tuple[str, str]]]:
        return {n: [(c, f) for _, c, f in s[-5:]] for n, s in self.samples.items()}


# -- the checker ------------------------------------------------------------------------------


@dataclass
class Verdict:
    """The checker's figures for one run."""

    events: int = 0
    deliveries: int = 0
    lost: int = 0
    duplicates_dropped: int = 0
    out_of_order: int = 0
    wrong_payload: int = 0
    unrecovered_gaps: int = 0
    unrecovered_events: int = 0
    details: list[str] = field(default_factory=list)


def check(clients: list[ChaosClient], finals: dict[str, int]) -> Verdict:
    """Every committed offset after each client's first subscription: delivered once (after
    dedupe), in order, or inside a gap the server declared `recovered: false`."""
    verdict = Verdict(events=sum(finals.values()))
    for client in clients:
        for channel, track in client.tracks.items():
            if track.start is None:
                verdict.details.append(f"{client.name} never subscribed to {channel}")
                verdict.lost += finals[channel]
                continue
            expected = set(range(track.start + 1, finals[channel] + 1))
            excused = {o for a, b in track.unrecovered for o in range(a, b + 1)}
            missing = sorted(expected - track.seen - excused)
            verdict.deliveries += len(expected & track.seen)
            verdict.lost += len(missing)
            verdict.duplicates_dropped += track.duplicates
            verdict.out_of_order += len(track.out_of_order)
            verdict.wrong_payload += len(track.wrong_payload)
            verdict.unrecovered_gaps += len(track.unrecovered)
            verdict.unrecovered_events += len(excused & expected)
            if missing or track.out_of_order or track.wrong_payload:
                verdict.details.append(
                    f"{client.name} {channel}: start {track.start} final {finals[channel]} "
                    f"missing {missing[:10]}… ({len(missing)}) order {track.out_of_order[:5]} "
                    f"payload {track.wrong_payload[:5]} closes {dict(client.closes)}"
                )
    return verdict


async def final_offsets(database_url: str, channels: list[str]) -> dict[str, int]:
    """The committed truth: each channel's last offset in `channel_state`."""
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(database_url.replace("+asyncpg", ""))
    try:
        rows = await conn.fetch(
            "SELECT channel, last_offset FROM channel_state WHERE channel = ANY($1::text[])",
            channels,
        )
    finally:
        await conn.close()
    found = {r["channel"]: int(r["last_offset"]) for r in rows}
    return {c: found.get(c, 0) for c in channels}
