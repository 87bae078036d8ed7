"""Shared by the billing routes: who may see an account, the Idempotency-Key wrapper, the
node's payment provider and its problems."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from edtech.billing.application.common import MANAGERS, BeforeCommit
from edtech.billing.application.ports import RosterFactory
from edtech.billing.domain.accounts import AccountKind, PayerAccount
from edtech.billing.domain.provider import (
    PaymentProvider,
    PaymentsNotSetUpError,
    ProviderUnavailableError,
)
from edtech.billing.infrastructure import reads
from edtech.billing.infrastructure.provider import CardPayments
from edtech.billing.infrastructure.roster import InstitutionsRoster
from edtech.identity.public import CurrentPrincipalDep
from edtech.kernel.errors import DomainError, NotFoundError
from edtech.kernel.principal import Principal
from edtech.platform.http.deps import ReadSessionDep, component
from edtech.platform.idempotency import Scope, request_hash, run_once
from edtech.platform.services import Services

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "Missing, another institution's, or not yours to see."}
}
IDEMPOTENT: dict[int | str, dict[str, Any]] = {
    404: NOT_FOUND[404],
    409: {"description": "A request with this Idempotency-Key is still running."},
    422: {"description": "Invalid, or the Idempotency-Key was used with another body."},
}


def roster(services: Services) -> RosterFactory:
    """The roster port of billing's use cases (`use_case(cls, roster)`): bound per session."""
    return InstitutionsRoster


def require_manager(principal: Principal) -> None:
    if not principal.roles & MANAGERS:
        raise NotFoundError("Not found.")


async def billing_manager(principal: CurrentPrincipalDep) -> Principal:
    """The caller, if they manage billing; else 404 — resolved as a dependency, before the
    request's body and headers are validated, so someone who may not call a route at all is
    never told what is wrong with their request."""
    require_manager(principal)
    return principal


BillingManagerDep = Annotated[Principal, Depends(billing_manager)]


async def visible_account(
    session: ReadSessionDep, principal: Principal, account_id: uuid.UUID
) -> PayerAccount:
    """Managers see every account; a guardian sees a family account of a child whose link
    allows billing (never a sponsor's); anyone else gets 404, exactly as for a missing one."""
    account = await reads.account(session, principal.institution_id, account_id)
    if account is None:
        raise NotFoundError("Account not found.")
    if principal.roles & MANAGERS:
        return account
    children = await InstitutionsRoster(session).billing_children(principal)
    if account.kind == AccountKind.FAMILY and children & set(account.student_ids):
        return account
    raise NotFoundError("Account not found.")


async def visible_account_ids(
    session: ReadSessionDep, principal: Principal
) -> set[uuid.UUID] | None:
    """The accounts `principal` may list (as `visible_account` decides one by one), or None
    for managers, who see them all."""
    if principal.roles & MANAGERS:
        return None
    children = await InstitutionsRoster(session).billing_children(principal)
    ids = await reads.account_ids_of_students(session, principal.institution_id, children)
    if not ids:
        return set()
    return await reads.family_account_ids(session, ids)


async def idempotent(
    request: Request,
    services: Services,
    principal: Principal,
    key: str,
    body: BaseModel,
    run: Callable[[BeforeCommit], Awaitable[object]],
    render: Callable[[Any], BaseModel],
    status: int = 201,
) -> JSONResponse:
    route = getattr(request.scope.get("route"), "path", request.url.path)
    scope = Scope(principal.institution_id, principal.person_id, f"{request.method} {route}", key)
    fingerprint = request_hash(request.method, request.url.path, body.model_dump(mode="json"))

    async def action(claim: Any) -> None:
        await run(claim.completer(lambda r: (status, render(r).model_dump(mode="json"))))

    stored = await run_once(
        services.session_factory, scope, fingerprint, services.clock.now(), action
    )
    return JSONResponse(stored.body, status_code=stored.status)


def payment_provider(services: Services) -> PaymentProvider | None:
    """The node's payment provider, a component built once by the composition root (None:
    card payments are not set up)."""
    return services.components.get(CardPayments).provider


CardPaymentsDep = Annotated[CardPayments, Depends(component(CardPayments))]


PROVIDER_RESPONSES: dict[int | str, dict[str, Any]] = {
    **IDEMPOTENT,
    409: {
        "description": "A request with this Idempotency-Key is still running, or the payment "
        "provider refused the request (`code` payment_provider_refused)."
    },
    503: {
        "description": "Card payments are not set up for this institution (`code` "
        "payments_not_set_up), or the payment provider is not answering (`code` "
        "payment_provider_unavailable); nothing was changed.",
        "content": {"application/problem+json": {}},
    },
}


class ProviderProblem(HTTPException):
    """A provider that is missing or not answering, as a 503 problem (the handler reads `code`)."""

    def __init__(self, error: DomainError) -> None:
        super().__init__(503, error.message)
        self.code = error.code


@contextmanager
def provider_problems() -> Iterator[None]:
    """Answer 503 when card payments are not set up or the provider is not answering: the
    request may succeed later, unlike a refusal (409) or bad input (422)."""
    try:
        yield
    except (PaymentsNotSetUpError, ProviderUnavailableError) as exc:
        raise ProviderProblem(exc) from None
