"""Dependencies that authenticate a request: a person by bearer token, a device by API key."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from starlette.applications import Starlette

from edtech.identity.application.authenticate_device import AuthenticateDevice
from edtech.identity.application.common import (
    TokenIssuer,
    principals_of,
    still_signed_in,
)
from edtech.identity.application.device_keys import DeviceKeys
from edtech.identity.application.sign_ins import SignIns
from edtech.identity.domain import LoginThrottle
from edtech.kernel.errors import AuthenticationError, ForbiddenError
from edtech.kernel.principal import DevicePrincipal, Principal, Role
from edtech.platform.http.deps import ServicesDep, use_case
from edtech.platform.services import Services

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

TOKEN_URL = "/api/v1/auth/token"
DEVICE_KEY_HEADER = "X-Device-Key"

# auto_error=False: a missing token must become our 401 problem, not FastAPI's plain error.
bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)
device_key = APIKeyHeader(
    name=DEVICE_KEY_HEADER, auto_error=False, description="A scanner device's API key."
)


# Ports: each builds one of a use case's ports from the node (`use_case(Cls, token_issuer, …)`).
def token_issuer(services: Services) -> TokenIssuer:
    s = services.settings
    return TokenIssuer(
        services.signer,
        access_ttl=timedelta(seconds=s.access_token_ttl_seconds),
        refresh_ttl=timedelta(seconds=s.refresh_token_ttl_seconds),
    )


def login_throttle(services: Services) -> LoginThrottle:
    s = services.settings
    return LoginThrottle(s.login_max_failures, timedelta(seconds=s.login_window_seconds))


async def principal_from_access_token(services: Services, token: str) -> Principal:
    """The principal of an access token (websockets: `?token=`, the fast routes);
    AuthenticationError otherwise. Checked with concurrent requests' tokens (`SignIns`)."""
    return await services.components.get(SignIns).principal_of(token)


async def principals_in(
    services: Services, session: AsyncSession, tokens: Sequence[str]
) -> list[Principal | AuthenticationError]:
    """The caller of each access token, or what refuses it, their sign-ins read in one
    statement on `session`: the transaction of the work a fast route does for them
    (`principals_of`)."""
    return await principals_of(session, services.signer, tokens, services.clock.now())


async def principal_signed_in(services: Services, principal: Principal) -> bool:
    """Whether the sign-in behind a websocket's principal still holds (`still_signed_in`)."""
    async with services.reads() as session:
        return await still_signed_in(session, principal, services.clock.now())


async def optional_principal(
    services: ServicesDep, token: Annotated[str | None, Depends(bearer)]
) -> Principal | None:
    """The caller, or None without a token; a bad token is still refused (401)."""
    if not token:
        return None
    return await principal_from_access_token(services, token)


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    """The caller, from `Authorization: Bearer <access token>`; 401 problem otherwise."""
    if principal is None:
        raise AuthenticationError("Not authenticated.", reason="missing")
    return principal


def device_keys(services: Services) -> DeviceKeys:
    """This node's cache of checked device keys (a component built by the composition root)."""
    return services.components.get(DeviceKeys)


build_authenticate_device = use_case(AuthenticateDevice, device_keys)


async def authenticate_device(app: Starlette, key: str | None) -> DevicePrincipal:
    """The device whose API key is `key`; AuthenticationError if missing, unknown or revoked.

    Takes the app, not a request: attendance's fast scan route calls it outside FastAPI's
    dependency injection, so it builds the use case as `use_case` would, from the same ports.
    """
    services: Services = app.state.services
    return await build_authenticate_device(services)(key)


async def current_device(
    request: Request, key: Annotated[str | None, Depends(device_key)]
) -> DevicePrincipal:
    """The scanner device from `X-Device-Key`; 401 problem if missing, unknown or revoked."""
    return await authenticate_device(request.app, key)


CurrentPrincipalDep = Annotated[Principal, Depends(current_principal)]
OptionalPrincipalDep = Annotated[Principal | None, Depends(optional_principal)]
CurrentDeviceDep = Annotated[DevicePrincipal, Depends(current_device)]


def require_any_role(*roles: Role) -> Any:
    """A dependency marker: the caller must hold one of `roles` (any school), else 403.

    Use as ``principal: Annotated[Principal, require_any_role(Role.TEACHER)]``; finer rules
    (this section, this student) belong to the institutions policy.
    """
    wanted = frozenset(roles)

    async def dependency(principal: CurrentPrincipalDep) -> Principal:
        if not principal.roles & wanted:
            raise ForbiddenError("Your roles do not allow this.")
        return principal

    return Depends(dependency)
