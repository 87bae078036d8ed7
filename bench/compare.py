"""edtech side by side with its peers, in one run: fan-out, chat and idle memory.

    npm ci --prefix bench/baselines/node && uv sync --group bench                   # once
    uv run --group bench python -m bench.compare --out bench/results/compare.md      # full size
    uv run --group bench python -m bench.compare --repeat 1 --seconds 8 \\
        --fanout-clients 1000 --chat-channels 1000 --idle 5000 --out bench/results/compare.md

Systems (each: two server nodes sharing one private Redis; edtech also a throw-away PostgreSQL
database):

* `edtech` — `python -m bench.node`: the real app; `POST /bench/publish` commits every event
  through the unit of work (outbox row, channel offset, PostgreSQL) before it is published.
* `python-socketio` — `bench/baselines/pysio_server.py`: python-socketio + `AsyncRedisManager`.
* `node-socketio` — `bench/baselines/node/server.js`: socket.io + `@socket.io/redis-adapter`
  (`npm ci --prefix bench/baselines/node` first).

The peers persist nothing. Every system gets the same traffic from the same client code: the
subscribers are `bench.loadgen` processes (raw websocket protocols; `--protocol socketio` for
the peers), the publisher is a raw keep-alive HTTP/1.1 client in this process posting
`{"channel", "n", "ts"}` to each system's publish route, alternating between the two nodes.
With two or more cores the servers and Redis are pinned to core 0 and this process and the load
generators to core 1 (`taskset`); PostgreSQL is a shared service here and is not pinned (its
backends' CPU is measured and reported apart).

Scenarios (sizes are flags; the defaults are the issue's):

* `fanout-rate` / `fanout-sat` — `--fanout-clients` subscribers on one channel, half per node;
  events at `--fanout-rate` per second, or back-to-back from `--concurrency` connections.
* `chat-rate` / `chat-sat` — `--chat-channels` channels × 2 subscribers, one on each node;
  messages at `--chat-rate` per second spread over the channels, or back-to-back.
* `idle-N` — N connected idle sockets (edtech: authenticated) on one node; RSS growth per socket
  after a warm-up of 50.

Per run: messages published (2xx), deliveries expected and received, subscribers missing
something, out-of-order deliveries, deliveries/s, send → delivery latency p50/p99, and server
CPU: the nodes' CPU seconds (user + system, `/proc`) per published message, Redis's, and for
edtech PostgreSQL's backends serving the bench database. `--repeat` runs everything that many
times, interleaving the systems, and the table shows the median (and the runs).

`--edtech-before DIR` also runs edtech from another checkout (a `git worktree` of an earlier
commit) as `edtech-before`, interleaved with the others: a change's before and after in one run.
`--profile DIR` records a py-spy flame graph of node 0 of each Python system per scenario (it
costs that node some CPU: profile in a separate run from the one you quote).
"""

# Scripts that coordinate processes through files and polling, on purpose.
# ruff: noqa: ASYNC109, ASYNC110, ASYNC220, ASYNC240, SIM115

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bench import common
from bench.node import SECRET, token
from edtech.platform.security.tokens import TokenSigner

NODE_DIR = common.ROOT / "bench" / "baselines" / "node"
TICK = os.sysconf("SC_CLK_TCK")


def pinned(core: int | None, argv: Sequence[str]) -> list[str]:
    if core is None:
        return list(argv)
    return ["taskset", "-c", str(core), *argv]


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


@dataclass
class System:
    name: str
    protocol: str
    publish_path: str
    server_core: int | None
    database: str = ""
    redis_url: str = ""
    tree: Path | None = None
    """Another checkout to run this edtech from (`--edtech-before`): before/after in one run."""

    def ws_url(self, port: int) -> str:
        return f"ws://127.0.0.1:{port}/ws"

    def channel(self, room: uuid.UUID) -> str:
        return f"bench.room.{room}"

    def publish_channel(self, room: uuid.UUID) -> str:
        return str(room) if self.name.startswith("edtech") else self.channel(room)

    def start(self, port: int, name: str) -> subprocess.Popen[bytes]:
        log = open(f"/tmp/edtech-compare-{self.name}-{name}.log", "wb")
        env = None
        if self.name.startswith("edtech"):
            if self.tree is not None:
                env = {**os.environ, "PYTHONPATH": f"{self.tree / 'src'}:{self.tree}"}
            argv = [
                sys.executable, "-m", "bench.node", "--port", str(port),
                "--database-url", self.database, "--broker-url", self.redis_url, "--name", name,
            ]  # fmt: skip
        elif self.name == "python-socketio":
            argv = [
                sys.executable, "-m", "bench.baselines.pysio_server",
                "--port", str(port), "--redis", self.redis_url,
            ]  # fmt: skip
        else:
            node = shutil.which("node") or "node"
            argv = [
                node,
                str(NODE_DIR / "server.js"),
                "--port",
                str(port),
                "--redis",
                self.redis_url,
            ]
        return subprocess.Popen(
            pinned(self.server_core, argv),
            cwd=self.tree or common.ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


class HttpConn:
    """One keep-alive HTTP/1.1 connection; `post` waits for the answer (no pipelining)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(
            b"POST %s HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (path.encode(), len(body), body)
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        if status not in (204, 304):
            if b"transfer-encoding: chunked" in lower:
                while True:
                    size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                    await self.reader.readexactly(size + 2)
                    if size == 0:
                        break
            else:
                at = lower.find(b"content-length:")
                if at >= 0:
                    n = int(lower[at + 15 : lower.index(b"\r\n", at)])
                    await self.reader.readexactly(n)
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@dataclass
class Published:
    ok: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0


async def publish(
    system: System,
    ports: Sequence[int],
    rooms: Sequence[uuid.UUID],
    *,
    rate: float | None,
    seconds: float,
    concurrency: int,
) -> Published:
    """Post messages round-robin over `rooms` and the nodes; at `rate` (open loop: each message's
    `ts` is its scheduled instant) or back-to-back from `concurrency` connections per node."""
    out = Published()
    seq: dict[uuid.UUID, int] = {}
    pools: list[asyncio.Queue[HttpConn]] = []
    for port in ports:
        q: asyncio.Queue[HttpConn] = asyncio.Queue()
        for _ in range(concurrency):
            q.put_nowait(HttpConn(port))
        pools.append(q)

    def body(i: int, at: float) -> tuple[str, bytes]:
        room = rooms[i % len(rooms)]
        n = seq[room] = seq.get(room, 0) + 1
        ts = datetime.fromtimestamp(at, UTC).isoformat()
        msg = {"channel": system.publish_channel(room), "n": n, "ts": ts}
        return system.publish_channel(room), json.dumps(msg).encode()

    async def send(i: int, channel: str, payload: bytes) -> None:
        pool = pools[i % len(pools)]
        conn = await pool.get()
        try:
            status = await conn.post(system.publish_path, payload)
        except (OSError, asyncio.IncompleteReadError):
            conn.close()
            conn = HttpConn(conn.port)
            status = 599
        pool.put_nowait(conn)
        if 200 <= status < 300:
            out.ok[channel] = out.ok.get(channel, 0) + 1
        else:
            out.errors += 1

    started = time.monotonic()
    wall0 = time.time()
    if rate is not None:
        total = int(rate * seconds)
        tasks = []
        for i in range(total):
            delay = started + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            channel, payload = body(i, wall0 + i / rate)
            tasks.append(asyncio.create_task(send(i, channel, payload)))
        await asyncio.gather(*tasks)
    else:
        counter = iter(range(10**9))
        deadline = started + seconds

        async def worker() -> None:
            while time.monotonic() < deadline:
                i = next(counter)
                channel, payload = body(i, time.time())
                await send(i, channel, payload)

        await asyncio.gather(*(worker() for _ in range(concurrency * len(ports))))
    out.seconds = time.monotonic() - started
    for pool in pools:
        while not pool.empty():
            pool.get_nowait().close()
    return out


async def wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server on {port} exited with {proc.returncode}")
        try:
            r, w = await asyncio.open_connection("127.0.0.1", port)
            w.write(b"GET /readyz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
            head = await r.read(64)
            w.close()
            if b" 200 " in head:
                return
        except OSError:
            pass
        await asyncio.sleep(0.25)
    raise RuntimeError(f"server on {port} never became ready")


async def pg_backends(database: str) -> list[int]:
    if not database:
        return []
    name = database.rpartition("/")[2]
    conn = await asyncpg.connect(common.POSTGRES.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        rows = await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", name)
    finally:
        await conn.close()
    return [int(r["pid"]) for r in rows]


async def pg_sessions(database: str) -> int:
    """Backends ever started on the bench database (`pg_stat_database.sessions`, PostgreSQL
    14+): their growth over a run is the node pools' connection churn. The PG CPU column reads
    the backends alive at the end, so it misses backends that were opened and closed in the
    run: with churn it undercounts."""
    if not database:
        return 0
    name = database.rpartition("/")[2]
    conn = await asyncpg.connect(common.POSTGRES.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute("SELECT pg_stat_clear_snapshot()")
        n = await conn.fetchval("SELECT sessions FROM pg_stat_database WHERE datname = $1", name)
    finally:
        await conn.close()
    return int(n or 0)


@dataclass
class Env:
    work: Path
    lg_core: int | None
    tokens: Path


def loadgen(
    env: Env,
    system: System,
    port: int,
    clients: int,
    channels: Sequence[str],
    tag: str,
    sample: int,
) -> subprocess.Popen[bytes]:
    chans = env.work / f"{tag}.channels"
    chans.write_text("\n".join(channels))
    argv = [
        sys.executable, "-m", "bench.loadgen", "--url", system.ws_url(port),
        "--clients", str(clients), "--channels-file", str(chans),
        "--tokens-file", str(env.tokens), "--protocol", system.protocol,
        "--out", str(env.work / f"{tag}.json"), "--ready-file", str(env.work / f"{tag}.ready"),
        "--stop-file", str(env.work / f"{tag}.stop"), "--sample-every", str(sample),
    ]  # fmt: skip
    return subprocess.Popen(pinned(env.lg_core, argv), cwd=common.ROOT)


def subscriptions(
    system: System, scenario: str, rooms: Sequence[uuid.UUID], args: argparse.Namespace
) -> list[list[str]]:
    """Per node, the channels of its subscribers (one socket per entry). Fan-out: the
    `--fanout-clients` subscribers of the one room spread evenly over the nodes. Chat: room j's
    two subscribers on nodes j and j + 1 (mod the node count): on different nodes whenever
    there are two or more, both on the one node otherwise."""
    n = args.nodes
    if scenario.startswith("fanout"):
        channel = system.channel(rooms[0])
        return [[channel] * (args.fanout_clients // n) for _ in range(n)]
    per_node: list[list[str]] = [[] for _ in range(n)]
    for j, room in enumerate(rooms):
        per_node[j % n].append(system.channel(room))
        per_node[(j + 1) % n].append(system.channel(room))
    return per_node


async def idle_cpu(
    pids: Sequence[int], pg: Sequence[int], redis_pid: int, seconds: float
) -> dict[str, float]:
    """CPU spent per second with the subscribers connected and nothing published (timers,
    the relay's and the probe's polling): the servers' background, which the per-message
    figures of a run include. Nothing when `seconds` is 0."""
    if seconds <= 0:
        return {}
    nodes0, pg0, redis0 = (
        sum(map(cpu_seconds, pids)),
        sum(map(cpu_seconds, pg)),
        cpu_seconds(redis_pid),
    )
    await asyncio.sleep(seconds)
    nodes1, pg1, redis1 = (
        sum(map(cpu_seconds, pids)),
        sum(map(cpu_seconds, pg)),
        cpu_seconds(redis_pid),
    )
    return {
        "idle_node_cpu_ms_per_s": round(1000 * (nodes1 - nodes0) / seconds, 2),
        "idle_pg_cpu_ms_per_s": round(1000 * (pg1 - pg0) / seconds, 2),
        "idle_redis_cpu_ms_per_s": round(1000 * (redis1 - redis0) / seconds, 2),
    }


async def run_traffic(
    env: Env,
    system: System,
    scenario: str,
    args: argparse.Namespace,
    redis_pid: int,
) -> dict[str, Any]:
    ports = [common.free_port() for _ in range(args.nodes)]
    nodes = [system.start(p, f"n{i}") for i, p in enumerate(ports)]
    lgs: list[subprocess.Popen[bytes]] = []
    tag = f"{system.name}-{scenario}-{uuid.uuid4().hex[:6]}"
    try:
        for port, proc in zip(ports, nodes, strict=True):
            await wait_ready(port, proc)
        # FastAPI builds its routes' contexts on the first request it routes (~250 routes, up
        # to seconds on a busy machine): pay that before measuring, on every node.
        await publish(system, ports, [uuid.uuid4()], rate=None, seconds=0.5, concurrency=1)
        if scenario.startswith("fanout"):
            rooms = [uuid.uuid4()]
            sample = 10
        else:
            rooms = [uuid.uuid4() for _ in range(args.chat_channels)]
            sample = 1
        for i, (port, channels) in enumerate(
            zip(ports, subscriptions(system, scenario, rooms, args), strict=True)
        ):
            lgs.append(loadgen(env, system, port, len(channels), channels, f"{tag}-{i}", sample))
        while not all((env.work / f"{tag}-{i}.ready").exists() for i in range(len(ports))):
            if any(p.poll() is not None for p in lgs):
                raise RuntimeError(f"a load generator died ({system.name} {scenario})")
            if any(p.poll() is not None for p in nodes):
                raise RuntimeError(f"a server died ({system.name} {scenario})")
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)
        pids = [p.pid for p in nodes]
        pg = await pg_backends(system.database)
        idle = await idle_cpu(pids, pg, redis_pid, getattr(args, "baseline", 0.0))
        sessions0 = await pg_sessions(system.database)
        spy = None
        if args.profile and system.name != "node-socketio":
            svg = Path(args.profile) / f"{system.name}-{scenario}.svg"
            svg.parent.mkdir(parents=True, exist_ok=True)
            spy = subprocess.Popen(
                pinned(
                    env.lg_core,
                    [
                        str(Path(sys.executable).parent / "py-spy"),
                        "record",
                        "--pid",
                        str(pids[0]),
                        "--rate",
                        "200",
                        "--nonblocking",
                        "--format",
                        "flamegraph",
                        "-o",
                        str(svg),
                    ],
                ),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        cpu0 = [cpu_seconds(p) for p in pids]
        redis0 = cpu_seconds(redis_pid)
        pg0 = {p: cpu_seconds(p) for p in pg}
        if scenario == "fanout-rate":
            rate: float | None = args.fanout_rate
        elif scenario == "chat-rate":
            rate = args.chat_rate
        else:
            rate = None
        # Each message's `ts` is its scheduled instant: a full collection of this process while
        # publishing (one of 221 ms was seen) would read as every system's latency.
        gc.collect()
        gc.freeze()
        pub = await publish(
            system, ports, rooms, rate=rate, seconds=args.seconds, concurrency=args.concurrency
        )
        gc.unfreeze()
        await asyncio.sleep(args.settle)
        cpu1 = [cpu_seconds(p) for p in pids]
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(60)
        redis1 = cpu_seconds(redis_pid)
        pg1 = {p: cpu_seconds(p) for p in await pg_backends(system.database)}
        sessions1 = await pg_sessions(system.database)
        for i in range(len(ports)):
            (env.work / f"{tag}-{i}.stop").write_text("stop")
        for lg in lgs:
            while lg.poll() is None:
                await asyncio.sleep(0.2)
        results = [
            json.loads((env.work / f"{tag}-{i}.json").read_text()) for i in range(len(ports))
        ]
    finally:
        for lg in lgs:
            if lg.poll() is None:
                lg.kill()
        for node in nodes:
            node.terminate()
        for node in nodes:
            try:
                node.wait(15)
            except subprocess.TimeoutExpired:
                node.kill()
    published = sum(pub.ok.values())
    expected = 0
    complete = 0
    subscribers = 0
    for r in results:
        for ch, count in zip(r["channels"], r["per_socket"], strict=True):
            key = ch.removeprefix("bench.room.") if system.name.startswith("edtech") else ch
            want = pub.ok.get(key, 0)
            expected += want
            subscribers += 1
            complete += count == want
    delivered = sum(r["delivered"] for r in results)
    firsts = [r["first_at"] for r in results if r["first_at"]]
    last = max(r["last_at"] for r in results)
    lat = [x for r in results for x in r["latency_samples"]]
    node_cpu = sum(cpu1) - sum(cpu0)
    pg_cpu = sum(v - pg0.get(p, 0.0) for p, v in pg1.items())
    return {
        "system": system.name,
        "scenario": scenario,
        "nodes": len(ports),
        "offered_per_s": rate,
        "published": published,
        "errors": pub.errors,
        "publish_seconds": round(pub.seconds, 2),
        "messages_per_s": round(published / pub.seconds, 1),
        "subscribers": subscribers,
        "expected": expected,
        "delivered": delivered,
        "incomplete_subscribers": subscribers - complete,
        "out_of_order": sum(r["out_of_order"] for r in results),
        "deliveries_per_s": round(delivered / (last - min(firsts))) if firsts else 0,
        "p50_ms": round(common.percentile(lat, 0.5) * 1000, 1),
        "p99_ms": round(common.percentile(lat, 0.99) * 1000, 1),
        "node_cpu_s": round(node_cpu, 2),
        "node_cpu_ms_per_msg": round(1000 * node_cpu / published, 3) if published else None,
        "redis_cpu_s": round(redis1 - redis0, 2),
        "pg_cpu_s": round(pg_cpu, 2),
        "pg_cpu_ms_per_msg": round(1000 * pg_cpu / published, 3) if published else None,
        # minus the two this script opened to read the counters
        "pg_new_backends": max(0, sessions1 - sessions0 - 2) if system.database else None,
        "window_s": round(pub.seconds + args.settle, 2),
        **idle,
    }


async def run_idle(env: Env, system: System, clients: int) -> dict[str, Any]:
    port = common.free_port()
    node = system.start(port, "idle")
    lgs: list[subprocess.Popen[bytes]] = []
    tag = f"{system.name}-idle{clients}-{uuid.uuid4().hex[:6]}"
    try:
        await wait_ready(port, node)
        lgs.append(loadgen(env, system, port, 50, [""], f"{tag}-w", 10))
        while not (env.work / f"{tag}-w.ready").exists():
            if lgs[0].poll() is not None:
                raise RuntimeError("the warm-up load generator died")
            await asyncio.sleep(0.2)
        await asyncio.sleep(2)
        before = rss_kib(node.pid)
        lgs.append(loadgen(env, system, port, clients, [""], f"{tag}-i", 10))
        while not (env.work / f"{tag}-i.ready").exists():
            if lgs[1].poll() is not None:
                raise RuntimeError("the idle load generator died")
            await asyncio.sleep(0.2)
        await asyncio.sleep(3)
        after = rss_kib(node.pid)
        for t in ("w", "i"):
            (env.work / f"{tag}-{t}.stop").write_text("stop")
        for lg in lgs:
            lg.wait(120)
        opened = json.loads((env.work / f"{tag}-i.json").read_text())["clients"]
    finally:
        for lg in lgs:
            if lg.poll() is None:
                lg.kill()
        node.terminate()
        try:
            node.wait(20)
        except subprocess.TimeoutExpired:
            node.kill()
    return {
        "system": system.name,
        "scenario": f"idle-{clients}",
        "subscribers": opened,
        "rss_before_kib": before,
        "rss_after_kib": after,
        "kib_per_connection": round((after - before) / clients, 2),
    }


def median_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(rows[0])
    for key, value in rows[0].items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            values = [r[key] for r in rows if r.get(key) is not None]
            out[key] = statistics.median(values) if values else None
    out["runs"] = len(rows)
    return out


def fmt(v: Any) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.1f}" if abs(v) >= 10 else f"{v:.3g}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def table(rows: list[dict[str, Any]]) -> str:
    traffic = [r for r in rows if not r["scenario"].startswith("idle")]
    idle = [r for r in rows if r["scenario"].startswith("idle")]
    lines = [
        "| scenario | system | offered/s | msgs/s | delivered / expected | incomplete subs "
        "| out of order | deliveries/s | p50 ms | p99 ms | node CPU ms/msg | PG CPU ms/msg "
        "| Redis CPU s | runs (deliveries/s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in traffic:
        groups.setdefault((r["scenario"], r["system"]), []).append(r)
    for (scenario, system), rs in sorted(groups.items()):
        m = median_row(rs)
        runs = ", ".join(fmt(r["deliveries_per_s"]) for r in rs)
        lines.append(
            f"| {scenario} | {system} | {fmt(m['offered_per_s'])} | {fmt(m['messages_per_s'])} "
            f"| {fmt(m['delivered'])} / {fmt(m['expected'])} | {fmt(m['incomplete_subscribers'])} "
            f"| {fmt(m['out_of_order'])} | {fmt(m['deliveries_per_s'])} | {fmt(m['p50_ms'])} "
            f"| {fmt(m['p99_ms'])} | {fmt(m['node_cpu_ms_per_msg'])} "
            f"| {fmt(m['pg_cpu_ms_per_msg']) if system.startswith('edtech') else '–'} "
            f"| {fmt(m['redis_cpu_s'])} | {runs} |"
        )
    if idle:
        lines += [
            "",
            "| scenario | system | sockets open | KiB per connection | runs |",
            "|---|---|---|---|---|",
        ]
        igroups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in idle:
            igroups.setdefault((r["scenario"], r["system"]), []).append(r)
        for (scenario, system), rs in sorted(igroups.items()):
            m = median_row(rs)
            runs = ", ".join(fmt(r["kib_per_connection"]) for r in rs)
            lines.append(
                f"| {scenario} | {system} | {fmt(m['subscribers'])} "
                f"| {fmt(m['kib_per_connection'])} | {runs} |"
            )
    return "\n".join(lines)


def versions() -> str:
    def pkg(name: str) -> str:
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version(name)
        except PackageNotFoundError:
            return "absent"

    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    lock = NODE_DIR / "node_modules" / ".package-lock.json"
    npm = {}
    if lock.exists():
        packages = json.loads(lock.read_text())["packages"]
        for name in ("socket.io", "@socket.io/redis-adapter", "redis"):
            npm[name] = packages.get(f"node_modules/{name}", {}).get("version", "?")
    redis = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout
    return (
        f"python-socketio {pkg('python-socketio')}, uvicorn {pkg('uvicorn')}, "
        f"websockets {pkg('websockets')}, redis-py {pkg('redis')}; node {node}, "
        + ", ".join(f"{k} {v}" for k, v in npm.items())
        + f"; {redis.split(' ')[2] if redis else 'redis ?'}"
    )


async def main_async(args: argparse.Namespace) -> None:
    cores = os.cpu_count() or 1
    server_core, lg_core = (0, 1) if cores >= 2 and not args.no_pin else (None, None)
    if lg_core is not None:
        os.sched_setaffinity(0, {lg_core})
    work = Path(tempfile.mkdtemp(prefix="edtech-compare-"))
    tokens = work / "tokens.txt"
    signer = TokenSigner(SECRET)
    n_tokens = max([*args.idle, args.fanout_clients, args.chat_channels * 2, 50])
    tokens.write_text("\n".join(token(signer) for _ in range(n_tokens)))
    env = Env(work, lg_core, tokens)
    systems = [
        System("edtech", "edtech", "/bench/publish", server_core),
        System("python-socketio", "socketio", "/publish", server_core),
        System("node-socketio", "socketio", "/publish", server_core),
    ]
    if args.edtech_before:
        before = System("edtech-before", "edtech", "/bench/publish", server_core)
        before.tree = Path(args.edtech_before).resolve()
        systems.insert(1, before)
    systems = [s for s in systems if s.name in args.systems or s.name == "edtech-before"]
    redis_proc, redis_url = common.start_redis(pinned(server_core, []))
    edtech = any(s.name.startswith("edtech") for s in systems)
    database = await common.create_database() if edtech else ""
    for s in systems:
        s.redis_url = redis_url
        if s.name.startswith("edtech"):
            s.database = database
    header = (
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {common.machine()}\n"
        f"pinning: servers + Redis on core {server_core}, publisher + load generators on core "
        f"{lg_core}; {versions()}\nargs: {vars(args)}\n"
    )
    print(header, flush=True)
    rows: list[dict[str, Any]] = []
    failed: list[str] = []
    try:
        for rep in range(args.repeat):
            for scenario in args.scenarios:
                for s in systems:
                    if scenario == "idle":
                        for n in args.idle:
                            row = await run_idle(env, s, n)
                            rows.append(row)
                            print(json.dumps(row), flush=True)
                        continue
                    try:
                        row = await run_traffic(env, s, scenario, args, redis_proc.pid)
                    except RuntimeError as exc:  # a run that could not start: say so, go on
                        print(f"{s.name} {scenario} rep {rep} failed: {exc}", flush=True)
                        failed.append(f"{s.name} {scenario} rep {rep}: {exc}")
                        continue
                    row["rep"] = rep
                    rows.append(row)
                    print(json.dumps(row), flush=True)
    finally:
        redis_proc.terminate()
        if database:
            await common.drop_database(database)
        if args.out:
            load = os.getloadavg()
            text = f"```\n{header}load after: {load}\n```\n\n{table(rows)}\n"
            if failed:
                text += "\nRuns that failed: " + "; ".join(failed) + "\n"
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            Path(args.out).write_text(text)
            Path(args.out).with_suffix(".json").write_text(json.dumps(rows, indent=1))
    print(table(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--systems", nargs="+", default=["edtech", "python-socketio", "node-socketio"]
    )
    parser.add_argument(
        "--scenarios",
        nargs="+",
        default=["fanout-rate", "fanout-sat", "chat-rate", "chat-sat", "idle"],
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to drain after")
    parser.add_argument("--concurrency", type=int, default=16, help="connections per node")
    parser.add_argument("--fanout-clients", type=int, default=1000)
    parser.add_argument("--fanout-rate", type=float, default=40.0)
    parser.add_argument("--chat-channels", type=int, default=2000)
    parser.add_argument("--chat-rate", type=float, default=300.0)
    parser.add_argument("--idle", type=int, nargs="+", default=[5000, 10000])
    parser.add_argument(
        "--nodes", type=int, default=2, help="server nodes per system (1 or more; the issue's: 2)"
    )
    parser.add_argument(
        "--baseline",
        type=float,
        default=0.0,
        help="seconds to measure the servers' idle CPU before publishing (0: not measured)",
    )
    parser.add_argument("--no-pin", action="store_true")
    parser.add_argument(
        "--edtech-before",
        default="",
        help="a checkout (git worktree) of an earlier commit: run it too, as `edtech-before`",
    )
    parser.add_argument("--out", default="")
    parser.add_argument(
        "--profile", default="", help="folder: py-spy flame graph of node 0 per Python scenario"
    )
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
