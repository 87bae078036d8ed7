"""identity: accounts, sign-in sessions, refresh tokens, failed sign-ins and scanner devices.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _at(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        _at("created_at"),
        _at("last_login_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name="fk_account_institution_id_institution",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name="fk_account_person_id_person", ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_account"),
        sa.UniqueConstraint("email", name="uq_account_email"),
        sa.UniqueConstraint("person_id", name="uq_account_person_id"),
    )
    op.create_index("ix_account_institution_id", "account", ["institution_id"])

    op.create_table(
        "auth_session",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        _at("created_at"),
        _at("last_refreshed_at", nullable=True),
        _at("revoked_at", nullable=True),
        sa.Column("revoked_reason", sa.String(40), nullable=True),
        sa.Column("client_address", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(300), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name="fk_auth_session_institution_id_institution",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name="fk_auth_session_account_id_account",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_auth_session"),
    )
    op.create_index("ix_auth_session_institution_id", "auth_session", ["institution_id"])
    op.create_index("ix_auth_session_account_id", "auth_session", ["account_id"])

    op.create_table(
        "refresh_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        _at("issued_at"),
        _at("expires_at"),
        _at("used_at", nullable=True),
        sa.Column("replaced_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name="fk_refresh_token_institution_id_institution",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["auth_session.id"],
            name="fk_refresh_token_session_id_auth_session",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_refresh_token"),
        sa.UniqueConstraint("token_hash", name="uq_refresh_token_token_hash"),
    )
    op.create_index("ix_refresh_token_institution_id", "refresh_token", ["institution_id"])
    op.create_index("ix_refresh_token_session_id", "refresh_token", ["session_id"])

    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(254), nullable=False),
        _at("failed_at"),
        sa.PrimaryKeyConstraint("id", name="pk_login_attempt"),
    )
    op.create_index("ix_login_attempt_subject", "login_attempt", ["subject"])
    op.create_index("ix_login_attempt_failed_at", "login_attempt", ["failed_at"])

    op.create_table(
        "device",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("location", sa.String(200), nullable=True),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("key_prefix", sa.String(16), nullable=False),
        _at("created_at"),
        _at("revoked_at", nullable=True),
        _at("last_seen_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name="fk_device_institution_id_institution",
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name="fk_device_school_id_school", ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_device"),
        sa.UniqueConstraint("key_hash", name="uq_device_key_hash"),
    )
    op.create_index("ix_device_institution_id", "device", ["institution_id"])
    op.create_index("ix_device_school_id", "device", ["school_id"])


def downgrade() -> None:
    op.drop_index("ix_device_school_id", table_name="device")
    op.drop_index("ix_device_institution_id", table_name="device")
    op.drop_table("device")
    op.drop_index("ix_login_attempt_failed_at", table_name="login_attempt")
    op.drop_index("ix_login_attempt_subject", table_name="login_attempt")
    op.drop_table("login_attempt")
    op.drop_index("ix_refresh_token_session_id", table_name="refresh_token")
    op.drop_index("ix_refresh_token_institution_id", table_name="refresh_token")
    op.drop_table("refresh_token")
    op.drop_index("ix_auth_session_account_id", table_name="auth_session")
    op.drop_index("ix_auth_session_institution_id", table_name="auth_session")
    op.drop_table("auth_session")
    op.drop_index("ix_account_institution_id", table_name="account")
    op.drop_table("account")
