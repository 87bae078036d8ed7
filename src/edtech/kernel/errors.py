"""Typed domain errors; the HTTP layer maps each kind to a status in one place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class DomainError(Exception):
    """Base of every error a use case raises on purpose.

    `code` is stable and machine-readable; the message is for people.
    """

    code = "domain_error"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class NotFoundError(DomainError):
    """The thing does not exist, or the caller may not know that it does."""

    code = "not_found"


class ConflictError(DomainError):
    """The request clashes with current state: a duplicate, or a stale version."""

    code = "conflict"


class ForbiddenError(DomainError):
    """The caller is known but may not do this."""

    code = "forbidden"


class AuthenticationError(DomainError):
    """Credentials or tokens are missing, wrong, expired or revoked."""

    code = "unauthenticated"


class TooManyRequestsError(DomainError):
    """The caller is throttled; `retry_after` says for how many seconds."""

    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after


class UnavailableError(DomainError):
    """A service the request needs (mail, a provider) is not set up or not reachable."""

    code = "unavailable"


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field: where it is (a path of keys and indexes) and what is wrong."""

    loc: tuple[str | int, ...]
    message: str
    type: str = "value_error"


class InvalidError(DomainError):
    """The request is well-formed but breaks a business rule about its fields."""

    code = "invalid"

    def __init__(self, message: str, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(message)
        self.problems: list[FieldProblem] = problems or []
