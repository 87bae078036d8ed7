"""What the policy hands out: a guardian link's rights, a person's place in a section."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from edtech.institutions.domain import GUARDIAN_FLAGS


@dataclass(frozen=True)
class GuardianLinkView:
    """What a guardian link grants: the flags, already cleared by the custody restriction."""

    link_id: uuid.UUID
    student_id: uuid.UUID
    guardian_id: uuid.UUID
    relationship: str
    contact_priority: int
    custody_restriction: bool
    can_view_attendance: bool
    can_view_grades: bool
    can_view_billing: bool
    can_message: bool

    def allows(self, flag: str | None) -> bool:
        """True if the link permits `flag` (None: merely knowing the child)."""
        if self.custody_restriction:
            return False
        if flag is None:
            return True
        if flag not in GUARDIAN_FLAGS:
            raise ValueError(f"unknown guardian flag {flag!r}")
        return bool(getattr(self, flag))


@dataclass(frozen=True)
class SectionMembership:
    """A person's place in a section today."""

    section_id: uuid.UUID
    role: str
    is_primary: bool


def link_view(row: Any) -> GuardianLinkView:
    return GuardianLinkView(
        link_id=row["id"],
        student_id=row["student_id"],
        guardian_id=row["guardian_id"],
        relationship=row["relationship"],
        contact_priority=row["contact_priority"],
        custody_restriction=row["custody_restriction"],
        can_view_attendance=row["can_view_attendance"],
        can_view_grades=row["can_view_grades"],
        can_view_billing=row["can_view_billing"],
        can_message=row["can_message"],
    )
