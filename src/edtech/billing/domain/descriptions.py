"""Invoice line descriptions built from catalogue names, always short enough to be stored."""

from __future__ import annotations

DESCRIPTION_MAX_LENGTH = 300
"""The longest invoice line description (the `description` column of an invoice line)."""
ELLIPSIS = "…"


def describe(template: str, *names: str, limit: int = DESCRIPTION_MAX_LENGTH) -> str:
    """Fill the template's `{}` fields with the names, in at most `limit` characters.

    A description that fits is the plain filled template. One that does not keeps the
    template's own words whole and shortens only the longest names, each to the same length
    ending in "…", just enough to fit: every name still shows its beginning, and a short name
    next to a long one is never cut.
    """
    room = limit - len(template.format(*("" for _ in names)))
    if sum(len(n) for n in names) <= room:
        return template.format(*names)
    if room < len(names):
        raise ValueError(f"{template!r} leaves no room for {len(names)} names in {limit}")
    cap = _longest_kept(sorted(len(n) for n in names), room)
    return template.format(*(_shorten(n, cap) for n in names))


def _longest_kept(lengths: list[int], room: int) -> int:
    """How long a name may stay so that all of them fit in `room`: names shorter than an even
    share of what is left are kept whole, and the rest share what they leave."""
    for k, length in enumerate(lengths):
        share = room // (len(lengths) - k)
        if length > share:
            return share
        room -= length
    return room


def _shorten(name: str, cap: int) -> str:
    if len(name) <= cap:
        return name
    return name[: cap - 1].rstrip() + ELLIPSIS
