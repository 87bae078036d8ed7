"""`edtech worker` as a process: it works the four slices' schedules, then stops on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

import sqlalchemy as sa

from edtech.app import STOP_WITHIN
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
        "PYTHONFAULTHANDLER": "1",  # SIGABRT prints every thread's stack
    }
    env.pop("EDTECH_BACKGROUND_JOBS", None)
    command = Path(sys.executable).parent / "edtech"
    proc = await asyncio.create_subprocess_exec(
        str(command),
        "worker",
        "--no-migrate",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    # Its output is read as it comes, so that a worker that does not stop can say where it hangs.
    err_lines: list[bytes] = []
    assert proc.stderr is not None
    reading = asyncio.ensure_future(_lines(proc.stderr, err_lines))
    try:
        done: set[str] = set()
        for _ in range(300):
            done = await finished_schedules(database_url)
            if done >= SCHEDULES or proc.returncode is not None:
                break
            await asyncio.sleep(0.1)
        assert done >= SCHEDULES, (done, b"".join(err_lines).decode())
        proc.send_signal(signal.SIGTERM)
        try:
            # Longer than a node gives one part to stop (STOP_WITHIN): a part that hangs is named.
            await asyncio.wait_for(proc.wait(), STOP_WITHIN + 15)
        except TimeoutError:
            proc.send_signal(signal.SIGABRT)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(proc.wait(), reading), 10)
            raise AssertionError(
                f"no exit within {STOP_WITHIN + 15} s of SIGTERM:\n" + b"".join(err_lines).decode()
            ) from None
        await reading
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await asyncio.gather(reading, return_exceptions=True)
    err = b"".join(err_lines)
    assert proc.returncode == 0, err.decode()
    assert b"worker_started" in err
    assert b"worker_stopping" in err
    assert b"edtech worker stopped" in err
    assert b"node_stop_timeout" not in err, err.decode()


async def _lines(stream: asyncio.StreamReader, into: list[bytes]) -> None:
    async for line in stream:
        into.append(line)
