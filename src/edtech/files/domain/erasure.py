"""What happens to a person's files when the school erases them, and how long files are kept.

Erasure (a person who left, on an institution administrator's request): files about the person
that hold nothing the law makes the school keep are deleted — a doctor's note, a report card's
rendering (the grades themselves are the gradebook's), a record package; a receipt is a
financial record and is kept, and the report says so. Files the person made about someone
else (a guardian's upload for their child) stay with that child, no longer naming who made
them. Every erasure leaves an audit record: who, when, what was deleted, what was kept and why.

Retention: a record package is a copy of everything held about a student, made for one request
and handed over; it is pruned after `RECORD_PACKAGE_DAYS`. Every other file is kept as long as
the record it belongs to.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from edtech.files.domain import Category, StoredFile

RECORD_PACKAGE_DAYS = 30

RETENTION: dict[Category, timedelta | None] = {
    Category.EXCUSE_NOTE: None,
    Category.RECEIPT: None,
    Category.REPORT_CARD: None,
    Category.RECORD_PACKAGE: timedelta(days=RECORD_PACKAGE_DAYS),
    Category.STATEMENT: None,
    Category.INVOICE: None,
    Category.ATTENDANCE_LETTER: None,
    Category.ATTACHMENT: None,
}

DRAFT_HOURS = 24
"""An attachment uploaded but never sent is deleted after this long."""

# Why a category survives an erasure (absent: it is deleted).
KEPT_ON_ERASURE: dict[Category, str] = {
    Category.RECEIPT: "a financial record: accounts are kept as the law requires",
    Category.STATEMENT: "a financial record: accounts are kept as the law requires",
    Category.INVOICE: "a financial record: accounts are kept as the law requires",
}


@dataclass(frozen=True)
class ErasurePlan:
    delete: list[StoredFile] = field(default_factory=list)
    keep: list[tuple[StoredFile, str]] = field(default_factory=list)
    anonymise: list[StoredFile] = field(default_factory=list)


def plan_erasure(
    person_id: uuid.UUID, about: list[StoredFile], made_by: list[StoredFile]
) -> ErasurePlan:
    """Which of the person's files go, which stay (and why), which only lose their maker."""
    plan = ErasurePlan()
    seen: set[uuid.UUID] = set()
    for f in about:
        seen.add(f.id)
        reason = KEPT_ON_ERASURE.get(f.category)
        if reason is None:
            plan.delete.append(f)
        else:
            plan.keep.append((f, reason))
    plan.anonymise.extend(f for f in made_by if f.id not in seen and f.created_by == person_id)
    return plan


def past_retention(category: Category, created_at: datetime, now: datetime) -> bool:
    keep = RETENTION[category]
    return keep is not None and created_at + keep <= now


@dataclass(eq=False, kw_only=True)
class FileErasure:
    """The audit record of one erasure: file ids, categories and reasons — no names, no
    content (the record must not keep what was erased)."""

    id: uuid.UUID
    institution_id: uuid.UUID
    person_id: uuid.UUID
    erased_by: uuid.UUID
    erased_at: datetime
    deleted: list[dict[str, str]]
    kept: list[dict[str, str]]
    anonymised: list[dict[str, str]]

    @classmethod
    def of(
        cls,
        plan: ErasurePlan,
        *,
        id: uuid.UUID,
        institution_id: uuid.UUID,
        person_id: uuid.UUID,
        erased_by: uuid.UUID,
        erased_at: datetime,
    ) -> FileErasure:
        return cls(
            id=id,
            institution_id=institution_id,
            person_id=person_id,
            erased_by=erased_by,
            erased_at=erased_at,
            deleted=[{"file_id": str(f.id), "category": f.category.value} for f in plan.delete],
            kept=[
                {"file_id": str(f.id), "category": f.category.value, "why": why}
                for f, why in plan.keep
            ],
            anonymised=[
                {"file_id": str(f.id), "category": f.category.value} for f in plan.anonymise
            ],
        )
