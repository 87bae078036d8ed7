"""identity: single sign-on with OpenID Connect — an institution's providers, sign-in attempts
(state, nonce, PKCE verifier) and the provider identities linked to logins.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from edtech.platform.db.types import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sso_provider",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=500), nullable=False),
        sa.Column("client_secret", sa.String(length=500), nullable=False),
        sa.Column("allowed_domains", sa.JSON(), nullable=False),
        sa.Column("passwords_allowed", sa.Boolean(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_sso_provider_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_provider")),
        sa.UniqueConstraint(
            "institution_id", "name", name=op.f("uq_sso_provider_institution_id_name")
        ),
    )
    with op.batch_alter_table("sso_provider", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sso_provider_institution_id"), ["institution_id"], unique=False
        )

    op.create_table(
        "sso_attempt",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=100), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_sso_attempt_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["sso_provider.id"],
            name=op.f("fk_sso_attempt_provider_id_sso_provider"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_attempt")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_sso_attempt_state_hash")),
    )
    with op.batch_alter_table("sso_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sso_attempt_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sso_attempt_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sso_attempt_provider_id"), ["provider_id"], unique=False
        )

    op.create_table(
        "sso_identity",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_sso_identity_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=op.f("fk_sso_identity_institution_id_institution"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["sso_provider.id"],
            name=op.f("fk_sso_identity_provider_id_sso_provider"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_identity")),
        sa.UniqueConstraint(
            "provider_id", "subject", name=op.f("uq_sso_identity_provider_id_subject")
        ),
    )
    with op.batch_alter_table("sso_identity", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sso_identity_account_id"), ["account_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sso_identity_institution_id"), ["institution_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sso_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sso_identity_institution_id"))
        batch_op.drop_index(batch_op.f("ix_sso_identity_account_id"))

    op.drop_table("sso_identity")
    with op.batch_alter_table("sso_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sso_attempt_provider_id"))
        batch_op.drop_index(batch_op.f("ix_sso_attempt_institution_id"))
        batch_op.drop_index(batch_op.f("ix_sso_attempt_expires_at"))

    op.drop_table("sso_attempt")
    with op.batch_alter_table("sso_provider", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sso_provider_institution_id"))

    op.drop_table("sso_provider")
