"""The calendar's tables, with its aggregates mapped onto them imperatively (ADR-0005)."""

from __future__ import annotations

import enum
import uuid
from datetime import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from edtech.calendar.domain import (
    BellSchedule,
    CalendarDay,
    DayKind,
    Period,
    Rotation,
    RotationMeeting,
)
from edtech.platform.db.metadata import mapper_registry, metadata
from edtech.platform.db.types import UTCDateTime, id_column, institution_column


def _enum(cls: type[enum.StrEnum], length: int) -> sa.Enum:
    """A string column holding the enum's values (no native type, no CHECK: portable)."""
    return sa.Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
    )


class Periods(sa.TypeDecorator[tuple[Period, ...]]):
    """A bell schedule's periods as JSON: [{"name": "P1", "starts_at": "08:00", ...}]."""

    impl = sa.JSON()
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> list[dict[str, str]] | None:
        if value is None:
            return None
        return [
            {
                "name": p.name,
                "starts_at": p.starts_at.isoformat("minutes"),
                "ends_at": p.ends_at.isoformat("minutes"),
            }
            for p in value
        ]

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[Period, ...] | None:
        if value is None:
            return None
        return tuple(
            Period(p["name"], time.fromisoformat(p["starts_at"]), time.fromisoformat(p["ends_at"]))
            for p in value
        )


class Labels(sa.TypeDecorator[tuple[str, ...]]):
    """A rotation's day labels as a JSON list."""

    impl = sa.JSON()
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> list[str] | None:
        return None if value is None else list(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[str, ...] | None:
        return None if value is None else tuple(value)


class Meetings(sa.TypeDecorator[tuple[RotationMeeting, ...]]):
    """A rotation's section meetings as JSON: [{"section_id", "label", "period"}]."""

    impl = sa.JSON()
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> list[dict[str, str]] | None:
        if value is None:
            return None
        return [
            {"section_id": str(m.section_id), "label": m.label, "period": m.period} for m in value
        ]

    def process_result_value(
        self, value: Any, dialect: Dialect
    ) -> tuple[RotationMeeting, ...] | None:
        if value is None:
            return None
        return tuple(
            RotationMeeting(uuid.UUID(m["section_id"]), m["label"], m["period"]) for m in value
        )


def _school(nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(
        "school_id",
        sa.Uuid(),
        sa.ForeignKey("school.id", ondelete="RESTRICT"),
        nullable=nullable,
        index=True,
    )


bell_schedule = sa.Table(
    "bell_schedule",
    metadata,
    id_column(),
    institution_column(),
    _school(),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("periods", Periods(), nullable=False),
    sa.UniqueConstraint("school_id", "name"),
)

calendar_day = sa.Table(
    "calendar_day",
    metadata,
    id_column(),
    institution_column(),
    _school(nullable=True),
    sa.Column("day", sa.Date(), nullable=False, index=True),
    sa.Column("kind", _enum(DayKind, 16), nullable=False),
    sa.Column("reason", sa.String(200), nullable=False),
    sa.Column(
        "bell_schedule_id",
        sa.Uuid(),
        sa.ForeignKey("bell_schedule.id", ondelete="RESTRICT"),
        nullable=True,
    ),
    sa.Column("declared_at", UTCDateTime(), nullable=False),
    sa.Column("declared_by", sa.Uuid(), nullable=True),
)

rotation = sa.Table(
    "rotation",
    metadata,
    id_column(),
    institution_column(),
    _school(),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("labels", Labels(), nullable=False),
    sa.Column("starts_on", sa.Date(), nullable=False),
    sa.Column(
        "bell_schedule_id",
        sa.Uuid(),
        sa.ForeignKey("bell_schedule.id", ondelete="RESTRICT"),
        nullable=False,
    ),
    sa.Column("meetings", Meetings(), nullable=False),
)

for cls, table in (
    (CalendarDay, calendar_day),
    (BellSchedule, bell_schedule),
    (Rotation, rotation),
):
    mapper_registry.map_imperatively(cls, table)
