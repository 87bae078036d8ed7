"""Sockets of a tenant taken out of service are closed on every node at once.

A slice declares which events end a whole institution's access (`Registrar.close_sockets_on`,
e.g. the roster's `InstitutionSuspended`). After such an event commits, the node that committed
it publishes one notice on the broker channel `NODES` (`t<institution id>,…`); every node (the
announcing one too) closes each socket of those institutions with 4001, so the client's refresh
— refused too, since token checks refuse a suspended institution — ends the session. A notice
lost while the broker is down is made good by the token's expiry (≤ the access-token lifetime):
the announcing node closes its own sockets at once regardless.

This sits beside `access.AccessChecks` (which re-checks subscriptions of people) rather than
inside it: that one narrows what a socket hears, this one ends the socket.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Coroutine
from typing import Any, Protocol

from edtech.kernel.principal import Principal
from edtech.platform.observability.logging import get_logger
from edtech.realtime.broker import NODES, Broker
from edtech.realtime.protocol import CloseCode

log = get_logger(__name__)

Spawn = Callable[[Coroutine[Any, Any, None]], object]
"""Runs a coroutine in the background until it ends or the node stops."""

NOTICE = "t"
"""The prefix of a tenant notice on `NODES`: `t<institution id>,<institution id>,…`."""


class Closable(Protocol):
    """A socket, as far as this module is concerned."""

    principal: Principal

    def close(self, code: CloseCode, reason: str) -> None: ...


class TenantSockets:
    """Announces institutions whose sockets must close, and closes them where they are."""

    def __init__(self, broker: Broker, sockets: Collection[Closable], spawn: Spawn) -> None:
        self._broker = broker
        self._sockets = sockets
        self._spawn = spawn

    def closed(self, institutions: frozenset[uuid.UUID]) -> None:
        """After commit: every socket of these institutions must close, on every node."""
        self._spawn(self._announce(institutions))

    async def _announce(self, institutions: frozenset[uuid.UUID]) -> None:
        try:
            await self._broker.publish(NODES, NOTICE + ",".join(sorted(map(str, institutions))))
        except Exception as exc:  # the others catch up at token expiry; this node at once
            log.warning("tenant_notice_failed", error=f"{type(exc).__name__}: {exc}")
            self.close_here(institutions)

    def heard(self, message: str) -> None:
        """A notice on `NODES` (the announcing node hears its own too)."""
        if not message.startswith(NOTICE):
            return
        try:
            institutions = frozenset(uuid.UUID(i) for i in message[len(NOTICE) :].split(","))
        except ValueError:
            log.warning("tenant_notice_malformed", message=message[:80])
            return
        self.close_here(institutions)

    def close_here(self, institutions: frozenset[uuid.UUID]) -> None:
        closed = 0
        for socket in list(self._sockets):
            if socket.principal.institution_id in institutions:
                socket.close(CloseCode.AUTH_FAILED, "institution suspended")
                closed += 1
        if closed:
            log.info("tenant_sockets_closed", sockets=closed)
