"""Dependency aliases shared by every slice's routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

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
    """A session for read models: it never commits (reads bypass the domain)."""
    async with services.session_factory() as session:
        yield session


ReadSessionDep = Annotated[AsyncSession, Depends(read_session)]


def unit_of_work(services: ServicesDep) -> UnitOfWork:
    """A unit of work for a use case; the use case, not the route, opens and commits it."""
    return services.uow()


UnitOfWorkDep = Annotated[UnitOfWork, Depends(unit_of_work)]


def clock(services: ServicesDep) -> Clock:
    return services.clock


ClockDep = Annotated[Clock, Depends(clock)]
