"""Use case: send a browser to an institution's OpenID provider to sign in."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from edtech.identity.application.common import Links
from edtech.identity.domain.sso import ATTEMPT_TTL, InstitutionSuspendedError, SsoAttempt
from edtech.identity.infrastructure.oidc import OpenIdClient
from edtech.identity.infrastructure.sso import SqlAlchemySsoAttempts, SqlAlchemySsoProviders
from edtech.institutions.public import institution_by_slug, institution_suspended
from edtech.kernel.clock import Clock
from edtech.kernel.errors import NotFoundError
from edtech.kernel.ids import new_id
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.security.keys import hash_secret

SSO_CALLBACK_PATH = "/app/sso/callback"
"""Where providers send the browser back (register `EDTECH_PUBLIC_URL` + this at the
provider); the page there posts `code` and `state` to `POST /api/v1/auth/sso/callback`."""
SCOPES = "openid email profile"


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 §4.2, S256: BASE64URL(SHA256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class StartSso:
    """Start signing in with a provider: a fresh `state` (what must come back), `nonce` (what
    the ID token must carry) and PKCE verifier (what proves the code is ours), kept for ten
    minutes, single-use; the answer is the provider's authorization URL to send the browser to.

    A provider that is turned off or unknown is 404; a suspended institution's, 403.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, oidc: OpenIdClient, links: Links) -> None:
        self.uow, self.clock, self.oidc, self.links = uow, clock, oidc, links

    async def __call__(
        self,
        institution: str,
        provider_name: str,
        client_address: str | None = None,
        login_hint: str | None = None,
    ) -> str:
        now = self.clock.now()
        async with self.uow as uow:
            iid = await institution_by_slug(uow.session, institution)
            provider = None
            if iid is not None:
                provider = await SqlAlchemySsoProviders(uow.session).by_name(iid, provider_name)
            if provider is None or not provider.enabled:
                raise NotFoundError("No such sign-in provider.")
            if await institution_suspended(uow.session, provider.institution_id):
                raise InstitutionSuspendedError()
            issuer, client_id, provider_id = provider.issuer, provider.client_id, provider.id
            institution_id = provider.institution_id
        # The network, outside any transaction.
        metadata = await self.oidc.metadata(issuer)
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)  # 86 characters: RFC 7636 wants 43 to 128
        async with self.uow as uow:
            attempts = SqlAlchemySsoAttempts(uow.session)
            await attempts.prune(now - timedelta(hours=1))
            attempts.add(
                SsoAttempt(
                    id=new_id(),
                    institution_id=institution_id,
                    provider_id=provider_id,
                    state_hash=hash_secret(state),
                    nonce=nonce,
                    code_verifier=verifier,
                    created_at=now,
                    expires_at=now + ATTEMPT_TTL,
                    client_address=client_address,
                )
            )
            await uow.commit()
        params = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": self.links.url_of(SSO_CALLBACK_PATH),
            "scope": SCOPES,
            "state": state,
            "nonce": nonce,
            "code_challenge": pkce_challenge(verifier),
            "code_challenge_method": "S256",
        }
        if login_hint:
            params["login_hint"] = login_hint
        endpoint = metadata.authorization_endpoint
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"
