"""Turning an access token into a `Principal`: who is calling, in which institution, as what."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.identity.application.tokens import ACCESS
from edtech.identity.infrastructure import live_login
from edtech.institutions.public import person_grants
from edtech.kernel.errors import AuthenticationError
from edtech.kernel.principal import Principal
from edtech.platform.security.tokens import TokenSigner


def _claim_id(claims: dict[str, Any], name: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(claims[name]))
    except (KeyError, ValueError) as exc:
        raise AuthenticationError("Invalid token.", reason="invalid") from exc


async def authenticate_access_token(
    session: AsyncSession, signer: TokenSigner, token: str, now: datetime
) -> Principal:
    """Accept a signed, unexpired access token whose login is active and whose session is live.

    Roles are read fresh on every request from the roster (not from the token), so a role that
    ends or starts takes effect at once, and so does a revoked session or a disabled login.
    """
    claims = signer.verify(token, ACCESS, now)
    account_id = _claim_id(claims, "sub")
    session_id = _claim_id(claims, "sid")
    login = await live_login(session, account_id, session_id)
    if login is None:
        raise AuthenticationError("Token has been revoked.", reason="revoked")
    person_id, institution_id = login
    person = await person_grants(session, institution_id, person_id, now.date())
    if person is None:
        raise AuthenticationError("Token has been revoked.", reason="revoked")
    return Principal(
        account_id=account_id,
        person_id=person_id,
        institution_id=institution_id,
        display_name=person.display_name,
        grants=person.grants,
        session_id=session_id,
    )


async def still_signed_in(session: AsyncSession, principal: Principal, now: datetime) -> bool:
    """Does the sign-in behind `principal` still hold: login active, session not revoked,
    person still on the roll? (What every access token is checked for, without the token:
    an open websocket is asked this when someone's access may have been withdrawn.)"""
    if principal.session_id is None:
        return False
    login = await live_login(session, principal.account_id, principal.session_id)
    if login is None or login != (principal.person_id, principal.institution_id):
        return False
    person = await person_grants(session, principal.institution_id, principal.person_id, now.date())
    return person is not None
