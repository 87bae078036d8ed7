"""grades: schemes, gradebooks and categories, assessments, results, publications, history.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _at(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _decimal(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.String(40), nullable=nullable)


def _institution(table: str) -> list[object]:
    return [
        sa.Column("institution_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
            name=f"fk_{table}_institution_id_institution",
            ondelete="RESTRICT",
        ),
    ]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    ref_table = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=f"fk_{table}_{column}_{ref_table}", ondelete="RESTRICT"
    )


def _index(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(f"ix_{table}_{column}", table, [column])


def upgrade() -> None:
    op.create_table(
        "grade_scheme",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_institution("grade_scheme"),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("bands", sa.JSON(), nullable=False),
        _decimal("pass_percent", nullable=True),
        _at("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_grade_scheme"),
        sa.UniqueConstraint("institution_id", "name", name="uq_grade_scheme_institution_id_name"),
    )
    _index("grade_scheme", "institution_id")

    op.create_table(
        "gradebook",
        sa.Column("section_id", sa.Uuid(), nullable=False),
        *_institution("gradebook"),
        sa.Column("weighting", sa.String(16), nullable=False),
        sa.Column("post_policy", sa.String(16), nullable=False),
        sa.Column("total_scheme_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _at("updated_at"),
        _fk("gradebook", "section_id", "section.id"),
        _fk("gradebook", "total_scheme_id", "grade_scheme.id"),
        sa.PrimaryKeyConstraint("section_id", name="pk_gradebook"),
    )
    _index("gradebook", "institution_id")

    op.create_table(
        "grade_category",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_institution("grade_category"),
        sa.Column("section_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("weight_ppm", sa.Integer(), nullable=False),
        sa.Column("drop_lowest", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _fk("grade_category", "section_id", "gradebook.section_id"),
        sa.PrimaryKeyConstraint("id", name="pk_grade_category"),
    )
    _index("grade_category", "institution_id", "section_id")

    op.create_table(
        "assessment",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_institution("assessment"),
        sa.Column("section_id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column("grading_period_id", sa.Uuid(), nullable=False),
        sa.Column("scheme_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        _decimal("max_points"),
        _at("due_at", nullable=True),
        sa.Column("post_policy", sa.String(16), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _at("created_at"),
        _fk("assessment", "section_id", "section.id"),
        _fk("assessment", "category_id", "grade_category.id"),
        _fk("assessment", "grading_period_id", "academic_session.id"),
        _fk("assessment", "scheme_id", "grade_scheme.id"),
        sa.PrimaryKeyConstraint("id", name="pk_assessment"),
    )
    _index("assessment", "institution_id", "section_id", "category_id", "grading_period_id")

    op.create_table(
        "grade_result",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_institution("grade_result"),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("section_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("draft", sa.JSON(), nullable=False),
        sa.Column("published", sa.JSON(), nullable=True),
        _at("published_at", nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _at("updated_at"),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        _fk("grade_result", "assessment_id", "assessment.id"),
        _fk("grade_result", "section_id", "section.id"),
        _fk("grade_result", "student_id", "person.id"),
        sa.PrimaryKeyConstraint("id", name="pk_grade_result"),
        sa.UniqueConstraint(
            "assessment_id", "student_id", name="uq_grade_result_assessment_id_student_id"
        ),
    )
    _index("grade_result", "institution_id", "section_id", "student_id")

    op.create_table(
        "grade_publication",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_institution("grade_publication"),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("section_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("student_ids", sa.JSON(), nullable=False),
        sa.Column("published_by", sa.Uuid(), nullable=False),
        sa.Column("published_by_name", sa.String(200), nullable=False),
        _at("published_at"),
        sa.Column("idempotency_key", sa.String(255), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        _fk("grade_publication", "assessment_id", "assessment.id"),
        _fk("grade_publication", "section_id", "section.id"),
        sa.PrimaryKeyConstraint("id", name="pk_grade_publication"),
    )
    _index("grade_publication", "institution_id", "assessment_id")

    op.create_table(
        "grade_change",
        sa.Column("id", sa.Uuid(), nullable=False),
        *_institution("grade_change"),
        sa.Column("result_id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("section_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("actor_name", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("publication_id", sa.Uuid(), nullable=True),
        _at("at"),
        _fk("grade_change", "result_id", "grade_result.id"),
        _fk("grade_change", "assessment_id", "assessment.id"),
        _fk("grade_change", "section_id", "section.id"),
        sa.PrimaryKeyConstraint("id", name="pk_grade_change"),
    )
    _index("grade_change", "institution_id", "result_id", "assessment_id")


def downgrade() -> None:
    for table, columns in (
        ("grade_change", ("institution_id", "result_id", "assessment_id")),
        ("grade_publication", ("institution_id", "assessment_id")),
        ("grade_result", ("institution_id", "section_id", "student_id")),
        ("assessment", ("institution_id", "section_id", "category_id", "grading_period_id")),
        ("grade_category", ("institution_id", "section_id")),
        ("gradebook", ("institution_id",)),
        ("grade_scheme", ("institution_id",)),
    ):
        for column in columns:
            op.drop_index(f"ix_{table}_{column}", table_name=table)
        op.drop_table(table)
