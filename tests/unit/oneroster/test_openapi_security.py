"""The OpenAPI document says how an LMS authenticates to the /ims operations, truthfully: the
client-credentials scheme, and for each operation every scope that grants it, as alternatives."""

from __future__ import annotations

from typing import Any

import pytest

from edtech.app import create_app
from edtech.oneroster.domain.scopes import (
    GRADEBOOK_DELETE,
    GRADEBOOK_READ,
    GRADEBOOK_WRITE,
    PREFIX,
    ROSTER_READ,
)
from edtech.settings import Settings
from tests.servers import TEST_SECRET

SCHEME = "OneRosterClientCredentials"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    settings = Settings(
        database_url="sqlite+aiosqlite:///:memory:", secret_key=TEST_SECRET, background_jobs=False
    )
    openapi: dict[str, Any] = create_app(settings).openapi()
    return openapi


def _granting(path: str, method: str) -> frozenset[str]:
    if "/rostering/" in path:
        return ROSTER_READ
    return {"get": GRADEBOOK_READ, "put": GRADEBOOK_WRITE, "delete": GRADEBOOK_DELETE}[method]


def test_the_client_credentials_scheme_names_the_token_endpoint_and_the_spec_scopes(
    document: dict[str, Any],
) -> None:
    scheme = document["components"]["securitySchemes"][SCHEME]
    assert scheme["type"] == "oauth2"
    flow = scheme["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/ims/oneroster/oauth2/token"
    assert flow["tokenUrl"] in document["paths"]
    for scopes in (ROSTER_READ, GRADEBOOK_READ, GRADEBOOK_WRITE, GRADEBOOK_DELETE):
        assert {PREFIX + s for s in scopes} <= set(flow["scopes"])
    token = document["paths"]["/ims/oneroster/oauth2/token"]["post"]
    assert token["security"] == [{"OneRosterClientBasic": []}]


def test_every_provider_operation_lists_each_granting_scope_as_an_alternative(
    document: dict[str, Any],
) -> None:
    checked = 0
    for path, operations in document["paths"].items():
        if not path.startswith(("/ims/oneroster/rostering/", "/ims/oneroster/gradebook/")):
            continue
        for method, operation in operations.items():
            requirements = operation.get("security")
            # one scope per requirement: OpenAPI reads several in one as all required
            assert requirements is not None, f"{method} {path}"
            assert all(list(r) == [SCHEME] and len(r[SCHEME]) == 1 for r in requirements)
            listed = {r[SCHEME][0] for r in requirements}
            assert listed == {PREFIX + s for s in _granting(path, method)}, f"{method} {path}"
            checked += 1
    assert checked >= 40


def test_the_token_endpoints_errors_are_documented_as_rfc_6749_json(
    document: dict[str, Any],
) -> None:
    responses = document["paths"]["/ims/oneroster/oauth2/token"]["post"]["responses"]
    for status in ("400", "401"):
        assert list(responses[status]["content"]) == ["application/json"]
        assert responses[status]["content"]["application/json"]["schema"]["required"] == ["error"]
        assert "x-own-body" not in responses[status]
    assert list(responses["422"]["content"]) == ["application/problem+json"]
