"""The job function the ladder defers: one rung (`notifications.rung`)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from edtech.manifest import JobFunction
from edtech.notifications.application import RUNG_JOB, SendRung
from edtech.notifications.application.send_rung import MAX_TRIES
from edtech.notifications.domain import Channel, Unless
from edtech.notifications.ports import (
    email_port,
    node_port,
    public_url_port,
    push_port,
    sms_port,
)
from edtech.platform.http.deps import use_case
from edtech.platform.services import Services


async def run_rung(services: Services, args: Mapping[str, Any]) -> None:
    send = use_case(SendRung, email_port, push_port, sms_port, node_port, public_url_port)(services)
    await send(uuid.UUID(args["notification_id"]), Channel(args["channel"]), Unless(args["unless"]))


RUNG = JobFunction(RUNG_JOB, run_rung, max_attempts=MAX_TRIES, backoff=timedelta(seconds=10))
"""A provider that failed is tried again after 10 s, 20 s, 40 s, 80 s; then the attempt fails."""
