"""Live: guardians with billing rights hear of invoices and payments on their inbox;
accountants watch the institution's billing dashboard."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from edtech.demo import DemoSummary
from tests.integration.billing.helpers import key, post, sign_in
from tests.servers import LiveServer


class Socket:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []

    @classmethod
    async def open(cls, server: LiveServer, auth: dict[str, str]) -> Socket:
        token = auth["Authorization"].removeprefix("Bearer ")
        return cls(await connect(f"{server.ws_url}/ws?token={token}"))

    async def subscribe(self, channel: str) -> dict[str, Any]:
        await self.ws.send(json.dumps({"op": "subscribe", "ref": channel, "channel": channel}))
        return await self.until(lambda f: f.get("op") == "reply" and f.get("ref") == channel)

    async def until(self, pred: Any, timeout: float = 10) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            while True:
                frame = json.loads(await self.ws.recv())
                if frame.get("op") == "event":
                    self.events.append(frame)
                if pred(frame):
                    return dict(frame)

    async def event(self, type_: str) -> dict[str, Any]:
        for e in self.events:
            if e["type"] == type_:
                return e
        return await self.until(lambda f: f.get("op") == "event" and f["type"] == type_)


async def test_guardian_and_dashboard_receive_invoice_and_payment_live(
    client: httpx.AsyncClient, school: DemoSummary, live_server: LiveServer
) -> None:
    acc = await sign_in(client, "accountant@demo.test")
    guardian = await sign_in(client, "guardian1@demo.test")
    outsider = await sign_in(client, "guardian3@demo.test")
    g1 = school.person("guardian1@demo.test")
    family = await post(
        client,
        "/accounts",
        {"name": "Family 1", "students": [{"student_id": str(school.student1_id)}]},
        acc,
    )
    g_ws = await Socket.open(live_server, guardian)
    a_ws = await Socket.open(live_server, acc)
    o_ws = await Socket.open(live_server, outsider)
    try:
        assert (await g_ws.subscribe(f"user.{g1}"))["ok"] is True
        dashboard = f"billing.institution.{school.institution_id}"
        assert (await a_ws.subscribe(dashboard))["ok"] is True
        refused = await o_ws.subscribe(dashboard)
        assert refused["ok"] is False

        draft = await post(
            client,
            "/invoices",
            {
                "account_id": family["id"],
                "due_on": "2026-12-01",
                "lines": [{"description": "Trip", "amount": "45.00"}],
            },
            acc,
        )
        await post(client, f"/invoices/{draft['id']}/finalize", {}, acc, status=200)
        await post(
            client,
            f"/accounts/{family['id']}/payments",
            {"amount": "45.00", "currency": "USD", "method": "cash"},
            {**acc, **key()},
        )
        issued = await g_ws.event("billing.invoice_issued")
        assert issued["data"]["number"] == "INV-000001"
        assert "recipients" not in issued["data"]
        paid = await g_ws.event("billing.payment_received")
        assert paid["channel"] == f"user.{g1}"
        assert paid["data"]["receipt_number"] == "RCP-000001"
        assert paid["data"]["amount_minor"] == 4500
        board = await a_ws.event("billing.payment_received")
        assert board["data"]["account_id"] == family["id"]
        assert (await a_ws.event("billing.invoice_paid"))["data"]["number"] == "INV-000001"
    finally:
        for ws in (g_ws, a_ws, o_ws):
            await ws.ws.close()
