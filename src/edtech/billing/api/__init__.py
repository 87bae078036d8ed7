"""Billing REST API under /api/v1/billing.

Accountants and institution admins manage billing; a guardian whose link allows
`can_view_billing` sees their family's account; to anyone else billing data does not exist
(404). Every POST that moves money requires an `Idempotency-Key`.
"""

from fastapi import APIRouter

from edtech.billing.api.accounts import router as accounts_router
from edtech.billing.api.catalogue import router as catalogue_router
from edtech.billing.api.invoices import router as invoices_router
from edtech.billing.api.payments import router as payments_router

router = APIRouter()
for part in (catalogue_router, accounts_router, invoices_router, payments_router):
    router.include_router(part)

__all__ = ["router"]
