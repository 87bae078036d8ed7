"""The OpenAPI document describes the problem answers and the formats the API really gives."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Body, FastAPI, Security
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel

from edtech.app import create_app
from edtech.platform.http.openapi import install_openapi
from edtech.platform.http.problems import PROBLEM_JSON
from edtech.settings import Settings
from tests.servers import TEST_SECRET

PROBLEM = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


class SlotIn(BaseModel):
    starts_at: dt.time


bearer = OAuth2PasswordBearer(tokenUrl="/token")


def tiny_app() -> FastAPI:
    app = FastAPI()

    @app.get("/open")
    async def open_() -> dict[str, str]:
        return {}

    @app.post("/slots", responses={409: {"description": "Taken."}})
    async def slots(
        slot: Annotated[SlotIn, Body()], token: Annotated[str, Security(bearer)]
    ) -> SlotIn:
        return slot

    install_openapi(app)
    return app


def test_every_operation_lists_its_problem_answers_as_problem_json() -> None:
    doc = tiny_app().openapi()
    open_ = doc["paths"]["/open"]["get"]["responses"]
    slots = doc["paths"]["/slots"]["post"]["responses"]
    assert {"400", "403", "404", "409", "422", "500", "503"} <= set(open_)
    assert "401" not in open_  # no credential
    assert "413" not in open_  # no body
    assert {"401", "413"} <= set(slots)
    for status in ("401", "409", "413", "422", "500", "503"):
        assert slots[status]["content"] == PROBLEM, status
    assert "database_busy" in slots["503"]["description"]
    assert slots["409"]["description"] == "Taken."  # the route's own words are kept
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    assert doc["components"]["schemas"]["Problem"]["required"] == [
        "type",
        "title",
        "status",
        "detail",
    ]


def test_wall_clock_times_are_documented_without_an_offset() -> None:
    starts_at: dict[str, Any] = tiny_app().openapi()["components"]["schemas"]["SlotIn"][
        "properties"
    ]["starts_at"]
    assert "format" not in starts_at  # JSON Schema `time` demands an offset
    assert "pattern" in starts_at


def test_the_node_documents_problems_on_every_operation_and_csv_where_served() -> None:
    app = create_app(Settings(database_url="sqlite+aiosqlite://", secret_key=TEST_SECRET))
    doc = app.openapi()
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            assert operation["responses"]["500"]["content"] == PROBLEM, (method, path)
            if path.startswith("/api/"):
                assert operation["responses"]["422"]["content"] == PROBLEM, (method, path)
    day_report = doc["paths"]["/api/v1/attendance/reports/days/{day}"]["get"]["responses"]
    assert set(day_report["200"]["content"]) == {"application/json", "text/csv"}
