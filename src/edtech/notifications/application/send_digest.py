"""Use case: one person's daily digest — one email with the day's held notifications — sent
once per person and school day across retries and nodes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from edtech.institutions.public import contacts, institution_settings
from edtech.kernel.clock import Clock
from edtech.kernel.errors import UnavailableError
from edtech.kernel.ids import new_id
from edtech.notifications.application.plan_notifications import zone_of
from edtech.notifications.application.send_rung import MAX_TRIES, RungFailedError
from edtech.notifications.domain import Channel
from edtech.notifications.domain.ports import (
    AddressRejectedError,
    Email,
    Outgoing,
    ProviderFailedError,
)
from edtech.notifications.domain.templates import digest_html, digest_text, language_of
from edtech.notifications.infrastructure import notification
from edtech.notifications.infrastructure.digests import HeldItem, SqlDigests
from edtech.notifications.infrastructure.repository import FINAL, SqlNotifications
from edtech.platform.db.uow import UnitOfWork

DIGEST_JOB = "notifications.digest"


@dataclass(frozen=True)
class _Letter:
    marker_id: uuid.UUID
    to: str
    title: str
    body: str
    html: str
    tries: int
    items: list[HeldItem]


class SendDigest:
    """A person's digest carries the notifications held for that school day that they have not
    read by then (those read are `skipped`, reason `read`; none left: no email). The day's
    sent-marker (unique per person and day) is locked, the items claimed (`sending`) and
    committed *before* the email goes, then marked `sent` — each held notification's email
    attempt with the digest's Message-ID as its reference. Run again it finds the marker final
    and does nothing; finding it `sending` (a node died around the send) it sends the same
    items again with the same Message-ID, which the mailbox keeps once. A provider that fails
    is retried with backoff; after the last try the digest and its items are `failed`."""

    def __init__(
        self, uow: UnitOfWork, clock: Clock, email: Email, node: str, public_url: str
    ) -> None:
        self.uow, self.clock, self.email = uow, clock, email
        self.node, self.public_url = node, public_url.rstrip("/")

    async def __call__(self, institution_id: uuid.UUID, person_id: uuid.UUID, day: date) -> str:
        """Returns the digest's state after this run."""
        async with self.uow as uow:
            digests = SqlDigests(uow.session)
            now = self.clock.now()
            marker = await digests.claim(new_id(), institution_id, person_id, day, now)
            if marker.state in FINAL:
                return marker.state
            if marker.state == "sending":  # again, after a crash or a provider failure
                items = await digests.items(person_id, day, "sending")
                tries = marker.tries + 1
                await digests.mark(marker.id, tries=tries, node=self.node)
                to = marker.destination or ""
            else:
                held = await digests.items(person_id, day, "pending")
                await self._settle(uow, [i for i in held if i.read], "skipped", now, reason="read")
                items = [i for i in held if not i.read]
                to = await self._address(uow, institution_id, person_id) if items else ""
                if not items or not to:
                    reason = "no email address" if items else "read"
                    await self._settle(uow, items, "skipped", now, reason=reason)
                    await digests.mark(
                        marker.id, state="skipped", reason=reason, finished_at=now, node=self.node
                    )
                    await uow.commit()
                    return "skipped"
                tries = 1
                await digests.settle(
                    [i.id for i in items], state="sending", tries=1, started_at=now,
                    node=self.node, destination=to[:320],
                )  # fmt: skip
                await digests.mark(
                    marker.id, state="sending", items=len(items), tries=1, destination=to[:320],
                    node=self.node,
                )  # fmt: skip
            title, body, html = await self._words(uow, institution_id, person_id, day, items)
            await uow.commit()
        return await self._send(_Letter(marker.id, to, title, body, html, tries, items))

    async def _address(
        self, uow: UnitOfWork, institution_id: uuid.UUID, person_id: uuid.UUID
    ) -> str:
        school = await institution_settings(uow.session, institution_id)
        today = self.clock.now().astimezone(zone_of(school)).date()
        found = await contacts(uow.session, institution_id, [person_id], today)
        contact = found.get(person_id)
        return contact.email if contact and contact.email else ""

    async def _words(
        self,
        uow: UnitOfWork,
        institution_id: uuid.UUID,
        person_id: uuid.UUID,
        day: date,
        items: list[HeldItem],
    ) -> tuple[str, str, str]:
        """In the person's language (else the school's locale's): the notifications themselves
        were written in it when they were made. Each item links to the notification itself
        (the link its own email would carry); the email's last link is the inbox."""
        school = await institution_settings(uow.session, institution_id)
        prefs = (await SqlNotifications(uow.session).preferences([person_id])).get(person_id)
        language = language_of(prefs.language if prefs else None, school.locale if school else None)
        name = school.name if school else ""
        words = [(i.title, i.body, f"{self.public_url}/app/notifications/{i.id}") for i in items]
        title, body = digest_text(language, name, day, words)
        inbox = f"{self.public_url}/app/notifications"
        return title, body, digest_html(language, name, day, words, inbox)

    async def _send(self, letter: _Letter) -> str:
        link = f"{self.public_url}/app/notifications"
        key = f"{letter.marker_id}:digest"
        message = Outgoing(letter.to, letter.title, letter.body, link, key, {"category": "digest"})
        ref, error = "", None
        try:
            ref = await self.email.send(
                message,
                f"{letter.body}\n\n{link}\n",
                letter.html,
            )
        except AddressRejectedError as exc:
            error = exc.reason
        except (ProviderFailedError, UnavailableError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            if letter.tries < MAX_TRIES:
                raise RungFailedError(error) from exc
        state = "sent" if error is None else "failed"
        async with self.uow as uow:
            now = self.clock.now()
            digests = SqlDigests(uow.session)
            outcome = {"provider_ref": ref[:300]} if ref else {"reason": (error or "")[:300]}
            await digests.mark(letter.marker_id, state=state, finished_at=now, **outcome)
            await self._settle(uow, letter.items, state, now, **outcome)
            await uow.commit()
        return state

    async def _settle(
        self, uow: UnitOfWork, items: list[HeldItem], state: str, now: datetime, **values: object
    ) -> None:
        """Settle these items' email attempts, then move their batches' counters (a sent one
        first reaching its person counts as reached), batch by batch in id order, last before
        the commit."""
        if not items:
            return
        digests, store = SqlDigests(uow.session), SqlNotifications(uow.session)
        values = {"state": state, "finished_at": now, "node": self.node, **values}
        await digests.settle([i.id for i in items], **values)
        batched = [(i.batch_id, i) for i in items if i.batch_id is not None]
        for batch_id, item in sorted(batched, key=lambda pair: pair[0]):
            reached = 0
            if state == "sent":
                reached = len(await store.reached(now, notification.c.id == item.id))
            progressed = await store.batch_progress(
                batch_id, now, reached=reached, settled=(Channel.EMAIL, state)
            )
            if progressed is not None:
                uow.emit(progressed)
