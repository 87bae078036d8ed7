"""Attendance letter templates (no I/O): only known placeholders are accepted, and a value
missing when the letter is rendered prints as an explicit blank."""

from __future__ import annotations

import pytest

from edtech.files.domain.letters import (
    BLANK,
    DEFAULT_TEMPLATE,
    PLACEHOLDERS,
    check_template,
    fill,
)
from edtech.kernel.errors import InvalidError


def test_the_default_template_names_only_placeholders() -> None:
    assert check_template(DEFAULT_TEMPLATE.title, DEFAULT_TEMPLATE.body) == DEFAULT_TEMPLATE


@pytest.mark.parametrize(
    ("title", "body", "problem"),
    [
        ("Letter", "{student} has {grade}", "unknown grade"),
        ("Letter", "{student.name}", "unknown student.name"),
        ("Letter", "{student", "unbalanced braces"),
        ("", "{student}", "must not be empty"),
        ("Letter", "x" * 10_001, "at most 10000"),
    ],
)
def test_a_template_naming_anything_else_is_refused(title: str, body: str, problem: str) -> None:
    with pytest.raises(InvalidError) as refused:
        check_template(title, body)
    assert any(problem in p.message for p in refused.value.problems)


def test_a_missing_value_prints_as_an_explicit_blank() -> None:
    values = dict.fromkeys(PLACEHOLDERS, "1")
    values["student"] = ""
    del values["school"]
    text = fill("{student} at {school}: {days_absent} of {days_enrolled}", values)
    assert text == f"{BLANK} at {BLANK}: 1 of 1"
