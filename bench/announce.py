"""Benchmark: one urgent announcement to 10,000 guardians, 5,000 of them connected over two nodes.

The issue's target (#20): "one announcement to 10,000 guardians (10,000 inbox channels, each
with its offset): committed in ≤ 2 s and on every connected guardian's socket (5,000 connected
over two nodes) within 5 s".

    uv run python -m bench.announce [--guardians 10000 --connected 5000 --rounds 3]
        [--profile docs/flamegraphs/announce.svg] [--out result.json]
        [--tree ../edtech-before]   # the nodes run another checkout's code (a before/after)

What it does: a throw-away PostgreSQL database (migrated) with the SMALL demo school plus
`--guardians` guardians (a person with an email address and an institution-wide guardian role
each; the first `--connected` also have a login and a live sign-in session). A private Redis and
two real nodes (`edtech serve`, separate processes, `EDTECH_BACKGROUND_JOBS=false`: the
notification jobs the announcement queues are `bench.notif_fanout`'s subject, and a district
runs them on workers). `--connected` sockets, half on each node, each signed in with a real
access token and subscribed to its guardian's inbox `user.{id}` (lean raw-protocol clients,
`bench.loadgen.Socket`). Then, per round, the admin posts one urgent announcement to the
guardian role through the real REST route (`POST /api/v1/announcements`, node a), and we
measure from sending the request:

* **commit**: until the 201 answer, and node a's CPU meanwhile (`/proc`: what the load does
  not inflate as much as the wall time) (the route answers right after its transaction commits; the
  events are handed to the publisher without waiting), p50 over rounds;
* **every socket**: until each connected socket has the `announcement.published` event on its
  inbox (p50 / p99 / max over sockets, and the last one per round);
* **lost**: connected sockets that never got it within `--deadline` seconds, and sockets whose
  inbox offsets skipped (each round adds one event to every inbox: offsets must be 1, 2, 3…).

The transaction records the announcement, its 10,000 recipient rows, the notifications the
urgent announcement plans (a notification, its attempts and their jobs per guardian) and
10,000 outbox events, each on its own inbox channel with its own offset. Read absolute numbers
with the machine's load in mind (printed at the start and the end).
"""

# A script that polls its sockets' arrivals and writes its result file, on purpose.
# ruff: noqa: ASYNC110, ASYNC240

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa

from bench import common
from bench.compare import cpu_seconds
from bench.loadgen import Socket, Stats
from edtech.demo import DEMO_PASSWORD, SMALL, seed_demo
from edtech.identity.infrastructure import account_table, auth_session_table
from edtech.institutions.infrastructure.tables import person, role_assignment
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.security.passwords import hash_password
from edtech.platform.security.tokens import TokenSigner

SECRET = "bench-secret-key-not-for-production-announce"
ACCESS = "access"  # edtech.identity's access-token type


class Inbox(Socket):
    """One guardian's socket: the arrival instant of each announcement, by announcement id."""

    def __init__(self, stats: Stats, host: str, path: str, channel: str) -> None:
        super().__init__(stats, host, path, channel)
        self.arrivals: dict[str, float] = {}

    def on_event(self, payload: bytes) -> None:
        at = time.perf_counter()
        super().on_event(payload)  # counts and checks the offset is the last + 1
        if b'"announcement.published"' in payload:
            frame = json.loads(payload)
            self.arrivals.setdefault(frame["data"]["announcement_id"], at)


async def seed(url: str, guardians: int, connected: int) -> tuple[list[uuid.UUID], list[str]]:
    """The demo school plus `guardians` guardians; tokens for the first `connected`."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        demo = await seed_demo(factory, SMALL, password_hash=hash_password(DEMO_PASSWORD))
        inst = demo.institution_id
        now = datetime.now(UTC)
        ids = [uuid.uuid4() for _ in range(guardians)]
        accounts = [uuid.uuid4() for _ in range(connected)]
        sessions = [uuid.uuid4() for _ in range(connected)]
        people = [
            {
                "id": pid,
                "institution_id": inst,
                "given_name": "Guardian",
                "family_name": f"{n:05d}",
                "email": f"bench-guardian-{n:05d}@families.test",
                "created_at": now,
            }
            for n, pid in enumerate(ids)
        ]
        roles = [
            {
                "id": uuid.uuid4(),
                "institution_id": inst,
                "person_id": pid,
                "role": "guardian",
                "school_id": None,
                "begins_on": date.today() - timedelta(days=365),
            }
            for pid in ids
        ]
        logins = [
            {
                "id": accounts[n],
                "institution_id": inst,
                "person_id": ids[n],
                "email": f"bench-guardian-{n:05d}@families.test",
                "password_hash": "not-used",  # tokens are signed below
                "is_active": True,
                "created_at": now,
            }
            for n in range(connected)
        ]
        live = [
            {
                "id": sessions[n],
                "institution_id": inst,
                "account_id": accounts[n],
                "created_at": now,
            }
            for n in range(connected)
        ]
        async with factory() as session, session.begin():
            for table, rows in (
                (person, people),
                (role_assignment, roles),
                (account_table, logins),
                (auth_session_table, live),
            ):
                for i in range(0, len(rows), 2000):
                    await session.execute(sa.insert(table), rows[i : i + 2000])
        signer = TokenSigner(SECRET)
        tokens = [
            signer.issue(
                ACCESS,
                str(accounts[n]),
                now,
                timedelta(hours=2),
                pid=str(ids[n]),
                iid=str(inst),
                sid=str(sessions[n]),
            )
            for n in range(connected)
        ]
        return ids[:connected], tokens
    finally:
        await engine.dispose()


def start_node(
    port: int, database: str, redis: str, name: str, tree: str = ""
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        **({"PYTHONPATH": f"{Path(tree).resolve() / 'src'}"} if tree else {}),
        "EDTECH_DATABASE_URL": database,
        "EDTECH_BROKER_URL": redis,
        "EDTECH_SECRET_KEY": SECRET,
        "EDTECH_NODE_NAME": name,
        "EDTECH_LOG_LEVEL": "WARNING",
        "EDTECH_LOG_JSON": "true",
        "EDTECH_BACKGROUND_JOBS": "false",
    }
    return subprocess.Popen(
        common.serve_command(port),
        cwd=common.ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(f"/tmp/edtech-bench-announce-{name}.log", "wb"),
    )


async def connect(ports: list[int], people: list[uuid.UUID], tokens: list[str]) -> list[Inbox]:
    loop = asyncio.get_running_loop()
    stats = Stats(sample_every=1 << 30)  # latency is measured here, not from `ts`
    inboxes: list[Inbox] = []
    gate = asyncio.Semaphore(200)

    async def one(i: int) -> None:
        port = ports[i % len(ports)]
        path = f"/ws?token={tokens[i]}"
        async with gate:
            _t, box = await loop.create_connection(
                lambda: Inbox(stats, f"127.0.0.1:{port}", path, f"user.{people[i]}"),
                "127.0.0.1",
                port,
            )
            reply = await asyncio.wait_for(box.subscribed, 60)
        if not reply.get("ok"):
            raise RuntimeError(f"subscribe refused: {reply}")
        inboxes.append(box)

    await asyncio.gather(*(one(i) for i in range(len(people))))
    return inboxes


def profile(pid: int, svg: str) -> subprocess.Popen[bytes]:
    """py-spy on the node that takes the announcements, over the rounds (a flame graph)."""
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "py-spy"),
            "record",
            "--pid",
            str(pid),
            "--rate",
            "250",
            "--format",
            "flamegraph",
            "-o",
            svg,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def pct(values: list[float], q: float) -> float:
    return common.percentile(values, q / 100) if values else float("nan")


async def announce_round(
    http: httpx.AsyncClient,
    headers: dict[str, str],
    inboxes: list[Inbox],
    n: int,
    deadline: float,
    node_a: int,
) -> dict[str, object]:
    body = {
        "title": f"Urgent: school closed today ({n})",
        "body": "The district closes every school today because of the storm.",
        "priority": "urgent",
        "audience": {"kind": "role", "role": "guardian"},
    }
    cpu0 = cpu_seconds(node_a)
    started = time.perf_counter()
    r = await http.post("/api/v1/announcements", json=body, headers=headers)
    committed = time.perf_counter() - started
    commit_cpu = cpu_seconds(node_a) - cpu0
    r.raise_for_status()
    aid = r.json()["id"]
    until = time.perf_counter() + deadline
    while any(aid not in b.arrivals for b in inboxes) and time.perf_counter() < until:
        await asyncio.sleep(0.005)
    times = [b.arrivals[aid] - started for b in inboxes if aid in b.arrivals]
    return {
        "round": n,
        "commit_s": round(committed, 3),
        # node a's CPU while the request ran (its other work included: little, between rounds)
        "commit_node_cpu_s": round(commit_cpu, 3),
        "recipients": len(inboxes),
        "received": len(times),
        "lost": len(inboxes) - len(times),
        "offset_skips": sum(b.bad_order for b in inboxes),
        "socket_p50_s": round(pct(times, 50), 3),
        "socket_p99_s": round(pct(times, 99), 3),
        "socket_max_s": round(max(times, default=float("nan")), 3),
        "load": os.getloadavg()[0],
    }


async def run(args: argparse.Namespace) -> list[dict[str, object]]:
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC; {common.machine()}", flush=True)
    redis_proc, redis_url = common.start_redis()
    database = await common.create_database()
    nodes: list[subprocess.Popen[bytes]] = []
    rows: list[dict[str, object]] = []
    try:
        t = time.perf_counter()
        people, tokens = await seed(database, args.guardians, args.connected)
        print(f"seeded {args.guardians} guardians in {time.perf_counter() - t:.1f} s", flush=True)
        if args.slow_ms:  # statements slower than this go to PostgreSQL's log
            await common._admin(
                f'ALTER DATABASE "{database.rpartition("/")[2]}" '
                f"SET log_min_duration_statement = {args.slow_ms}"
            )
        ports = [common.free_port(), common.free_port()]
        nodes = [
            start_node(p, database, redis_url, f"n{i}", args.tree) for i, p in enumerate(ports)
        ]
        for p in ports:
            await common.wait_ready(p)
        base = f"http://127.0.0.1:{ports[0]}"
        async with httpx.AsyncClient(base_url=base, timeout=120) as http:
            r = await http.post(
                "/api/v1/auth/token",
                data={"username": "admin@demo.test", "password": DEMO_PASSWORD},
            )
            r.raise_for_status()
            headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
            # warm the route (FastAPI builds its routes' contexts on first use) without an
            # announcement to the guardians: one to the teachers' role
            warm = {
                "title": "warm-up",
                "body": "-",
                "audience": {"kind": "role", "role": "teacher"},
            }
            (
                await http.post("/api/v1/announcements", json=warm, headers=headers)
            ).raise_for_status()
            t = time.perf_counter()
            inboxes = await connect(ports, people, tokens)
            print(
                f"{len(inboxes)} sockets subscribed in {time.perf_counter() - t:.1f} s", flush=True
            )
            await asyncio.sleep(args.settle)
            spy = profile(nodes[0].pid, args.profile) if args.profile else None
            for n in range(args.rounds):
                row = await announce_round(http, headers, inboxes, n, args.deadline, nodes[0].pid)
                rows.append(row)
                print(json.dumps(row), flush=True)
                await asyncio.sleep(args.settle)
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait(120)
            for b in inboxes:
                if b.transport is not None:
                    b.transport.close()
    finally:
        for proc in nodes:
            proc.terminate()
        for proc in nodes:
            proc.wait(timeout=60)
        redis_proc.terminate()
        await common.drop_database(database)
    summary = {
        "rounds": len(rows),
        "commit_s_median": pct([float(str(r["commit_s"])) for r in rows], 50),
        "last_socket_s_median": pct([float(str(r["socket_max_s"])) for r in rows], 50),
        "lost_total": sum(int(str(r["lost"])) for r in rows),
        "offset_skips_total": sum(int(str(r["offset_skips"])) for r in rows),
        "load_end": os.getloadavg(),
    }
    print(json.dumps(summary), flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps({"rows": rows, "summary": summary}, indent=1))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--guardians", type=int, default=10_000)
    parser.add_argument("--connected", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--settle", type=float, default=3.0, help="seconds between rounds")
    parser.add_argument("--deadline", type=float, default=60.0, help="seconds to wait per round")
    parser.add_argument("--out", default="")
    parser.add_argument(
        "--tree", default="", help="serve the nodes from another checkout's src (before/after)"
    )
    parser.add_argument("--slow-ms", type=int, default=0, help="log statements slower than this")
    parser.add_argument("--profile", default="", help="an .svg: py-spy flame graph of node a")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
