"""Every operation of the OpenAPI document × role × relation (own, other family, other section,
other school, other institution, custody-restricted, flag-restricted), reads and writes, held
to the written policy of `tests/authz/policy.py` — never to the answers.

* An operation without a declared rule fails the suite: a new endpoint is covered as soon as it
  is published, and its authors must say who may call it.
* Allowed: the answer is anything but 401/403/404 (a 409 or 422 means the rule let the caller
  through to the business rules). Refused: 403 or 404 (422 "no such …" too when the target is
  named in the body only). Never a server error.
* Writes run on a snapshot of the world: every refused write of an operation must leave every
  table as it was (a fingerprint of all rows), and every allowed write is undone (the SQLite
  file is restored) before the next call, so no write changes what the next one meets.

CI profile: a fixed sample of relations per operation (every scenario is exercised across the
document). `EDTECH_AUTHZ_FULL=1` runs every scenario on every operation.
"""

from __future__ import annotations

import os
import uuid
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from edtech.app import create_app
from edtech.demo import DemoSummary, OtherSummary
from edtech.demo_product import seed_product_demo
from edtech.platform.db.engine import is_sqlite, make_engine, make_session_factory
from edtech.settings import Settings
from tests.authz.matrix import (
    LOGINS,
    ROLES,
    SCALE,
    SCENARIOS,
    Scenario,
    Snapshot,
    furnish,
    pools,
)
from tests.authz.policy import FINDINGS, POLICY, Rule
from tests.authz.requests import Bodies, Operation, operations
from tests.authz.world import World, body_ids
from tests.roster import login
from tests.servers import TEST_SECRET

FULL = os.environ.get("EDTECH_AUTHZ_FULL") == "1"
SAMPLE = 2  # scenarios per operation in the CI profile
# A path parameter whose name means something else on one operation.
RENAMED = {"DELETE /api/v1/auth/sessions/{session_id}": {"session_id": "sign_in_id"}}
# Body fields whose smallest value would be refused before anyone's rights are looked at (a
# weak password, an empty quiet-hours window), and fields a rule needs though they are optional.
FIELDS = {"password": "Correct-Horse-Battery-42", "ends_at": "17:00:00Z", "currency": "USD"}
EXTRA = {"POST /api/v1/conversations/{conversation_id}/export": {"reason": "safeguarding audit"}}
# Refusals are these problems; a 403/404 of another kind is a business rule's answer (a bad QR
# code, say), reached only once the caller was let through.
REFUSALS = {"forbidden", "not_found", "unauthorized", "unauthenticated", None}


class Requests(Bodies):
    def value(self, schema: Mapping[str, Any], name: str) -> Any:
        if name in FIELDS:
            return FIELDS[name]
        return super().value(schema, name)


@pytest.fixture
async def product_demo(settings: Settings, other_institution: OtherSummary) -> DemoSummary:
    """The demo product at a scale with a teacher who shares a school but no section with
    student1 (teacher3, S03)."""
    engine = make_engine(settings.database_url)
    try:
        return await seed_product_demo(make_session_factory(engine), SCALE)
    finally:
        await engine.dispose()


@pytest.fixture(autouse=True)
def _sqlite_only(request: pytest.FixtureRequest) -> None:
    """Writes are undone by restoring the SQLite file (the rules are the same SQL on both
    databases): skip the PostgreSQL run before its world is built."""
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and callspec.params.get("database_url") == "postgres":
        pytest.skip("the policy matrix restores its world from a SQLite snapshot")


def test_every_operation_has_a_declared_policy() -> None:
    app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:", secret_key=TEST_SECRET))
    published = {op.key for op in operations(app.openapi())}
    undeclared = sorted(published - POLICY.keys())
    assert not undeclared, f"declare who may call these in tests/authz/policy.py: {undeclared}"
    assert not sorted(POLICY.keys() - published), "a rule for an operation nobody serves"


def chosen(op: Operation, bearing: bool) -> list[Scenario]:
    """The scenarios an operation is tried with: every one in the full profile, else a fixed
    sample that turns with the operation (so every scenario is tried across the document)."""
    if not bearing:  # nothing of the subject in the request: the role alone decides
        every = [next(s for s in SCENARIOS if s.role == r and s.relation == "own") for r in ROLES]
    else:
        every = list(SCENARIOS)
    if FULL:
        return every
    start = zlib.crc32(op.key.encode()) % len(every)
    step = max(len(every) // SAMPLE, 1)
    return [every[(start + k * step) % len(every)] for k in range(SAMPLE)]


def query(op: Operation, bodies: Bodies) -> dict[str, Any]:
    """The operation's required query parameters (a report's dates, say)."""
    return {
        p["name"]: bodies.value(p.get("schema", {}), p["name"])
        for p in op.spec.get("parameters", [])
        if p.get("in") == "query" and p.get("required")
    }


async def call(
    client: httpx.AsyncClient,
    document: Mapping[str, Any],
    op: Operation,
    headers: Mapping[str, str],
    pool: Mapping[str, str],
) -> httpx.Response:
    ids = {**pool, **{k: pool[v] for k, v in RENAMED.get(op.key, {}).items()}}
    bodies = Requests(document, ids)
    kwargs: dict[str, Any] = {"params": query(op, bodies)}
    if (body := bodies.of(op)) is not None:
        kind, value = body
        kwargs[kind] = {**value, **EXTRA.get(op.key, {})} if isinstance(value, dict) else value
    sent = {**headers}
    if op.method != "GET":
        sent["Idempotency-Key"] = uuid.uuid4().hex
    return await client.request(op.method, op.fill(ids), headers=sent, **kwargs)


def goes_through(op: Operation, rule: Rule, s: Scenario) -> bool:
    """Allowed, or a known finding (which may change the world too)."""
    return rule.allows(s) or (op.key, s.role, s.relation) in FINDINGS


def unconfigured(answer: httpx.Response) -> bool:
    """A port with no adapter (card payments outside demo mode): its 503 problem comes after
    the caller was let through, so it counts as allowed."""
    if answer.status_code != 503:
        return False
    try:
        return str(answer.json().get("code", "")).endswith("not_set_up")
    except ValueError:
        return False


def refused(answer: httpx.Response, body_only: bool) -> bool:
    """A refusal: 401/403/404 of the refusal kinds (422 "no such …" for a target named in the
    body only, as another tenant's ids are)."""
    if answer.status_code == 422:
        return body_only
    if answer.status_code not in (401, 403, 404):
        return False
    try:
        code = answer.json().get("code")
    except ValueError:
        code = None
    return code in REFUSALS


def judge(rule: Rule, s: Scenario, answer: httpx.Response, body_only: bool) -> str | None:
    """What is wrong with an answer, if anything."""
    if answer.status_code >= 500 and not unconfigured(answer):
        return "server error"
    if rule.kind == "public":
        return None
    if rule.allows(s):
        return f"refused, but allowed ({rule.why})" if refused(answer, False) else None
    return None if refused(answer, body_only) else f"allowed, but refused ({rule.why})"


async def test_operations_follow_the_policy(
    client: httpx.AsyncClient, world: World, settings: Settings, tmp_path: Path
) -> None:
    if not is_sqlite(settings.database_url):
        pytest.skip("writes are undone by restoring the SQLite file; the rules are the same SQL")
    headers = dict(world.headers)
    for who in LOGINS:
        if who not in headers:
            headers[who] = await login(client, who)
    await furnish(client, settings, headers, world.demo.institution_id)
    pool = await pools(settings, world.demo.institution_id)
    varying = {k for k in pool["A"] if len({p.get(k) for p in pool.values()}) > 1}
    subject_ids = {pool["A"][k] for k in varying}
    document = (await client.get("/openapi.json")).json()
    snapshot = Snapshot(settings.database_url, tmp_path)

    failures: list[str] = []
    tried: set[tuple[str, str]] = set()
    seen_findings: set[tuple[str, str, str]] = set()
    calls = 0
    for op in operations(document):
        rule = POLICY.get(op.key)
        if rule is None:
            failures.append(f"{op.key}: no declared policy")
            continue
        names = [RENAMED.get(op.key, {}).get(p, p) for p in op.params]
        if missing := [p for p in names if p not in pool["A"]]:
            failures.append(f"{op.key}: no target for {missing} in tests/authz/matrix.py")
            continue
        body = Bodies(document, pool["A"]).of(op)
        in_body = bool(body_ids(body[1]) & subject_ids) if body else False
        in_path = bool(set(names) & varying)
        # A subject without such a row (no payment on its account, say) sits this one out.
        scenarios = [
            s for s in chosen(op, in_path or in_body) if all(p in pool[s.subject] for p in names)
        ]
        write = op.method != "GET"

        if write:  # refused ones first: together they must change nothing
            scenarios.sort(key=lambda s, op=op, rule=rule: goes_through(op, rule, s))
        checked = False
        for s in scenarios:
            if write and goes_through(op, rule, s) and not checked:
                checked = True
                if changed := await snapshot.changed():
                    failures.append(f"{op.key}: refused writes changed {changed}")
                    await snapshot.restore()
            answer = await call(client, document, op, headers[s.login], pool[s.subject])
            if answer.status_code == 401 and rule.kind == "roles":  # an earlier call signed out
                headers[s.login] = await login(client, s.login)
                answer = await call(client, document, op, headers[s.login], pool[s.subject])
            calls += 1
            tried.add((s.role, s.relation))
            wrong = judge(rule, s, answer, in_body and not in_path)
            known = FINDINGS.get((op.key, s.role, s.relation))
            if known is not None:
                seen_findings.add((op.key, s.role, s.relation))
                if wrong is None:
                    failures.append(f"{op.key} by {s.key}: fixed? drop it from FINDINGS ({known})")
            elif wrong:
                failures.append(
                    f"{op.key} by {s.key}: {answer.status_code} {wrong} {answer.text[:160]}"
                )
            if write and goes_through(op, rule, s):
                await snapshot.restore()
        if write and not checked and (changed := await snapshot.changed()):
            failures.append(f"{op.key}: refused writes changed {changed}")
            await snapshot.restore()
    snapshot.close()
    assert not failures, f"{len(failures)} of {calls} calls:\n" + "\n".join(failures)
    assert tried == {(s.role, s.relation) for s in SCENARIOS}, "a scenario never tried"
    assert calls >= SAMPLE * 150
