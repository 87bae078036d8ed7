"""The files tables: one row per stored file, the students it is about, with the domain class
mapped onto them imperatively."""

from __future__ import annotations

import sqlalchemy as sa

from edtech.files.domain import Category, StoredFile
from edtech.files.domain.erasure import FileErasure
from edtech.files.domain.upload import Upload, UploadState
from edtech.platform.db.metadata import mapper_registry, metadata
from edtech.platform.db.types import UTCDateTime, id_column, institution_column


def _enum(cls: type[Category] | type[UploadState]) -> sa.Enum:
    return sa.Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


stored_file = sa.Table(
    "stored_file",
    metadata,
    id_column(),
    institution_column(),
    sa.Column(
        "category",
        sa.Enum(
            Category,
            native_enum=False,
            create_constraint=False,
            length=32,
            values_callable=lambda e: [m.value for m in e],
        ),
        nullable=False,
    ),
    # What it belongs to: ("excuse", id), ("payment", id), ("student", id). No foreign key:
    # the record lives in another slice's tables.
    sa.Column("record_type", sa.String(32), nullable=False),
    sa.Column("record_id", sa.Uuid(), nullable=False),
    sa.Column("filename", sa.String(200), nullable=False),
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("size_bytes", sa.BigInteger(), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("storage_key", sa.String(300), nullable=False, unique=True),
    sa.Column("created_by", sa.Uuid(), sa.ForeignKey("person.id", ondelete="RESTRICT")),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    # An image's thumbnail, kept beside it (rendered by a job after the upload).
    sa.Column("thumbnail_key", sa.String(300), unique=True),
    sa.Column("thumbnail_size_bytes", sa.BigInteger()),
    sa.Column("thumbnail_sha256", sa.String(64)),
    sa.Index("ix_stored_file_record", "institution_id", "record_type", "record_id"),
)

stored_file_subject = sa.Table(
    "stored_file_subject",
    metadata,
    sa.Column(
        "file_id",
        sa.Uuid(),
        sa.ForeignKey("stored_file.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "student_id",
        sa.Uuid(),
        sa.ForeignKey("person.id", ondelete="RESTRICT"),
        primary_key=True,
        index=True,
    ),
)

# A direct-upload slot; its object is quarantined (no `stored_file` row) until confirmed, and
# then the file keeps the slot's id and key.
file_upload = sa.Table(
    "file_upload",
    metadata,
    id_column(),
    institution_column(),
    sa.Column("category", _enum(Category), nullable=False),
    sa.Column("record_type", sa.String(32), nullable=False),
    sa.Column("record_id", sa.Uuid(), nullable=False),
    sa.Column("subject_ids", sa.JSON(), nullable=False),
    sa.Column("filename", sa.String(200), nullable=False),
    sa.Column("content_type", sa.String(100), nullable=False),
    sa.Column("size_bytes", sa.BigInteger(), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("storage_key", sa.String(300), nullable=False, unique=True),
    sa.Column("created_by", sa.Uuid(), sa.ForeignKey("person.id", ondelete="RESTRICT")),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("state", _enum(UploadState), nullable=False),
    sa.Column("decided_at", UTCDateTime()),
    sa.Column("reason", sa.String(200)),
    sa.Index("ix_file_upload_pending", "state", "expires_at"),
)

# The audit record of an erasure (ids, categories, reasons: nothing of what was erased).
file_erasure = sa.Table(
    "file_erasure",
    metadata,
    id_column(),
    institution_column(),
    sa.Column("person_id", sa.Uuid(), nullable=False, index=True),
    sa.Column("erased_by", sa.Uuid(), sa.ForeignKey("person.id", ondelete="RESTRICT")),
    sa.Column("erased_at", UTCDateTime(), nullable=False),
    sa.Column("deleted", sa.JSON(), nullable=False),
    sa.Column("kept", sa.JSON(), nullable=False),
    sa.Column("anonymised", sa.JSON(), nullable=False),
)

# The institution's attendance letter (title and text with placeholders); no row: the default.
attendance_letter_template = sa.Table(
    "attendance_letter_template",
    metadata,
    sa.Column(
        "institution_id",
        sa.Uuid(),
        sa.ForeignKey("institution.id", ondelete="RESTRICT"),
        primary_key=True,
    ),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("updated_by", sa.Uuid(), sa.ForeignKey("person.id", ondelete="RESTRICT")),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

# The institution's own retention periods ({category: days or null}, only those it set); no
# row: the defaults (`domain/retention.py`).
file_retention = sa.Table(
    "file_retention",
    metadata,
    sa.Column(
        "institution_id",
        sa.Uuid(),
        sa.ForeignKey("institution.id", ondelete="RESTRICT"),
        primary_key=True,
    ),
    sa.Column("periods", sa.JSON(), nullable=False),
    sa.Column("updated_by", sa.Uuid(), sa.ForeignKey("person.id", ondelete="RESTRICT")),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

mapper_registry.map_imperatively(StoredFile, stored_file)
mapper_registry.map_imperatively(FileErasure, file_erasure)
mapper_registry.map_imperatively(Upload, file_upload)
