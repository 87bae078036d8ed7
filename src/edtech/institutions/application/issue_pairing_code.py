"""Use case: the office gives a child's family a pairing code."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from edtech.institutions.application.common import UseCase, not_found
from edtech.institutions.domain import Person
from edtech.institutions.domain.pairing import PairingCode
from edtech.institutions.infrastructure.pairing import SqlAlchemyPairing
from edtech.institutions.policy import Policy
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.security.keys import hash_secret

PAIRING_CODE_DAYS = 7
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""32 symbols without 0/O and 1/I, so a code read aloud or off paper is typed right."""
CODE_LENGTH = 12
"""60 random bits: guessing a live code is hopeless without any throttle."""


def normalise_code(code: str) -> str:
    """What a person typed, as stored: capitals, without the dashes and spaces shown."""
    return "".join(c for c in code.upper() if c.isalnum())


def hash_code(code: str) -> str:
    return hash_secret("pairing:" + normalise_code(code))


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


class IssuePairingCode(UseCase):
    """Give a current student a pairing code for their family, valid seven days; a new code
    replaces the child's previous one. Administrators who manage the child may (institution
    admins, admins of one of the child's schools). The code is shown once; only its hash is kept."""

    async def __call__(
        self, principal: Principal, student_id: uuid.UUID
    ) -> tuple[str, uuid.UUID, datetime]:
        """The code, its id and when it expires."""
        Policy.require_people_admin(principal)
        now = self.now()
        async with self.uow:
            student = await self.roster().get(Person, principal.institution_id, student_id)
            if student is None or not student.is_current(
                await self.today(principal.institution_id)
            ):
                raise not_found("student")
            await (await self.policy(principal.institution_id)).require_manager_of(
                principal, student_id
            )
            pairing = SqlAlchemyPairing(self.uow.session)
            for old in await pairing.live_codes(student_id, now):
                old.revoke(now)
            code = new_code()
            issued = PairingCode(
                id=new_id(),
                institution_id=principal.institution_id,
                student_id=student_id,
                code_hash=hash_code(code),
                created_at=now,
                expires_at=now + timedelta(days=PAIRING_CODE_DAYS),
                issued_by=principal.person_id,
            )
            pairing.add(issued)
            await self.commit()
        return code, issued.id, issued.expires_at
