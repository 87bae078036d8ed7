"""Turning other slices' events into notifications and their ladder's jobs, in the same
transaction as the change that raised them (the slice's event sink calls this)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.public import InstitutionSettings, institution_settings
from edtech.kernel.clock import Clock
from edtech.kernel.ids import new_id
from edtech.notifications.application.triggers import Trigger
from edtech.notifications.domain import (
    Category,
    Channel,
    Delays,
    PlannedRung,
    Preferences,
    Unless,
    plan,
)
from edtech.notifications.domain.digest import digest_slot
from edtech.notifications.domain.templates import language_of, render
from edtech.notifications.infrastructure.repository import PlannedAttempts, SqlNotifications
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
    the digest) and the rungs, each with its attempt row (channel, due)."""

    title: str
    body: str
    digest_day: date | None
    held: bool
    rungs: list[PlannedRung]
    attempts: list[tuple[str, datetime]] = field(init=False)

    def __post_init__(self) -> None:
        self.attempts = [(rung.channel.value, rung.at) for rung in self.rungs]


class _Chunks:
    """A batch's (an announcement's) rungs, or a transaction's several outside any batch (a
    class's publication): one job per chunk of notifications due on the same rung at the same
    time, so a node claims, marks and settles ~50 attempts at once."""

    def __init__(self) -> None:
        self.buckets: list[tuple[int, PlannedRung, list[uuid.UUID]]] = []
        self.slot_of: dict[tuple[int, Channel, Unless, datetime], int] = {}
        self.slots_of: dict[int, list[int]] = {}
        """Each plan's rungs' buckets (by the plan's `id`), found once per plan."""

    def add(self, plan: _Plan, notification_id: uuid.UUID) -> None:
        slots = self.slots_of.get(id(plan))
        if slots is None:
            slots = self.slots_of[id(plan)] = []
            for position, rung in enumerate(plan.rungs):
                key = (position, rung.channel, rung.unless, rung.at)
                if key not in self.slot_of:
                    self.slot_of[key] = len(self.buckets)
                    self.buckets.append((position, rung, []))
                slots.append(self.slot_of[key])
        for slot in slots:
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


class _Columns:
    """Rows by column, trigger after trigger: a column whose value is the same for a whole
    trigger is kept as one value and a count, and bound once if it is the same for every row
    (an announcement's title and body), expanded only when the triggers' values differ."""

    def __init__(self) -> None:
        self.parts: dict[str, list[tuple[bool, Any, int]]] = {}

    def same(self, name: str, value: object, count: int) -> None:
        self.parts.setdefault(name, []).append((True, value, count))

    def each(self, name: str, values: list[Any]) -> None:
        self.parts.setdefault(name, []).append((False, values, len(values)))

    def split(self) -> tuple[dict[str, list[Any]], dict[str, object]]:
        columns: dict[str, list[Any]] = {}
        same: dict[str, object] = {}
        for name, parts in self.parts.items():
            if all(is_same for is_same, _, _ in parts) and len({v for _, v, _ in parts}) == 1:
                same[name] = parts[0][1]
                continue
            column: list[Any] = []
            for is_same, value, count in parts:
                column.extend([value] * count if is_same else value)
            columns[name] = column
        return columns, same


class PlanNotifications:
    """For each recipient: a notification row in their language (their own choice, else the
    school's locale), the rungs their preferences, the institution's mandatory categories and
    their quiet hours allow (an attempt row each, `pending`), and durable jobs for the rungs at
    their times — one per rung for a lone notification, one per chunk of ~50 notifications
    (`_Chunks`) for a batch or a transaction's several — all in the caller's transaction, so
    they exist exactly when the event does. A
    notification of a category the person gets in their daily digest has no rung: it is held
    for the digest of the school day whose digest hour comes next (its email attempt waits,
    `pending`, for the digest job).

    `plan(triggers)` plans a transaction's triggers together — a class's grade publication is
    one trigger per student — in a fixed number of statements: the preferences of everyone
    concerned with each institution's mandatory categories, each institution's settings once
    (`Triggered` brings them, read with the names), then the notifications with their
    attempts and jobs in one statement (`SqlNotifications.add_planned`)."""

    def __init__(
        self, session: AsyncSession, clock: Clock, delays: Delays, chunk: int = CHUNK
    ) -> None:
        self.session, self.clock, self.delays, self.chunk = session, clock, delays, chunk

    async def plan(
        self, triggers: Sequence[Trigger], schools: Mapping[uuid.UUID, InstitutionSettings | None]
    ) -> int:
        """`schools`: the settings of the triggers' institutions (`Triggered` reads them with
        the names)."""
        if not triggers:
            return 0
        now = self.clock.now()
        store = SqlNotifications(self.session)
        everyone = [p for trigger in triggers for p in trigger.recipients]
        institutions = list(dict.fromkeys(t.institution_id for t in triggers))
        prefs, mandatory_of = await store.rules(everyone, institutions)
        rules: dict[uuid.UUID, tuple[frozenset[Category], InstitutionSettings | None]] = {}
        for institution_id in institutions:
            rules[institution_id] = (mandatory_of[institution_id], schools[institution_id])
        rows = _Columns()
        planned: list[tuple[Trigger, list[uuid.UUID], list[_Plan]]] = []
        for trigger in triggers:
            mandatory, school = rules[trigger.institution_id]
            recipients = list(dict.fromkeys(trigger.recipients))
            if trigger.batch_id is not None and trigger.sender_id is not None:
                await store.add_batch(
                    trigger.batch_id, trigger.institution_id, trigger.sender_id,
                    trigger.category, trigger.title, len(recipients), now,
                )  # fmt: skip
            plans = self._plans(trigger, recipients, prefs, mandatory, school, now)
            ids = [new_id() for _ in recipients]
            planned.append((trigger, ids, plans))
            n = len(recipients)
            rows.each("id", ids)
            rows.each("person_id", recipients)
            for name, value in (
                ("institution_id", trigger.institution_id),
                ("category", trigger.category.value),
                ("event_type", trigger.event_type),
                ("source_key", trigger.source_key),
                ("batch_id", trigger.batch_id),
                ("subject_id", trigger.subject_id),
                ("created_at", now),
            ):
                rows.same(name, value, n)
            distinct = list({id(p): p for p in plans}.values())
            for name in ("title", "body", "digest_day"):
                if len({getattr(p, name) for p in distinct}) == 1:
                    rows.same(name, getattr(distinct[0], name), n)
                else:
                    rows.each(name, [getattr(p, name) for p in plans])
        # Every notification's rungs are planned and written with it, in one statement: each
        # is new unless its event was raised before (a retried job's). Such an event notifies
        # nobody twice and never fails the change that raised it: nothing else is written
        # then, and only the notifications inserted get rungs, planned again.
        columns, same = rows.split()
        jobs = SqlJobs(self.session, self.clock)
        attempts, deferred = self._rungs(planned, None)
        inserted = await store.add_planned(columns, same, attempts, jobs.rows(deferred))
        if len(inserted) < len(columns["id"]):
            attempts, deferred = self._rungs(planned, set(inserted))
            await jobs.defer_many(deferred)
            for planned_attempts in attempts:
                await store.plan_attempts(planned_attempts)
        return len(inserted)

    def _rungs(
        self,
        planned: Sequence[tuple[Trigger, list[uuid.UUID], list[_Plan]]],
        inserted: set[uuid.UUID] | None,
    ) -> tuple[list[PlannedAttempts], list[Deferred]]:
        """The attempts and jobs of the notifications planned (of those `inserted`, when
        given)."""
        attempts: dict[tuple[uuid.UUID, uuid.UUID | None], _Attempts] = {}
        for trigger, ids, plans in planned:
            mine = attempts.setdefault((trigger.institution_id, trigger.batch_id), _Attempts())
            for notification_id, plan_ in zip(ids, plans, strict=True):
                if inserted is None or notification_id in inserted:
                    mine.add(notification_id, plan_)
        # A batch's rungs (an announcement's) and a transaction's several outside any (a
        # class's publication) go in chunks; a lone one outside any batch (a chat message's)
        # gets a job per rung.
        deferred: list[tuple[int, Deferred]] = []
        for (institution_id, batch_id), mine in attempts.items():
            if batch_id is None and len(mine.ringing) == 1:
                deferred.extend(_rung_jobs(*mine.ringing[0], institution_id))
                continue
            chunks = _Chunks()
            for notification_id, plan_ in mine.ringing:
                chunks.add(plan_, notification_id)
            deferred.extend(chunks.jobs(self.chunk, institution_id))
        # In bulk: an announcement to 5,000 guardians queues 200 jobs, a class's publication
        # one per rung and 50 guardians. Every recipient's first rung is deferred before
        # anyone's second: jobs due at the same time run in the order they were deferred, so
        # everyone's first channel goes out first.
        ordered = [job for _, job in sorted(deferred, key=lambda pair: pair[0])]
        return [
            PlannedAttempts(institution_id, batch_id, mine.ids, mine.channels, mine.due)
            for (institution_id, batch_id), mine in attempts.items()
        ], ordered

    def _plans(
        self,
        trigger: Trigger,
        recipients: list[uuid.UUID],
        prefs: Mapping[uuid.UUID, Preferences],
        mandatory: frozenset[Category],
        school: InstitutionSettings | None,
        now: datetime,
    ) -> list[_Plan]:
        """Each recipient's plan; a plan depends on the person only through their preferences,
        so everyone without any (most of an announcement's 10,000) shares one, made once."""
        tz = zone_of(school)
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
        return plans


@dataclass
class _Attempts:
    """The attempt rows of one institution's batch (or of its notifications outside any), and
    its notifications that have rungs (`ringing`: those not held for a digest)."""

    ids: list[uuid.UUID] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    due: list[datetime] = field(default_factory=list)
    ringing: list[tuple[uuid.UUID, _Plan]] = field(default_factory=list)

    def add(self, notification_id: uuid.UUID, plan_: _Plan) -> None:
        for channel, at in plan_.attempts:
            self.ids.append(notification_id)
            self.channels.append(channel)
            self.due.append(at)
        if not plan_.held:  # a held one: the digest job sends it (`SendDigest`)
            self.ringing.append((notification_id, plan_))


def _rung_jobs(
    notification_id: uuid.UUID, plan_: _Plan, institution_id: uuid.UUID
) -> list[tuple[int, Deferred]]:
    """A lone notification outside any batch (a chat message's): one job per rung, with the
    rung's position."""
    return [
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
                institution_id=institution_id,
            ),
        )
        for position, rung in enumerate(plan_.rungs)
    ]


def delays_of(push: float, email: float, sms: float) -> Delays:
    return Delays(timedelta(seconds=push), timedelta(seconds=email), timedelta(seconds=sms))
