"""Access withdrawn while sockets are open.

A subscription is authorized once, when it is made. When a slice commits an event that may take
access away (a teacher leaves a section, a guardian link ends or gets a custody restriction —
`Registrar.reauthorize_on`), the node that committed it tells every node over the broker
(`broker.NODES`), and each node checks every subscription of those people's sockets again:
those no longer allowed end with an `unsubscribed` frame. A notice lost while the broker is
down is made good at the socket's next `refresh` (which checks every subscription again) or
its token's expiry (which closes it), so access outlives its withdrawal by at most one token
lifetime, and normally by a few milliseconds.

The same notice ends sockets whose sign-in ended (logout, a revoked session, refresh-token
reuse, a changed or disabled login, a person who left): before its subscriptions, each of
those people's sockets is asked whether its sign-in still holds (`verify`, set by the
composition root from identity); one that does not is closed with 4001 (`AUTH_FAILED`), so
other sessions of the same person stay open.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Coroutine, Sequence
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.kernel.clock import Clock
from edtech.kernel.principal import Principal
from edtech.platform.observability.logging import get_logger
from edtech.realtime.broker import NODES, Broker
from edtech.realtime.protocol import CloseCode
from edtech.realtime.registry import AuthorizationContext, ResolvedChannel

log = get_logger(__name__)

Spawn = Callable[[Coroutine[Any, Any, None]], object]
"""Runs a coroutine in the background until it ends or the node stops (`Background.spawn`)."""

Verify = Callable[[Principal], Coroutine[Any, Any, bool]]
"""Whether the sign-in behind a socket's principal still holds (identity's check)."""

NOTICE = "a"
"""The prefix of an access notice on `NODES`: `a<person id>,<person id>,…`."""


class Authorization:
    """Each channel type's `authorize` rule, asked over one read-only session."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._session_factory = session_factory
        self._clock = clock

    async def refused(self, principal: Principal, channels: Sequence[ResolvedChannel]) -> list[str]:
        """The names of those channels `principal` may not subscribe to (now)."""
        async with self._session_factory() as session:
            ctx = AuthorizationContext(session, self._clock)
            return [
                c.name for c in channels if not await c.type.authorize(principal, c.params, ctx)
            ]


class Checked(Protocol):
    """A socket whose subscriptions can be checked again."""

    principal: Principal

    async def reauthorize(self) -> None: ...

    def close(self, code: CloseCode, reason: str) -> None: ...


class AccessChecks:
    """Announces withdrawn access to every node, and acts on what is announced."""

    def __init__(self, broker: Broker, sockets: Collection[Checked], spawn: Spawn) -> None:
        self._broker = broker
        self._sockets = sockets
        self._spawn = spawn
        self.verify: Verify | None = None
        """Set by the composition root; without it sockets are not asked (unit tests)."""

    def changed(self, people: frozenset[uuid.UUID]) -> None:
        """After commit: these people's access may be narrower now; tell every node."""
        self._spawn(self._announce(people))

    async def _announce(self, people: frozenset[uuid.UUID]) -> None:
        try:
            await self._broker.publish(NODES, NOTICE + ",".join(sorted(map(str, people))))
        except Exception as exc:  # other nodes catch up at refresh; this one at once
            log.warning("access_notice_failed", error=f"{type(exc).__name__}: {exc}")
            self.check_here(people)

    def heard(self, message: str) -> None:
        """A notice on `NODES` (the announcing node hears its own too)."""
        if not message.startswith(NOTICE):
            return
        try:
            people = frozenset(uuid.UUID(p) for p in message[len(NOTICE) :].split(","))
        except ValueError:
            log.warning("access_notice_malformed", message=message[:80])
            return
        self.check_here(people)

    def check_here(self, people: frozenset[uuid.UUID]) -> None:
        """Check again every subscription of these people's sockets on this node."""
        for socket in list(self._sockets):
            if socket.principal.person_id in people:
                self._spawn(_recheck(socket, self.verify))


async def _recheck(socket: Checked, verify: Verify | None) -> None:
    try:
        if verify is not None and not await verify(socket.principal):
            socket.close(CloseCode.AUTH_FAILED, "signed out: sign in again")
            return
        await socket.reauthorize()
    except Exception:  # the next notice or refresh checks again; the token's expiry ends it
        log.exception("access_check_failed")
