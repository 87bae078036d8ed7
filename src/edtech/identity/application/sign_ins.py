"""The sign-ins of a node's concurrent requests, read together (ADR-0019)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.identity.application.common import (
    SignedIn,
    live_grants,
    live_grants_of_many,
    signed_in,
)
from edtech.institutions.public import PersonGrants
from edtech.kernel.clock import Clock
from edtech.kernel.principal import Principal
from edtech.platform.coalesce import Coalescer
from edtech.platform.security.tokens import TokenSigner

SIGN_INS_PER_READ = 64
"""Sign-ins one statement reads at most."""


class SignIns:
    """The principal of an access token, its sign-in checked with those of concurrent requests.

    Every request with a bearer token asks the database whether its sign-in still holds (login
    active, session live, person on the roll) and for the person's roles today: one statement
    that costs a node about as much as a chat message's own statements. A token whose check
    finds no read under way is read at once, alone (`live_grants`), exactly as before; tokens
    arriving meanwhile queue and the next read takes them all in one statement
    (`live_grants_of_many`). The signature and expiry are checked first, by the caller's task:
    a bad token never waits. Each caller gets its own principal, or its own
    AuthenticationError; the check is never older than the request (a read begins after the
    request arrived). Built and stopped by the composition root with the node.
    """

    def __init__(
        self,
        reads: Callable[[], AsyncSession],
        signer: TokenSigner,
        clock: Clock,
        limit: int = SIGN_INS_PER_READ,
    ) -> None:
        self._reads = reads
        self._signer = signer
        self._clock = clock
        self._queue: Coalescer[SignedIn, PersonGrants | None] = Coalescer(
            self._read, limit=limit, name="identity.sign-ins"
        )

    @property
    def reads_together(self) -> int:
        """Statements that checked two sign-ins or more (what the coalescing saved)."""
        return self._queue.runs

    async def principal_of(self, token: str) -> Principal:
        """The caller of `token`; AuthenticationError if it is not a live access token."""
        login = signed_in(self._signer, token, self._clock.now())
        return login.principal(await self._queue.submit(login))

    async def stop(self) -> None:
        await self._queue.stop()

    async def _read(self, logins: Sequence[SignedIn]) -> list[PersonGrants | None]:
        now = self._clock.now()
        async with self._reads() as session:
            if len(logins) == 1:
                return [await live_grants(session, logins[0], now)]
            return await live_grants_of_many(session, logins, now)
