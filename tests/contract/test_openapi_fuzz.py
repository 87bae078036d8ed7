"""Schemathesis over `/openapi.json`: whatever a client may send, the API answers as documented.

Every operation is called with generated requests (valid and invalid ones), as an institution
admin and as a guardian, against a node seeded with the product demo. A response fails the test
when it is a server error, or its status, content type, headers or body are not what the
document says.

Bounded for CI (a few examples per operation); `EDTECH_FULL_SCHEMATHESIS=1` runs the long
profile (see README, "Development").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from edtech.app import create_app
from edtech.notifications.settings import NotificationSettings
from edtech.settings import Settings
from tests import databases
from tests.contract import schemathesis_hooks
from tests.contract.node import ThreadedNode
from tests.servers import TEST_SECRET
from tests.services import available

FULL = os.environ.get("EDTECH_FULL_SCHEMATHESIS") == "1"
MAX_EXAMPLES = int(os.environ.get("EDTECH_SCHEMATHESIS_EXAMPLES", 200 if FULL else 3))
PHASES = [Phase.explicit, Phase.generate] if FULL else [Phase.generate]
"""`explicit` adds schemathesis's coverage cases (every boundary and wrong type of every field:
thorough, and many); the CI profile keeps to a few generated cases per operation."""

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

LOGINS = {"admin": "admin@demo.test", "guardian": "guardian1@demo.test"}


POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)
DIALECTS = ["sqlite", POSTGRES] if FULL else [POSTGRES if available("PostgreSQL") else "sqlite"]
"""The long profile fuzzes both databases; the CI profile one: PostgreSQL (what deployments
run) where it is reachable, else the embedded SQLite."""


@pytest.fixture(scope="module", params=DIALECTS)
def node(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ThreadedNode]:
    if request.param == "sqlite":
        url = databases.fresh_sqlite(sqlite_template, tmp_path_factory.mktemp("fuzz"))
    else:
        url = request.getfixturevalue("postgres_database")
        databases.run_blocking(databases.truncate_all(url))
    server = ThreadedNode(
        Settings(
            database_url=url,
            broker_url="memory://",
            secret_key=TEST_SECRET,
            log_json=True,
            log_level="CRITICAL",  # the fuzzer's 4xx are expected; 500s fail the check
            background_jobs=False,
            # Routes that send mail run through (a 503 "mail is not set up" would stop them
            # before anything the fuzzer sends is judged).
            mail_url="console://",
            # Likewise push: device registration answers 503 on a node without a provider.
            notifications=NotificationSettings(push_url="console://", sms_url="console://"),
            # Likewise files are kept in a directory, so routes that store them are fuzzed.
            storage_url=f"file://{tmp_path_factory.mktemp('files')}",
        )
    )
    server.start()
    # Both sign in before the fuzzer sends wrong passwords and gets the address throttled.
    server.logins = {role: server.bearer(email) for role, email in LOGINS.items()}
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module", params=list(LOGINS))
def auth(request: pytest.FixtureRequest, node: ThreadedNode) -> dict[str, str]:
    """The bearer header of the role the operations are called as."""
    return node.logins[request.param]


def _document() -> dict[str, Any]:
    """The document every node serves at `/openapi.json` (built without touching a database)."""
    app = create_app(Settings(database_url="sqlite+aiosqlite://", secret_key=TEST_SECRET))
    document: dict[str, Any] = app.openapi()
    return document


schema = schemathesis.openapi.from_dict(_document()).exclude(
    # Ends the very session the run signs in with; the rest would be 401s.
    path="/api/v1/auth/logout",
)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    phases=PHASES,
    database=None,
    derandomize=not FULL,  # CI: the same cases every run
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_documented(
    case: schemathesis.Case, node: ThreadedNode, auth: dict[str, str]
) -> None:
    case.call_and_validate(base_url=node.url, headers=auth, checks=CHECKS, timeout=30)


@pytest.mark.skipif(not FULL, reason="stateful workflows run in the long profile only")
def test_workflows_answer_as_documented(
    node: ThreadedNode, auth: dict[str, str], tmp_path: Path
) -> None:
    """Sequences of calls, linked by what one answer gives the next (a created resource's id
    used to read, change or end it), with the links schemathesis infers from the document.

    Run by schemathesis's own engine (its command line): the node's data changes under a
    workflow, so a replay need not take the same links, which Hypothesis's pytest runner
    refuses as flaky generation."""
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(node.openapi))
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        str(document),
        f"--url={node.url}",
        "--phases=stateful",
        f"--checks={','.join(check.__name__ for check in CHECKS)}",
        f"--header=Authorization: {auth['Authorization']}",
        "--exclude-path=/api/v1/auth/logout",
        f"--max-examples={MAX_EXAMPLES}",
        "--no-color",
    ]
    run = subprocess.run(  # in tmp_path: the engine keeps its state in ./.schemathesis
        command,
        cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_HOOKS": schemathesis_hooks.__file__},  # zip bodies
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-20_000:] + run.stderr[-5_000:]
