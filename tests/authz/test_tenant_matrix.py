"""Every operation of the OpenAPI document, called by each role of another institution with
the demo institution's ids: refused as if the rows did not exist, nothing of the demo
institution in any answer, nothing of it changed.

Generated from the published document: a new endpoint is probed without a new test; one whose
path parameter has no target in `tests/authz/world.py` fails the suite until it gets one.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.authz.requests import Bodies, Operation, operations
from tests.authz.world import PARAM_TABLES, World, body_ids, leaked
from tests.roster import login

OUTSIDERS = ("admin@other.test", "teacher@other.test", "guardian@other.test")
# Path parameters that name no row of one tenant: a day, a payment provider, an attendance
# code (every institution has its own `P`). Their answers are still checked for leaks.
NO_TENANT_ROW = {"day", "provider", "code"}


def nowhere(ids: dict[str, str]) -> dict[str, str]:
    """The same pool with every tenant row's id replaced by one that exists nowhere."""
    return {k: v if k in NO_TENANT_ROW else str(uuid.uuid4()) for k, v in ids.items()}


async def call(
    client: httpx.AsyncClient, op: Operation, headers: dict[str, str], bodies: Bodies, ids: Any
) -> tuple[httpx.Response, set[str]]:
    url = op.fill(ids)
    sent = set(ids.values()) & set(url.split("/"))
    kwargs: dict[str, Any] = {}
    body = bodies.of(op)
    if body is not None:
        kind, value = body
        kwargs[kind] = value
        sent |= body_ids(value)
    response = await client.request(op.method, url, headers=headers, **kwargs)
    return response, sent


async def test_no_operation_lets_another_institution_see_or_change_the_demo(
    client: httpx.AsyncClient, world: World
) -> None:
    document = (await client.get("/openapi.json")).json()
    bodies = Bodies(document, world.demo_ids)
    before = await world.fingerprint()
    failures: list[str] = []
    probed = 0
    for op in operations(document):
        tenant_params = [p for p in op.params if p not in NO_TENANT_ROW]
        if missing := [p for p in op.params if p not in world.demo_ids]:
            failures.append(f"{op.key}: no target for {missing} (add it to tests/authz/world.py)")
            continue
        for who in OUTSIDERS:
            response, sent = await call(client, op, world.headers[who], bodies, world.demo_ids)
            if response.status_code == 401:  # an earlier probe (logout, say) ended the sign-in
                world.headers[who] = await login(client, who)
                response, sent = await call(client, op, world.headers[who], bodies, world.demo_ids)
            probed += 1
            where = f"{who}: {op.key} -> {response.status_code}"
            if response.status_code >= 500:
                failures.append(f"{where} (server error) {response.text[:200]}")
            if tenant_params:
                # Another institution's row must be indistinguishable from no row at all.
                ids = nowhere(world.demo_ids)
                absent, _ = await call(client, op, world.headers[who], Bodies(document, ids), ids)
                if absent.status_code != response.status_code:
                    failures.append(f"{where}, but {absent.status_code} for ids that exist nowhere")
            if found := leaked(response.text, world, sent):
                failures.append(f"{where} leaks demo ids {sorted(found)[:3]}")
    assert probed >= 3 * 100
    assert not failures, "\n".join(failures)
    assert await world.fingerprint() == before, "a refused request changed the demo institution"


def test_every_path_parameter_has_a_target(world: World) -> None:
    """The pool covers each parameter the document uses (a new kind of row needs a target)."""
    assert set(PARAM_TABLES) <= set(world.demo_ids)
