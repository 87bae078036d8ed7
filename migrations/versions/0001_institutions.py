"""institutions: tables of the institutions slice.

Revision ID: 0001
Revises: None
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("id", sa.Uuid(), nullable=False)


def _institution_id() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("institution_id", sa.Uuid(), nullable=False)


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["institution_id"],
        ["institution.id"],
        name=f"fk_{table}_institution_id_institution",
        ondelete="RESTRICT",
    )


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete="RESTRICT"
    )


def _index(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(f"ix_{table}_{column}", table, [column])


def upgrade() -> None:
    op.create_table(
        "institution",
        _id(),
        sa.Column("slug", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("locale", sa.String(35), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_institution"),
        sa.UniqueConstraint("slug", name="uq_institution_slug"),
    )
    op.create_table(
        "school",
        _id(),
        _institution_id(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("org_type", sa.String(16), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=True),
        sa.Column("sourced_id", sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_school"),
        _tenant_fk("school"),
        _fk("school", "parent_id", "school"),
        sa.UniqueConstraint("institution_id", "name", name="uq_school_institution_id_name"),
    )
    _index("school", "institution_id")
    op.create_table(
        "academic_session",
        _id(),
        _institution_id(),
        sa.Column("school_id", sa.Uuid(), nullable=True),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_academic_session"),
        _tenant_fk("academic_session"),
        _fk("academic_session", "school_id", "school"),
        _fk("academic_session", "parent_id", "academic_session"),
        sa.CheckConstraint("ends_on >= starts_on", name="ck_academic_session_dates_ordered"),
    )
    _index("academic_session", "institution_id")
    op.create_table(
        "course",
        _id(),
        _institution_id(),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("sourced_id", sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_course"),
        _tenant_fk("course"),
        _fk("course", "school_id", "school"),
        sa.UniqueConstraint(
            "institution_id", "school_id", "code", name="uq_course_institution_id_school_id_code"
        ),
    )
    _index("course", "institution_id")
    op.create_table(
        "section",
        _id(),
        _institution_id(),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.Uuid(), nullable=False),
        sa.Column("term_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("code", sa.String(64), nullable=True),
        sa.Column("room", sa.String(64), nullable=True),
        sa.Column("class_type", sa.String(16), nullable=False),
        sa.Column("meetings", sa.JSON(), nullable=False),
        sa.Column("sourced_id", sa.String(255), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_section"),
        _tenant_fk("section"),
        _fk("section", "school_id", "school"),
        _fk("section", "course_id", "course"),
        sa.ForeignKeyConstraint(
            ["term_id"],
            ["academic_session.id"],
            name="fk_section_term_id_academic_session",
            ondelete="RESTRICT",
        ),
    )
    _index("section", "institution_id", "school_id", "course_id", "term_id")
    op.create_table(
        "person",
        _id(),
        _institution_id(),
        sa.Column("given_name", sa.String(100), nullable=False),
        sa.Column("family_name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("sourced_id", sa.String(255), nullable=True),
        sa.Column("grade_level", sa.String(16), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_person"),
        _tenant_fk("person"),
        sa.UniqueConstraint("institution_id", "email", name="uq_person_institution_id_email"),
        sa.UniqueConstraint(
            "institution_id", "sourced_id", name="uq_person_institution_id_sourced_id"
        ),
    )
    _index("person", "institution_id")
    op.create_table(
        "role_assignment",
        _id(),
        _institution_id(),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=True),
        sa.Column("begins_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_role_assignment"),
        _tenant_fk("role_assignment"),
        _fk("role_assignment", "person_id", "person"),
        _fk("role_assignment", "school_id", "school"),
    )
    _index("role_assignment", "institution_id", "person_id")
    op.create_table(
        "enrollment",
        _id(),
        _institution_id(),
        sa.Column("section_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("begins_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_enrollment"),
        _tenant_fk("enrollment"),
        _fk("enrollment", "section_id", "section"),
        _fk("enrollment", "person_id", "person"),
    )
    _index("enrollment", "institution_id", "section_id", "person_id")
    op.create_table(
        "guardian_link",
        _id(),
        _institution_id(),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("guardian_id", sa.Uuid(), nullable=False),
        sa.Column("relationship", sa.String(32), nullable=False),
        sa.Column("legal_guardian", sa.Boolean(), nullable=False),
        sa.Column("lives_with", sa.Boolean(), nullable=False),
        sa.Column("contact_priority", sa.Integer(), nullable=False),
        sa.Column("custody_restriction", sa.Boolean(), nullable=False),
        sa.Column("custody_note", sa.Text(), nullable=True),
        sa.Column("can_view_attendance", sa.Boolean(), nullable=False),
        sa.Column("can_view_grades", sa.Boolean(), nullable=False),
        sa.Column("can_view_billing", sa.Boolean(), nullable=False),
        sa.Column("can_message", sa.Boolean(), nullable=False),
        sa.Column("begins_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_guardian_link"),
        _tenant_fk("guardian_link"),
        _fk("guardian_link", "student_id", "person"),
        _fk("guardian_link", "guardian_id", "person"),
    )
    _index("guardian_link", "institution_id", "student_id", "guardian_id")


def downgrade() -> None:
    for table in (
        "guardian_link",
        "enrollment",
        "role_assignment",
        "person",
        "section",
        "course",
        "academic_session",
        "school",
        "institution",
    ):
        op.drop_table(table)
