"""Text PostgreSQL cannot store: the NUL character, as it arrives inside JSON.

JSON cannot carry a raw NUL; it arrives as the escape `\\u0000` (digits only, so a byte search
finds every spelling). The escape counts only when an odd run of backslashes precedes `u0000`:
`\\\\u0000` is an escaped backslash followed by the plain text "u0000".
"""

from __future__ import annotations

_BACKSLASH = 0x5C


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
