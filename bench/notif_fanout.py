"""An urgent announcement to 5,000 guardians: how long until every recipient's first channel
is attempted (issue #16's benchmark).

A throw-away PostgreSQL database (migrated) with the SMALL demo school plus N guardians, each
with an email address and a push device. One `AnnouncementPublished` is committed through a
node's unit of work: the notifications sink plans, in that transaction, a notification, two
attempt rows (push and email, both due at once: urgent) and two durable jobs per guardian. Then
two nodes' job runners work the jobs — each node its own OS process (`--role node`: an app
instance with its own engine and node name) — against a loopback FCM answering with recorded
responses and a loopback SMTP server (aiosmtpd), both in a third process (`--role providers`),
until every attempt is final. The parent process seeds, plans and measures only.

Reported: the planning commit's time; per recipient, enqueue → first attempt (the attempt's
`started_at`, set when a rung marks it `sending` and commits, minus the notification's
`created_at`); the time until every attempt was final; the counts; and the batch's running
counters (what REST and `notifications.batch.{id}` publish) next to a recount of its rows.

    uv run python -m bench.notif_fanout --guardians 5000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

import asyncpg  # type: ignore[import-untyped]
import sqlalchemy as sa
from fastapi import FastAPI
from tests.integration.notifications.helpers import RecordedFcm
from tests.servers import LiveServer
from tests.smtp import SmtpServer

from edtech.app import create_app
from edtech.communication.domain.events import AnnouncementPublished
from edtech.demo import SMALL, seed_demo
from edtech.institutions.infrastructure.tables import person
from edtech.notifications.infrastructure import notification, notification_attempt, push_device
from edtech.notifications.infrastructure.repository import SqlNotifications, token_hash
from edtech.notifications.settings import NotificationSettings
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.db.migrations import upgrade
from edtech.platform.jobs import JobRunner
from edtech.settings import Settings

POSTGRES = os.environ.get(
    "EDTECH_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
CONCURRENCY = int(os.environ.get("EDTECH_BENCH_CONCURRENCY", "16"))
SECRET = "bench-secret-key-not-for-production-notif"


async def admin(sql: str) -> None:
    conn = await asyncpg.connect(POSTGRES.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def database() -> AsyncIterator[str]:
    name = f"edtech_bench_notif_{uuid.uuid4().hex[:8]}"
    await admin(f'CREATE DATABASE "{name}"')
    url = f"{POSTGRES.rpartition('/')[0]}/{name}"
    try:
        await upgrade(url)
        yield url
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def seed(url: str, guardians: int) -> tuple[uuid.UUID, uuid.UUID, list[uuid.UUID]]:
    """The demo school, then `guardians` people with an email and a push device each."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        demo = await seed_demo(factory, SMALL)
        now = datetime.now(UTC)
        ids = [uuid.uuid4() for _ in range(guardians)]
        people = [
            {
                "id": pid,
                "institution_id": demo.institution_id,
                "given_name": "Guardian",
                "family_name": f"{n:05d}",
                "email": f"bench-guardian-{n:05d}@families.test",
                "created_at": now,
            }
            for n, pid in enumerate(ids)
        ]
        devices = [
            {
                "id": uuid.uuid4(),
                "institution_id": demo.institution_id,
                "person_id": pid,
                "platform": "fcm",
                "token": f"bench-device-token-{n:05d}",
                "token_hash": token_hash(f"bench-device-token-{n:05d}"),
                "created_at": now,
            }
            for n, pid in enumerate(ids)
        ]
        async with factory() as session, session.begin():
            await session.execute(sa.insert(person), people)
            await session.execute(sa.insert(push_device), devices)
        return demo.institution_id, demo.person("admin@demo.test"), ids
    finally:
        await engine.dispose()


def node(url: str, name: str, fcm_url: str, account: str, mail_url: str) -> FastAPI:
    settings = Settings(
        database_url=url,
        broker_url="memory://",
        secret_key=SECRET,
        log_level="ERROR",
        log_json=True,
        background_jobs=False,  # the bench drives the runner itself
        node_name=name,
        jobs_concurrency=CONCURRENCY,
        # Every job in flight holds a connection, and so do the claim and the lease beat: a
        # pool smaller than that makes overflow connections, opened and closed per job.
        db_pool_size=CONCURRENCY + 4,
        mail_url=mail_url,
        notifications=NotificationSettings(push_url=f"fcm://{account}", push_fcm_api_base=fcm_url),
    )
    return create_app(settings)


def stopped_by_sigterm() -> asyncio.Event:
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    return stop


def say(payload: dict[str, object]) -> None:
    print(json.dumps(payload), flush=True)


async def providers_process() -> None:
    """`--role providers`: the loopback FCM and SMTP server, until SIGTERM; then the counts."""
    stop = stopped_by_sigterm()
    fcm = RecordedFcm()
    fcm_server = LiveServer(fcm.app)
    await fcm_server.start()
    smtp = SmtpServer()
    smtp.start()
    with TemporaryDirectory() as tmp:
        account = fcm.service_account_file(fcm_server.url, Path(tmp))
        say({"fcm_url": fcm_server.url, "account": str(account), "mail_url": smtp.mail_url})
        await stop.wait()
        smtp.stop()
        await fcm_server.stop()
    say({"pushes": len(fcm.sent), "emails": len(smtp.inbox)})


async def node_process(url: str, name: str, fcm_url: str, account: str, mail_url: str) -> None:
    """`--role node`: one node's job runner, until SIGTERM; then how many jobs it ran."""
    stop = stopped_by_sigterm()
    app = node(url, name, fcm_url, account, mail_url)
    async with app.router.lifespan_context(app):
        say({"ready": name})
        ran = await work(app, stop)
    say({"ran": ran})


async def work(app: FastAPI, stop: asyncio.Event) -> int:
    runner: JobRunner = app.state.services.components.get(JobRunner)
    runner.poll_seconds = 0.05
    return await runner.work(stop)


class Child:
    """A `--role` process of this module, speaking one JSON object per line."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def start(cls, *args: str) -> Child:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.notif_fanout", *args, stdout=asyncio.subprocess.PIPE
        )
        return cls(proc)

    async def read(self) -> dict[str, object]:
        assert self.proc.stdout is not None
        line = await self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"child {self.proc.pid} ended early")
        loaded: dict[str, object] = json.loads(line)
        return loaded

    async def finish(self) -> dict[str, object]:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return await self.read()
        finally:
            await self.proc.wait()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def run(guardians: int) -> dict[str, object]:
    async with database() as url:
        institution_id, sender, recipients = await seed(url, guardians)
        providers = await Child.start("--role", "providers")
        nodes: list[Child] = []
        try:
            where = await providers.read()
            fcm_url, account, mail_url = (
                str(where["fcm_url"]),
                str(where["account"]),
                str(where["mail_url"]),
            )
            # The planning node: commits the announcement, runs no jobs.
            a = node(url, "bench-plan", fcm_url, account, mail_url)
            async with a.router.lifespan_context(a):
                for name in ("bench-a", "bench-b"):
                    nodes.append(
                        await Child.start(
                            "--role", "node", "--url", url, "--name", name,
                            "--fcm-url", fcm_url, "--account", account, "--mail-url", mail_url,
                        )
                    )  # fmt: skip
                for child in nodes:
                    await child.read()  # ready
                announcement = AnnouncementPublished(
                    institution_id=institution_id,
                    occurred_at=datetime.now(UTC),
                    announcement_id=uuid.uuid4(),
                    sender_id=sender,
                    title="School closed today",
                    body="Snow: the school is closed today. Stay safe.",
                    priority="urgent",
                    requires_ack=False,
                    published_at=datetime.now(UTC),
                    recipient_ids=tuple(recipients),
                )
                load_before = os.getloadavg()
                started = time.perf_counter()
                async with a.state.services.uow() as uow:
                    uow.emit(announcement)
                    await uow.commit()
                planned = time.perf_counter() - started
                settled = await wait_settled(a, guardians * 2)
                drained = time.perf_counter() - started
                load_after = os.getloadavg()
                ran = [(await child.finish()).get("ran") for child in nodes]
                nodes.clear()
                delays, states = await measure(a)
                counters = await batch_counters(a, announcement.announcement_id)
            received = await providers.finish()
        finally:
            for child in [*nodes, providers]:
                if child.proc.returncode is None:
                    child.proc.kill()
                    await child.proc.wait()
    return {
        "guardians": guardians,
        "planning_commit_s": round(planned, 2),
        "all_attempts_final_s": round(drained, 2),
        "settled": settled,
        "jobs_run_per_node": ran,
        "first_attempt_s": {
            "p50": round(percentile(delays, 50), 2),
            "p99": round(percentile(delays, 99), 2),
            "max": round(max(delays), 2),
        },
        "recipients_attempted": len(delays),
        "attempt_states": states,
        "batch_counters": counters,
        "pushes_received": received.get("pushes"),
        "emails_received": received.get("emails"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average": {"before": load_before, "after": load_after},
    }


async def wait_settled(app: FastAPI, attempts: int, limit: float = 900.0) -> bool:
    factory = app.state.services.session_factory
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        async with factory() as session:
            final = await session.scalar(
                sa.select(sa.func.count())
                .select_from(notification_attempt)
                .where(notification_attempt.c.state.in_(("sent", "failed", "skipped")))
            )
        if final is not None and final >= attempts:
            return True
        await asyncio.sleep(0.5)
    return False


async def measure(app: FastAPI) -> tuple[list[float], dict[str, int]]:
    async with app.state.services.session_factory() as session:
        rows = await session.execute(
            sa.select(
                notification.c.created_at,
                sa.func.min(notification_attempt.c.started_at),
            )
            .join(notification_attempt, notification_attempt.c.notification_id == notification.c.id)
            .group_by(notification.c.id, notification.c.created_at)
        )
        delays = [(first - created).total_seconds() for created, first in rows if first]
        states = dict(
            (
                await session.execute(
                    sa.select(notification_attempt.c.state, sa.func.count()).group_by(
                        notification_attempt.c.state
                    )
                )
            ).all()
        )
    return delays, states


async def batch_counters(app: FastAPI, batch_id: uuid.UUID) -> dict[str, object]:
    """The batch's running counters (what REST and the channel publish) next to a recount of
    its rows, and whether they agree."""
    async with app.state.services.session_factory() as session:
        published = await SqlNotifications(session).counts(batch_id, datetime.now(UTC))
        reached = await session.scalar(
            sa.select(sa.func.count())
            .select_from(notification)
            .where(
                notification.c.batch_id == batch_id,
                sa.or_(
                    notification.c.seen_at.is_not(None),
                    sa.select(notification_attempt.c.notification_id)
                    .where(
                        notification_attempt.c.notification_id == notification.c.id,
                        notification_attempt.c.state == "sent",
                    )
                    .exists(),
                ),
            )
        )
        rows = await session.execute(
            sa.select(notification_attempt.c.channel, notification_attempt.c.state, sa.func.count())
            .where(notification_attempt.c.batch_id == batch_id)
            .group_by(notification_attempt.c.channel, notification_attempt.c.state)
        )
        channels: dict[str, dict[str, int]] = {}
        for channel, state, count in rows:
            bucket = channels.setdefault(
                channel, {"sent": 0, "failed": 0, "skipped": 0, "pending": 0}
            )
            bucket[state if state in bucket else "pending"] += count
    assert published is not None
    counted = {"reached": reached, "channels": channels}
    kept = {"reached": published.reached, "channels": published.channels}
    return {"counters": kept, "recount": counted, "equal": kept == counted}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guardians", type=int, default=5000)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--role", choices=("bench", "providers", "node"), default="bench")
    for option in ("--url", "--name", "--fcm-url", "--account", "--mail-url"):
        parser.add_argument(option, default="")
    args = parser.parse_args()
    if args.role == "providers":
        asyncio.run(providers_process())
        return
    if args.role == "node":
        asyncio.run(node_process(args.url, args.name, args.fcm_url, args.account, args.mail_url))
        return
    result = asyncio.run(run(args.guardians))
    text = json.dumps(result, indent=2, default=str)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
