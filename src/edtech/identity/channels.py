"""Identity declares no channel; it tells the hub when sign-ins end so open sockets close.

A revoked session (logout, `DELETE /auth/sessions/{id}`, refresh-token reuse) or a changed or
disabled login raises `SignInsRevoked`; once it commits, every node checks each socket of that
person: a socket whose sign-in no longer holds is closed with 4001 (realtime `access.py`).
"""

from __future__ import annotations

from edtech.identity.domain import SignInsRevoked
from edtech.realtime.public import Registrar


def register(registry: Registrar) -> None:
    registry.reauthorize_on(SignInsRevoked, lambda event: [event.person_id])
