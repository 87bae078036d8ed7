"""Use case: issue the board's rotating QR code for self check-in."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from edtech.attendance.application.common import load_session, may_watch
from edtech.attendance.application.ports import RosterFactory
from edtech.attendance.domain import QR_TOKEN_TYPE, QR_TTL
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ConflictError, NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.security.tokens import TokenSigner


@dataclass(frozen=True)
class QrCode:
    token: str
    expires_at: datetime


class IssueQrCode:
    """A signed code for the session's board, valid ~15 s; the board fetches a new one each time."""

    def __init__(
        self, uow: UnitOfWork, clock: Clock, roster: RosterFactory, signer: TokenSigner
    ) -> None:
        self.uow, self.clock, self.roster, self.signer = uow, clock, roster, signer

    async def __call__(self, principal: Principal, session_id: uuid.UUID) -> QrCode:
        now = self.clock.now()
        async with self.uow as uow:
            att = await load_session(uow.session, principal.institution_id, session_id)
            if not await may_watch(principal, att, self.roster(uow.session)):
                raise NotFoundError("Session not found.")
            if not att.takes_arrivals:
                raise ConflictError("The session is closed.", state=att.state.value)
            token = self.signer.issue(
                QR_TOKEN_TYPE, str(att.id), now, QR_TTL, ins=str(att.institution_id)
            )
        return QrCode(token, now + QR_TTL)
