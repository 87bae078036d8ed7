"""Dependency aliases shared by every slice's routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from edtech.kernel.clock import Clock
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.services import Services


def get_services(conn: HTTPConnection) -> Services:
    services: Services = conn.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def read_session(services: ServicesDep) -> AsyncIterator[AsyncSession]:
    """A session for read models: it never commits (reads bypass the domain); on PostgreSQL
    its statements run outside a transaction (`Services.reads`)."""
    async with services.reads() as session:
        yield session


ReadSessionDep = Annotated[AsyncSession, Depends(read_session)]


def unit_of_work(services: ServicesDep) -> UnitOfWork:
    """A unit of work for a use case; the use case, not the route, opens and commits it."""
    return services.uow()


UnitOfWorkDep = Annotated[UnitOfWork, Depends(unit_of_work)]


def clock(services: ServicesDep) -> Clock:
    return services.clock


ClockDep = Annotated[Clock, Depends(clock)]


U = TypeVar("U")
T = TypeVar("T")

Port = Callable[[Services], Any]
"""Builds one of a use case's ports (a roster factory, a provider, a cache) from the node."""


def use_case(cls: Callable[..., U], *ports: Port) -> Callable[[Services], U]:
    """The one way a route gets a use case: a dependency that builds
    `cls(uow, clock, *ports)` on a fresh unit of work of this request, the node's clock and
    each port built from the node's services, in the order given.

    Every use case therefore takes `(uow, clock, …its ports)` in that order; the use case, not
    the route, opens and commits the unit of work. Use it as
    `Annotated[RecordScans, Depends(use_case(RecordScans, roster))]`; work that is not a
    request (a scheduled job, the scan ingester) calls the same builder with the node's
    services: `use_case(PruneSessions)(services)`.
    """

    # Built for every request (and every scan transaction): no generator when a list will do.
    def build(services: ServicesDep) -> U:
        return cls(services.uow(), services.clock, *[port(services) for port in ports])

    build.__name__ = f"use_case_{getattr(cls, '__name__', 'use_case')}"
    return build


def component(kind: type[T]) -> Callable[[HTTPConnection], T]:
    """A dependency returning this node's instance of `kind`, built and started by the
    composition root from a slice manifest (never created on first use)."""

    def get(conn: HTTPConnection) -> T:
        return get_services(conn).components.get(kind)

    get.__name__ = f"component_{kind.__name__}"
    return get
