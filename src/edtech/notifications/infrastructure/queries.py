"""Read queries of the notifications slice: a person's notifications, a batch's recipients,
preferences and devices, and who may watch a batch."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.public import display_names, institution_settings
from edtech.kernel.principal import Principal
from edtech.notifications.domain import BatchProgressed, Category, Preferences
from edtech.notifications.infrastructure.repository import SqlNotifications
from edtech.notifications.infrastructure.tables import (
    notification,
    notification_attempt,
    notification_batch,
    push_device,
)


async def may_watch_batch(session: AsyncSession, principal: Principal, batch_id: uuid.UUID) -> bool:
    """The batch's sender, or an administrator of its institution."""
    row = (
        await session.execute(
            sa.select(notification_batch.c.institution_id, notification_batch.c.sender_id).where(
                notification_batch.c.id == batch_id
            )
        )
    ).first()
    if row is None or row.institution_id != principal.institution_id:
        return False
    return row.sender_id == principal.person_id or principal.is_institution_admin


def my_notifications_query(person_id: uuid.UUID, unread: bool) -> sa.Select[Any]:
    stmt = (
        sa.select(
            notification.c.id,
            notification.c.category,
            notification.c.title,
            notification.c.body,
            notification.c.created_at,
            notification.c.seen_at,
            notification.c.read_at,
        )
        .where(notification.c.person_id == person_id)
        .order_by(notification.c.created_at.desc(), notification.c.id)
    )
    return stmt.where(notification.c.read_at.is_(None)) if unread else stmt


async def attempts_of(
    session: AsyncSession, notification_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    if not notification_ids:
        return {}
    rows = await session.execute(
        sa.select(notification_attempt)
        .where(notification_attempt.c.notification_id.in_(notification_ids))
        .order_by(notification_attempt.c.due_at, notification_attempt.c.channel)
    )
    out: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r.notification_id, []).append(
            {
                "channel": r.channel,
                "state": r.state,
                "due_at": r.due_at,
                "reason": r.reason,
                "tries": r.tries,
                "finished_at": r.finished_at,
            }
        )
    return out


async def batch_counts(
    session: AsyncSession, principal: Principal, batch_id: uuid.UUID, now: Any
) -> BatchProgressed | None:
    """The batch's counts now, for its sender or an administrator (None: not theirs)."""
    if not await may_watch_batch(session, principal, batch_id):
        return None
    return await SqlNotifications(session).counts(batch_id, now)


def batch_recipients_query(batch_id: uuid.UUID, reached: bool | None = None) -> sa.Select[Any]:
    """The batch's notifications, one per recipient, by person (optionally reached or not)."""
    stmt = sa.select(
        notification.c.id,
        notification.c.institution_id,
        notification.c.person_id,
        notification.c.reached_at,
        notification.c.seen_at,
        notification.c.read_at,
    ).where(notification.c.batch_id == batch_id)
    if reached is not None:
        stmt = stmt.where(
            notification.c.reached_at.is_not(None)
            if reached
            else notification.c.reached_at.is_(None)
        )
    return stmt.order_by(notification.c.person_id, notification.c.id)


async def recipients_detail(
    session: AsyncSession, rows: list[Any]
) -> tuple[dict[uuid.UUID, str], dict[uuid.UUID, dict[str, Any]]]:
    """For a page of `batch_recipients_query` rows: the recipients' names, and each
    notification's attempts by channel (state, reason, when it finished)."""
    if not rows:
        return {}, {}
    names = await display_names(session, rows[0].institution_id, [r.person_id for r in rows])
    found = await session.execute(
        sa.select(
            notification_attempt.c.notification_id,
            notification_attempt.c.channel,
            notification_attempt.c.state,
            notification_attempt.c.reason,
            notification_attempt.c.finished_at,
        ).where(notification_attempt.c.notification_id.in_([r.id for r in rows]))
    )
    attempts: dict[uuid.UUID, dict[str, Any]] = {}
    for a in found:
        attempts.setdefault(a.notification_id, {})[a.channel] = a
    return names, attempts


async def preferences_of(session: AsyncSession, person_id: uuid.UUID) -> Preferences:
    return (await SqlNotifications(session).preferences([person_id])).get(person_id, Preferences())


async def mandatory_of(session: AsyncSession, institution_id: uuid.UUID) -> frozenset[Category]:
    return await SqlNotifications(session).mandatory(institution_id)


async def school_locale(session: AsyncSession, institution_id: uuid.UUID) -> str | None:
    settings = await institution_settings(session, institution_id)
    return settings.locale if settings else None


async def my_push_subscriptions(
    session: AsyncSession, principal: Principal, platform: str
) -> list[dict[str, Any]]:
    """The person's own devices of `platform` in their institution, newest first, with why a
    disabled one was disabled."""
    rows = await session.execute(
        sa.select(
            push_device.c.id,
            push_device.c.token,
            push_device.c.created_at,
            push_device.c.disabled_at,
            push_device.c.disabled_reason,
        )
        .where(
            push_device.c.institution_id == principal.institution_id,
            push_device.c.person_id == principal.person_id,
            push_device.c.platform == platform,
        )
        .order_by(push_device.c.created_at.desc(), push_device.c.id)
    )
    return [dict(r._mapping) for r in rows]
