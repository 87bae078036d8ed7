"""Acceptance: an urgent announcement to a section's guardians with one node killed half-way.

Two real `edtech serve` processes (uvicorn, every slice, jobs on) share PostgreSQL and Redis;
mail goes to a loopback SMTP server, push to a loopback FCM answering with recorded
responses. The FCM holds every push it receives until the test has SIGKILLed node-a while
node-a has a push in flight; node-b takes node-a's jobs over when their leases run out.

What it shows: every guardian is reached on every channel; the delivery table has exactly one
attempt per guardian and channel, `sent`; the sender's live counts (on node-b) end at 100 %
with nothing pending; a provider is only ever called a second time for an attempt the dead node
left `sending` (it may or may not have got through: nobody can know), and that call carries
the same key — the FCM collapse key — so the device shows it once.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from edtech.demo import SMALL, DemoSummary, seed_demo
from edtech.notifications.infrastructure import notification, notification_attempt
from edtech.platform.db.engine import make_engine, make_session_factory
from tests import databases
from tests.integration.attendance.helpers import Socket
from tests.roster import login
from tests.servers import LiveServer
from tests.services import REDIS_URL, need
from tests.smtp import SmtpServer, addresses
from tests.unit.notifications import recorded

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(
        os.environ.get("EDTECH_NOTIFY_FULL") != "1",
        reason="two node processes and a kill take minutes here: set EDTECH_NOTIFY_FULL=1",
    ),
]

SECRET = "e2e-secret-key-not-for-production-notify"
S01_GUARDIANS = [f"guardian{n}@demo.test" for n in (1, 3, 5, 7, 9, 11, 13, 15, 17)]
LEASE_SECONDS = 4
STARTUP_SECONDS = float(os.environ.get("EDTECH_E2E_STARTUP_SECONDS", "180"))


class HeldFcm:
    """FCM on loopback with recorded answers; every push is recorded on receipt, then held
    until `release` (a provider that is slow to answer)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.released = asyncio.Event()
        self.public_key: Any = None
        self.token_uri = ""
        self.app = FastAPI()

        @self.app.post("/token")
        async def token(request: Request) -> JSONResponse:
            form = await request.form()
            recorded.verify_assertion(str(form["assertion"]), self.public_key, self.token_uri)
            return JSONResponse(recorded.OAUTH_TOKEN_OK)

        @self.app.post("/v1/projects/{project}/messages:send")
        async def send(project: str, request: Request) -> JSONResponse:
            self.received.append((await request.json())["message"])
            await self.released.wait()
            return JSONResponse(recorded.FCM_SENT)


@pytest.fixture
def database() -> Iterator[str]:
    need("PostgreSQL")
    url = databases.create_postgres_database()
    try:
        yield url
    finally:
        databases.drop_postgres_database(url)


@pytest.fixture
async def demo(database: str) -> DemoSummary:
    engine = make_engine(database)
    try:
        return await seed_demo(make_session_factory(engine), SMALL)
    finally:
        await engine.dispose()


@pytest.fixture
async def fcm(tmp_path: Path) -> AsyncIterator[tuple[HeldFcm, Path, str]]:
    held = HeldFcm()
    server = LiveServer(held.app)  # type: ignore[arg-type]
    await server.start()
    held.token_uri = f"{server.url}/token"
    account, held.public_key = recorded.service_account(held.token_uri)
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(account))
    try:
        yield held, path, server.url
    finally:
        held.released.set()
        await server.stop()


def free_port() -> int:
    from edtech.platform.serving import bind_socket

    sock = bind_socket()
    port = int(sock.getsockname()[1])
    sock.close()
    return port


@pytest.fixture
async def nodes(
    database: str,
    demo: DemoSummary,
    smtp_server: SmtpServer,
    fcm: tuple[HeldFcm, Path, str],
    tmp_path: Path,
) -> AsyncIterator[dict[str, tuple[subprocess.Popen[bytes], str]]]:
    need("Redis")
    _, account, fcm_url = fcm
    broker = REDIS_URL.rsplit("/", 1)[0] + "/12"
    edtech = str(Path(sys.executable).parent / "edtech")
    started: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
    try:
        for name in ("node-a", "node-b"):
            port = free_port()
            env = {
                **os.environ,
                "EDTECH_DATABASE_URL": database,
                "EDTECH_BROKER_URL": broker,
                "EDTECH_SECRET_KEY": SECRET,
                "EDTECH_NODE_NAME": name,
                "EDTECH_LOG_LEVEL": "WARNING",
                "EDTECH_MAIL_URL": smtp_server.mail_url,
                "EDTECH_PUSH_URL": f"fcm://{account}",
                "EDTECH_PUSH_FCM_API_BASE": fcm_url,
                "EDTECH_NOTIFY_PUSH_DELAY_SECONDS": "0",
                # Chunks of two: both nodes take some of the section's pushes.
                "EDTECH_NOTIFY_CHUNK_SIZE": "2",
                "EDTECH_JOBS_LEASE_SECONDS": str(LEASE_SECONDS),
                "EDTECH_JOBS_POLL_SECONDS": "0.2",
                "EDTECH_JOBS_CONCURRENCY": "4",
            }
            with (tmp_path / f"{name}.log").open("wb") as log:
                proc = subprocess.Popen(
                    [edtech, "serve", "--port", str(port), "--no-migrate"],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            started[name] = (proc, f"http://127.0.0.1:{port}")
        async with httpx.AsyncClient(timeout=5) as client:
            for proc, url in started.values():
                async with asyncio.timeout(STARTUP_SECONDS):
                    while True:
                        assert proc.poll() is None, "a node exited while starting"
                        try:
                            if (await client.get(f"{url}/readyz")).status_code == 200:
                                break
                        except httpx.HTTPError:
                            pass
                        await asyncio.sleep(0.2)
        yield started
    finally:
        for proc, _ in started.values():
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


async def attempts(database: str) -> list[Any]:
    engine = make_engine(database)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.select(
                    notification.c.person_id,
                    notification_attempt.c.channel,
                    notification_attempt.c.state,
                    notification_attempt.c.node,
                    notification_attempt.c.tries,
                ).join(notification, notification.c.id == notification_attempt.c.notification_id)
            )
            return list(rows)
    finally:
        await engine.dispose()


def settled(frame: dict[str, Any]) -> bool:
    if frame.get("type") != "notifications.progress":
        return False
    data = frame["data"]
    return bool(data["percent"] == 100 and not sum(c["pending"] for c in data["channels"].values()))


async def test_urgent_announcement_with_a_node_killed_half_way_reaches_everyone_once_per_channel(
    nodes: dict[str, tuple[subprocess.Popen[bytes], str]],
    demo: DemoSummary,
    database: str,
    smtp_server: SmtpServer,
    fcm: tuple[HeldFcm, Path, str],
) -> None:
    held = fcm[0]
    node_a, _ = nodes["node-a"]
    _, url_b = nodes["node-b"]
    async with httpx.AsyncClient(base_url=url_b, timeout=30) as b:
        for email in S01_GUARDIANS:
            r = await b.post(
                "/api/v1/me/push-devices",
                json={"platform": "fcm", "token": f"fcm-token-{email.split('@')[0]}-000000"},
                headers=await login(b, email),
            )
            assert r.status_code == 201, r.text
        teacher = await login(b, "teacher1@demo.test")
        r = await b.post(
            "/api/v1/announcements",
            json={
                "title": "Early pick-up",
                "body": "School closes at noon today.",
                "audience": {"kind": "section_guardians", "section_id": str(demo.section_ids[0])},
                "priority": "urgent",
            },
            headers=teacher,
        )
        assert r.status_code == 201, r.text
        batch = r.json()["id"]
        ws = await Socket.open(url_b.replace("http", "ws"), teacher)
        try:
            assert (await ws.subscribe(f"notifications.batch.{batch}"))["ok"]
            # Half-way: node-a holds a push in flight (handed to the provider, not answered).
            async with asyncio.timeout(60):
                while not any(
                    a.node == "node-a" and a.channel == "push" and a.state == "sending"
                    for a in await attempts(database)
                ):
                    await asyncio.sleep(0.05)
            node_a.send_signal(signal.SIGKILL)
            node_a.wait(10)
            held.released.set()
            last = await ws.until(settled, timeout=90)
        finally:
            await ws.close()

    data = last["data"]
    total = len(S01_GUARDIANS)
    assert (data["total"], data["reached"], data["percent"]) == (total, total, 100)
    assert data["channels"]["push"]["sent"] == total
    assert data["channels"]["email"]["sent"] == total

    rows = await attempts(database)
    assert Counter((r.person_id, r.channel) for r in rows) == Counter(
        {(demo.person(e), ch): 1 for e in S01_GUARDIANS for ch in ("push", "email")}
    )
    assert {r.state for r in rows} == {"sent"}
    assert any(r.node == "node-b" and r.tries > 1 for r in rows), "node-b took nothing over"
    tries = {(r.person_id, r.channel): r.tries for r in rows}

    by_token: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for message in held.received:
        by_token[message["token"]].append(message)
    for email in S01_GUARDIANS:
        token = f"fcm-token-{email.split('@')[0]}-000000"
        pushes = by_token[token]
        assert 1 <= len(pushes) <= tries[(demo.person(email), "push")], email
        assert len({m["android"]["collapse_key"] for m in pushes}) == 1, email
        mails = [m for m in smtp_server.inbox if email in addresses(m)]
        assert 1 <= len(mails) <= tries[(demo.person(email), "email")], email
