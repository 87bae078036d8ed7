"""The OneRoster slice as the composition root sees it: its routes and tables."""

from __future__ import annotations

from edtech.manifest import Slice
from edtech.oneroster.api import router
from edtech.oneroster.infrastructure import tables

SLICE = Slice(name="oneroster", routers=[router], tables=[tables])
