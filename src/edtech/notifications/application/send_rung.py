"""Use case: one rung of a notification's ladder — push, email or SMS — sent at most once per
notification and channel across retries and nodes."""

from __future__ import annotations

import uuid
from datetime import datetime

from edtech.institutions.public import contacts
from edtech.kernel.clock import Clock
from edtech.kernel.errors import UnavailableError
from edtech.notifications.application.plan_notifications import school_zone
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

MAX_TRIES = 5


class RungFailedError(Exception):
    """The provider failed for now: the job runner tries the rung again with backoff."""


class SendRung:
    """A rung is sent unless the person already read the notification (or, for the rungs that
    say so, saw it on an open socket, or another channel reached them). Exactly one attempt row
    per notification and channel exists (its primary key); the rung locks it, marks it
    `sending` and commits *before* calling the provider, and marks it `sent` after. A rung run
    again finds `sent` and does nothing; one that finds `sending` — its node died between the
    two — sends again with the same idempotency key (the push collapse key; the email's
    Message-ID, which the recipient's mailbox keeps once), since whether the first call got
    through cannot be known. An address the provider
    refuses for good is disabled with the reason; a provider that fails is retried with
    backoff, and after the last try the attempt is `failed` with the error."""

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        email: Email,
        push: Push,
        sms: Sms,
        node: str,
        public_url: str,
    ) -> None:
        self.uow, self.clock = uow, clock
        self.email, self.push, self.sms = email, push, sms
        self.node, self.public_url = node, public_url.rstrip("/")
        self._platforms: dict[str, str] = {}

    async def __call__(self, notification_id: uuid.UUID, channel: Channel, unless: Unless) -> str:
        """Returns the attempt's state after this run."""
        async with self.uow as uow:
            store = SqlNotifications(uow.session)
            # The attempt (locked), the notification and its progress: one round trip.
            decided = await store.decide(notification_id, channel)
            if decided is None:
                return "gone"
            attempt, row, progress = decided
            if attempt.state in FINAL:
                return attempt.state
            now = self.clock.now()
            skip = progress.skips(unless)
            destinations = [] if skip else await self._destinations(store, row, channel)
            missing = not (skip or destinations)
            problem = no_address(channel, self.push, self.sms, self.email) if missing else None
            if skip or problem:
                state = "skipped" if skip or problem in NO_ADDRESS else "failed"
                settled = await store.update_attempt(
                    notification_id, channel, state=state, reason=skip or problem,
                    finished_at=now, node=self.node,
                )  # fmt: skip
                if settled:
                    await self._progress(store, row, channel, state, now)
                await uow.commit()
                return state
            await store.update_attempt(
                notification_id, channel, state="sending", tries=attempt.tries + 1,
                started_at=now, node=self.node, destination=", ".join(destinations)[:320],
            )  # fmt: skip
            await uow.commit()
            tries = attempt.tries + 1
        return await self._send(row, channel, destinations, tries)

    async def _destinations(
        self, store: SqlNotifications, row: NotificationRow, channel: Channel
    ) -> list[str]:
        if channel is Channel.PUSH:
            if not self.push.set_up:
                return []
            devices = await store.device_tokens(row.person_id)
            self._platforms = devices
            return [t for t, platform in devices.items() if platform in self.push.platforms]
        if channel is Channel.SMS:
            prefs = (await store.preferences([row.person_id])).get(row.person_id)
            number = prefs.sms_number if prefs else None
            return [number] if number and self.sms.set_up else []
        if not self.email.set_up:
            return []
        tz = await school_zone(store.session, row.institution_id)
        today = self.clock.now().astimezone(tz).date()
        found = await contacts(store.session, row.institution_id, [row.person_id], today)
        contact = found.get(row.person_id)
        return [contact.email] if contact and contact.email else []

    async def _send(
        self, row: NotificationRow, channel: Channel, destinations: list[str], tries: int
    ) -> str:
        link = f"{self.public_url}/app/notifications/{row.id}"
        key = f"{row.id}:{channel.value}"
        refs: list[str] = []
        rejected: dict[str, str] = {}
        error: str | None = None
        for to in destinations:
            platform = self._platforms.get(to, "fcm")
            data = {"category": row.category.value}
            message = Outgoing(to, row.title, row.body, link, key, data, platform)
            try:
                if channel is Channel.EMAIL:
                    text = f"{row.body}\n\n{link}\n"
                    html = email_html(row.title, row.body, link)
                    refs.append(await self.email.send(message, text, html))
                elif channel is Channel.PUSH:
                    refs.append(await self.push.send(message))
                else:
                    refs.append(await self.sms.send(message))
            except AddressRejectedError as exc:
                rejected[to] = exc.reason
            except (ProviderFailedError, UnavailableError) as exc:
                error = f"{type(exc).__name__}: {exc}"
        async with self.uow as uow:
            store = SqlNotifications(uow.session)
            now = self.clock.now()
            for to, reason in rejected.items():
                if channel is Channel.PUSH:
                    await store.disable_device(to, reason, now)
                elif channel is Channel.SMS:
                    await store.drop_sms_number(row.person_id, to, now)
            values: dict[str, object]
            if refs:
                state, values = "sent", {"provider_ref": ", ".join(refs)[:300], "reason": None}
            elif error is not None and tries < MAX_TRIES:
                state, values = "sending", {"reason": error[:300]}
            elif error is not None:
                state, values = "failed", {"reason": error[:300]}
            else:
                state, values = "failed", {"reason": "; ".join(sorted(set(rejected.values())))}
            if state != "sending":
                values["finished_at"] = now
            settled = await store.update_attempt(row.id, channel, state=state, **values)
            if settled and state != "sending":
                await self._progress(store, row, channel, state, now)
            await uow.commit()
        if state == "sending":
            raise RungFailedError(error)
        return state

    async def _progress(
        self,
        store: SqlNotifications,
        row: NotificationRow,
        channel: Channel,
        state: str,
        now: datetime,
    ) -> None:
        """The batch's counters move by one, last before the commit (the batch row stays
        locked until then): this attempt settled, and — if it was sent and is the first
        channel to reach the person (or before they saw it) — one more recipient reached."""
        if row.batch_id is None:
            return
        reached = 0
        if state == "sent":
            reached = len(await store.reached(now, notification.c.id == row.id))
        progressed = await store.batch_progress(
            row.batch_id, now, reached=reached, settled=(channel, state)
        )
        if progressed is not None:
            self.uow.emit(progressed)


def no_address(channel: Channel, push: Push, sms: Sms, email: Email) -> str:
    """Why a rung has nowhere to go: its channel not set up, or the person has no address."""
    if channel is Channel.PUSH:
        return "push_not_set_up" if not push.set_up else "no device"
    if channel is Channel.SMS:
        return "sms_not_set_up" if not sms.set_up else "no number"
    return "mail_not_set_up" if not email.set_up else "no email address"


NO_ADDRESS = frozenset({"no device", "no number", "no email address"})
