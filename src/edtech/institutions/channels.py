"""Realtime: roster changes that take access away end the subscriptions they no longer allow.

The roster declares no channel of its own. Its events say whose access to other slices'
channels may have narrowed — a teacher who left a section (its boards and gradebook), a guardian
whose link ended or got a custody restriction, a person or role that ended — and every node
checks those people's open subscriptions again at once (`Registrar.reauthorize_on`).
"""

from __future__ import annotations

from edtech.institutions.domain import (
    EnrollmentEnded,
    GuardianLinkChanged,
    GuardianLinkEnded,
    PersonEnded,
    PersonErased,
    RoleEnded,
)
from edtech.institutions.domain.tenancy import InstitutionSuspended
from edtech.realtime.public import Registrar


def register(registry: Registrar) -> None:
    registry.reauthorize_on(EnrollmentEnded, lambda e: [e.person_id])
    registry.reauthorize_on(GuardianLinkChanged, lambda e: [e.guardian_id])
    registry.reauthorize_on(GuardianLinkEnded, lambda e: [e.guardian_id])
    registry.reauthorize_on(PersonEnded, lambda e: [e.person_id])
    registry.reauthorize_on(PersonErased, lambda e: [e.person_id])
    registry.reauthorize_on(RoleEnded, lambda e: [e.person_id])
    # A suspended tenant's sockets close on every node (sign-in and tokens refuse it already).
    registry.close_sockets_on(InstitutionSuspended, lambda e: [e.institution_id])
