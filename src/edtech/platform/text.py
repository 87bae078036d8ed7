"""Text a database cannot store, as it arrives inside JSON: the NUL character, and a lone
surrogate.

JSON cannot carry a raw NUL; it arrives as the escape `\\u0000` (digits only, so a byte search
finds every spelling). The escape counts only when an odd run of backslashes precedes `u0000`:
`\\\\u0000` is an escaped backslash followed by the plain text "u0000".

A lone surrogate (`\\ud800`–`\\udfff` escaped without its pair) is valid JSON syntax but no
character: no UTF-8 text, so neither PostgreSQL nor SQLite, can hold it. Pydantic's JSON parser
refuses it in REST bodies; the websocket's frames are read by `json`, which lets it through.
"""

from __future__ import annotations

import json
import re

_BACKSLASH = 0x5C
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE_TEXT = re.compile(r"\\u[dD][89a-fA-F]")


def escapes_nul(data: bytes) -> bool:
    """True if the JSON text `data` holds a `\\u0000` escape."""
    start = 0
    while (at := data.find(b"u0000", start)) != -1:
        run = 0
        while at - run - 1 >= 0 and data[at - run - 1] == _BACKSLASH:
            run += 1
        if run % 2 == 1:
            return True
        start = at + 1
    return False


def unfinished_tail(data: bytes) -> bytes:
    """The end of a chunk an escape may continue from: its last four bytes and the run of
    backslashes before them (so the next chunk is judged with the whole run)."""
    keep = max(len(data) - 4, 0)
    while keep > 0 and data[keep - 1] == _BACKSLASH:
        keep -= 1
    return data[keep:]


def may_escape_surrogate(data: bytes) -> bool:
    """True if the JSON text `data` may hold a surrogate escape (`\\ud800`–`\\udfff`, a lone
    one or half of a pair): the cheap search before `holds_lone_surrogate`."""
    return _SURROGATE_ESCAPE.search(data) is not None


def holds_lone_surrogate(text: str | bytes) -> bool:
    """True if the JSON text `text` decodes to a string (or a key) holding a lone surrogate.

    A surrogate pair — an emoji as `json.dumps` escapes it, `\\ud83d\\ude00` — is one character
    and fine. Only text with a surrogate escape is decoded again to tell the two apart; text
    that is not JSON holds none (its parser refuses it)."""
    if isinstance(text, bytes):
        if _SURROGATE_ESCAPE.search(text) is None:
            return False
    else:  # searched as it is (a websocket frame), encoded only when not ASCII
        if not text.isascii():
            try:
                text.encode()
            except UnicodeEncodeError:  # a surrogate as such, not escaped
                return True
        if _SURROGATE_ESCAPE_TEXT.search(text) is None:
            return False
    try:
        json.dumps(json.loads(text), ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return True
    except (ValueError, RecursionError):  # not JSON, or too deep: refused as such elsewhere
        return False
    return False
