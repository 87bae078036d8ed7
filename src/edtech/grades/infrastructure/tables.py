"""The grades tables, with the aggregates mapped onto them imperatively (one class each).

Columns holding domain values (enums, marks, letter bands, a publication's changes) convert
them at the column type, so the ORM and Core reads both get domain values.
"""

from __future__ import annotations

import enum
import uuid
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import relationship

from edtech.grades.domain import (
    Assessment,
    Category,
    Change,
    Gradebook,
    GradingScheme,
    LetterBand,
    Mark,
    PostPolicy,
    Publication,
    PublishedChange,
    PublishScope,
    Result,
    SchemeKind,
    Weighting,
    plain,
)
from edtech.grades.domain.publication import NAME_MAX
from edtech.platform.db.metadata import mapper_registry, metadata
from edtech.platform.db.types import UTCDateTime, id_column, institution_column


class DecimalText(sa.TypeDecorator[Decimal]):
    """An exact decimal stored as its text, identical on PostgreSQL and SQLite (no float ever)."""

    impl = sa.String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        return None if value is None else format(value, "f")

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class EnumText(sa.TypeDecorator[Any]):
    """A string enum stored as its value (a plain VARCHAR on both dialects, as before mapping)."""

    impl = sa.String(16)
    cache_ok = True

    def __init__(self, enum_type: type[enum.StrEnum]) -> None:
        super().__init__()
        self.enum_type = enum_type

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.enum_type(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else self.enum_type(value)


class MarkJSON(sa.TypeDecorator[Mark]):
    """A mark as JSON: {points (decimal text), entered, comment, flags}."""

    impl = sa.JSON
    cache_ok = True

    def process_bind_param(self, value: Mark | None, dialect: Dialect) -> Any:
        return None if value is None else value.as_data()

    def process_result_value(self, value: Any, dialect: Dialect) -> Mark | None:
        return None if value is None else Mark.from_data(value)


class BandsJSON(sa.TypeDecorator[tuple[LetterBand, ...]]):
    """Letter bands, highest first, as a JSON list of {letter, min_percent, value_percent}."""

    impl = sa.JSON
    cache_ok = True

    def process_bind_param(self, value: tuple[LetterBand, ...] | None, dialect: Dialect) -> Any:
        return [
            {
                "letter": b.letter,
                "min_percent": plain(b.min_percent),
                "value_percent": None if b.value_percent is None else plain(b.value_percent),
            }
            for b in value or ()
        ]

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[LetterBand, ...]:
        return tuple(
            LetterBand(
                b["letter"],
                Decimal(b["min_percent"]),
                None if b.get("value_percent") is None else Decimal(b["value_percent"]),
            )
            for b in value or ()
        )


class UuidListJSON(sa.TypeDecorator[tuple[uuid.UUID, ...]]):
    """A tuple of ids as a JSON list of strings."""

    impl = sa.JSON
    cache_ok = True

    def process_bind_param(self, value: tuple[uuid.UUID, ...] | None, dialect: Dialect) -> Any:
        return [str(v) for v in value or ()]

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[uuid.UUID, ...]:
        return tuple(uuid.UUID(v) for v in value or ())


class ChangesJSON(sa.TypeDecorator[tuple[PublishedChange, ...]]):
    """What a publication changed per student, as `PublishedChange.as_data` writes it.

    The stored form names the student, not the result, and carries no reason (the audit history
    has both): a loaded change is the published value's before and after.
    """

    impl = sa.JSON
    cache_ok = True

    def process_bind_param(
        self, value: tuple[PublishedChange, ...] | None, dialect: Dialect
    ) -> Any:
        return [c.as_data() for c in value or ()]

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[PublishedChange, ...]:
        out = []
        for c in value or ():
            student_id = uuid.UUID(c["student_id"])
            before = None if c["before"] is None else Mark.from_data(c["before"])
            change = Change(student_id, "published", before, Mark.from_data(c["after"]), None)
            out.append(PublishedChange(student_id, change))
        return tuple(out)


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
    sa.Column("kind", EnumText(SchemeKind), nullable=False),
    sa.Column("bands", BandsJSON(), nullable=False),
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
    sa.Column("weighting", EnumText(Weighting), nullable=False),
    sa.Column("post_policy", EnumText(PostPolicy), nullable=False),
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
    sa.Column("post_policy", EnumText(PostPolicy), nullable=True),
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
    sa.Column("draft", MarkJSON(), nullable=False),
    sa.Column("published", MarkJSON(), nullable=True),
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
    sa.Column("scope", EnumText(PublishScope), nullable=False),
    sa.Column("student_ids", UuidListJSON(), nullable=False),
    sa.Column("published_by", sa.Uuid(), nullable=False),
    sa.Column("published_by_name", sa.String(NAME_MAX), nullable=False),
    sa.Column("published_at", UTCDateTime(), nullable=False),
    sa.Column("idempotency_key", sa.String(255), nullable=True),
    sa.Column("changes", ChangesJSON(), nullable=False),
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
    sa.Column("actor_name", sa.String(NAME_MAX), nullable=False),
    sa.Column("reason", sa.Text(), nullable=True),
    sa.Column("publication_id", sa.Uuid(), nullable=True),
    sa.Column("at", UTCDateTime(), nullable=False),
)
"""The audit history: every change of a draft or published value, with actor and reason."""


def _category_of_book(book: Gradebook, category: Category, _initiator: object) -> None:
    """A category's row names its institution: it is the gradebook's (the domain leaves it out)."""
    category.institution_id = book.institution_id  # type: ignore[attr-defined]


def _positions(_book: Gradebook, categories: list[Category], _initiator: object) -> None:
    """Reconfiguring replaces the list (keeping categories by id): store its new order."""
    for position, category in enumerate(categories):
        category.position = position  # type: ignore[attr-defined]


mapper_registry.map_imperatively(GradingScheme, grade_scheme)
mapper_registry.map_imperatively(Category, grade_category)
# The domain bumps `version`; the ORM adds `WHERE version = <loaded>` to every UPDATE, so a
# concurrent write makes the flush fail instead of silently overwriting (optimistic locking).
mapper_registry.map_imperatively(
    Gradebook,
    gradebook,
    version_id_col=gradebook.c.version,
    version_id_generator=False,
    properties={
        "categories": relationship(
            Category,
            order_by=grade_category.c.position,
            collection_class=ordering_list("position"),
            cascade="all, delete-orphan",
            lazy="selectin",
        )
    },
)
sa.event.listen(Gradebook.categories, "append", _category_of_book)  # type: ignore[misc]
sa.event.listen(Gradebook.categories, "bulk_replace", _positions)  # type: ignore[misc]
mapper_registry.map_imperatively(
    Assessment, assessment, version_id_col=assessment.c.version, version_id_generator=False
)
mapper_registry.map_imperatively(
    Result, grade_result, version_id_col=grade_result.c.version, version_id_generator=False
)
mapper_registry.map_imperatively(Publication, grade_publication)
