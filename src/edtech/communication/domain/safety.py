"""Safety: reporting messages, blocking people, and the reasons admins must give to export."""

from __future__ import annotations

from edtech.communication.domain.policy import Profile
from edtech.kernel.errors import FieldProblem, ForbiddenError, InvalidError

MAX_REASON = 1000
MIN_EXPORT_REASON = 10


def clean_reason(reason: str | None, *, minimum: int = 1) -> str:
    """A reason is required: `minimum` to `MAX_REASON` characters."""
    text = (reason or "").strip()
    if len(text) < minimum:
        raise InvalidError(
            "a reason is required",
            [FieldProblem(("reason",), f"at least {minimum} characters")],
        )
    if len(text) > MAX_REASON:
        raise InvalidError(
            "the reason is too long",
            [FieldProblem(("reason",), f"at most {MAX_REASON} characters", "too_long")],
        )
    return text


def may_block(blocker: Profile, blocked: Profile) -> None:
    """Anyone may block anyone but themselves and the institution's admins (who must always be
    able to reach families). A block stops the blocked person from starting a conversation with
    the blocker or writing to them in a direct conversation."""
    if blocker.person_id == blocked.person_id:
        raise InvalidError(
            "you cannot block yourself", [FieldProblem(("person_id",), "is yourself")]
        )
    if blocked.is_admin:
        raise ForbiddenError("administrators cannot be blocked")


def may_export(actor: Profile) -> None:
    """Only admins export conversations, always with a reason that is audited."""
    if not actor.is_admin:
        raise ForbiddenError("only administrators can export conversations")
