"""Limit/offset pagination with a total and a `next` link, over any SQLAlchemy select."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

import sqlalchemy as sa
from fastapi import Depends, Query, Request
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
MAX_LIMIT = 200
MAX_OFFSET = 2**31 - 1
"""The largest offset accepted: far past any list, and what every SQL backend's OFFSET holds
(PostgreSQL's is a bigint, SQLite's an int64; a larger number was a 500)."""


class PageParams(BaseModel):
    limit: int = 50
    offset: int = 0


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageParamsDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    """One page of a list: `next` is the URL of the following page, or null on the last one."""

    items: list[T]
    total: int
    limit: int
    offset: int
    next: str | None = None


async def paginate(
    session: AsyncSession,
    stmt: sa.Select[Any],
    params: PageParams,
    request: Request,
    to_item: Callable[[Any], T],
) -> Page[T]:
    """Run `stmt` (already filtered and stably ordered) for one page, and count the whole."""
    total = await session.scalar(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    )
    rows: Sequence[Any] = (
        await session.execute(stmt.limit(params.limit).offset(params.offset))
    ).all()
    items = [to_item(r) for r in rows]
    total = int(total or 0)
    next_url = None
    if params.offset + params.limit < total:
        next_url = str(
            request.url.include_query_params(
                offset=params.offset + params.limit, limit=params.limit
            )
        )
    return Page[T](
        items=items, total=total, limit=params.limit, offset=params.offset, next=next_url
    )
