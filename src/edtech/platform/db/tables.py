"""Imports every slice's tables so `metadata` is complete (Alembic and tests use it)."""

from __future__ import annotations

from edtech.attendance import infrastructure as _attendance  # noqa: F401
from edtech.billing import infrastructure as _billing  # noqa: F401
from edtech.communication import infrastructure as _communication  # noqa: F401
from edtech.grades import infrastructure as _grades  # noqa: F401
from edtech.identity import infrastructure as _identity  # noqa: F401
from edtech.institutions import infrastructure as _institutions  # noqa: F401
from edtech.platform import idempotency as _idempotency  # noqa: F401
from edtech.platform.db.metadata import metadata
from edtech.realtime import infrastructure as _realtime  # noqa: F401

__all__ = ["metadata"]
