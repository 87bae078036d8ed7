"""The OneRoster slice as the composition root sees it: its routes, tables, the import job
and the channel an administrator follows an import on."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from edtech.manifest import JobFunction, Slice
from edtech.oneroster import channels
from edtech.oneroster.api import router
from edtech.oneroster.application.import_package import ImportPackage
from edtech.oneroster.application.start_import import IMPORT_JOB
from edtech.oneroster.infrastructure import tables
from edtech.oneroster.infrastructure.imports import progress_port, uows_port
from edtech.platform.http.deps import use_case
from edtech.platform.services import Services


async def run_import(services: Services, args: Mapping[str, Any]) -> None:
    """The `oneroster.import` job: one uploaded package."""
    await use_case(ImportPackage, progress_port, uows_port)(services)(uuid.UUID(args["import_id"]))


SLICE = Slice(
    name="oneroster",
    routers=[router],
    channels=channels.register,
    tables=[tables],
    jobs=[JobFunction(IMPORT_JOB, run_import, max_attempts=3, backoff=timedelta(seconds=30))],
)
