"""A value checked by a pattern is refused with a newline at its end.

Python's `$` also matches just before a final newline, so `re.match(r"^[A-Z]{3}$", "EUR\\n")`
matches: "EUR\\n" passed as a currency and, one character over the column's three, was a 500
on PostgreSQL. Every such check now matches the whole value (`fullmatch`). (Email addresses
and SSO domains are stripped before they are checked: a final newline is dropped, not refused.)
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from edtech.attendance.domain.codes import check_code_fields
from edtech.communication.domain.messages import check_client_id
from edtech.identity.domain.sso import check_provider_name
from edtech.institutions.domain.values import currency_problem, locale_problem
from edtech.kernel.errors import InvalidError


def _raises_none(check: Callable[[str], object]) -> Callable[[str], bool]:
    def accepts(value: str) -> bool:
        try:
            check(value)
        except InvalidError:
            return False
        return True

    return accepts


CHECKS: list[tuple[str, Callable[[str], bool], str]] = [
    ("currency", lambda v: currency_problem(v) is None, "EUR"),
    ("locale", lambda v: locale_problem(v) is None, "en-US"),
    ("attendance code", _raises_none(lambda v: check_code_fields(v, "Late", 100)), "LATE"),
    ("SSO provider name", _raises_none(check_provider_name), "google"),
    ("message client id", _raises_none(check_client_id), "m-1"),
]


@pytest.mark.parametrize(("what", "accepts", "good"), CHECKS, ids=[c[0] for c in CHECKS])
def test_a_value_passes_and_the_same_value_with_a_final_newline_does_not(
    what: str, accepts: Callable[[str], bool], good: str
) -> None:
    assert accepts(good), what
    assert not accepts(good + "\n"), what
