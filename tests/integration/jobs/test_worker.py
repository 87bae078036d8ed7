"""`edtech worker` as a process: it works the four slices' schedules, then stops on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import sqlalchemy as sa

from edtech.platform.db.engine import make_engine
from edtech.platform.jobs import job_table

SCHEDULES = {"attendance.closer", "billing.overdue", "communication.release", "identity.prune"}


async def finished_schedules(database_url: str) -> set[str]:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.select(job_table.c.name).where(job_table.c.state == "succeeded")
            )
            return set(rows.scalars())
    finally:
        await engine.dispose()


async def test_the_worker_runs_every_schedule_once_due_and_stops_cleanly_on_sigterm(
    database_url: str,
) -> None:
    env = {
        **os.environ,
        "EDTECH_DATABASE_URL": database_url,
        "EDTECH_SECRET_KEY": "test-secret-key-not-for-production",
        "EDTECH_LOG_JSON": "1",
        "EDTECH_JOBS_POLL_SECONDS": "0.1",
    }
    env.pop("EDTECH_BACKGROUND_JOBS", None)
    command = Path(sys.executable).parent / "edtech"
    proc = await asyncio.create_subprocess_exec(
        str(command),
        "worker",
        "--no-migrate",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        done: set[str] = set()
        for _ in range(300):
            done = await finished_schedules(database_url)
            if done >= SCHEDULES or proc.returncode is not None:
                break
            await asyncio.sleep(0.1)
        assert done >= SCHEDULES, done
        proc.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, err.decode()
    assert b"worker_started" in err
    assert b"worker_stopping" in err
    assert b"edtech worker stopped" in err
