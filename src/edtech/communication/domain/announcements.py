"""Announcements: one sender to an audience, now or later, optionally acknowledged."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime

from edtech.communication.domain.attachments import Attachment
from edtech.communication.domain.events import AnnouncementAcknowledged, AnnouncementPublished
from edtech.communication.domain.policy import Profile
from edtech.kernel.errors import ConflictError, FieldProblem, ForbiddenError, InvalidError
from edtech.kernel.events import Aggregate
from edtech.kernel.principal import Role

MAX_TITLE = 200
MAX_ANNOUNCEMENT_BODY = 10_000


class AudienceKind(enum.StrEnum):
    SCHOOL = "school"
    """Everyone with a role in one school (or the whole institution when no school is named)."""
    SECTION = "section"
    """The students and staff of a section."""
    ROLE = "role"
    """Everyone holding a role in the institution."""
    SECTION_GUARDIANS = "section_guardians"
    """The guardians of a section's students (custody restrictions apply)."""


class Priority(enum.StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"
    """Cannot be muted: pushed even during quiet hours."""


@dataclass(frozen=True)
class Audience:
    kind: AudienceKind
    school_id: uuid.UUID | None = None
    section_id: uuid.UUID | None = None
    role: Role | None = None

    def __post_init__(self) -> None:
        needs_section = self.kind in (AudienceKind.SECTION, AudienceKind.SECTION_GUARDIANS)
        if needs_section and self.section_id is None:
            raise InvalidError(
                "this audience needs a section",
                [FieldProblem(("audience", "section_id"), f"required for {self.kind.value}")],
            )
        if self.kind is AudienceKind.ROLE and self.role is None:
            raise InvalidError(
                "this audience needs a role",
                [FieldProblem(("audience", "role"), "required for role")],
            )


def may_announce(sender: Profile, audience: Audience) -> None:
    """Admins announce to any audience; teachers only to their own sections or those sections'
    guardians; nobody else announces."""
    if sender.is_admin:
        return
    if audience.kind in (AudienceKind.SECTION, AudienceKind.SECTION_GUARDIANS) and (
        audience.section_id in sender.staffed_sections
    ):
        return
    raise ForbiddenError("you may not announce to this audience")


@dataclass(eq=False, kw_only=True)
class Announcement(Aggregate):
    """An announcement is published once, to the recipients its audience has at that moment."""

    id: uuid.UUID
    institution_id: uuid.UUID
    sender_id: uuid.UUID
    title: str
    body: str
    priority: Priority
    audience: Audience
    requires_ack: bool
    publish_at: datetime
    created_at: datetime
    published_at: datetime | None = None
    attachments: tuple[Attachment, ...] = ()

    def __post_init__(self) -> None:
        problems: list[FieldProblem] = []
        self.title = self.title.strip()
        self.body = self.body.strip()
        if not self.title:
            problems.append(FieldProblem(("title",), "must not be empty"))
        elif len(self.title) > MAX_TITLE:
            problems.append(FieldProblem(("title",), f"at most {MAX_TITLE} characters", "too_long"))
        if not self.body:
            problems.append(FieldProblem(("body",), "must not be empty"))
        elif len(self.body) > MAX_ANNOUNCEMENT_BODY:
            problems.append(
                FieldProblem(("body",), f"at most {MAX_ANNOUNCEMENT_BODY} characters", "too_long")
            )
        if problems:
            raise InvalidError("invalid announcement", problems)

    def is_due(self, now: datetime) -> bool:
        return self.published_at is None and self.publish_at <= now

    def publish(self, recipients: list[uuid.UUID], at: datetime) -> None:
        """Publish to `recipients` (the sender is never one of them); only once."""
        if self.published_at is not None:
            raise ConflictError("this announcement is already published")
        self.published_at = at
        self.record(
            AnnouncementPublished(
                institution_id=self.institution_id,
                occurred_at=at,
                announcement_id=self.id,
                sender_id=self.sender_id,
                title=self.title,
                body=self.body,
                priority=self.priority.value,
                requires_ack=self.requires_ack,
                published_at=at,
                recipient_ids=tuple(r for r in dict.fromkeys(recipients) if r != self.sender_id),
                attachments=self.attachments,
            )
        )

    def acknowledge(self, person_id: uuid.UUID, at: datetime) -> None:
        """A recipient confirms they read it: the sender hears of it (the caller records the
        receipt once per recipient)."""
        self.record(
            AnnouncementAcknowledged(
                institution_id=self.institution_id,
                occurred_at=at,
                announcement_id=self.id,
                sender_id=self.sender_id,
                person_id=person_id,
                acknowledged_at=at,
            )
        )
