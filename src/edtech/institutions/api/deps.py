"""Dependencies of the roster routes: the caller's policy, today's date, one row or 404.

Use cases are built by the platform's `use_case` (ADR-0006), like every slice's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Protocol

from fastapi import Depends

from edtech.identity.public import OptionalPrincipalDep
from edtech.institutions.policy import Policy
from edtech.kernel.errors import NotFoundError
from edtech.platform.http.deps import ClockDep, ReadSessionDep


async def read_policy(
    session: ReadSessionDep, clock: ClockDep, principal: OptionalPrincipalDep
) -> Policy:
    """The policy on the read session, judging dated rows on today's date at the caller's
    institution (in its time zone). Without a caller the route refuses anyway (401)."""
    if principal is None:
        return Policy(session, today=clock.now().date())
    return await Policy.at_school(session, clock, principal.institution_id)


PolicyDep = Annotated[Policy, Depends(read_policy)]


class Row(Protocol):
    """A result row of the slice's read queries, read through its mapping of columns."""

    @property
    def _mapping(self) -> Mapping[Any, Any]: ...


def one(row: Row | None, what: str) -> dict[str, Any]:
    """The row as a dict, or 404 — the same answer for missing and not-yours."""
    if row is None:
        raise NotFoundError(f"{what} not found")
    return dict(row._mapping)
