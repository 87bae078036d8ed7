"""Use case: one rung for a chunk of a batch's notifications (one channel, ~50 recipients) —
`SendRung`'s guarantees, in a few round trips instead of a few per recipient."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from edtech.institutions.public import contacts
from edtech.kernel.clock import Clock
from edtech.kernel.errors import UnavailableError
from edtech.notifications.application.plan_notifications import RUNGS_JOB, school_zone
from edtech.notifications.application.send_rung import (
    MAX_TRIES,
    NO_ADDRESS,
    RungFailedError,
    no_address,
)
from edtech.notifications.domain import Channel, Unless
from edtech.notifications.domain.ports import (
    AddressRejectedError,
    Email,
    Outgoing,
    ProviderFailedError,
    Push,
    Sms,
)
from edtech.notifications.domain.templates import email_html
from edtech.notifications.infrastructure import notification
from edtech.notifications.infrastructure.repository import (
    FINAL,
    NotificationRow,
    SqlNotifications,
)
from edtech.platform.db.uow import UnitOfWork
from edtech.platform.jobs import JobsFactory
from edtech.platform.observability.logging import get_logger

log = get_logger("edtech.notifications")

IN_FLIGHT = 4
"""Provider calls a chunk has in flight at once: with 16 jobs in flight a node makes up to 64, under
httpx's 100 connections per client (at 8, pushes waited out the pool and failed)."""

SETTLE_TRIES = 6
SETTLE_BACKOFF = 0.25
"""The settle after the provider calls is tried again (0.25 s, doubling: ~8 s of waits, each try
with the pool's own 30 s) before the chunk gives up: what it sent must not be sent again."""

RETRY_BACKOFF = timedelta(seconds=10)
"""An attempt whose provider failed is tried again after 10 s, 20 s, 40 s, 80 s (its own tries,
as a single rung's job would be), by a follow-up chunk job of those attempts."""


@dataclass
class _Send:
    """One attempt of the chunk being sent: where to, and what came back."""

    row: NotificationRow
    destinations: list[str]
    platforms: dict[str, str]
    tries: int
    refs: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    done: bool = False


class SendRungs:
    """`SendRung` for many notifications of one channel: the same decisions per attempt, the
    same idempotency key per attempt (`<notification>:<channel>`), and the same order — every
    attempt to send is marked `sending` and committed before its provider call. In one
    transaction the chunk claims its attempts (one statement, `FOR UPDATE SKIP LOCKED`), looks
    up their addresses (a statement per kind), settles those with nothing to send, marks the
    others `sending` (one executemany) and moves the batch's counters; it commits and lets its
    connection go, calls the provider for each (at most `IN_FLIGHT` at once, no connection
    held), then settles them in a second transaction (their rows locked, one executemany per
    outcome, the reached flags, the counters) — one connection at a time.

    What was sent is settled even when that fails for a while: the settle is tried again
    (`SETTLE_TRIES`), and a chunk cancelled mid-send (its node stopping) settles the calls that
    completed before it lets go. Each attempt has its own tries: a chunk job acts only on the
    attempts of its `round` (0 for the planned chunk) — `pending`, or `sending` from a run of
    this same job that died mid-send (sent again with the same key, ADR-0010); one whose
    provider failed is put back `pending` with the error in the next round and handed, in the
    settling transaction, to a follow-up chunk job of that round due after its own backoff, and
    no other job touches it. An attempt another transaction held when the chunk claimed makes
    this job fail once the rest is settled: the runner runs it again for that one."""

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        email: Email,
        push: Push,
        sms: Sms,
        node: str,
        public_url: str,
        jobs: JobsFactory,
    ) -> None:
        self.uow, self.clock = uow, clock
        self.email, self.push, self.sms = email, push, sms
        self.node, self.public_url = node, public_url.rstrip("/")
        self.jobs = jobs

    async def __call__(
        self, notification_ids: list[uuid.UUID], channel: Channel, unless: Unless, round_: int = 0
    ) -> dict[str, int]:
        """Returns how many attempts of the chunk ended in each state after this run (`later`:
        handed to a follow-up job, or already in a later round)."""
        outcome: Counter[str] = Counter()
        async with self.uow as uow:
            store = SqlNotifications(uow.session)
            claimed = await store.claim(notification_ids, channel)
            unclaimed = set(notification_ids) - set(claimed)
            held = await store.missing(unclaimed, channel) if unclaimed else set()
            now = self.clock.now()
            to_decide = {}
            for nid, (attempt, row, progress) in claimed.items():
                if attempt.state in FINAL:
                    outcome[attempt.state] += 1
                elif attempt.round == round_:
                    to_decide[nid] = (attempt.tries, row, progress)
                else:
                    outcome["later"] += 1  # a follow-up job's to send
            rows = [row for _, row, progress in to_decide.values() if not progress.skips(unless)]
            addresses = await self._destinations(store, rows, channel, now)
            settled: list[tuple[NotificationRow, str]] = []
            settle_rows, sending_rows, sends = [], [], []
            for nid, (tries, row, progress) in to_decide.items():
                skip = progress.skips(unless)
                destinations, platforms = addresses.get(nid, ([], {}))
                missing = not (skip or destinations)
                problem = no_address(channel, self.push, self.sms, self.email) if missing else None
                if skip or problem:
                    state = "skipped" if skip or problem in NO_ADDRESS else "failed"
                    settle_rows.append(
                        {"notification_id": nid, "state": state, "reason": skip or problem,
                         "finished_at": now, "node": self.node}
                    )  # fmt: skip
                    settled.append((row, state))
                    continue
                sending_rows.append(
                    {"notification_id": nid, "state": "sending", "tries": tries + 1,
                     "started_at": now, "node": self.node,
                     "destination": ", ".join(destinations)[:320]}
                )  # fmt: skip
                sends.append(_Send(row, destinations, platforms, tries + 1))
            await store.update_attempts(channel, settle_rows)
            await store.update_attempts(channel, sending_rows)
            await self._progress(store, channel, settled, [], now)
            await uow.commit()
        outcome.update(state for _, state in settled)
        if sends:
            gate = asyncio.Semaphore(IN_FLIGHT)
            try:
                await asyncio.gather(*(self._send(gate, s, channel) for s in sends))
            except asyncio.CancelledError:
                # The node is stopping: what went out is recorded before the job is handed back.
                done = [s for s in sends if s.done]
                await self._settle_retried(done, channel, unless, round_)
                raise
            outcome.update(await self._settle_retried(sends, channel, unless, round_))
        if held:
            raise RungFailedError(f"{len(held)} attempt(s) held by another transaction")
        return dict(outcome)

    async def _destinations(
        self,
        store: SqlNotifications,
        rows: list[NotificationRow],
        channel: Channel,
        now: datetime,
    ) -> dict[uuid.UUID, tuple[list[str], dict[str, str]]]:
        """Each notification's addresses on the channel (and, for push, each token's
        platform): one statement per kind of address (per school, for email)."""
        if not rows:
            return {}
        found: dict[uuid.UUID, tuple[list[str], dict[str, str]]] = {}
        if channel is Channel.PUSH:
            if not self.push.set_up:
                return {}
            devices = await store.devices_of(r.person_id for r in rows)
            for r in rows:
                mine = devices.get(r.person_id, {})
                tokens = [t for t, platform in mine.items() if platform in self.push.platforms]
                found[r.id] = (tokens, mine)
            return found
        if channel is Channel.SMS:
            if not self.sms.set_up:
                return {}
            prefs = await store.preferences(r.person_id for r in rows)
            for r in rows:
                number = prefs[r.person_id].sms_number if r.person_id in prefs else None
                found[r.id] = ([number] if number else [], {})
            return found
        if not self.email.set_up:
            return {}
        for institution_id in {r.institution_id for r in rows}:
            school = [r for r in rows if r.institution_id == institution_id]
            today = now.astimezone(await school_zone(store.session, institution_id)).date()
            people = [r.person_id for r in school]
            known = await contacts(store.session, institution_id, people, today)
            for r in school:
                contact = known.get(r.person_id)
                found[r.id] = ([contact.email] if contact and contact.email else [], {})
        return found

    async def _send(self, gate: asyncio.Semaphore, send: _Send, channel: Channel) -> None:
        row = send.row
        link = f"{self.public_url}/app/notifications/{row.id}"
        key = f"{row.id}:{channel.value}"
        for to in send.destinations:
            platform = send.platforms.get(to, "fcm")
            message = Outgoing(
                to, row.title, row.body, link, key, {"category": row.category.value}, platform
            )
            try:
                async with gate:
                    if channel is Channel.EMAIL:
                        text = f"{row.body}\n\n{link}\n"
                        html = email_html(row.title, row.body, link)
                        send.refs.append(await self.email.send(message, text, html))
                    elif channel is Channel.PUSH:
                        send.refs.append(await self.push.send(message))
                    else:
                        send.refs.append(await self.sms.send(message))
            except AddressRejectedError as exc:
                send.rejected[to] = exc.reason
            except (ProviderFailedError, UnavailableError) as exc:
                send.error = f"{type(exc).__name__}: {exc}"
        send.done = True

    async def _settle_retried(
        self, sends: list[_Send], channel: Channel, unless: Unless, round_: int
    ) -> Counter[str]:
        """`_settle`, tried again while the database fails it (a pool timeout, a lost
        connection): the calls went out, and an attempt left `sending` would be sent again."""
        if not sends:
            return Counter()
        for n in range(SETTLE_TRIES):
            try:
                return await self._settle(sends, channel, unless, round_)
            except Exception as exc:
                if n == SETTLE_TRIES - 1:
                    raise
                error = f"{type(exc).__name__}: {exc}"
                log.warning("chunk_settle_retried", attempts=len(sends), error=error[:300])
                await asyncio.sleep(SETTLE_BACKOFF * 2**n)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _settle(
        self, sends: list[_Send], channel: Channel, unless: Unless, round_: int
    ) -> Counter[str]:
        """The second transaction: each attempt sent, failed, or `pending` again in the next
        round for its follow-up job (its provider failed with tries left), as `SendRung`
        settles one; only those still `sending` in this round are changed and counted."""
        outcome: Counter[str] = Counter()
        async with self.uow as uow:
            store = SqlNotifications(uow.session)
            now = self.clock.now()
            still_open = await store.sending_attempts((s.row.id for s in sends), channel, round_)
            groups: dict[tuple[str, ...], list[dict[str, object]]] = {}
            settled: list[tuple[NotificationRow, str]] = []
            again: dict[tuple[uuid.UUID, int], list[uuid.UUID]] = {}  # (school, tries) → ids
            for send in sends:
                for to, reason in send.rejected.items():
                    if channel is Channel.PUSH:
                        await store.disable_device(to, reason, now)
                    elif channel is Channel.SMS:
                        await store.drop_sms_number(send.row.person_id, to, now)
                if send.row.id not in still_open:
                    continue  # settled meanwhile by another run: neither changed nor counted
                values: dict[str, object]
                if send.refs:
                    state = "sent"
                    values = {"provider_ref": ", ".join(send.refs)[:300], "reason": None}
                elif send.error is not None and send.tries < MAX_TRIES:
                    state, values = "pending", {"reason": send.error[:300], "round": round_ + 1}
                    key = (send.row.institution_id, send.tries)
                    again.setdefault(key, []).append(send.row.id)
                elif send.error is not None:
                    state, values = "failed", {"reason": send.error[:300]}
                else:
                    reasons = "; ".join(sorted(set(send.rejected.values())))
                    state, values = "failed", {"reason": reasons}
                if state != "pending":
                    values["finished_at"] = now
                    settled.append((send.row, state))
                values = {"notification_id": send.row.id, "state": state, **values}
                groups.setdefault(tuple(sorted(values)), []).append(values)
                outcome["later" if state == "pending" else state] += 1
            for rows in groups.values():
                await store.update_attempts(channel, rows)
            jobs = self.jobs(uow.session)
            for (institution_id, tries), ids in again.items():
                args = {
                    "notification_ids": [str(i) for i in ids],
                    "channel": channel.value,
                    "unless": unless.value,
                    "round": round_ + 1,
                }
                at = now + RETRY_BACKOFF * 2 ** (tries - 1)
                lock = f"notify:{ids[0]}:{channel.value}:chunk:{round_ + 1}"
                await jobs.defer(RUNGS_JOB, args, at=at, lock=lock, institution_id=institution_id)
            sent = [row.id for row, state in settled if state == "sent"]
            await self._progress(store, channel, settled, sent, now)
            await uow.commit()
        return outcome

    async def _progress(
        self,
        store: SqlNotifications,
        channel: Channel,
        settled: list[tuple[NotificationRow, str]],
        sent: list[uuid.UUID],
        now: datetime,
    ) -> None:
        """The batches' counters move by the attempts settled and the recipients newly reached
        (the `sent` notifications not reached before), last before the commit, each batch's
        row locked in batch order until then."""
        reached = Counter(await store.reached(now, notification.c.id.in_(sent))) if sent else {}
        tallies: dict[uuid.UUID, Counter[str]] = {}
        for row, state in settled:
            if row.batch_id is not None:
                tallies.setdefault(row.batch_id, Counter())[f"{channel.value}_{state}"] += 1
        for batch_id in sorted(set(tallies) | set(reached)):
            progressed = await store.batch_progress(
                batch_id, now, reached=reached.get(batch_id, 0), tally=tallies.get(batch_id)
            )
            if progressed is not None:
                self.uow.emit(progressed)
