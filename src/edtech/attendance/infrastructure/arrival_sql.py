"""The PostgreSQL statements of scan batches, built once: the batch resolution over arrays
and the conditional arrival update (see `arrivals.py`)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from edtech.attendance.infrastructure.tables import (
    attendance_credential,
    attendance_mark,
    attendance_scan,
    attendance_session,
)

_m, _s, _k, _c = attendance_mark, attendance_session, attendance_scan, attendance_credential
MARK_FIELDS = (
    "id",
    "institution_id",
    "session_id",
    "student_id",
    "teacher_code",
    "official_code",
    "category",
    "minutes_late",
    "arrived_at",
    "departed_at",
    "source",
    "version",
    "updated_at",
    "updated_by",
)
SESSION_FIELDS = tuple(c.name for c in _s.c)
MARK_COLUMNS = [_m.c[f].label(f"m_{f}") for f in MARK_FIELDS]
SESSION_COLUMNS = [_s.c[f].label(f"s_{f}") for f in SESSION_FIELDS]


def _batch_statement() -> sa.Select[Any]:
    """PostgreSQL: each scan of the batch with its earlier upload, its card's holder, and the
    holder's marks in sessions whose window holds the scan time — one statement, arrays bound."""
    items = (
        sa.func.unnest(
            sa.bindparam("device_ids", type_=pg.ARRAY(sa.Uuid())),
            sa.bindparam("scan_ids", type_=pg.ARRAY(sa.String())),
            sa.bindparam("hashes", type_=pg.ARRAY(sa.String())),
            sa.bindparam("ats", type_=pg.ARRAY(sa.DateTime(timezone=True))),
        )
        .table_valued("device_id", "scan_id", "value_hash", "at")
        .render_derived(name="item")
    )
    marks = _m.join(_s, _s.c.id == _m.c.session_id)
    return (
        sa.select(
            items.c.device_id,
            items.c.scan_id,
            items.c.value_hash,
            _k.c.result.label("k_result"),
            _k.c.reason.label("k_reason"),
            _k.c.student_id.label("k_student_id"),
            _k.c.session_id.label("k_session_id"),
            _c.c.student_id.label("c_student_id"),
            *MARK_COLUMNS,
            *SESSION_COLUMNS,
        )
        .select_from(items)
        .outerjoin(
            _k,
            sa.and_(_k.c.device_id == items.c.device_id, _k.c.scan_id == items.c.scan_id),
        )
        .outerjoin(
            _c,
            sa.and_(
                _k.c.scan_id.is_(None),
                _c.c.institution_id == sa.bindparam("institution_id"),
                _c.c.value_hash == items.c.value_hash,
                _c.c.revoked_at.is_(None),
            ),
        )
        .outerjoin(
            marks,
            sa.and_(
                _m.c.student_id == _c.c.student_id,
                _s.c.institution_id == sa.bindparam("institution_id"),
                _s.c.opens_at <= items.c.at,
                _s.c.closes_at > items.c.at,
            ),
        )
    )


BATCH = _batch_statement()

ARRIVE_FIELDS = ("official_code", "category", "minutes_late", "arrived_at", "source")


def _arrive_statement() -> sa.Update:
    """PostgreSQL: mark the arrivals of a batch, each only if still unmarked at the version read.

    A concurrent writer (the closer marking the rest absent, a teacher) holds the row until it
    commits; PostgreSQL then re-checks the condition on the new row and skips it."""
    rows = (
        sa.func.unnest(
            sa.bindparam("ids", type_=pg.ARRAY(sa.Uuid())),
            sa.bindparam("versions", type_=pg.ARRAY(sa.Integer())),
            sa.bindparam("codes", type_=pg.ARRAY(sa.String())),
            sa.bindparam("categories", type_=pg.ARRAY(sa.String())),
            sa.bindparam("minutes", type_=pg.ARRAY(sa.Integer())),
            sa.bindparam("arrivals", type_=pg.ARRAY(sa.DateTime(timezone=True))),
            sa.bindparam("sources", type_=pg.ARRAY(sa.String())),
            sa.bindparam("actors", type_=pg.ARRAY(sa.Uuid())),
        )
        .table_valued(
            "id", "version", "code", "category", "minutes", "arrived_at", "source", "actor"
        )
        .render_derived(name="arrival")
    )
    return (
        sa.update(_m)
        .values(
            official_code=rows.c.code,
            category=rows.c.category,
            minutes_late=rows.c.minutes,
            arrived_at=rows.c.arrived_at,
            source=rows.c.source,
            version=rows.c.version,
            updated_at=sa.bindparam("now", type_=sa.DateTime(timezone=True)),
            updated_by=rows.c.actor,
        )
        .where(
            _m.c.id == rows.c.id,
            _m.c.version == rows.c.version - 1,
            _m.c.official_code.is_(None),
        )
        .returning(_m.c.id)
    )


ARRIVE = _arrive_statement()
