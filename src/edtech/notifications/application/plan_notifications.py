"""Turning other slices' events into notifications and their ladder's jobs, in the same
transaction as the change that raised them (the slice's event sink calls this)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.public import display_names, institution_settings
from edtech.kernel.clock import Clock
from edtech.kernel.events import DomainEvent
from edtech.kernel.ids import new_id
from edtech.notifications.domain import Category, Delays, Preferences, plan
from edtech.notifications.infrastructure.repository import SqlNotifications
from edtech.platform.jobs import SqlJobs

RUNG_JOB = "notifications.rung"
ABSENCE = "attendance.absence_reported"
ANNOUNCEMENT = "announcement.published"


@dataclass(frozen=True)
class Trigger:
    """One event, seen as notifications: who, what about, and the words."""

    institution_id: uuid.UUID
    event_type: str
    source_key: str
    category: Category
    recipients: tuple[uuid.UUID, ...]
    title: str
    body: str
    subject_id: uuid.UUID | None = None
    sender_id: uuid.UUID | None = None
    """Set for a batch the sender watches (an announcement)."""
    batch_id: uuid.UUID | None = None


async def triggers(session: AsyncSession, events: Sequence[DomainEvent]) -> list[Trigger]:
    """The events that notify someone: absences and tardies at close (to the guardians, not
    the student, whose own inbox has it) and published announcements (to every recipient)."""
    found: list[Trigger] = []
    for event in events:
        if event.type == ABSENCE:
            found.append(await _absence(session, event))
        elif event.type == ANNOUNCEMENT:
            found.append(_announcement(event))
    return [t for t in found if t.recipients]


async def _absence(session: AsyncSession, event: DomainEvent) -> Trigger:
    data: Any = event
    student: uuid.UUID = data.student_id
    names = await display_names(session, event.institution_id, [student])
    name = names.get(student, "Your child")
    late = data.category == "tardy"
    body = (
        f"{name} arrived {data.minutes_late or 0} minutes late on {data.day:%A %d %B}."
        if late
        else f"{name} was marked absent on {data.day:%A %d %B}."
    )
    return Trigger(
        institution_id=event.institution_id,
        event_type=ABSENCE,
        source_key=f"{data.session_id}:{student}",
        category=Category.ABSENCE,
        recipients=tuple(r for r in data.recipients if r != student),
        title=f"{name}: {'late' if late else 'absent'} today",
        body=body,
        subject_id=student,
    )


def _announcement(event: DomainEvent) -> Trigger:
    data: Any = event
    urgent = data.priority == "urgent"
    return Trigger(
        institution_id=event.institution_id,
        event_type=ANNOUNCEMENT,
        source_key=str(data.announcement_id),
        category=Category.URGENT_ANNOUNCEMENT if urgent else Category.ANNOUNCEMENT,
        recipients=tuple(data.recipient_ids),
        title=str(data.title)[:200],
        body=str(data.body)[:2000],
        subject_id=data.announcement_id,
        sender_id=data.sender_id,
        batch_id=data.announcement_id,
    )


async def school_zone(session: AsyncSession, institution_id: uuid.UUID) -> ZoneInfo:
    settings = await institution_settings(session, institution_id)
    try:
        return ZoneInfo(settings.timezone if settings else "UTC")
    except ZoneInfoNotFoundError:
        return ZoneInfo("UTC")


class PlanNotifications:
    """For each recipient: a notification row, the rungs their preferences and quiet hours
    allow (an attempt row each, `pending`), and one durable job per rung at its time — all in
    the caller's transaction, so they exist exactly when the event does."""

    def __init__(self, session: AsyncSession, clock: Clock, delays: Delays) -> None:
        self.session, self.clock, self.delays = session, clock, delays

    async def __call__(self, trigger: Trigger) -> int:
        now = self.clock.now()
        store = SqlNotifications(self.session)
        recipients = list(dict.fromkeys(trigger.recipients))
        prefs = await store.preferences(recipients)
        tz = await school_zone(self.session, trigger.institution_id)
        if trigger.batch_id is not None and trigger.sender_id is not None:
            await store.add_batch(
                trigger.batch_id, trigger.institution_id, trigger.sender_id, trigger.category,
                trigger.title, len(recipients), now,
            )  # fmt: skip
        rows, attempts = [], []
        jobs = SqlJobs(self.session, self.clock)
        for person_id in recipients:
            notification_id = new_id()
            rows.append(
                {
                    "id": notification_id,
                    "institution_id": trigger.institution_id,
                    "person_id": person_id,
                    "category": trigger.category.value,
                    "event_type": trigger.event_type,
                    "source_key": trigger.source_key,
                    "batch_id": trigger.batch_id,
                    "subject_id": trigger.subject_id,
                    "title": trigger.title,
                    "body": trigger.body,
                    "created_at": now,
                }
            )
            for rung in plan(trigger.category, prefs.get(person_id, Preferences()), now, tz,
                             self.delays):  # fmt: skip
                attempts.append(
                    {
                        "notification_id": notification_id,
                        "channel": rung.channel.value,
                        "institution_id": trigger.institution_id,
                        "batch_id": trigger.batch_id,
                        "state": "pending",
                        "due_at": rung.at,
                        "tries": 0,
                    }
                )
                await jobs.defer(
                    RUNG_JOB,
                    {
                        "notification_id": str(notification_id),
                        "channel": rung.channel.value,
                        "unless": rung.unless.value,
                    },
                    at=rung.at,
                    lock=f"notify:{notification_id}:{rung.channel.value}",
                    institution_id=trigger.institution_id,
                )
        await store.add(rows)
        await store.plan_attempts(attempts)
        return len(rows)


def delays_of(push: float, email: float, sms: float) -> Delays:
    return Delays(timedelta(seconds=push), timedelta(seconds=email), timedelta(seconds=sms))
