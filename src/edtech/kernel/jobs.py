"""The jobs port: how a use case asks for work to be done later, inside its own transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol


class Jobs(Protocol):
    """Defers a declared job function by name. Bound to the unit of work's session, the job
    exists exactly when the use case's change commits (`edtech.platform.jobs.SqlJobs`)."""

    async def defer(
        self,
        name: str,
        args: Mapping[str, Any] | None = None,
        *,
        at: datetime | None = None,
        lock: str | None = None,
        institution_id: uuid.UUID | None = None,
    ) -> uuid.UUID | None:
        """Queue `name(args)` for `at` (default now); None if `lock` is already held."""
        ...
