"""Routes: a person's notification preferences, notifications, push devices; a sender's
delivery counts."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status

from edtech.identity.public import CurrentPrincipalDep
from edtech.kernel.errors import NotFoundError
from edtech.notifications.api.schemas import (
    AttemptOut,
    BatchOut,
    ChannelCountsOut,
    DeviceIn,
    DeviceOut,
    NotificationOut,
    NotificationPolicyIO,
    PreferencesIn,
    PreferencesOut,
    QuietHoursIO,
    ReadOut,
    RecipientAttemptOut,
    RecipientOut,
    WebPushKeyOut,
    WebPushSubscriptionIn,
    WebPushSubscriptionOut,
)
from edtech.notifications.application import (
    MarkRead,
    RegisterDevice,
    SetNotificationPolicy,
    SetPreferences,
    school_zone,
)
from edtech.notifications.application.set_notification_policy import require_institution_admin
from edtech.notifications.domain import Category, QuietHours
from edtech.notifications.domain.ports import Push, PushNotSetUpError
from edtech.notifications.domain.templates import language_of
from edtech.notifications.infrastructure.providers import web_push_key
from edtech.notifications.infrastructure.queries import (
    attempts_of,
    batch_counts,
    batch_recipients_query,
    mandatory_of,
    may_watch_batch,
    my_notifications_query,
    my_push_subscriptions,
    preferences_of,
    recipients_detail,
    school_locale,
)
from edtech.notifications.infrastructure.webpush import PLATFORM as WEBPUSH
from edtech.notifications.infrastructure.webpush import subscription_of
from edtech.notifications.ports import push_port
from edtech.platform.http.csv_file import csv_response
from edtech.platform.http.deps import ClockDep, ReadSessionDep, component, use_case
from edtech.platform.http.pagination import Page, PageParamsDep, paginate

router = APIRouter(prefix="/api/v1", tags=["notifications"])

SetPreferencesDep = Annotated[SetPreferences, Depends(use_case(SetPreferences))]
SetPolicyDep = Annotated[SetNotificationPolicy, Depends(use_case(SetNotificationPolicy))]
MarkReadDep = Annotated[MarkRead, Depends(use_case(MarkRead))]
RegisterDeviceDep = Annotated[RegisterDevice, Depends(use_case(RegisterDevice, push_port))]
PushDep = Annotated[Push, Depends(component(Push))]
WEB_PUSH_NOT_SET_UP: dict[int | str, dict[str, Any]] = {
    503: {"description": "Web Push is not set up on this server (`push_not_set_up`)."}
}

PREFERENCE_ANSWERS: dict[int | str, dict[str, Any]] = {
    422: {
        "description": "A mandatory category's push or email switched off, or a mandatory "
        "category or urgent announcements held for the digest (`mandatory`), SMS switched on "
        "without a number, quiet hours that start when they end, a digest hour outside 0–23, "
        "or malformed input."
    }
}


@router.get(
    "/me/notification-preferences",
    response_model=PreferencesOut,
    summary="Your notification preferences",
)
async def get_preferences(
    principal: CurrentPrincipalDep, session: ReadSessionDep
) -> PreferencesOut:
    prefs = await preferences_of(session, principal.person_id)
    tz = await school_zone(session, principal.institution_id)
    mandatory = await mandatory_of(session, principal.institution_id)
    locale = await school_locale(session, principal.institution_id)
    quiet = prefs.quiet_hours
    return PreferencesOut(
        categories=prefs.matrix(mandatory),
        mandatory=sorted(mandatory),
        quiet_hours=QuietHoursIO(starts_at=quiet.starts_at, ends_at=quiet.ends_at)
        if quiet
        else None,
        sms_number=prefs.sms_number,
        language=prefs.language,
        effective_language=language_of(prefs.language, locale),
        digest={c: prefs.holds(c, mandatory) for c in Category},
        digest_hour=prefs.hour,
        timezone=tz.key,
    )


@router.put(
    "/me/notification-preferences",
    response_model=PreferencesOut,
    summary="Set your notification preferences",
    description=SetPreferences.__doc__,
    responses=PREFERENCE_ANSWERS,
)
async def put_preferences(
    body: PreferencesIn,
    principal: CurrentPrincipalDep,
    use: SetPreferencesDep,
    session: ReadSessionDep,
) -> PreferencesOut:
    switches = {
        (c, ch): on for c, channels in body.categories.items() for ch, on in channels.items()
    }
    quiet = (
        QuietHours(body.quiet_hours.starts_at, body.quiet_hours.ends_at)
        if body.quiet_hours
        else None
    )
    language, hour = body.language, body.digest_hour
    given = body.model_fields_set
    if "language" not in given or "digest_hour" not in given:
        current = await preferences_of(session, principal.person_id)
        language = language if "language" in given else current.language  # type: ignore[assignment]
        hour = hour if "digest_hour" in given else current.digest_hour
    await use(principal, switches, quiet, body.sms_number, language, body.digest, hour)
    return await get_preferences(principal, session)


@router.get(
    "/me/notifications",
    response_model=Page[NotificationOut],
    summary="Your notifications, newest first, with how each channel went",
)
async def list_notifications(
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    params: PageParamsDep,
    request: Request,
    unread: Annotated[bool, Query(description="Only those not read yet.")] = False,
) -> Page[NotificationOut]:
    page = await paginate(
        session,
        my_notifications_query(principal.person_id, unread),
        params,
        request,
        lambda r: dict(r._mapping),
    )
    attempts = await attempts_of(session, [item["id"] for item in page.items])
    return Page[NotificationOut](
        items=[
            NotificationOut(
                **item, attempts=[AttemptOut(**a) for a in attempts.get(item["id"], [])]
            )
            for item in page.items
        ],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
        next=page.next,
    )


@router.post(
    "/me/notifications/{notification_id}/read",
    response_model=ReadOut,
    summary="Mark one of your notifications read (stops its ladder)",
    description=MarkRead.__doc__,
    responses={404: {"description": "No such notification of yours."}},
)
async def read_one(
    notification_id: uuid.UUID, principal: CurrentPrincipalDep, use: MarkReadDep
) -> ReadOut:
    return ReadOut(read=await use(principal, notification_id))


@router.post(
    "/me/notifications/read",
    response_model=ReadOut,
    summary="Mark all your notifications read (the app was opened)",
    description=MarkRead.__doc__,
)
async def read_all(principal: CurrentPrincipalDep, use: MarkReadDep) -> ReadOut:
    return ReadOut(read=await use(principal, None))


@router.post(
    "/me/push-devices",
    status_code=status.HTTP_201_CREATED,
    response_model=DeviceOut,
    summary="Register your app's push token",
    description=RegisterDevice.__doc__,
    responses={503: {"description": "Push is not set up on this server (`push_not_set_up`)."}},
)
async def register_device(
    body: DeviceIn, principal: CurrentPrincipalDep, use: RegisterDeviceDep
) -> DeviceOut:
    return DeviceOut(id=await use(principal, body.platform, body.token))


@router.get(
    "/web-push/key",
    response_model=WebPushKeyOut,
    summary="The VAPID public key browsers subscribe to Web Push with",
    responses=WEB_PUSH_NOT_SET_UP,
)
async def get_web_push_key(principal: CurrentPrincipalDep, push: PushDep) -> WebPushKeyOut:
    """Pass `public_key` as `applicationServerKey` to `pushManager.subscribe`, then POST the
    subscription to `subscriptions`."""
    key = web_push_key(push)
    if key is None:
        raise PushNotSetUpError("EDTECH_WEBPUSH_PRIVATE_KEY")
    return WebPushKeyOut(public_key=key, subscriptions="/api/v1/me/web-push-subscriptions")


@router.post(
    "/me/web-push-subscriptions",
    status_code=status.HTTP_201_CREATED,
    response_model=DeviceOut,
    summary="Register your browser's Web Push subscription",
    description=RegisterDevice.__doc__,
    responses={
        422: {
            "description": "A malformed subscription: an endpoint that is not an https URL of a "
            "push service this server sends to, keys that are not a P-256 public key and a "
            "16-byte secret."
        },
        **WEB_PUSH_NOT_SET_UP,
    },
)
async def register_web_push(
    body: WebPushSubscriptionIn, principal: CurrentPrincipalDep, use: RegisterDeviceDep
) -> DeviceOut:
    return DeviceOut(id=await use(principal, WEBPUSH, body.token))


@router.get(
    "/me/web-push-subscriptions",
    response_model=list[WebPushSubscriptionOut],
    summary="Your browsers' Web Push subscriptions, and why any was disabled",
)
async def list_web_push(
    principal: CurrentPrincipalDep, session: ReadSessionDep
) -> list[WebPushSubscriptionOut]:
    rows = await my_push_subscriptions(session, principal, WEBPUSH)
    return [
        WebPushSubscriptionOut(
            id=r["id"],
            endpoint=subscription_of(r["token"]).endpoint,
            created_at=r["created_at"],
            disabled_at=r["disabled_at"],
            disabled_reason=r["disabled_reason"],
        )
        for r in rows
    ]


@router.get(
    "/notification-batches/{batch_id}",
    response_model=BatchOut,
    summary="Delivery counts of an announcement (its sender, or an admin)",
    responses={404: {"description": "No such batch you sent (or may see)."}},
)
async def get_batch(
    batch_id: uuid.UUID, principal: CurrentPrincipalDep, session: ReadSessionDep, clock: ClockDep
) -> BatchOut:
    """Who was reached so far; subscribe to `channel` for the same counts live."""
    counts = await batch_counts(session, principal, batch_id, clock.now())
    if counts is None:
        raise NotFoundError("no such notification batch")
    return BatchOut(
        batch_id=counts.batch_id,
        total=counts.total,
        reached=counts.reached,
        percent=counts.percent,
        channels={k: ChannelCountsOut(**v) for k, v in counts.channels.items()},
        channel=f"notifications.batch.{batch_id}",
    )


RECIPIENT_CHANNELS = ("push", "email", "sms")
CSV_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One page of recipients; with `format=csv`, all of them as CSV.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    },
    404: {"description": "No such batch you sent (or may see)."},
}


def _recipient(row: Any, name: str | None, attempts: dict[str, Any]) -> RecipientOut:
    how = ["app"] if row.seen_at is not None else []
    how += [c for c in RECIPIENT_CHANNELS if c in attempts and attempts[c].state == "sent"]
    return RecipientOut(
        person_id=row.person_id,
        name=name,
        reached=row.reached_at is not None,
        reached_at=row.reached_at,
        how=how,
        seen_at=row.seen_at,
        read_at=row.read_at,
        channels={
            c: RecipientAttemptOut(state=a.state, reason=a.reason, finished_at=a.finished_at)
            for c, a in sorted(attempts.items())
        },
    )


def _recipients_csv(batch_id: uuid.UUID, recipients: list[RecipientOut]) -> Response:
    header = ["person_id", "name", "reached", "reached_at", "how", "seen_at", "read_at"]
    for c in RECIPIENT_CHANNELS:
        header += [c, f"{c}_reason"]
    rows: list[list[object]] = []
    for r in recipients:
        line: list[object] = [
            r.person_id,
            r.name,
            "yes" if r.reached else "no",
            r.reached_at.isoformat() if r.reached_at else "",
            "+".join(r.how),
            r.seen_at.isoformat() if r.seen_at else "",
            r.read_at.isoformat() if r.read_at else "",
        ]
        for c in RECIPIENT_CHANNELS:
            a = r.channels.get(c)
            line += [a.state if a else "", (a.reason or "") if a else ""]
        rows.append(line)
    return csv_response(f"recipients-{batch_id}", header, rows)


@router.get(
    "/notification-batches/{batch_id}/recipients",
    response_model=Page[RecipientOut],
    summary="Who an announcement reached, and how (its sender, or an admin)",
    responses=CSV_ANSWER,
)
async def list_batch_recipients(
    batch_id: uuid.UUID,
    principal: CurrentPrincipalDep,
    session: ReadSessionDep,
    page: PageParamsDep,
    request: Request,
    reached: Annotated[
        bool | None, Query(description="Only those reached (true) or not yet (false).")
    ] = None,
    format_: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
) -> Page[RecipientOut] | Response:
    """Per recipient: reached or not, when, every way that reached them (an open app, push,
    email, SMS) and each channel's attempt with why it failed. With `format=csv`, every
    recipient (no pages) — the office's proof of who was told."""
    if not await may_watch_batch(session, principal, batch_id):
        raise NotFoundError("no such notification batch")
    stmt = batch_recipients_query(batch_id, reached)
    if format_ == "csv":
        rows = list((await session.execute(stmt)).all())
        names, attempts = await recipients_detail(session, rows)
        everyone = [_recipient(r, names.get(r.person_id), attempts.get(r.id, {})) for r in rows]
        return _recipients_csv(batch_id, everyone)
    raw = await paginate(session, stmt, page, request, lambda r: r)
    names, attempts = await recipients_detail(session, list(raw.items))
    return Page[RecipientOut](
        items=[_recipient(r, names.get(r.person_id), attempts.get(r.id, {})) for r in raw.items],
        total=raw.total,
        limit=raw.limit,
        offset=raw.offset,
        next=raw.next,
    )


def _admin(principal: CurrentPrincipalDep) -> None:
    """Checked before the body is read: a stranger gets 403, never 422."""
    require_institution_admin(principal)


@router.get(
    "/notification-policy",
    response_model=NotificationPolicyIO,
    summary="Your institution's notification policy (the mandatory categories)",
)
async def get_policy(
    principal: CurrentPrincipalDep, session: ReadSessionDep
) -> NotificationPolicyIO:
    return NotificationPolicyIO(
        mandatory=sorted(await mandatory_of(session, principal.institution_id))
    )


@router.put(
    "/notification-policy",
    response_model=NotificationPolicyIO,
    summary="Choose the mandatory notification categories (institution admins)",
    description=SetNotificationPolicy.__doc__,
    dependencies=[Depends(_admin)],
    responses={403: {"description": "Not an administrator of the institution."}},
)
async def put_policy(
    body: NotificationPolicyIO, principal: CurrentPrincipalDep, use: SetPolicyDep
) -> NotificationPolicyIO:
    saved = await use(principal, frozenset(body.mandatory))
    return NotificationPolicyIO(mandatory=sorted(saved))
