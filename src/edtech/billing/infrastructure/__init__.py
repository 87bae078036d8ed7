"""Billing persistence: tables, mappings, repositories and read queries."""

from edtech.billing.infrastructure import tables as tables
from edtech.platform import idempotency as _idempotency  # noqa: F401  (its table is ours to migrate)
