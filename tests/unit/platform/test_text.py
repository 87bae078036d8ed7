"""Text no database can store, found in JSON as it arrives: a NUL, a lone surrogate."""

from __future__ import annotations

import json

import pytest

from edtech.platform.text import escapes_nul, holds_lone_surrogate, may_escape_surrogate


@pytest.mark.parametrize(
    "text",
    [
        '{"body": "a\\ud800b"}',  # a high half alone
        '{"body": "\\udc00"}',  # a low half alone
        '{"body": "\\ude00\\ud83d"}',  # both halves, the wrong way round
        '{"body": "\\uD83D x \\uDE00"}',  # both halves, apart (upper-case hex)
        '{"b\\ud800": 1}',  # in a key
        '["ok", {"deep": ["\\udbff"]}]',
    ],
)
def test_a_lone_surrogate_is_found_as_text_and_as_bytes(text: str) -> None:
    assert may_escape_surrogate(text.encode())
    assert holds_lone_surrogate(text)
    assert holds_lone_surrogate(text.encode())


@pytest.mark.parametrize(
    "text",
    [
        '{"body": "a\\ud83d\\ude00b"}',  # a pair: one character (😀), as json.dumps escapes it
        json.dumps({"body": "🎒 and 😀"}),
        '{"body": "a\\\\ud800b"}',  # an escaped backslash: the text "\\ud800", six characters
        '{"body": "\\u00e9\\u0041"}',  # other escapes
        '{"body": "\\ud800',  # not JSON: its parser refuses it
        "[" * 100_000 + "\\ud800",
    ],
)
def test_pairs_other_escapes_and_what_is_not_json_hold_none(text: str) -> None:
    assert not holds_lone_surrogate(text)
    assert not holds_lone_surrogate(text.encode())


def test_a_raw_surrogate_in_a_string_counts_and_plain_text_is_not_suspect() -> None:
    assert holds_lone_surrogate('{"body": "a\ud800b"}')  # no UTF-8 can carry it
    assert not may_escape_surrogate(json.dumps({"body": "école"}).encode())
    assert not escapes_nul(b'{"body": "a\\ud800b"}')
