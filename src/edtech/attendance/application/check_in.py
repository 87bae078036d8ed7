"""Use case: a student checks in with the board's rotating QR code, from their own device."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from edtech.attendance.application.common import code_book, load_session, retrying
from edtech.attendance.domain import QR_TOKEN_TYPE, ScanResult, Source, qr_device_refusal
from edtech.attendance.infrastructure.records import SqlAlchemyCheckIns
from edtech.attendance.infrastructure.repositories import SqlAlchemyHistory, SqlAlchemyMarks
from edtech.kernel.clock import Clock
from edtech.kernel.errors import AuthenticationError, ForbiddenError
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.security.tokens import TokenSigner


class CheckInRefusedError(ForbiddenError):
    """A QR check-in that does not count: expired or forged code, not enrolled, borrowed device."""

    code = "check_in_refused"


@dataclass(frozen=True)
class CheckInResult:
    result: ScanResult
    session_id: uuid.UUID
    category: str | None
    minutes_late: int | None


class CheckIn:
    """A student checks in with the code on the board, from their own device.

    Refused when the code is expired or forged, when the student is not on the session's
    roster, when the check-in falls outside the session's window, or when this device already
    checked in another student for this session (one device, one student).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, signer: TokenSigner) -> None:
        self.uow, self.clock, self.signer = uow, clock, signer

    async def __call__(self, principal: Principal, token: str, device_ref: str) -> CheckInResult:
        now = self.clock.now()
        try:
            claims = self.signer.verify(token, QR_TOKEN_TYPE, now)
        except AuthenticationError as exc:
            reason = "expired" if exc.extra.get("reason") == "expired" else "invalid"
            raise CheckInRefusedError(
                f"The code is {reason}; scan the board again.", reason=reason
            ) from exc
        if claims.get("ins") != str(principal.institution_id):
            raise CheckInRefusedError("The code is invalid.", reason="invalid")
        session_id = uuid.UUID(str(claims["sub"]))
        return await retrying(lambda: self._check_in(principal, session_id, device_ref))

    async def _check_in(
        self, principal: Principal, session_id: uuid.UUID, device_ref: str
    ) -> CheckInResult:
        now = self.clock.now()
        async with self.uow as uow:
            db = uow.session
            att = await load_session(db, principal.institution_id, session_id)
            mark = await SqlAlchemyMarks(db).get(att.id, principal.person_id)
            if mark is None:
                raise CheckInRefusedError(
                    "You are not enrolled in this class.", reason="not_enrolled"
                )
            if not att.takes_arrivals or not att.windows.contains(now):
                raise CheckInRefusedError(
                    "The session is not taking arrivals.", reason="session_closed"
                )
            owner = await SqlAlchemyCheckIns(db).claim(
                att.institution_id, att.id, device_ref, principal.person_id, now
            )
            refusal = qr_device_refusal(owner, principal.person_id)
            if refusal:
                raise CheckInRefusedError(refusal, reason="device_used")
            arrival = att.windows.classify(now)
            book = await code_book(db, att.institution_id)
            change = mark.arrive(
                book.system(arrival.category),
                at=now,
                minutes_late=arrival.minutes_late,
                source=Source.QR,
                actor_id=principal.person_id,
                now=now,
            )
            if change is not None:
                att.open(now)
                await SqlAlchemyHistory(db).append([change])
            await uow.commit()
        return CheckInResult(
            ScanResult.RECORDED if change else ScanResult.ALREADY_MARKED,
            att.id,
            mark.category.value if mark.category else None,
            mark.minutes_late,
        )
