"""What other slices may use from the calendar: a school's day plan for session planning.

This is the only module of `edtech.calendar` other slices import.
"""

from __future__ import annotations

from edtech.calendar.infrastructure.school_days import (
    DayPlan,
    WallMeeting,
    day_plan,
    rotation_schools,
)

__all__ = ["DayPlan", "WallMeeting", "day_plan", "rotation_schools"]
