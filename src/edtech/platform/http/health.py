"""Liveness, readiness and metrics endpoints."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from edtech.platform.db.probe import DatabaseProbe
from edtech.platform.http.deps import ServicesDep
from edtech.platform.services import Services

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: database and broker reachable, not draining (503 otherwise)",
    responses={503: {"description": "Not ready; `checks` says which part failed."}},
)
async def readyz(services: ServicesDep) -> JSONResponse:
    checks = await run_checks(services)
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {
            "status": "ready" if ready else "unavailable",
            "node": services.node_name,
            "checks": checks,
        },
        status_code=200 if ready else 503,
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def metrics(services: ServicesDep) -> Response:
    return Response(generate_latest(services.metrics_registry), media_type=CONTENT_TYPE_LATEST)


async def database_check(services: Services) -> str | None:
    """On the probe's own connection: a request pool drained by a burst must not make a node
    with a reachable database look down (see `DatabaseProbe`)."""
    return await services.components.get(DatabaseProbe).check()


async def run_checks(services: Services, limit_seconds: float = 2.0) -> dict[str, str]:
    results: dict[str, str] = {}
    if services.draining:
        results["lifecycle"] = "draining"
    named = {"database": lambda: database_check(services), **services.readiness_checks}
    for name, check in named.items():
        try:
            async with asyncio.timeout(limit_seconds):
                reason = await check()
        except Exception as exc:  # any failure means not ready; say what it was
            reason = f"{type(exc).__name__}: {exc}"[:200]
        results[name] = reason or "ok"
    return results
