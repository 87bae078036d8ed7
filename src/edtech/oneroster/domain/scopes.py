"""The OneRoster 1.2 OAuth 2 scopes: full URIs or their short names, enforced per endpoint."""

from __future__ import annotations

PREFIX = "https://purl.imsglobal.org/spec/or/v1p2/scope/"
SCOPES = frozenset(
    {
        "roster.readonly",
        "roster-core.readonly",
        "roster-demographics.readonly",
        "gradebook.readonly",
        "gradebook.createput",
        "gradebook.delete",
    }
)
ROSTER_READ = frozenset({"roster.readonly", "roster-core.readonly"})
GRADEBOOK_READ = frozenset({"gradebook.readonly", "gradebook.createput"})
GRADEBOOK_WRITE = frozenset({"gradebook.createput"})
GRADEBOOK_DELETE = frozenset({"gradebook.delete"})


def short(scope: str) -> str:
    return scope[len(PREFIX) :] if scope.startswith(PREFIX) else scope


def parse_scopes(text: str) -> tuple[frozenset[str], list[str]]:
    """Known scopes asked for (short names) and the unknown ones."""
    asked = {short(s) for s in text.split() if s}
    return frozenset(asked & SCOPES), sorted(asked - SCOPES)
