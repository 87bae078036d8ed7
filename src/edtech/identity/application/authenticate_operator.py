"""Who may run the deployment: platform operators (a login flag) or the bootstrap token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.identity.application.common import authenticate_access_token
from edtech.identity.infrastructure.links import SqlAlchemyOperators
from edtech.kernel.errors import ForbiddenError
from edtech.platform.security.keys import same_secret
from edtech.platform.security.tokens import TokenSigner


@dataclass(frozen=True)
class Operator:
    """A caller allowed to manage institutions; `actor` names them in the audit trail."""

    actor: str


async def authenticate_operator(
    session: AsyncSession, signer: TokenSigner, bootstrap_token: str, token: str, now: datetime
) -> Operator:
    """`EDTECH_BOOTSTRAP_TOKEN` itself (automation), or the access token of a login marked
    platform operator; another valid token is 403, a bad one 401."""
    if bootstrap_token and same_secret(token, bootstrap_token):
        return Operator("bootstrap_token")
    principal = await authenticate_access_token(session, signer, token, now)
    if not await SqlAlchemyOperators(session).is_operator(principal.account_id):
        raise ForbiddenError("Only platform operators may manage institutions.")
    return Operator(f"operator:{principal.account_id}")
