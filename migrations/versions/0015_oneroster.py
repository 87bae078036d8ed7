"""oneroster: sourcedId mappings of imported records, OAuth 2 clients of integrations.

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edtech.platform.db.types import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oneroster_source",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("sourced_id", sa.String(length=255), nullable=False),
        sa.Column("target_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_oneroster_source_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oneroster_source")),
        sa.UniqueConstraint(
            "institution_id",
            "kind",
            "sourced_id",
            name=op.f("uq_oneroster_source_institution_id_kind_sourced_id"),
        ),
    )
    op.create_index(
        op.f("ix_oneroster_source_institution_id"),
        "oneroster_source",
        ["institution_id"],
        unique=False,
    )
    op.create_index(
        "ix_oneroster_source_target",
        "oneroster_source",
        ["institution_id", "kind", "target_id"],
        unique=False,
    )
    op.create_table(
        "oneroster_client",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.String(length=128), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("acts_as", sa.Uuid(), nullable=False),
        sa.Column("publishes", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["acts_as"],
            ["person.id"],
            name=op.f("fk_oneroster_client_acts_as_person"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_oneroster_client_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oneroster_client")),
        sa.UniqueConstraint("client_id", name=op.f("uq_oneroster_client_client_id")),
    )
    op.create_index(
        op.f("ix_oneroster_client_institution_id"),
        "oneroster_client",
        ["institution_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_oneroster_client_institution_id"), table_name="oneroster_client")
    op.drop_table("oneroster_client")
    op.drop_index("ix_oneroster_source_target", table_name="oneroster_source")
    op.drop_index(op.f("ix_oneroster_source_institution_id"), table_name="oneroster_source")
    op.drop_table("oneroster_source")
