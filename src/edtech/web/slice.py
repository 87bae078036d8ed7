"""The web pages as the composition root sees them: one router serving `/app`."""

from __future__ import annotations

from edtech.manifest import Slice
from edtech.web.pages import build_router

SLICE = Slice(name="web", routers=[build_router()])
