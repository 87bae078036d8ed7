"""The ports of the communication use cases: the roster as this slice sees it (`Directory`), the
files a message or an announcement carries (`AttachmentClaims`) and who access tokens name
(`Callers`)."""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import date
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.communication.domain import Attachment, Audience, Profile
from edtech.kernel.clock import Clock
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.principal import Principal


class Directory(Protocol):
    """The roster facts this slice needs (adapter: `RosterDirectory` over institutions.public)."""

    async def profile(self, institution_id: uuid.UUID, person_id: uuid.UUID) -> Profile | None: ...

    async def profiles(
        self, institution_id: uuid.UUID, person_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, Profile]:
        """`profile` of several people at once (one round trip); the unknown and gone are left
        out."""
        ...

    async def timezone(self, institution_id: uuid.UUID) -> ZoneInfo: ...

    async def display_names(
        self, institution_id: uuid.UUID, person_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, str]: ...

    async def section_exists(self, institution_id: uuid.UUID, section_id: uuid.UUID) -> bool: ...

    async def school_exists(self, institution_id: uuid.UUID, school_id: uuid.UUID) -> bool: ...

    async def person_exists(self, institution_id: uuid.UUID, person_id: uuid.UUID) -> bool: ...

    async def audience(self, institution_id: uuid.UUID, audience: Audience) -> list[uuid.UUID]: ...


DirectoryPort = Callable[[AsyncSession], Directory]
"""The roster port a use case is built with (`use_case(cls, directory)`): bound by the use case
to its unit of work's session, by a read route to its read session."""

DirectoryFactory = Callable[[AsyncSession, date | Clock], Directory]
"""The directory judged on a given day: the shape of the node's `ProfileCache` (the websocket
`send` path binds it to the hub's unit of work and today)."""


class Callers(Protocol):
    """Who access tokens name, read on the session of the transaction that acts for them
    (adapter: identity.public's `principals_in`): each token's principal, or the exception that
    refuses it (an `AuthenticationError`), in order, in one statement."""

    async def __call__(
        self, session: AsyncSession, tokens: Sequence[str]
    ) -> Sequence[Principal | Exception]: ...


class AttachmentClaims(ABC):
    """Files uploaded beforehand, claimed for a message or an announcement inside the poster's
    transaction. The adapter is the files slice's (a node component found by this class).

    `claim` answers each file as the message will show it, or refuses the whole post (422,
    naming the file): each must be a file of the poster's institution that the poster uploaded
    as an attachment, that passed its checks (a direct upload still in quarantine is not a
    file yet), and that nothing carries already. `record_type` is `message` or
    `announcement`."""

    @abstractmethod
    async def claim(
        self,
        session: AsyncSession,
        principal: Principal,
        file_ids: Sequence[uuid.UUID],
        record_type: str,
        record_id: uuid.UUID,
    ) -> tuple[Attachment, ...]: ...


class NoAttachments(AttachmentClaims):
    """A node without the files slice: messages carry no files (any id is refused)."""

    async def claim(
        self,
        session: AsyncSession,
        principal: Principal,
        file_ids: Sequence[uuid.UUID],
        record_type: str,
        record_id: uuid.UUID,
    ) -> tuple[Attachment, ...]:
        if file_ids:
            raise InvalidError(
                "files cannot be attached on this server",
                [FieldProblem(("attachment_ids",), "no file storage here")],
            )
        return ()
