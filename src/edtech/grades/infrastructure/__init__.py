"""Tables, repositories, loaders, read queries and the roster adapter of the grades slice."""

from edtech.grades.infrastructure.tables import (
    DecimalText,
    assessment,
    grade_category,
    grade_change,
    grade_publication,
    grade_result,
    grade_scheme,
    gradebook,
)

__all__ = [
    "DecimalText",
    "assessment",
    "grade_category",
    "grade_change",
    "grade_publication",
    "grade_result",
    "grade_scheme",
    "gradebook",
]
