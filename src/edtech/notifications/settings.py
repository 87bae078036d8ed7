"""Knobs of the notifications slice (env prefix `EDTECH_`): providers and ladder delays.

Nested in the app's settings as `Settings.notifications`, read under their flat names."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class NotificationSettings(BaseSettings):
    """Which push and SMS providers a node uses, and the waits of the escalation ladder."""

    model_config = SettingsConfigDict(env_prefix="EDTECH_", env_file=".env", extra="ignore")

    push_url: str = Field(
        "",
        description="fcm:///path/to/service-account.json (Firebase Cloud Messaging HTTP v1) or "
        "console:// (log only). Unset: console in demo mode, else push is not set up.",
    )
    push_fcm_api_base: str = Field(
        "https://fcm.googleapis.com", description="FCM's address (tests point it at loopback)."
    )
    push_apns_url: str = Field(
        "",
        description="apns:///path/AuthKey_KEYID.p8?key_id=KEYID&team_id=TEAMID&topic=BUNDLE_ID "
        "(Apple Push Notification service, token auth over HTTP/2). Unset: no APNs devices.",
    )
    push_apns_api_base: str = Field(
        "https://api.push.apple.com",
        description="APNs' address (https://api.sandbox.push.apple.com for development builds).",
    )
    webpush_private_key: str = Field(
        "",
        description="The VAPID private key Web Push is signed with: the raw P-256 key in "
        "base64url (`python -m edtech.notifications.infrastructure.webpush` makes a pair) or "
        "a PEM. Unset: browsers cannot subscribe (console in demo mode).",
    )
    webpush_subject: str = Field(
        "",
        description="The VAPID subject push services may contact: mailto:ops@school.example "
        "or an https URL. Required with EDTECH_WEBPUSH_PRIVATE_KEY.",
    )
    webpush_allowed_origins: str = Field(
        "",
        description="Comma-separated origins (fnmatch patterns) of the push services whose "
        "endpoints a browser may register. Unset: Chrome's, Edge's, Firefox's and Safari's.",
    )
    webpush_ttl_seconds: int = Field(
        86400, ge=0, le=2419200, description="How long a push service keeps an undelivered push."
    )
    sms_url: str = Field(
        "",
        description="twilio://ACCOUNT_SID:AUTH_TOKEN@?from=%2B15550001111, "
        "sns://REGION?from=%2B15550001111&sender_id=School (Amazon SNS; credentials from the "
        "AWS chain; both query parameters optional) or console:// (log only). Unset: console "
        "in demo mode, else SMS is not set up.",
    )
    sms_sns_endpoint_url: str = Field(
        "", description="SNS's address when not AWS's own (tests point it at loopback)."
    )
    sms_twilio_api_base: str = Field(
        "https://api.twilio.com", description="Twilio's address (tests point it at loopback)."
    )
    notify_email_url: str = Field(
        "",
        description="ses://REGION?from=noreply%40school.example to send the ladder's email "
        "through Amazon SES (credentials from the AWS chain). Unset: EDTECH_MAIL_URL (SMTP).",
    )
    notify_ses_endpoint_url: str = Field(
        "", description="SES's address when not AWS's own (tests point it at loopback)."
    )
    notify_push_delay_seconds: float = Field(
        120, ge=0, description="Push when a notification reached no open socket within this."
    )
    notify_email_delay_seconds: float = Field(
        1800, ge=0, description="Email when a notification is still unread after this."
    )
    notify_sms_delay_seconds: float = Field(
        900, ge=0, description="SMS when an urgent announcement reached nobody within this."
    )
    notify_chunk_size: int = Field(
        50, ge=1, le=500, description="A batch's rungs go out in jobs of this many notifications."
    )
