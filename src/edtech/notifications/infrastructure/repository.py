"""The notifications' statements (Core: records, receipts and counters without behaviour).

* preferences — one row per person, rewritten whole;
* notifications — inserted by the event sink in the domain change's transaction; `seen_at` and
  `read_at` only ever move from null to a time (`WHERE … IS NULL`);
* attempts — the primary key (notification, channel) is the idempotency key; a rung locks its
  row (`FOR UPDATE`, read with the notification and its progress in one statement) to
  decide, marks it `sending` and commits before it calls the provider;
* batch progress — running counters on the batch row, moved by one
  (`UPDATE notification_batch SET push_sent = push_sent + 1 … RETURNING`) in the transaction
  that settles an attempt (only when its `UPDATE … WHERE state NOT IN (final)` changed a row)
  or first reaches a recipient (`UPDATE notification SET reached_at … WHERE reached_at IS
  NULL`). The row lock is held from that one statement to the commit — never across a
  provider call, never for a recount — and orders the counts of concurrent nodes, so the
  published counts never go back.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.kernel.ids import new_id
from edtech.notifications.domain import (
    MANDATORY,
    BatchProgressed,
    Category,
    Channel,
    Preferences,
    Progress,
    QuietHours,
)
from edtech.notifications.infrastructure.tables import (
    notification,
    notification_attempt,
    notification_batch,
    notification_policy,
    notification_preference,
    push_device,
)
from edtech.platform.db.bulk import (
    Rows,
    among,
    among_bound,
    insert_rows,
    insert_together,
)
from edtech.platform.db.driver import DriverStatement
from edtech.platform.db.engine import dialect_insert

FINAL = ("sent", "failed", "skipped")
CHANNELS = ("push", "email", "sms")
SEEN_CHUNK = 500
"""Notifications matched by one `mark_seen_many` statement (three bound values each)."""


_MANDATORY = sa.select(notification_policy.c.mandatory).where(
    notification_policy.c.institution_id == sa.bindparam("institution_id")
)
"""Asked by every notification planned: built once, its value bound at execution."""


def _rules(postgresql: bool) -> sa.Select[Any]:
    """Each institution's policy row beside each person's preferences (`SqlNotifications.rules`):
    on PostgreSQL each list one array parameter (`= ANY`: one statement text for any number of
    people, `bulk.among_bound`), elsewhere an expanding `IN`."""
    policy, preference = notification_policy, notification_preference
    anchor = sa.select(sa.literal(1).label("one")).subquery("anchor")
    institutions = among_bound(policy.c.institution_id, "institutions", postgresql=postgresql)
    people = among_bound(preference.c.person_id, "people", postgresql=postgresql)
    return sa.select(
        policy.c.institution_id.label("policy_institution_id"), policy.c.mandatory, preference
    ).select_from(anchor.outerjoin(policy, institutions).outerjoin(preference, people))


_RULES = DriverStatement.per_dialect(_rules)
"""Planned with every notification: built once per dialect, values bound at execution."""


@dataclass(frozen=True)
class PlannedAttempts:
    """The attempts planned for notifications of one institution and batch (or of none), one
    per notification and channel: `notification_ids`, `channels` and `due_at` side by side."""

    institution_id: uuid.UUID
    batch_id: uuid.UUID | None
    notification_ids: Sequence[uuid.UUID]
    channels: Sequence[str]
    due_at: Sequence[datetime]


_ONE_PER_SOURCE = ("person_id", "event_type", "source_key")
"""A notification's unique key: one per person, event type and source."""


def _attempt_rows(planned: PlannedAttempts) -> Rows:
    same = {"institution_id": planned.institution_id, "batch_id": planned.batch_id}
    return Rows(
        notification_attempt,
        {
            "notification_id": planned.notification_ids,
            "channel": planned.channels,
            "due_at": planned.due_at,
        },
        {**same, "state": "pending", "tries": 0},
    )


@dataclass(frozen=True)
class NotificationRow:
    id: uuid.UUID
    institution_id: uuid.UUID
    person_id: uuid.UUID
    category: Category
    batch_id: uuid.UUID | None
    subject_id: uuid.UUID | None
    title: str
    body: str


@dataclass(frozen=True)
class Marked:
    """How many notifications were newly seen (or read), and the batch of each one of them
    newly reached (for the batch's `reached` counter)."""

    count: int
    reached: list[uuid.UUID]

    def reached_per_batch(self) -> dict[uuid.UUID, int]:
        """Newly reached per batch, in batch order (the order their rows are locked in)."""
        per: dict[uuid.UUID, int] = {}
        for batch_id in sorted(self.reached):
            per[batch_id] = per.get(batch_id, 0) + 1
        return per


@dataclass(frozen=True)
class AttemptRow:
    state: str
    tries: int
    reason: str | None
    round: int = 0


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SqlNotifications:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # preferences ------------------------------------------------------------------------------

    async def preferences(self, person_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Preferences]:
        ids = list(set(person_ids))
        if not ids:
            return {}
        rows = await self.session.execute(
            sa.select(notification_preference).where(
                among(self.session, notification_preference.c.person_id, ids)
            )
        )
        return {r.person_id: _preferences(r) for r in rows}

    async def rules(
        self, person_ids: Iterable[uuid.UUID], institution_ids: Iterable[uuid.UUID]
    ) -> tuple[dict[uuid.UUID, Preferences], dict[uuid.UUID, frozenset[Category]]]:
        """`preferences` of the people and `mandatory` of the institutions, in one round trip
        (every notification planned asks both): each institution's policy row beside each
        person's preferences (a transaction's notifications are of one institution)."""
        people, institutions = list(set(person_ids)), list(dict.fromkeys(institution_ids))
        params = {"people": people, "institutions": institutions}
        prefs: dict[uuid.UUID, Preferences] = {}
        chosen: dict[uuid.UUID, Any] = {}
        for r in await _RULES.rows(self.session, params):
            if r.person_id is not None and r.person_id not in prefs:
                prefs[r.person_id] = _preferences(r)
            if r.policy_institution_id is not None:
                chosen.setdefault(r.policy_institution_id, r.mandatory)
        return prefs, {i: _mandatory(chosen.get(i)) for i in institutions}

    async def save_preferences(
        self, institution_id: uuid.UUID, person_id: uuid.UUID, prefs: Preferences, now: datetime
    ) -> None:
        values: dict[str, Any] = {
            "switches": [[c.value, ch.value, on] for (c, ch), on in prefs.switches.items()],
            "quiet_starts_at": prefs.quiet_hours.starts_at if prefs.quiet_hours else None,
            "quiet_ends_at": prefs.quiet_hours.ends_at if prefs.quiet_hours else None,
            "sms_number": prefs.sms_number,
            "language": prefs.language,
            "digest": sorted(c.value for c in prefs.digest),
            "digest_hour": prefs.digest_hour,
            "updated_at": now,
        }
        stmt = (
            dialect_insert(self.session)(notification_preference)
            .values(person_id=person_id, institution_id=institution_id, **values)
            .on_conflict_do_update(
                index_elements=[notification_preference.c.person_id], set_=values
            )
        )
        await self.session.execute(stmt)

    async def mandatory(self, institution_id: uuid.UUID) -> frozenset[Category]:
        """The institution's mandatory categories (the default set until it chose)."""
        return _mandatory(await self.session.scalar(_MANDATORY, {"institution_id": institution_id}))

    async def save_mandatory(
        self,
        institution_id: uuid.UUID,
        mandatory: frozenset[Category],
        by: uuid.UUID,
        now: datetime,
    ) -> None:
        values: dict[str, Any] = {
            "mandatory": sorted(c.value for c in mandatory),
            "updated_by": by,
            "updated_at": now,
        }
        await self.session.execute(
            dialect_insert(self.session)(notification_policy)
            .values(institution_id=institution_id, **values)
            .on_conflict_do_update(
                index_elements=[notification_policy.c.institution_id], set_=values
            )
        )

    # notifications ----------------------------------------------------------------------------

    async def add_batch(
        self,
        batch_id: uuid.UUID,
        institution_id: uuid.UUID,
        sender_id: uuid.UUID,
        category: Category,
        title: str,
        total: int,
        now: datetime,
    ) -> None:
        await self.session.execute(
            dialect_insert(self.session)(notification_batch)
            .values(
                id=batch_id,
                institution_id=institution_id,
                sender_id=sender_id,
                category=category.value,
                title=title[:200],
                total=total,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing()
        )

    async def add_planned(
        self,
        columns: Mapping[str, Sequence[Any]],
        same: Mapping[str, Any],
        attempts: Sequence[PlannedAttempts],
        jobs: Rows,
    ) -> list[uuid.UUID]:
        """Insert the notifications not there yet (one per person, event type and source),
        given by column, and, if every one of them was new, their planned attempts (as
        `plan_attempts`, counted on their batches) and their jobs — on PostgreSQL in one
        statement (`insert_together`). Returns the ids inserted: fewer than given, and nothing
        else was inserted (an event raised again: the caller plans the new ones' rungs)."""
        rows = Rows(notification, columns, same, skip_conflicts_on=_ONE_PER_SOURCE)
        then = [*(_attempt_rows(planned) for planned in attempts), jobs]
        inserted: list[uuid.UUID] = await insert_together(self.session, rows, "id", then)
        if len(inserted) == len(rows):
            for planned in attempts:
                await self._count_planned(planned.batch_id, planned.channels)
        return inserted

    async def plan_attempts(self, planned: PlannedAttempts) -> None:
        """Insert the planned attempts (`pending`, one per notification and channel), and
        count them on their batch (`…_planned`)."""
        if not planned.notification_ids:
            return
        await insert_rows(self.session, _attempt_rows(planned))
        await self._count_planned(planned.batch_id, planned.channels)

    async def _count_planned(self, batch_id: uuid.UUID | None, channels: Sequence[str]) -> None:
        if batch_id is None or not channels:
            return
        planned = Counter(channels)
        counters = notification_batch.c
        await self.session.execute(
            sa.update(notification_batch)
            .where(counters.id == batch_id)
            .values({f"{ch}_planned": counters[f"{ch}_planned"] + n for ch, n in planned.items()})
        )

    async def get(self, notification_id: uuid.UUID) -> NotificationRow | None:
        r = (
            await self.session.execute(
                sa.select(notification).where(notification.c.id == notification_id)
            )
        ).first()
        if r is None:
            return None
        return NotificationRow(
            r.id, r.institution_id, r.person_id, Category(r.category), r.batch_id,
            r.subject_id, r.title, r.body,
        )  # fmt: skip

    async def mark_seen(
        self, person_id: uuid.UUID, event_type: str, source_key: str, at: datetime
    ) -> Marked:
        """Record that the notification reached one of the person's sockets (first time only)."""
        return await self.mark_seen_many([(person_id, event_type, source_key)], at)

    async def mark_seen_many(
        self, keys: Sequence[tuple[uuid.UUID, str, str]], at: datetime
    ) -> Marked:
        """`mark_seen` for many (person, event type, source key) at once: two statements per
        `SEEN_CHUNK` keys, whatever their number (a class's publication reaching its guardians'
        sockets, an announcement reaching thousands)."""
        count, reached = 0, []
        unique = list(dict.fromkeys(keys))
        key = sa.tuple_(
            notification.c.person_id, notification.c.event_type, notification.c.source_key
        )
        for start in range(0, len(unique), SEEN_CHUNK):
            match = key.in_(unique[start : start + SEEN_CHUNK])
            reached += await self.reached(at, match)
            result = await self.session.execute(
                sa.update(notification)
                .where(match, notification.c.seen_at.is_(None))
                .values(seen_at=at)
            )
            count += int(result.rowcount)  # type: ignore[attr-defined]
        return Marked(count, reached)

    async def reached(self, at: datetime, *where: sa.ColumnElement[bool]) -> list[uuid.UUID]:
        """Mark the notifications matching `where` reached, those not reached yet only; returns
        the batch of each one newly reached (one entry per notification), for its counter."""
        result = await self.session.execute(
            sa.update(notification)
            .where(*where, notification.c.reached_at.is_(None))
            .values(reached_at=at)
            .returning(notification.c.batch_id)
        )
        return [r.batch_id for r in result if r.batch_id is not None]

    async def mark_read(
        self, person_id: uuid.UUID, notification_id: uuid.UUID | None, at: datetime
    ) -> Marked:
        """Mark one (or, with None, every) notification of the person read."""
        where = [notification.c.person_id == person_id, notification.c.read_at.is_(None)]
        if notification_id is not None:
            where.append(notification.c.id == notification_id)
        reached = await self.reached(at, *where)
        result = await self.session.execute(
            sa.update(notification)
            .where(*where)
            .values(read_at=at, seen_at=sa.func.coalesce(notification.c.seen_at, at))
        )
        return Marked(int(result.rowcount), reached)  # type: ignore[attr-defined]

    async def mark_conversation_read(
        self, person_id: uuid.UUID, conversation_id: uuid.UUID, upto: datetime, at: datetime
    ) -> Marked:
        """The person read a conversation as far as it stood at `upto`: their notifications of
        its messages made by then are read (the ladder stops for them)."""
        where = [
            notification.c.person_id == person_id,
            notification.c.category == Category.MESSAGE.value,
            notification.c.subject_id == conversation_id,
            notification.c.created_at <= upto,
            notification.c.read_at.is_(None),
        ]
        reached = await self.reached(at, *where)
        result = await self.session.execute(
            sa.update(notification)
            .where(*where)
            .values(read_at=at, seen_at=sa.func.coalesce(notification.c.seen_at, at))
        )
        return Marked(int(result.rowcount), reached)  # type: ignore[attr-defined]

    async def exists_for(self, person_id: uuid.UUID, notification_id: uuid.UUID) -> bool:
        found = await self.session.scalar(
            sa.select(notification.c.id).where(
                notification.c.id == notification_id, notification.c.person_id == person_id
            )
        )
        return found is not None

    # attempts ---------------------------------------------------------------------------------

    async def decide(
        self, notification_id: uuid.UUID, channel: Channel
    ) -> tuple[AttemptRow, NotificationRow, Progress] | None:
        """What a rung decides on, in one statement: its attempt (locked, `FOR UPDATE` of the
        attempt row only), the notification, and where it stands (seen, read, which channels
        were sent). None if the attempt is gone."""
        found = await self._decisions([notification_id], channel, skip_locked=False)
        return found.get(notification_id)

    async def claim(
        self, notification_ids: Sequence[uuid.UUID], channel: Channel
    ) -> dict[uuid.UUID, tuple[AttemptRow, NotificationRow, Progress]]:
        """`decide` for a chunk of attempts of one channel, in one statement: those another
        transaction holds are left out (`FOR UPDATE SKIP LOCKED` on PostgreSQL), as are those
        gone; `missing` tells which."""
        return await self._decisions(notification_ids, channel, skip_locked=True)

    async def missing(
        self, notification_ids: Iterable[uuid.UUID], channel: Channel
    ) -> set[uuid.UUID]:
        """Of these attempts, those that still exist (no lock: a chunk asks after `claim`
        left them out, to tell held from gone)."""
        a = notification_attempt.c
        rows = await self.session.execute(
            sa.select(a.notification_id).where(
                a.notification_id.in_(list(notification_ids)), a.channel == channel.value
            )
        )
        return set(rows.scalars())

    async def _decisions(
        self, notification_ids: Sequence[uuid.UUID], channel: Channel, *, skip_locked: bool
    ) -> dict[uuid.UUID, tuple[AttemptRow, NotificationRow, Progress]]:
        a, n = notification_attempt.c, notification.c
        others = notification_attempt.alias("other")
        sent = [
            sa.exists()
            .where(
                others.c.notification_id == n.id,
                others.c.channel == ch,
                others.c.state == "sent",
            )
            .label(f"sent_{ch}")
            for ch in CHANNELS
        ]
        rows = await self.session.execute(
            sa.select(
                a.state, a.tries, a.reason, a.round.label("attempt_round"), *notification.c, *sent
            )
            .join(notification, n.id == a.notification_id)
            .where(a.notification_id.in_(list(notification_ids)), a.channel == channel.value)
            .order_by(a.notification_id)
            .with_for_update(of=notification_attempt, skip_locked=skip_locked)
        )
        found = {}
        for r in rows:
            row = NotificationRow(
                r.id, r.institution_id, r.person_id, Category(r.category), r.batch_id,
                r.subject_id, r.title, r.body,
            )  # fmt: skip
            progress = Progress(
                read=r.read_at is not None,
                seen=r.seen_at is not None or r.read_at is not None,
                sent_channels=frozenset(Channel(ch) for ch in CHANNELS if getattr(r, f"sent_{ch}")),
            )
            found[r.id] = (AttemptRow(r.state, r.tries, r.reason, r.attempt_round), row, progress)
        return found

    async def sending_attempts(
        self, notification_ids: Iterable[uuid.UUID], channel: Channel, round_: int
    ) -> set[uuid.UUID]:
        """Of these attempts, those still `sending` in chunk round `round_`, locked (`FOR
        UPDATE`) until the commit: the ones a chunk's run may still settle (and count)."""
        a = notification_attempt.c
        rows = await self.session.execute(
            sa.select(a.notification_id)
            .where(
                a.notification_id.in_(list(notification_ids)),
                a.channel == channel.value,
                a.state == "sending",
                a.round == round_,
            )
            .order_by(a.notification_id)
            .with_for_update()
        )
        return set(rows.scalars())

    async def fail_stale(
        self, before: datetime, now: datetime, limit: int = 1000
    ) -> list[tuple[uuid.UUID | None, str]]:
        """Fail (reason `abandoned`) up to `limit` attempts left open since before `before`
        after a try — `sending`, or `pending` again after a failed try — those another
        transaction holds left for the next sweep; returns each one's batch and channel."""
        a = notification_attempt.c
        stale = (
            sa.select(a.notification_id, a.channel)
            .where(
                a.started_at < before,
                sa.or_(a.state == "sending", sa.and_(a.state == "pending", a.tries > 0)),
            )
            .order_by(a.notification_id, a.channel)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        found = (await self.session.execute(stale)).all()
        if not found:
            return []
        reason = sa.func.substr(
            sa.literal("abandoned: no job left to settle it (last: ")
            + sa.func.coalesce(a.reason, "none")
            + sa.literal(")"),
            1,
            300,
        )
        by_channel: dict[str, list[uuid.UUID]] = {}
        for notification_id, channel in found:
            by_channel.setdefault(channel, []).append(notification_id)
        failed: list[tuple[uuid.UUID | None, str]] = []
        for channel, ids in sorted(by_channel.items()):
            rows = await self.session.execute(
                sa.update(notification_attempt)
                .where(a.notification_id.in_(ids), a.channel == channel, a.state.not_in(FINAL))
                .values(state="failed", reason=reason, finished_at=now)
                .returning(a.batch_id)
            )
            failed.extend((batch_id, channel) for batch_id in rows.scalars())
        return failed

    async def update_attempts(self, channel: Channel, rows: Sequence[dict[str, Any]]) -> None:
        """Change many attempts of one channel in one statement (executemany): each row is a
        `notification_id` and the same set of columns. The caller holds their locks and knows
        they are not final."""
        if not rows:
            return
        a = notification_attempt.c
        columns = [k for k in rows[0] if k != "notification_id"]
        params = [{f"b_{k}": v for k, v in r.items()} for r in rows]
        await self.session.execute(
            sa.update(notification_attempt)
            .where(
                a.notification_id == sa.bindparam("b_notification_id"), a.channel == channel.value
            )
            .values({k: sa.bindparam(f"b_{k}") for k in columns}),
            params,
        )

    async def update_attempt(
        self, notification_id: uuid.UUID, channel: Channel, **values: Any
    ) -> bool:
        """Change an attempt not final yet; False if it already was (nothing changed)."""
        result = await self.session.execute(
            sa.update(notification_attempt)
            .where(
                notification_attempt.c.notification_id == notification_id,
                notification_attempt.c.channel == channel.value,
                notification_attempt.c.state.not_in(FINAL),
            )
            .values(**values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    # batches ----------------------------------------------------------------------------------

    async def batch_progress(
        self,
        batch_id: uuid.UUID,
        now: datetime,
        *,
        reached: int = 0,
        settled: tuple[Channel, str] | None = None,
        tally: Mapping[str, int] | None = None,
    ) -> BatchProgressed | None:
        """Move the batch's counters — `reached` more recipients reached, one attempt of
        `settled`'s channel now in its final state — and return its counts, in one statement
        (`UPDATE … RETURNING`, in the caller's transaction: call it last before the commit,
        the row stays locked until then). `tally` moves several counters at once (a chunk's:
        `{"push_sent": 48, "push_failed": 2}`)."""
        c = notification_batch.c
        values: dict[str, Any] = {"updated_at": now}
        if reached:
            values["reached"] = c.reached + reached
        if settled is not None:
            channel, state = settled
            name = f"{channel.value}_{state}"
            values[name] = c[name] + 1
        for name, n in (tally or {}).items():
            if n:
                values[name] = c[name] + n
        row = (
            await self.session.execute(
                sa.update(notification_batch)
                .where(c.id == batch_id)
                .values(values)
                .returning(*notification_batch.c)
            )
        ).first()
        return None if row is None else progressed(row, now)

    async def counts(self, batch_id: uuid.UUID, now: datetime) -> BatchProgressed | None:
        """The batch's counts as last written (no lock)."""
        row = (
            await self.session.execute(
                sa.select(notification_batch).where(notification_batch.c.id == batch_id)
            )
        ).first()
        return None if row is None else progressed(row, now)

    # devices ----------------------------------------------------------------------------------

    async def add_device(
        self,
        institution_id: uuid.UUID,
        person_id: uuid.UUID,
        platform: str,
        token: str,
        now: datetime,
    ) -> uuid.UUID:
        """Register a device token for the person (a token moves to whoever registers it last:
        a phone changes hands; a disabled one is enabled again)."""
        device_id = new_id()
        values = {
            "institution_id": institution_id,
            "person_id": person_id,
            "platform": platform,
            "token": token,
            "created_at": now,
            "disabled_at": None,
            "disabled_reason": None,
        }
        stmt = (
            dialect_insert(self.session)(push_device)
            .values(id=device_id, token_hash=token_hash(token), **values)
            .on_conflict_do_update(index_elements=[push_device.c.token_hash], set_=values)
            .returning(push_device.c.id)
        )
        found: uuid.UUID = (await self.session.execute(stmt)).scalar_one()
        return found

    async def device_tokens(self, person_id: uuid.UUID) -> dict[str, str]:
        """The person's enabled device tokens, each with its platform (`fcm`, `apns`)."""
        rows = await self.session.execute(
            sa.select(push_device.c.token, push_device.c.platform)
            .where(push_device.c.person_id == person_id, push_device.c.disabled_at.is_(None))
            .order_by(push_device.c.created_at)
        )
        return {r.token: r.platform for r in rows}

    async def devices_of(self, person_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[str, str]]:
        """`device_tokens` for many people, in one statement."""
        d = push_device.c
        rows = await self.session.execute(
            sa.select(d.person_id, d.token, d.platform)
            .where(d.person_id.in_(list(set(person_ids))), d.disabled_at.is_(None))
            .order_by(d.created_at)
        )
        found: dict[uuid.UUID, dict[str, str]] = {}
        for r in rows:
            found.setdefault(r.person_id, {})[r.token] = r.platform
        return found

    async def disable_device(self, token: str, reason: str, now: datetime) -> None:
        await self.session.execute(
            sa.update(push_device)
            .where(push_device.c.token_hash == token_hash(token))
            .values(disabled_at=now, disabled_reason=reason)
        )

    async def drop_sms_number(self, person_id: uuid.UUID, number: str, now: datetime) -> None:
        """The number refused for good (STOP): forget it, so no rung tries it again."""
        await self.session.execute(
            sa.update(notification_preference)
            .where(
                notification_preference.c.person_id == person_id,
                notification_preference.c.sms_number == number,
            )
            .values(sms_number=None, updated_at=now)
        )


def progressed(row: Any, now: datetime) -> BatchProgressed:
    """The batch's counts from its row's counters (a channel with no attempt planned is left
    out; pending = planned − sent − failed − skipped: `pending` and `sending` attempts)."""
    channels: dict[str, dict[str, int]] = {}
    for channel in CHANNELS:
        planned = getattr(row, f"{channel}_planned")
        if planned:
            bucket = {state: int(getattr(row, f"{channel}_{state}")) for state in FINAL}
            bucket["pending"] = planned - sum(bucket.values())
            channels[channel] = bucket
    total, reached = int(row.total), int(row.reached)
    return BatchProgressed(
        institution_id=row.institution_id,
        occurred_at=now,
        batch_id=row.id,
        sender_id=row.sender_id,
        total=total,
        reached=reached,
        percent=round(100.0 * reached / total, 1) if total else 100.0,
        channels=channels,
    )


def _mandatory(chosen: Sequence[str] | None) -> frozenset[Category]:
    """The categories an institution chose (None: it has not, the default set)."""
    if chosen is None:
        return MANDATORY
    known = {c.value for c in Category}
    return frozenset(Category(c) for c in chosen if c in known)


def _preferences(r: Any) -> Preferences:
    switches = {(Category(c), Channel(ch)): bool(on) for c, ch, on in r.switches}
    quiet: QuietHours | None = None
    if r.quiet_starts_at is not None and r.quiet_ends_at is not None:
        quiet = QuietHours(_time(r.quiet_starts_at), _time(r.quiet_ends_at))
    known = {c.value for c in Category}
    digest = frozenset(Category(c) for c in (r.digest or ()) if c in known)
    return Preferences(switches, quiet, r.sms_number, r.language, digest, r.digest_hour)


def _time(value: Any) -> time:
    return value if isinstance(value, time) else time.fromisoformat(str(value))
