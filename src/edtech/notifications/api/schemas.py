"""Request and response schemas of the notifications routes."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from edtech.notifications.domain import Category, Channel
from edtech.notifications.infrastructure.webpush import parse_subscription

SmsNumber = Annotated[
    str,
    StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$"),
    Field(description="E.164, e.g. +15551234567.", examples=["+15551234567"]),
]


Language = Literal["en", "es"]
DigestHour = Annotated[int, Field(ge=0, le=23)]


class QuietHoursIO(BaseModel):
    """Every day from `starts_at` to `ends_at`, school time (may run past midnight)."""

    model_config = ConfigDict(extra="forbid")

    starts_at: time
    ends_at: time


class PreferencesIn(BaseModel):
    """Only what changes: channels per category not named keep their current value; quiet
    hours and the SMS number are replaced (null clears them)."""

    model_config = ConfigDict(extra="forbid")

    categories: dict[Category, dict[Channel, bool]] = Field(
        default_factory=dict,
        description="Per category, per channel: on or off.",
        examples=[{"grade_published": {"email": True}, "announcement": {"push": False}}],
    )
    quiet_hours: QuietHoursIO | None = None
    sms_number: SmsNumber | None = None
    language: Language | None = Field(
        None,
        description="The language your notifications are written in; null: the school's. "
        "Left out: unchanged.",
    )
    digest: dict[Category, bool] = Field(
        default_factory=dict,
        description="Per category: true to get its notifications once a day, in one email "
        "(the daily digest), instead of at once by push, email or SMS (the app still shows "
        "them at once). Not for mandatory categories nor urgent announcements (422). "
        "Categories not named: unchanged.",
        examples=[{"grade_published": True, "billing": False}],
    )
    digest_hour: DigestHour | None = Field(
        None,
        description="The hour (0–23, school time) your digest goes out; null: 18. "
        "Left out: unchanged.",
    )


class PreferencesOut(BaseModel):
    categories: dict[Category, dict[Channel, bool]]
    mandatory: list[Category] = Field(
        description="Categories whose push and email cannot be switched off (the "
        "institution's choice)."
    )
    quiet_hours: QuietHoursIO | None
    sms_number: str | None
    language: Language | None = Field(description="Your choice; null: the school's.")
    effective_language: Language = Field(
        description="The language your notifications are written in now."
    )
    digest: dict[Category, bool] = Field(
        description="Per category: whether it waits for your daily digest (a category the "
        "institution made mandatory, or urgent announcements, never does)."
    )
    digest_hour: DigestHour = Field(
        description="The hour (0–23, school time) your digest goes out."
    )
    timezone: str = Field(
        description="The school's time zone, in which quiet hours and the digest hour count."
    )


class AttemptOut(BaseModel):
    channel: Channel
    state: Literal["pending", "sending", "sent", "failed", "skipped"]
    due_at: datetime
    reason: str | None
    tries: int
    finished_at: datetime | None


class NotificationOut(BaseModel):
    id: uuid.UUID
    category: Category
    title: str
    body: str
    created_at: datetime
    seen_at: datetime | None
    read_at: datetime | None
    attempts: list[AttemptOut]


class ReadOut(BaseModel):
    read: int = Field(description="How many notifications were newly marked read.")


class DeviceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: Literal["fcm", "apns"] = Field(description="The push service the token belongs to.")
    token: Annotated[
        str, StringConstraints(min_length=20, max_length=4096, pattern=r"^[A-Za-z0-9_:\-\.]+$")
    ] = Field(
        description="The app's registration token (FCM), or its device token (APNs: 64 or "
        "more hexadecimal digits)."
    )

    @model_validator(mode="after")
    def _apns_tokens_are_hex(self) -> DeviceIn:
        if self.platform == "apns" and not re.fullmatch(r"(?:[0-9a-fA-F]{2}){32,100}", self.token):
            raise ValueError("an APNs device token is 64 or more hexadecimal digits")
        return self


class DeviceOut(BaseModel):
    id: uuid.UUID


B64Url = Annotated[
    str, StringConstraints(min_length=16, max_length=200, pattern=r"^[A-Za-z0-9_\-]+=*$")
]


class WebPushKeysIn(BaseModel):
    p256dh: B64Url = Field(description="The browser's P-256 public key (65 bytes), base64url.")
    auth: B64Url = Field(description="The browser's authentication secret (16 bytes), base64url.")


class WebPushSubscriptionIn(BaseModel):
    """What the browser's `PushSubscription.toJSON()` gives, as it gives it."""

    endpoint: Annotated[str, StringConstraints(min_length=10, max_length=2048)] = Field(
        description="The push service's URL for this browser (https).",
        examples=["https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91bH"],
    )
    expirationTime: float | None = Field(  # the browser's own name
        None, description="When the browser will drop the subscription (ms since the epoch)."
    )
    keys: WebPushKeysIn

    @model_validator(mode="after")
    def _well_formed(self) -> WebPushSubscriptionIn:
        parse_subscription(self.endpoint, self.keys.p256dh, self.keys.auth)  # ValueError → 422
        return self

    @property
    def token(self) -> str:
        return parse_subscription(self.endpoint, self.keys.p256dh, self.keys.auth).token


class WebPushSubscriptionOut(BaseModel):
    id: uuid.UUID
    endpoint: str
    created_at: datetime
    disabled_at: datetime | None = Field(
        description="When the push service said the browser unsubscribed; null: active."
    )
    disabled_reason: str | None = Field(description="Why it was disabled (`unregistered`).")


class WebPushKeyOut(BaseModel):
    public_key: str = Field(
        description="The VAPID public key (base64url, 65 bytes): the `applicationServerKey` "
        "of `pushManager.subscribe`."
    )
    subscriptions: str = Field(description="Where to POST the subscription.")


class ChannelCountsOut(BaseModel):
    sent: int
    failed: int
    skipped: int
    pending: int


class BatchOut(BaseModel):
    batch_id: uuid.UUID
    total: int
    reached: int
    percent: float
    channels: dict[str, ChannelCountsOut]
    channel: str = Field(description="Subscribe to it over /ws for live counts.")


class RecipientAttemptOut(BaseModel):
    state: str = Field(description="pending, sending, sent, failed or skipped.")
    reason: str | None = Field(description="Why it failed or was skipped.")
    finished_at: datetime | None


class RecipientOut(BaseModel):
    """One recipient of a batch: whether and how they were reached."""

    person_id: uuid.UUID
    name: str | None
    reached: bool
    reached_at: datetime | None = Field(description="When they were first reached.")
    how: list[str] = Field(
        description="Every way that reached them: `app` (seen on an open app), `push`, "
        "`email`, `sms` (sent)."
    )
    seen_at: datetime | None
    read_at: datetime | None
    channels: dict[str, RecipientAttemptOut] = Field(
        description="The attempt of each channel planned for them."
    )


class NotificationPolicyIO(BaseModel):
    """The institution's notification policy."""

    model_config = ConfigDict(extra="forbid")

    mandatory: list[Category] = Field(
        description="Categories whose push and email nobody of the institution can switch off "
        "(SMS stays opt-in).",
        examples=[["absence", "urgent_announcement", "billing"]],
    )
