"""The pure parts of the policy: what a guardian link view allows."""

from __future__ import annotations

import uuid

import pytest

from edtech.institutions.public import GuardianLinkView


def _view(**kw: object) -> GuardianLinkView:
    values: dict[str, object] = {
        "link_id": uuid.uuid4(),
        "student_id": uuid.uuid4(),
        "guardian_id": uuid.uuid4(),
        "relationship": "parent",
        "contact_priority": 1,
        "custody_restriction": False,
        "can_view_attendance": True,
        "can_view_grades": True,
        "can_view_billing": True,
        "can_message": True,
    }
    values.update(kw)
    return GuardianLinkView(**values)  # type: ignore[arg-type]


def test_view_allows_what_its_flags_say() -> None:
    view = _view(can_view_billing=False)
    assert view.allows(None)
    assert view.allows("can_view_grades")
    assert not view.allows("can_view_billing")


def test_custody_restricted_view_allows_nothing() -> None:
    view = _view(custody_restriction=True)
    assert not view.allows(None)
    assert not view.allows("can_view_attendance")


def test_unknown_flag_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown guardian flag"):
        _view().allows("can_fly")
