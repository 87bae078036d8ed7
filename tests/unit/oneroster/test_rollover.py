"""Which grade follows which at year end."""

from __future__ import annotations

import pytest

from edtech.oneroster.domain.rollover import next_grade


@pytest.mark.parametrize(
    ("grade", "after"),
    [
        ("09", "10"),
        ("01", "02"),
        ("11", "12"),
        ("KG", "01"),
        ("PK", "KG"),
        ("TK", "KG"),
        ("IT", "PR"),
        ("12", None),
        ("13", None),
        ("UG", None),
        ("Other", None),
        (None, None),
    ],
)
def test_a_student_moves_up_one_grade_and_grade_12_graduates(
    grade: str | None, after: str | None
) -> None:
    assert next_grade(grade) == after
