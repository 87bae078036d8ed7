"""A loopback stand-in for api.stripe.com: answers with recorded Stripe responses and keeps
every request it saw (method, path, headers, form), so tests can check what the adapter sent.

It is a real HTTP server (uvicorn on 127.0.0.1), so the `stripe` library runs unmocked: its
form encoding, headers, retries and response parsing are the ones production uses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.conftest import LiveServer

RECORDED = Path(__file__).parent / "stripe"


def recorded(name: str) -> Any:
    """A recorded Stripe response (or webhook event) from tests/integration/billing/stripe/."""
    return json.loads((RECORDED / f"{name}.json").read_text())


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


class StripeServer:
    """Serves POST /v1/checkout/sessions, GET /v1/checkout/sessions/{id} and POST /v1/refunds."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.refund_answer: tuple[int, str] = (200, "refund")
        app = FastAPI()
        app.add_api_route("/v1/checkout/sessions", self._create_session, methods=["POST"])
        app.add_api_route("/v1/checkout/sessions/{sid}", self._session, methods=["GET"])
        app.add_api_route("/v1/refunds", self._refund, methods=["POST"])
        self._server = LiveServer(app)
        self.url = self._server.url

    async def start(self) -> None:
        await self._server.start()

    async def stop(self) -> None:
        await self._server.stop()

    def seen(self, method: str, path: str) -> list[Seen]:
        return [r for r in self.requests if r.method == method and r.path == path]

    async def _record(self, request: Request) -> None:
        form = dict(parse_qsl((await request.body()).decode()))
        self.requests.append(
            Seen(request.method, request.url.path, dict(request.headers.items()), form)
        )

    async def _create_session(self, request: Request) -> JSONResponse:
        await self._record(request)
        return JSONResponse(recorded("checkout_session_created"))

    async def _session(self, sid: str, request: Request) -> JSONResponse:
        await self._record(request)
        session = recorded("checkout_session_completed")
        if sid != session["id"]:
            return JSONResponse(
                {
                    "error": {
                        "code": "resource_missing",
                        "message": f"No such checkout.session: '{sid}'",
                        "param": "session",
                        "type": "invalid_request_error",
                    }
                },
                status_code=404,
            )
        return JSONResponse(session)

    async def _refund(self, request: Request) -> JSONResponse:
        await self._record(request)
        status, name = self.refund_answer
        return JSONResponse(recorded(name), status_code=status)
