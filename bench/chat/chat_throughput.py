"""Benchmark: chat across two nodes — messages/s at saturation, latency at half of it.

Two real nodes (`edtech serve`, separate processes) share PostgreSQL and Redis. The demo school
(FULL scale) gets N direct conversations, each between a guardian and a teacher of their
child; every guardian is connected to node A, every teacher to node B, subscribed to their
conversations. A message is a websocket `send` from the guardian (stored in PostgreSQL,
idempotent by client id); it is delivered when the teacher's socket on the other node receives
its `chat.message_posted` event. Its delivery receipt (`chat.delivered`, recorded by node B
when the message reached the teacher's socket) comes back to the guardian's socket on node A.

1. Saturation: W workers send back-to-back (each waits for its reply) for D seconds;
   throughput = delivered messages per second.
2. Latency: an open loop at half that rate for D seconds; p50/p99 of send → delivery, and of
   send → delivery receipt back at the sender.
3. Over REST: R workers (`--rest-workers`, default 16) post back-to-back through
   `POST /api/v1/conversations/{id}/messages` on node A (the guardian's bearer token) for D
   seconds, delivered as above. Each request holds one of the node's pooled connections for
   its transaction (`EDTECH_DB_POOL_SIZE`, 20): more senders than that wait for one, and after
   the pool's timeout get 503.

Node CPU per message (user + system, `/proc`, each node's process; node A serves the senders,
node B the recipients and their receipts) is measured over the saturated `/ws` phase and over
the REST phase.

    uv run python -m bench.chat.chat_throughput --conversations 2000 --seconds 20 \
        --out bench/results/chat.md
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench import common
from edtech.demo import DEMO_PASSWORD, FULL, DemoScale, seed_demo
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.db.migrations import upgrade
from edtech.platform.security.passwords import hash_password

POSTGRES = os.environ.get(
    "EDTECH_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
REDIS = os.environ.get("EDTECH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET = "bench-secret-key-not-for-production-0123456789"
PIDS: dict[str, int] = {}
TICK = os.sysconf("SC_CLK_TCK")
CHANNELS_PER_SOCKET = 150  # below the hub's 200 subscriptions per socket


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@asynccontextmanager
async def database() -> AsyncIterator[str]:
    name = f"edtech_bench_chat_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(dsn(POSTGRES))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = f"{POSTGRES.rpartition('/')[0]}/{name}"
    try:
        await upgrade(url)
        yield url
    finally:
        admin = await asyncpg.connect(dsn(POSTGRES))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@asynccontextmanager
async def node(name: str, port: int, db: str) -> AsyncIterator[str]:
    env = {
        **os.environ,
        "EDTECH_DATABASE_URL": db,
        "EDTECH_BROKER_URL": REDIS,
        "EDTECH_SECRET_KEY": SECRET,
        "EDTECH_NODE_NAME": name,
        "EDTECH_LOG_LEVEL": "WARNING",
        "EDTECH_LOG_JSON": "true",
        "EDTECH_ACCESS_TOKEN_TTL_SECONDS": "7200",
        "EDTECH_WS_RATE_PER_SECOND": "1000",
        "EDTECH_WS_RATE_BURST": "2000",
    }
    proc = subprocess.Popen(  # noqa: ASYNC220 - a long-lived child, started once
        common.serve_command(port),
        env=env,
    )
    PIDS[name] = proc.pid
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url) as c:
            for _ in range(1800):
                try:
                    if (await c.get("/readyz")).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise RuntimeError(f"node {name} did not become ready")
        yield url
    finally:
        proc.terminate()  # the node drains its sockets first
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Socket:
    """One websocket: replies resolved by ref, message deliveries timed by client id."""

    def __init__(
        self, ws: ClientConnection, delivered: dict[str, float], receipts: dict[str, float]
    ) -> None:
        self.ws = ws
        self.delivered = delivered
        self.receipts = receipts
        self.pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.refs = itertools.count(1)
        self.task = asyncio.create_task(self._listen())

    async def _listen(self) -> None:
        async for raw in self.ws:
            frame = json.loads(raw)
            if frame.get("op") == "event":
                if frame["type"] == "chat.message_posted":
                    self.delivered.setdefault(frame["data"]["client_id"], time.perf_counter())
                elif frame["type"] == "chat.delivered":
                    self.receipts.setdefault(frame["data"]["message_id"], time.perf_counter())
            elif frame.get("op") == "reply":
                fut = self.pending.pop(frame.get("ref", ""), None)
                if fut is not None and not fut.done():
                    fut.set_result(frame)

    async def request(self, op: str, **fields: Any) -> dict[str, Any]:
        ref = str(next(self.refs))
        fut: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[ref] = fut
        await self.ws.send(json.dumps({"op": op, "ref": ref, **fields}))
        return await asyncio.wait_for(fut, 30)

    async def close(self) -> None:
        await self.ws.close()
        self.task.cancel()


@dataclass
class Conversation:
    id: str
    guardian: str
    sender: Socket | None = None


@dataclass
class Results:
    sent: list[float] = field(default_factory=list)
    client_ids: dict[str, float] = field(default_factory=dict)


async def pairs(db: str, wanted: int) -> list[tuple[str, str, str | None]]:
    """(guardian email, teacher email, context section) for allowed guardian–teacher pairs."""
    conn = await asyncpg.connect(dsn(db))
    try:
        rows = await conn.fetch(
            """
            SELECT DISTINCT g.email AS guardian, t.email AS teacher, e.section_id AS section
            FROM guardian_link l
            JOIN person g ON g.id = l.guardian_id
            JOIN enrollment e ON e.person_id = l.student_id AND e.role = 'student'
            JOIN enrollment te ON te.section_id = e.section_id AND te.role IN ('teacher', 'aide')
            JOIN person t ON t.id = te.person_id
            WHERE l.can_message AND NOT l.custody_restriction
            ORDER BY 1, 2, 3
            """
        )
    finally:
        await conn.close()
    # per guardian–teacher pair: one conversation without a context, then one per shared
    # section (distinct conversations); pairs grouped by guardian so few people sign in
    out: list[tuple[str, str, str | None]] = []
    seen: set[tuple[str, str]] = set()
    for r in rows:
        key = (r["guardian"], r["teacher"])
        if key not in seen:
            seen.add(key)
            out.append((r["guardian"], r["teacher"], None))
        out.append((r["guardian"], r["teacher"], str(r["section"])))
    if len(out) < wanted:
        raise RuntimeError(f"only {len(out)} allowed guardian–teacher conversations")
    return out[:wanted]


async def seed(db: str, scale: DemoScale) -> None:
    """The demo school at `scale` in the database `db`."""
    engine = make_engine(db)
    try:
        await seed_demo(
            make_session_factory(engine), scale, password_hash=hash_password(DEMO_PASSWORD)
        )
    finally:
        await engine.dispose()


async def run(
    conversations: int,
    seconds: float,
    workers: int,
    rest_workers: int,
    out: Path | None,
    profile_rest: Path | None = None,
) -> str:
    async with database() as db:
        await seed(db, FULL)
        async with (
            node("a", 8721, db) as url_a,
            node("b", 8722, db) as url_b,
            httpx.AsyncClient(base_url=url_a, timeout=60) as a,
        ):
            plan = await pairs(db, conversations)
            tokens: dict[str, str] = {}
            gate = asyncio.Semaphore(8)  # argon2 is slow on purpose: verify a few at a time

            async def sign_in(email: str) -> None:
                async with gate:
                    r = await a.post(
                        "/api/v1/auth/token", data={"username": email, "password": DEMO_PASSWORD}
                    )
                    r.raise_for_status()
                    tokens[email] = r.json()["access_token"]

            await asyncio.gather(
                *(sign_in(e) for e in sorted({p for g, t, _ in plan for p in (g, t)}))
            )
            convs: list[Conversation] = []
            sem = asyncio.Semaphore(16)

            async def start(g: str, t: str, section: str | None) -> None:
                body: dict[str, Any] = {"participant_ids": [], "kind": "direct"}
                async with sem:
                    body["participant_ids"] = [teacher_ids[t]]
                    if section:
                        body["context"] = {"kind": "section", "id": section}
                    r = await a.post(
                        "/api/v1/conversations",
                        json=body,
                        headers={"Authorization": f"Bearer {tokens[g]}"},
                    )
                    r.raise_for_status()
                    convs.append(Conversation(r.json()["id"], g))

            teacher_ids = await person_ids(db, {t for _, t, _ in plan})
            await asyncio.gather(*(start(g, t, s) for g, t, s in plan))
            delivered: dict[str, float] = {}
            receipts: dict[str, float] = {}
            sockets: list[Socket] = []
            by_guardian: dict[str, list[Conversation]] = {}
            for c in convs:
                by_guardian.setdefault(c.guardian, []).append(c)
            members = await participants(db, [c.id for c in convs])
            for email, url, mine in [
                *((g, url_a, [c.id for c in cs]) for g, cs in by_guardian.items()),
                *(
                    (t, url_b, [cid for cid, ps in members.items() if teacher_ids[t] in ps])
                    for t in teacher_ids
                ),
            ]:
                for chunk in range(0, len(mine), CHANNELS_PER_SOCKET):
                    base = url.replace("http", "ws")
                    sock = Socket(
                        await connect(f"{base}/ws?token={tokens[email]}", max_size=2**22),
                        delivered,
                        receipts,
                    )
                    sockets.append(sock)
                    channels = mine[chunk : chunk + CHANNELS_PER_SOCKET]
                    replies = await asyncio.gather(
                        *(
                            sock.request("subscribe", channel=f"chat.conversation.{c}")
                            for c in channels
                        )
                    )
                    assert all(r.get("ok") for r in replies), replies
                    if url == url_a:
                        for c in by_guardian[email]:
                            c.sender = sock
            saturation = await measured(saturate(convs, seconds, workers, delivered))
            rate = saturation.throughput / 2
            latencies, receipted = await paced(convs, seconds, rate, delivered, receipts)
            spy = profiler(profile_rest, seconds)
            rest = await measured(
                saturate(convs, seconds, rest_workers, delivered, rest_sender(a, tokens), "r")
            )
            if spy is not None:
                await asyncio.to_thread(spy.wait)
            for s in sockets:
                await s.close()
    return report(
        conversations,
        seconds,
        workers,
        saturation,
        rate,
        latencies,
        receipted,
        rest,
        rest_workers,
        out,
    )


async def person_ids(db: str, emails: set[str]) -> dict[str, str]:
    conn = await asyncpg.connect(dsn(db))
    try:
        rows = await conn.fetch(
            "SELECT email, id FROM person WHERE email = ANY($1::text[])", list(emails)
        )
        return {r["email"]: str(r["id"]) for r in rows}
    finally:
        await conn.close()


async def participants(db: str, ids: list[str]) -> dict[str, set[str]]:
    conn = await asyncpg.connect(dsn(db))
    try:
        rows = await conn.fetch(
            "SELECT conversation_id, person_id FROM conversation_participant "
            "WHERE conversation_id = ANY($1::uuid[])",
            [uuid.UUID(i) for i in ids],
        )
        out: dict[str, set[str]] = {}
        for r in rows:
            out.setdefault(str(r["conversation_id"]), set()).add(str(r["person_id"]))
        return out
    finally:
        await conn.close()


def profiler(out: Path | None, seconds: float) -> subprocess.Popen[bytes] | None:
    """py-spy recording node A for `seconds` into `out` (a flame graph, or raw stacks when
    `out` ends in `.txt`), or None without `out`. Only samples holding the GIL (`--gil`):
    where the node spends CPU, not where its tasks wait."""
    if out is None:
        return None
    fmt = "raw" if out.suffix == ".txt" else "flamegraph"
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "py-spy"),
            "record",
            "--pid",
            str(PIDS["a"]),
            "--rate",
            "200",
            "--gil",
            "--duration",
            str(max(1, round(seconds))),
            "--format",
            fmt,
            "--output",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
    )


def cpu_seconds(pid: int) -> float:
    """A process's CPU time so far (user + system)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


@dataclass
class Saturation:
    sent: int
    delivered: int
    seconds: float
    cpu: dict[str, float] = field(default_factory=dict)
    """Each node's CPU seconds over the phase (and its settling)."""

    @property
    def throughput(self) -> float:
        return self.delivered / self.seconds

    def cpu_ms(self, name: str) -> float:
        """The node's CPU per delivered message, in ms."""
        return 1000 * self.cpu[name] / max(1, self.delivered)


async def measured(phase: Any) -> Saturation:
    """Run a saturation phase, recording each node's CPU over it."""
    before = {n: cpu_seconds(p) for n, p in PIDS.items()}
    result: Saturation = await phase
    result.cpu = {n: cpu_seconds(p) - before[n] for n, p in PIDS.items()}
    return result


async def send(c: Conversation, client_id: str) -> str:
    """Send one message; returns its id."""
    assert c.sender is not None
    reply = await c.sender.request(
        "send", channel=f"chat.conversation.{c.id}", id=client_id, data={"body": "bench message"}
    )
    if not reply.get("ok"):
        raise RuntimeError(f"send refused: {reply}")
    return str(reply["data"]["message_id"])


async def saturate(
    convs: list[Conversation],
    seconds: float,
    workers: int,
    delivered: dict[str, float],
    send_one: Callable[[Conversation, str], Awaitable[object]] = send,
    prefix: str = "s",
) -> Saturation:
    """`workers` closed-loop senders, each sending its next message once the last is answered,
    for `seconds`; client ids start with `prefix`."""
    stop = time.perf_counter() + seconds
    ids: list[str] = []
    turn = itertools.count()

    async def worker() -> None:
        while time.perf_counter() < stop:
            c = convs[next(turn) % len(convs)]
            cid = f"{prefix}-{uuid.uuid4().hex}"
            ids.append(cid)
            await send_one(c, cid)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    elapsed = time.perf_counter() - started
    await asyncio.sleep(2)  # let the last deliveries land
    return Saturation(len(ids), sum(1 for i in ids if i in delivered), elapsed)


def rest_sender(
    client: httpx.AsyncClient, tokens: dict[str, str]
) -> Callable[[Conversation, str], Awaitable[None]]:
    """Send a message over REST (node A) as the conversation's guardian."""

    async def post(c: Conversation, client_id: str) -> None:
        r = await client.post(
            f"/api/v1/conversations/{c.id}/messages",
            json={"client_id": client_id, "body": "bench message"},
            headers={"Authorization": f"Bearer {tokens[c.guardian]}"},
        )
        if r.status_code != 201:
            raise RuntimeError(f"post refused: {r.status_code} {r.text}")

    return post


async def paced(
    convs: list[Conversation],
    seconds: float,
    rate: float,
    delivered: dict[str, float],
    receipts: dict[str, float],
) -> tuple[list[float], list[float]]:
    """Latencies of send → delivery, and of send → its delivery receipt back at the sender."""
    sent_at: dict[str, float] = {}
    tasks: list[asyncio.Task[str]] = []
    interval = 1 / rate
    start = time.perf_counter()
    n = 0
    while (now := time.perf_counter()) < start + seconds:
        due = start + n * interval
        if due > now:
            await asyncio.sleep(due - now)
        cid = f"p-{uuid.uuid4().hex}"
        sent_at[cid] = time.perf_counter()
        tasks.append(asyncio.create_task(send(convs[n % len(convs)], cid)))
        n += 1
    message_ids = dict(zip(sent_at, await asyncio.gather(*tasks), strict=True))
    for _ in range(600):  # up to 30 s for the last deliveries and receipts
        if all(c in delivered and message_ids[c] in receipts for c in sent_at):
            break
        await asyncio.sleep(0.05)
    missing = [c for c in sent_at if c not in delivered]
    if missing:
        raise RuntimeError(f"{len(missing)} paced messages were never delivered")
    unreceipted = [c for c in sent_at if message_ids[c] not in receipts]
    if unreceipted:
        raise RuntimeError(f"{len(unreceipted)} paced messages got no delivery receipt")
    return (
        [delivered[c] - t for c, t in sent_at.items()],
        [receipts[message_ids[c]] - t for c, t in sent_at.items()],
    )


def cpu_rows(sat: Saturation, rest: Saturation, workers: int) -> str:
    delivered = f"{rest.delivered} of {rest.sent} delivered"
    return (
        "| node CPU per message, `/ws` send saturated: A (senders) / B (recipients) | "
        f"{sat.cpu_ms('a'):.2f} / {sat.cpu_ms('b'):.2f} ms |\n"
        f"| Over REST ({workers} closed-loop senders, {rest.seconds:.1f} s) | "
        f"**{rest.throughput:.0f} messages/s** ({delivered}) |\n"
        "| node CPU per message, REST saturated: A (senders) / B (recipients) | "
        f"**{rest.cpu_ms('a'):.2f}** / {rest.cpu_ms('b'):.2f} ms |\n"
    )


def ms(v: float) -> str:
    return f"{v * 1000:.1f} ms"


def report(
    conversations: int,
    seconds: float,
    workers: int,
    sat: Saturation,
    rate: float,
    latencies: list[float],
    receipted: list[float],
    rest: Saturation,
    rest_workers: int,
    out: Path | None,
) -> str:
    host = f"{platform.machine()}, Python {platform.python_version()}, {os.cpu_count()} CPUs"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    command = (
        "uv run python -m bench.chat.chat_throughput "
        f"--conversations {conversations} --seconds {seconds:g} --workers {workers} "
        f"--rest-workers {rest_workers}"
    )
    saturated = f"**{sat.throughput:.0f} messages/s** ({sat.delivered} of {sat.sent} delivered)"
    text = f"""# Benchmark: chat across two nodes

Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC ({host}; load average {load} at the end), by
`{command}`.

Two nodes (`edtech serve`, separate processes) on one PostgreSQL and one Redis; the FULL demo
school.
**{conversations} direct conversations**, each between a guardian (socket on node A) and a
teacher of their child (socket on node B). A message is a websocket `send` from the guardian:
policy-checked, stored in PostgreSQL with its client id, its events written to the outbox in the
same transaction, published through Redis; it counts as delivered when the teacher's socket on
node B receives `chat.message_posted`. Node B then records the delivery receipt (batched, once
per message and recipient) and publishes `chat.delivered`, which the guardian's socket on node A
receives.

| Measure | Value |
|---|---|
| Saturation ({workers} closed-loop senders, {sat.seconds:.1f} s) | {saturated} |
| Open loop at half of it | {rate:.0f} messages/s for {seconds:g} s, n={len(latencies)} |
| send → delivery on the other node, p50 | **{ms(percentile(latencies, 50))}** |
| send → delivery on the other node, p99 | **{ms(percentile(latencies, 99))}** |
| max | {ms(max(latencies))} |
| send → delivery receipt back on node A, p50 | {ms(percentile(receipted, 50))} |
| send → delivery receipt back on node A, p99 | {ms(percentile(receipted, 99))} |
{cpu_rows(sat, rest, rest_workers)}"""
    if out:
        out.write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=64)
    parser.add_argument("--rest-workers", type=int, default=16)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--profile-rest",
        type=Path,
        default=None,
        help="record node A with py-spy over the REST phase (.svg flame graph, .txt raw stacks)",
    )
    args = parser.parse_args()
    print(
        asyncio.run(
            run(
                args.conversations,
                args.seconds,
                args.workers,
                args.rest_workers,
                args.out,
                args.profile_rest,
            )
        )
    )


if __name__ == "__main__":
    main()
