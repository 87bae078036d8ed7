"""Dependencies of the roster routes: the caller's policy, today's date, one row or 404.

Use cases are built by the platform's `use_case` (ADR-0006), like every slice's."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Protocol

from fastapi import Depends

from edtech.institutions.policy import Policy
from edtech.kernel.errors import NotFoundError
from edtech.platform.http.deps import ClockDep, ReadSessionDep


def read_policy(session: ReadSessionDep, clock: ClockDep) -> Policy:
    """The policy on the read session, judging dated rows on today's (UTC) date."""
    return Policy(session, today=clock.now().date())


PolicyDep = Annotated[Policy, Depends(read_policy)]


def today(clock: ClockDep) -> date:
    return clock.now().date()


TodayDep = Annotated[date, Depends(today)]


class Row(Protocol):
    """A result row of the slice's read queries, read through its mapping of columns."""

    @property
    def _mapping(self) -> Mapping[Any, Any]: ...


def one(row: Row | None, what: str) -> dict[str, Any]:
    """The row as a dict, or 404 — the same answer for missing and not-yours."""
    if row is None:
        raise NotFoundError(f"{what} not found")
    return dict(row._mapping)
