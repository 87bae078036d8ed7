"""Turning other slices' events into notifications and their ladder's jobs, in the same
transaction as the change that raised them (the slice's event sink calls this)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.public import InstitutionSettings, institution_settings
from edtech.kernel.clock import Clock
from edtech.kernel.ids import new_id
from edtech.notifications.application.triggers import Trigger
from edtech.notifications.domain import Channel, Delays, PlannedRung, Preferences, Unless, plan
from edtech.notifications.domain.digest import digest_slot
from edtech.notifications.domain.templates import language_of, render
from edtech.notifications.infrastructure.repository import SqlNotifications
from edtech.platform.jobs import Deferred, SqlJobs

RUNG_JOB = "notifications.rung"
RUNGS_JOB = "notifications.rungs"
CHUNK = 50
"""A batch's rungs go out in jobs of this many notifications (one channel each), by default
(`EDTECH_NOTIFY_CHUNK_SIZE`)."""


async def school_zone(session: AsyncSession, institution_id: uuid.UUID) -> ZoneInfo:
    return zone_of(await institution_settings(session, institution_id))


def zone_of(settings: InstitutionSettings | None) -> ZoneInfo:
    try:
        return ZoneInfo(settings.timezone if settings else "UTC")
    except ZoneInfoNotFoundError:
        return ZoneInfo("UTC")


@dataclass
class _Plan:
    """What one person's preferences make of a trigger: the words, the digest day (held for
    the digest) and the rungs, each with its attempt row (channel, due) and, in a batch, the
    chunk bucket its job goes to (`slots`, set when first used)."""

    title: str
    body: str
    digest_day: date | None
    held: bool
    rungs: list[PlannedRung]
    attempts: list[tuple[str, datetime]] = field(init=False)
    slots: list[int] | None = None

    def __post_init__(self) -> None:
        self.attempts = [(rung.channel.value, rung.at) for rung in self.rungs]


class _Chunks:
    """A batch's (an announcement's) rungs: one job per chunk of notifications due on the same
    rung at the same time, so a node claims, marks and settles ~50 attempts at once."""

    def __init__(self) -> None:
        self.buckets: list[tuple[int, PlannedRung, list[uuid.UUID]]] = []
        self.slot_of: dict[tuple[int, Channel, Unless, datetime], int] = {}

    def add(self, plan: _Plan, notification_id: uuid.UUID) -> None:
        if plan.slots is None:  # the plan's rungs' buckets, found once per plan
            plan.slots = []
            for position, rung in enumerate(plan.rungs):
                key = (position, rung.channel, rung.unless, rung.at)
                if key not in self.slot_of:
                    self.slot_of[key] = len(self.buckets)
                    self.buckets.append((position, rung, []))
                plan.slots.append(self.slot_of[key])
        for slot in plan.slots:
            self.buckets[slot][2].append(notification_id)

    def jobs(self, size: int, institution_id: uuid.UUID) -> list[tuple[int, Deferred]]:
        """Each chunk's job with its rung's position, buckets in the order first met."""
        jobs = []
        for position, rung, bucket in self.buckets:
            for start in range(0, len(bucket), size):
                chunk = bucket[start : start + size]
                args = {
                    "notification_ids": [str(i) for i in chunk],
                    "channel": rung.channel.value,
                    "unless": rung.unless.value,
                }
                lock = f"notify:{chunk[0]}:{rung.channel.value}:chunk"
                jobs.append((position, Deferred(RUNGS_JOB, args, rung.at, lock, institution_id)))
        return jobs


class PlanNotifications:
    """For each recipient: a notification row in their language (their own choice, else the
    school's locale), the rungs their preferences, the institution's mandatory categories and
    their quiet hours allow (an attempt row each, `pending`), and one durable job per rung at
    its time — all in the caller's transaction, so they exist exactly when the event does. A
    notification of a category the person gets in their daily digest has no rung: it is held
    for the digest of the school day whose digest hour comes next (its email attempt waits,
    `pending`, for the digest job)."""

    def __init__(
        self, session: AsyncSession, clock: Clock, delays: Delays, chunk: int = CHUNK
    ) -> None:
        self.session, self.clock, self.delays, self.chunk = session, clock, delays, chunk

    async def __call__(self, trigger: Trigger) -> int:
        now = self.clock.now()
        store = SqlNotifications(self.session)
        recipients = list(dict.fromkeys(trigger.recipients))
        prefs = await store.preferences(recipients)
        mandatory = await store.mandatory(trigger.institution_id)
        school = await institution_settings(self.session, trigger.institution_id)
        tz = zone_of(school)
        if trigger.batch_id is not None and trigger.sender_id is not None:
            await store.add_batch(
                trigger.batch_id, trigger.institution_id, trigger.sender_id, trigger.category,
                trigger.title, len(recipients), now,
            )  # fmt: skip
        values = {**trigger.values, "school": school.name if school else ""}

        def plan_of(mine: Preferences) -> _Plan:
            title, body = trigger.title, trigger.body
            if trigger.kind is not None:
                language = language_of(mine.language, school.locale if school else None)
                title, body = render(trigger.kind, language, values)
            if mine.holds(trigger.category, mandatory):
                digest_day, due = digest_slot(now, mine.hour, tz)
                return _Plan(
                    title, body, digest_day, True, [PlannedRung(Channel.EMAIL, due, Unless.READ)]
                )
            rungs = plan(trigger.category, mine, now, tz, self.delays, mandatory)
            return _Plan(title, body, None, False, rungs)

        # A plan depends on the person only through their preferences: everyone without any
        # (most of an announcement's 10,000) shares one, made once.
        default: _Plan | None = None
        plans: list[_Plan] = []
        for person_id in recipients:
            mine = prefs.get(person_id)
            if mine is not None:
                plans.append(plan_of(mine))
                continue
            if default is None:
                default = plan_of(Preferences())
            plans.append(default)
        ids = [new_id() for _ in recipients]
        # The notification rows by column: what every recipient's row has in common is bound
        # once (an announcement's title and body), not once per row.
        same: dict[str, object] = {
            "institution_id": trigger.institution_id,
            "category": trigger.category.value,
            "event_type": trigger.event_type,
            "source_key": trigger.source_key,
            "batch_id": trigger.batch_id,
            "subject_id": trigger.subject_id,
            "created_at": now,
        }
        columns: dict[str, list[Any]] = {"id": ids, "person_id": recipients}
        distinct = list({id(p): p for p in plans}.values())
        for name in ("title", "body", "digest_day"):
            if len({getattr(p, name) for p in distinct}) == 1:
                same[name] = getattr(distinct[0], name)
            else:
                columns[name] = [getattr(p, name) for p in plans]
        # An event raised again (a retried job's) notifies nobody twice, and never fails the
        # change that raised it: only the rows inserted now get rungs.
        inserted = set(await store.add(columns, same))
        attempt_ids: list[uuid.UUID] = []
        attempt_channels: list[str] = []
        attempt_due: list[datetime] = []
        deferred: list[tuple[int, Deferred]] = []
        chunks = _Chunks()
        for notification_id, mine_plan in zip(ids, plans, strict=True):
            if notification_id not in inserted:
                continue
            for channel, at in mine_plan.attempts:
                attempt_ids.append(notification_id)
                attempt_channels.append(channel)
                attempt_due.append(at)
            if mine_plan.held:
                continue  # the digest job sends it (`SendDigest`), with the day's others
            if trigger.batch_id is not None:
                chunks.add(mine_plan, notification_id)
                continue
            for position, rung in enumerate(mine_plan.rungs):
                deferred.append(
                    (
                        position,
                        Deferred(
                            RUNG_JOB,
                            {
                                "notification_id": str(notification_id),
                                "channel": rung.channel.value,
                                "unless": rung.unless.value,
                            },
                            at=rung.at,
                            lock=f"notify:{notification_id}:{rung.channel.value}",
                            institution_id=trigger.institution_id,
                        ),
                    )
                )
        deferred.extend(chunks.jobs(self.chunk, trigger.institution_id))
        # In bulk (executemany): an announcement to 5,000 guardians queues 200 jobs. Every
        # recipient's first rung is deferred before anyone's second: jobs due at the same time
        # run in the order they were deferred, so everyone's first channel goes out first.
        ordered = [job for _, job in sorted(deferred, key=lambda pair: pair[0])]
        await SqlJobs(self.session, self.clock).defer_many(ordered)
        await store.plan_attempts(
            attempt_ids, attempt_channels, attempt_due,
            institution_id=trigger.institution_id, batch_id=trigger.batch_id,
        )  # fmt: skip
        return len(inserted)


def delays_of(push: float, email: float, sms: float) -> Delays:
    return Delays(timedelta(seconds=push), timedelta(seconds=email), timedelta(seconds=sms))
