"""Attendance infrastructure: tables and mapping, repositories, and read queries."""

from edtech.attendance.infrastructure.tables import (
    attendance_check_in,
    attendance_code,
    attendance_credential,
    attendance_excuse,
    attendance_mark,
    attendance_mark_change,
    attendance_scan,
    attendance_session,
)

__all__ = [
    "attendance_check_in",
    "attendance_code",
    "attendance_credential",
    "attendance_excuse",
    "attendance_mark",
    "attendance_mark_change",
    "attendance_scan",
    "attendance_session",
]
