"""The jobs slice as the composition root sees it: the job table and its admin routes."""

from __future__ import annotations

from edtech.jobs.api import router
from edtech.manifest import Slice
from edtech.platform.jobs import table

SLICE = Slice(name="jobs", routers=[router], tables=[table])
