"""A section's meeting times are wall-clock times: an offset is refused, not compared."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from edtech.institutions.api.schemas import MeetingTimeIO


def _slot(starts_at: object, ends_at: object = "09:00") -> str:
    import json

    return json.dumps({"weekday": "monday", "starts_at": starts_at, "ends_at": ends_at})


def test_a_wall_clock_slot_is_accepted() -> None:
    slot = MeetingTimeIO.model_validate_json(_slot("08:30"))
    assert slot.starts_at.isoformat() == "08:30:00"


@pytest.mark.parametrize("starts_at", ["08:30:00Z", "08:30:00+02:00", 0])
def test_a_time_with_an_offset_or_a_number_is_refused_as_invalid(starts_at: object) -> None:
    with pytest.raises(ValidationError, match="without an offset"):
        MeetingTimeIO.model_validate_json(_slot(starts_at))
