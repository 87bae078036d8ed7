"""The grades tables (Core): schemes, gradebooks and categories, assessments, results, history."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from edtech.platform.db.metadata import metadata
from edtech.platform.db.types import UTCDateTime, id_column, institution_column


class DecimalText(sa.TypeDecorator[Decimal]):
    """An exact decimal stored as its text, identical on PostgreSQL and SQLite (no float ever)."""

    impl = sa.String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        return None if value is None else format(value, "f")

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


def _fk(name: str, target: str, *, nullable: bool = False, index: bool = True) -> sa.Column[Any]:
    return sa.Column(
        name, sa.Uuid(), sa.ForeignKey(target, ondelete="RESTRICT"), nullable=nullable, index=index
    )


grade_scheme = sa.Table(
    "grade_scheme",
    metadata,
    id_column(),
    institution_column(),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("bands", sa.JSON(), nullable=False),
    sa.Column("pass_percent", DecimalText(), nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("institution_id", "name"),
)

gradebook = sa.Table(
    "gradebook",
    metadata,
    sa.Column(
        "section_id", sa.Uuid(), sa.ForeignKey("section.id", ondelete="RESTRICT"), primary_key=True
    ),
    institution_column(),
    sa.Column("weighting", sa.String(16), nullable=False),
    sa.Column("post_policy", sa.String(16), nullable=False),
    _fk("total_scheme_id", "grade_scheme.id", nullable=True, index=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

grade_category = sa.Table(
    "grade_category",
    metadata,
    id_column(),
    institution_column(),
    _fk("section_id", "gradebook.section_id"),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("weight_ppm", sa.Integer(), nullable=False),
    sa.Column("drop_lowest", sa.Integer(), nullable=False),
    sa.Column("position", sa.Integer(), nullable=False),
)

assessment = sa.Table(
    "assessment",
    metadata,
    id_column(),
    institution_column(),
    _fk("section_id", "section.id"),
    _fk("category_id", "grade_category.id"),
    _fk("grading_period_id", "academic_session.id"),
    _fk("scheme_id", "grade_scheme.id", index=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("max_points", DecimalText(), nullable=False),
    sa.Column("due_at", UTCDateTime(), nullable=True),
    sa.Column("post_policy", sa.String(16), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

grade_result = sa.Table(
    "grade_result",
    metadata,
    id_column(),
    institution_column(),
    _fk("assessment_id", "assessment.id", index=False),
    _fk("section_id", "section.id"),
    _fk("student_id", "person.id"),
    sa.Column("draft", sa.JSON(), nullable=False),
    sa.Column("published", sa.JSON(), nullable=True),
    sa.Column("published_at", UTCDateTime(), nullable=True),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("updated_by", sa.Uuid(), nullable=True),
    sa.UniqueConstraint("assessment_id", "student_id"),
)
"""`draft` and `published` hold a mark: {points (decimal text), entered, comment, flags}."""

grade_publication = sa.Table(
    "grade_publication",
    metadata,
    id_column(),
    institution_column(),
    _fk("assessment_id", "assessment.id"),
    _fk("section_id", "section.id", index=False),
    sa.Column("scope", sa.String(16), nullable=False),
    sa.Column("student_ids", sa.JSON(), nullable=False),
    sa.Column("published_by", sa.Uuid(), nullable=False),
    sa.Column("published_by_name", sa.String(200), nullable=False),
    sa.Column("published_at", UTCDateTime(), nullable=False),
    sa.Column("idempotency_key", sa.String(255), nullable=True),
    sa.Column("changes", sa.JSON(), nullable=False),
)
"""`idempotency_key` records the client's key; replays are answered by the platform's store."""

grade_change = sa.Table(
    "grade_change",
    metadata,
    id_column(),
    institution_column(),
    _fk("result_id", "grade_result.id"),
    _fk("assessment_id", "assessment.id"),
    _fk("section_id", "section.id", index=False),
    sa.Column("student_id", sa.Uuid(), nullable=False),
    sa.Column("field", sa.String(16), nullable=False),
    sa.Column("before", sa.JSON(), nullable=True),
    sa.Column("after", sa.JSON(), nullable=False),
    sa.Column("actor_id", sa.Uuid(), nullable=False),
    sa.Column("actor_name", sa.String(200), nullable=False),
    sa.Column("reason", sa.Text(), nullable=True),
    sa.Column("publication_id", sa.Uuid(), nullable=True),
    sa.Column("at", UTCDateTime(), nullable=False),
)
"""The audit history: every change of a draft or published value, with actor and reason."""
