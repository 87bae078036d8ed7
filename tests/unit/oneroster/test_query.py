"""The OneRoster REST query parameters: filter grammar, sort, fields, paging."""

from __future__ import annotations

import pytest

from edtech.kernel.errors import InvalidError
from edtech.oneroster.domain.query import apply, parse_filter, parse_query

USERS = [
    {"sourcedId": "u1", "familyName": "Ortiz", "email": "a@b.org", "roles": [{"role": "student"}]},
    {"sourcedId": "u2", "familyName": "Hopper", "email": "g@b.org", "roles": [{"role": "teacher"}]},
    {"sourcedId": "u3", "familyName": "O'Neil", "email": "", "roles": [{"role": "student"}]},
]


def test_a_predicate_compares_a_field_with_a_quoted_value() -> None:
    assert [u["sourcedId"] for u in USERS if parse_filter("email='a@b.org'")(u)] == ["u1"]
    assert [u["sourcedId"] for u in USERS if parse_filter("familyName='O''Neil'")(u)] == ["u3"]
    assert [u["sourcedId"] for u in USERS if parse_filter("familyName~'o'")(u)] == [
        "u1",
        "u2",
        "u3",
    ]


def test_and_or_and_dotted_fields_through_lists() -> None:
    f = parse_filter("roles.role='student' AND familyName>'P'")
    assert [u["sourcedId"] for u in USERS if f(u)] == []
    f = parse_filter("roles.role='teacher' OR email='a@b.org'")
    assert [u["sourcedId"] for u in USERS if f(u)] == ["u1", "u2"]


@pytest.mark.parametrize(
    "text",
    ["email=a@b.org", "email='a' AND x='b' OR y='c'", "email='a'; DROP TABLE person", "1=1"],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(InvalidError):
        parse_filter(text)


def test_sort_order_paging_and_fields() -> None:
    q = parse_query(2, 1, "familyName", "desc", None, "sourcedId")
    page, total = apply(q, USERS)
    assert total == 3
    assert page == [{"sourcedId": "u3"}, {"sourcedId": "u2"}]
    with pytest.raises(InvalidError):
        apply(parse_query(10, 0, None, None, None, "password"), USERS)
    with pytest.raises(InvalidError):
        apply(parse_query(10, 0, "nope", None, None, None), USERS)
