"""Turning other slices' events into notifications and their ladder's jobs, in the same
transaction as the change that raised them (the slice's event sink calls this)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
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
        rows, rungs = [], {}
        held: set[uuid.UUID] = set()
        for person_id in recipients:
            mine = prefs.get(person_id, Preferences())
            title, body = trigger.title, trigger.body
            if trigger.kind is not None:
                language = language_of(mine.language, school.locale if school else None)
                title, body = render(trigger.kind, language, values)
            notification_id = new_id()
            digest_day = None
            if mine.holds(trigger.category, mandatory):
                digest_day, due = digest_slot(now, mine.hour, tz)
                rungs[notification_id] = [PlannedRung(Channel.EMAIL, due, Unless.READ)]
                held.add(notification_id)
            else:
                rungs[notification_id] = plan(
                    trigger.category, mine, now, tz, self.delays, mandatory
                )
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
                    "title": title,
                    "body": body,
                    "created_at": now,
                    "digest_day": digest_day,
                }
            )
        # An event raised again (a retried job's) notifies nobody twice, and never fails the
        # change that raised it: only the rows inserted now get rungs.
        inserted = await store.add(rows)
        attempts = []
        deferred: list[tuple[int, Deferred]] = []
        chunks: dict[tuple[int, Channel, Unless, datetime], list[uuid.UUID]] = {}
        for notification_id in inserted:
            for position, rung in enumerate(rungs[notification_id]):
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
                if notification_id in held:
                    continue  # the digest job sends it (`SendDigest`), with the day's others
                if trigger.batch_id is not None:
                    key = (position, rung.channel, rung.unless, rung.at)
                    chunks.setdefault(key, []).append(notification_id)
                    continue
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
        # A batch's (an announcement's): one job per chunk of notifications due on the same
        # rung at the same time, so a node claims, marks and settles ~50 attempts at once.
        for (position, channel, unless, at), ids in chunks.items():
            for start in range(0, len(ids), self.chunk):
                chunk = ids[start : start + self.chunk]
                args = {
                    "notification_ids": [str(i) for i in chunk],
                    "channel": channel.value,
                    "unless": unless.value,
                }
                lock = f"notify:{chunk[0]}:{channel.value}:chunk"
                job = Deferred(RUNGS_JOB, args, at, lock, trigger.institution_id)
                deferred.append((position, job))
        # In bulk (executemany): an announcement to 5,000 guardians queues 200 jobs. Every
        # recipient's first rung is deferred before anyone's second: jobs due at the same time
        # run in the order they were deferred, so everyone's first channel goes out first.
        ordered = [job for _, job in sorted(deferred, key=lambda pair: pair[0])]
        await SqlJobs(self.session, self.clock).defer_many(ordered)
        await store.plan_attempts(attempts)
        return len(inserted)


def delays_of(push: float, email: float, sms: float) -> Delays:
    return Delays(timedelta(seconds=push), timedelta(seconds=email), timedelta(seconds=sms))
