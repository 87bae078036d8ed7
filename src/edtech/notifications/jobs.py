"""The job functions the slice defers — one rung (`notifications.rung`), a chunk of a batch's
rungs (`notifications.rungs`), one person's daily digest (`notifications.digest`) — and the
schedules of the digest sweep and the stale-attempt sweep."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from edtech.manifest import JobFunction, Scheduled
from edtech.notifications.application import RUNG_JOB, SendRung
from edtech.notifications.application.fail_stale_attempts import FailStaleAttempts
from edtech.notifications.application.plan_notifications import RUNGS_JOB
from edtech.notifications.application.queue_digests import QueueDigests
from edtech.notifications.application.send_digest import DIGEST_JOB, SendDigest
from edtech.notifications.application.send_rung import MAX_TRIES
from edtech.notifications.application.send_rungs import SendRungs
from edtech.notifications.domain import Channel, Unless
from edtech.notifications.ports import (
    email_port,
    node_port,
    public_url_port,
    push_port,
    sms_port,
)
from edtech.platform.http.deps import use_case
from edtech.platform.jobs import jobs_port
from edtech.platform.services import Services


async def run_rung(services: Services, args: Mapping[str, Any]) -> None:
    send = use_case(SendRung, email_port, push_port, sms_port, node_port, public_url_port)(services)
    await send(uuid.UUID(args["notification_id"]), Channel(args["channel"]), Unless(args["unless"]))


RUNG = JobFunction(RUNG_JOB, run_rung, max_attempts=MAX_TRIES, backoff=timedelta(seconds=10))
"""A provider that failed is tried again after 10 s, 20 s, 40 s, 80 s; then the attempt fails."""


async def run_rungs(services: Services, args: Mapping[str, Any]) -> None:
    send = use_case(
        SendRungs, email_port, push_port, sms_port, node_port, public_url_port, jobs_port
    )(services)
    ids = [uuid.UUID(i) for i in args["notification_ids"]]
    await send(ids, Channel(args["channel"]), Unless(args["unless"]), int(args.get("round", 0)))


RUNGS = JobFunction(RUNGS_JOB, run_rungs, max_attempts=MAX_TRIES, backoff=timedelta(seconds=10))
"""A chunk of a batch's rungs (one channel), one round of its attempts. The job is run again
when it could not finish (the database failed it, its node died, another transaction held an
attempt); an attempt whose provider failed is not: it goes to a follow-up job of its next try
(`SendRungs`), so its tries are its own."""


async def run_digest(services: Services, args: Mapping[str, Any]) -> None:
    send = use_case(SendDigest, email_port, node_port, public_url_port)(services)
    await send(
        uuid.UUID(args["institution_id"]),
        uuid.UUID(args["person_id"]),
        date.fromisoformat(args["day"]),
    )


DIGEST = JobFunction(DIGEST_JOB, run_digest, max_attempts=MAX_TRIES, backoff=timedelta(seconds=10))
"""A digest whose email failed is tried again after 10 s, 20 s, 40 s, 80 s; then it fails."""


async def queue_digests(services: Services) -> int:
    return await use_case(QueueDigests)(services)()


DIGEST_SWEEP = Scheduled("notifications.digests", None, queue_digests, cron="*/5 * * * *")
"""Every five minutes (on the hour too, when digests fall due): queue the digests due."""


async def fail_stale_attempts(services: Services) -> int:
    return await use_case(FailStaleAttempts)(services)()


STALE_SWEEP = Scheduled(
    "notifications.stale-attempts", None, fail_stale_attempts, cron="*/10 * * * *"
)
"""Every ten minutes: fail the attempts no job will settle any more (`FailStaleAttempts`)."""
