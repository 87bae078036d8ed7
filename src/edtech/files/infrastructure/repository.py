"""The stored-file repository and the read queries of the file routes.

The subjects of a file (the students it is about) are a set insert with no behaviour of its
own: Core, after the file's row is flushed (ADR-0005).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.files.domain import DRAFT, READ_RULES, Category, StoredFile
from edtech.files.domain.upload import Upload, UploadState
from edtech.files.infrastructure.tables import file_upload, stored_file, stored_file_subject
from edtech.kernel.principal import Principal


class SqlAlchemyFiles:
    """Stored files of one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, file: StoredFile, subject_ids: Iterable[uuid.UUID]) -> None:
        self.session.add(file)
        await self.session.flush()
        rows = [{"file_id": file.id, "student_id": s} for s in sorted(set(subject_ids))]
        if rows:
            await self.session.execute(sa.insert(stored_file_subject), rows)

    async def get(self, institution_id: uuid.UUID, file_id: uuid.UUID) -> StoredFile | None:
        found = await self.session.get(StoredFile, file_id)
        if found is None or found.institution_id != institution_id:
            return None
        return found

    async def of_record(
        self, institution_id: uuid.UUID, category: Category, record_type: str, record_id: uuid.UUID
    ) -> list[StoredFile]:
        stmt = (
            sa.select(StoredFile)
            .where(
                stored_file.c.institution_id == institution_id,
                stored_file.c.category == category,
                stored_file.c.record_type == record_type,
                stored_file.c.record_id == record_id,
            )
            .order_by(stored_file.c.created_at, stored_file.c.id)
        )
        return list((await self.session.scalars(stmt)).all())

    async def made_by(self, institution_id: uuid.UUID, person_id: uuid.UUID) -> list[StoredFile]:
        stmt = sa.select(StoredFile).where(
            stored_file.c.institution_id == institution_id, stored_file.c.created_by == person_id
        )
        return list((await self.session.scalars(stmt)).all())

    async def past(
        self,
        categories: dict[Category, datetime],
        limit: int,
        own: dict[uuid.UUID, dict[Category, datetime | None]] | None = None,
    ) -> list[StoredFile]:
        """Files made before their category's cut-off, oldest first: `categories` for every
        institution, except where `own[institution]` names the category (its own cut-off;
        None: kept)."""
        own = own or {}
        c = stored_file.c
        conditions = []
        for category, cut in categories.items():
            differs = [i for i, periods in own.items() if category in periods]
            conditions.append(
                sa.and_(
                    c.category == category,
                    c.created_at <= cut,
                    *([c.institution_id.not_in(differs)] if differs else []),
                )
            )
        for institution_id, periods in own.items():
            for category, own_cut in periods.items():
                if own_cut is not None:
                    conditions.append(
                        sa.and_(
                            c.institution_id == institution_id,
                            c.category == category,
                            c.created_at <= own_cut,
                        )
                    )
        if not conditions:
            return []
        stmt = (
            sa.select(StoredFile)
            .where(sa.or_(*conditions))
            .order_by(c.created_at, c.id)
            .limit(limit)
        )
        return list((await self.session.scalars(stmt)).all())

    async def remove(self, files: list[StoredFile]) -> None:
        """Delete the rows (their subjects go with them)."""
        ids = [f.id for f in files]
        if ids:
            await self.session.execute(
                sa.delete(stored_file_subject).where(stored_file_subject.c.file_id.in_(ids))
            )
            for f in files:
                await self.session.delete(f)

    async def for_claim(
        self, institution_id: uuid.UUID, file_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, StoredFile]:
        """The institution's files among `file_ids`, locked until commit (PostgreSQL), so two
        posts cannot both claim one attachment."""
        ids = sorted(set(file_ids))
        if not ids:
            return {}
        stmt = (
            sa.select(StoredFile)
            .where(stored_file.c.institution_id == institution_id, stored_file.c.id.in_(ids))
            .with_for_update()
        )
        return {f.id: f for f in (await self.session.scalars(stmt)).all()}

    async def unsent_drafts(self, before: datetime, limit: int) -> list[StoredFile]:
        """Attachments uploaded before `before` that nothing carries (all institutions)."""
        stmt = (
            sa.select(StoredFile)
            .where(
                stored_file.c.category == Category.ATTACHMENT,
                stored_file.c.record_type == DRAFT,
                stored_file.c.created_at <= before,
            )
            .order_by(stored_file.c.created_at, stored_file.c.id)
            .limit(limit)
        )
        return list((await self.session.scalars(stmt)).all())

    async def bytes_used(self, institution_id: uuid.UUID) -> int:
        """The institution's bytes in the store, thumbnails included."""
        total = stored_file.c.size_bytes + sa.func.coalesce(stored_file.c.thumbnail_size_bytes, 0)
        stmt = sa.select(sa.func.coalesce(sa.func.sum(total), 0)).where(
            stored_file.c.institution_id == institution_id
        )
        return int(await self.session.scalar(stmt) or 0)


class SqlAlchemyUploads:
    """Upload slots of one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, upload: Upload) -> None:
        self.session.add(upload)

    async def get(self, institution_id: uuid.UUID, upload_id: uuid.UUID) -> Upload | None:
        found = await self.session.get(Upload, upload_id, with_for_update=True)
        if found is None or found.institution_id != institution_id:
            return None
        return found

    async def pending_among(
        self, institution_id: uuid.UUID, ids: Iterable[uuid.UUID]
    ) -> set[uuid.UUID]:
        """Which of `ids` are upload slots still pending (bytes in quarantine)."""
        stmt = sa.select(file_upload.c.id).where(
            file_upload.c.institution_id == institution_id,
            file_upload.c.id.in_(sorted(set(ids))),
            file_upload.c.state == UploadState.PENDING,
        )
        return set((await self.session.scalars(stmt)).all())

    async def expired(self, now: datetime, limit: int) -> list[Upload]:
        """Pending slots past their expiry (their objects, if any, are never to be files)."""
        stmt = (
            sa.select(Upload)
            .where(file_upload.c.state == UploadState.PENDING, file_upload.c.expires_at <= now)
            .order_by(file_upload.c.expires_at)
            .limit(limit)
        )
        return list((await self.session.scalars(stmt)).all())


async def known_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    """Which of `keys` a file (its bytes or its thumbnail) or an upload slot (any state but
    refused) points at."""
    if not keys:
        return set()
    files = sa.select(stored_file.c.storage_key).where(stored_file.c.storage_key.in_(keys))
    thumbnails = sa.select(stored_file.c.thumbnail_key).where(stored_file.c.thumbnail_key.in_(keys))
    slots = sa.select(file_upload.c.storage_key).where(
        file_upload.c.storage_key.in_(keys), file_upload.c.state != UploadState.REFUSED
    )
    return set((await session.scalars(sa.union(files, thumbnails, slots))).all())


async def subjects_of(session: AsyncSession, file_id: uuid.UUID) -> frozenset[uuid.UUID]:
    rows = await session.scalars(
        sa.select(stored_file_subject.c.student_id).where(stored_file_subject.c.file_id == file_id)
    )
    return frozenset(rows.all())


async def file_row(session: AsyncSession, institution_id: uuid.UUID, file_id: uuid.UUID) -> Any:
    """One file of the institution as a read row, or None."""
    stmt = sa.select(stored_file).where(
        stored_file.c.institution_id == institution_id, stored_file.c.id == file_id
    )
    return (await session.execute(stmt)).first()


def files_query(
    principal: Principal,
    guardian_rights: dict[uuid.UUID, frozenset[str]],
    *,
    category: Category | None = None,
    record_type: str | None = None,
    record_id: uuid.UUID | None = None,
    student_id: uuid.UUID | None = None,
) -> sa.Select[Any]:
    """The files `principal` may read (the read rules of `edtech.files.domain`, in SQL),
    filtered, newest first."""
    visible: list[sa.ColumnElement[bool]] = []
    for cat, rule in READ_RULES.items():
        if principal.roles & rule.staff:
            visible.append(stored_file.c.category == cat)
            continue
        students = {s for s, rights in guardian_rights.items() if rule.guardian_flag in rights}
        if rule.student_self:
            students.add(principal.person_id)
        if students:
            about = sa.select(stored_file_subject.c.file_id).where(
                stored_file_subject.c.student_id.in_(sorted(students))
            )
            visible.append(sa.and_(stored_file.c.category == cat, stored_file.c.id.in_(about)))
    # attachments not yet sent: their uploader's (once sent, they are read with what carries
    # them, not listed here)
    visible.append(
        sa.and_(
            stored_file.c.category == Category.ATTACHMENT,
            stored_file.c.record_type == DRAFT,
            stored_file.c.created_by == principal.person_id,
        )
    )
    stmt = sa.select(stored_file).where(
        stored_file.c.institution_id == principal.institution_id,
        sa.or_(*visible),
    )
    if category is not None:
        stmt = stmt.where(stored_file.c.category == category)
    if record_type is not None:
        stmt = stmt.where(stored_file.c.record_type == record_type)
    if record_id is not None:
        stmt = stmt.where(stored_file.c.record_id == record_id)
    if student_id is not None:
        stmt = stmt.where(
            stored_file.c.id.in_(
                sa.select(stored_file_subject.c.file_id).where(
                    stored_file_subject.c.student_id == student_id
                )
            )
        )
    return stmt.order_by(stored_file.c.created_at.desc(), stored_file.c.id.desc())


async def files_of_student(
    session: AsyncSession, institution_id: uuid.UUID, student_id: uuid.UUID
) -> list[StoredFile]:
    """Every file about one student (for the record package), oldest first."""
    stmt = (
        sa.select(StoredFile)
        .where(
            stored_file.c.institution_id == institution_id,
            stored_file.c.id.in_(
                sa.select(stored_file_subject.c.file_id).where(
                    stored_file_subject.c.student_id == student_id
                )
            ),
        )
        .order_by(stored_file.c.created_at, stored_file.c.id)
    )
    return list((await session.scalars(stmt)).all())


async def files_by_ids(
    session: AsyncSession, institution_id: uuid.UUID, file_ids: Iterable[uuid.UUID]
) -> list[StoredFile]:
    """The institution's files among `file_ids` that still exist, oldest first."""
    ids = sorted(set(file_ids))
    if not ids:
        return []
    stmt = (
        sa.select(StoredFile)
        .where(stored_file.c.institution_id == institution_id, stored_file.c.id.in_(ids))
        .order_by(stored_file.c.created_at, stored_file.c.id)
    )
    return list((await session.scalars(stmt)).all())
