"""Realtime: `oneroster.import.{id}`, where an administrator follows a roster import."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from edtech.kernel.principal import Principal
from edtech.oneroster.domain.events import ImportFinished, ImportProgressed
from edtech.oneroster.infrastructure.imports import import_exists
from edtech.realtime.public import AuthorizationContext, ChannelType, Registrar


class ImportProgressedData(BaseModel):
    import_id: uuid.UUID
    phase: str
    file: str | None
    done: int
    total: int


class ImportFinishedData(BaseModel):
    import_id: uuid.UUID
    state: str
    report: dict[str, Any] | None
    problem: dict[str, Any] | None


async def _authorize(
    principal: Principal, params: Mapping[str, uuid.UUID], ctx: AuthorizationContext
) -> bool:
    if not principal.is_institution_admin:
        return False
    return await import_exists(ctx.session, principal.institution_id, params["id"])


IMPORT = ChannelType(
    pattern="oneroster.import.{id}",
    authorize=_authorize,
    description=(
        "A roster import's progress (started, each file applied — per file on PostgreSQL; "
        "SQLite publishes the start and the outcome only) and its outcome: the report, or the "
        "problems that changed nothing. The institution's administrators may subscribe. "
        "Durable: subscribe from offset 0, or read `GET /api/v1/roster/imports/{id}`."
    ),
    durable=True,
    history_size=100,
    events={ImportProgressed.type: ImportProgressedData, ImportFinished.type: ImportFinishedData},
)


def _to_import(event: ImportProgressed | ImportFinished) -> Iterable[str]:
    return [IMPORT.name(id=event.import_id)]


def register(registry: Registrar) -> None:
    registry.add(IMPORT)
    registry.route(ImportProgressed, _to_import)
    registry.route(ImportFinished, _to_import)
