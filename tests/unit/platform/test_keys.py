"""Secrets compared in constant time, whatever characters a caller sends."""

from __future__ import annotations

import pytest

from edtech.platform.security.keys import same_secret


@pytest.mark.parametrize(
    ("given", "same"),
    [
        ("9f86d081884c7d65", True),
        ("9f86d081884c7d66", False),
        ("9f86d081884c7d6", False),
        ("9f86d081884c7d6\u00e9", False),  # hmac.compare_digest raises TypeError on two str
        ("9f86d081884c7d6\ud800", False),  # a lone surrogate, which UTF-8 cannot encode
    ],
)
def test_a_secret_is_compared_as_bytes(given: str, same: bool) -> None:
    assert same_secret(given, "9f86d081884c7d65") is same


def test_non_ascii_secrets_equal_themselves() -> None:
    assert same_secret("cl\u00e9 \U0001f511", "cl\u00e9 \U0001f511")
