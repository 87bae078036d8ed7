"""The ports the calendar's use cases talk through."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

CancelSessions = Callable[
    [AsyncSession, uuid.UUID, uuid.UUID | None, date, str, datetime], Awaitable[int]
]
"""Cancels the planned sessions of a day (one school's, or every school's when None) in the
caller's transaction, with a reason; returns how many (attendance's `cancel_sessions_on`)."""


class SessionCanceller:
    """The node's adapter of `CancelSessions` (a component the calendar's manifest builds from
    attendance's public function), so that the calendar's routes do not import attendance."""

    def __init__(self, cancel: CancelSessions) -> None:
        self.cancel = cancel
