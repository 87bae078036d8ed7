"""The calendar's tables, repositories and read queries."""

from edtech.calendar.infrastructure import tables

__all__ = ["tables"]
