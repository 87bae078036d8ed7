"""Configuration: one pydantic-settings class, every variable prefixed `EDTECH_`."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from edtech.notifications.settings import NotificationSettings
from edtech.realtime.settings import RealtimeSettings

DEFAULT_SECRET = "insecure-demo-secret-change-me-before-production"


class Settings(BaseSettings):
    """Every knob of a node. Defaults give the embedded single-process product."""

    model_config = SettingsConfigDict(env_prefix="EDTECH_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite+aiosqlite:///./edtech.db",
        description="SQLAlchemy async URL: sqlite+aiosqlite:///path or postgresql+asyncpg://…",
    )
    broker_url: str = Field("memory://", description="memory:// (one process) or redis://host:port")
    secret_key: str = Field(DEFAULT_SECRET, description="Signs access tokens and QR codes.")
    demo: bool = Field(False, description="Demo mode: allows the default secret; seeds a school.")
    access_token_ttl_seconds: int = Field(900, ge=30, description="Access-token lifetime.")
    refresh_token_ttl_seconds: int = Field(
        30 * 24 * 3600, ge=60, description="Refresh-token lifetime (rotating)."
    )
    auth_session_retention_seconds: int = Field(
        7 * 24 * 3600,
        ge=0,
        description="How long an ended sign-in session (revoked or expired) is kept, then pruned.",
    )
    password_min_length: int = Field(
        10, ge=8, le=256, description="Shortest password a login may be given."
    )
    login_max_failures: int = Field(
        5, ge=1, description="Failed logins per account or address before throttling."
    )
    login_window_seconds: int = Field(
        300, ge=1, description="Window in which failed logins are counted, and lockout length."
    )
    max_body_bytes: int = Field(
        2 * 1024 * 1024,
        ge=1024,
        description="Largest request body accepted (413 above); Caddy allows 10 MB in front.",
    )
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR.")
    log_json: bool | None = Field(
        None, description="JSON logs; default: JSON unless stderr is a terminal."
    )
    db_pool_size: int = Field(
        20,
        ge=1,
        description="PostgreSQL connections per node, all kept open once opened (no overflow): "
        "at least the requests and jobs a node serves at once.",
    )
    background_jobs: bool = Field(
        True,
        description="Work background jobs (deferred and scheduled) on this node; `edtech worker` "
        "always does.",
    )
    jobs_concurrency: int = Field(4, ge=1, description="Jobs a node runs at once.")
    jobs_poll_seconds: float = Field(
        1.0, gt=0, description="How often an idle node looks for due jobs."
    )
    jobs_retention_seconds: int = Field(
        7 * 24 * 3600,
        ge=0,
        description="How long a succeeded job is kept before `jobs.prune` deletes it (failed "
        "ones stay until retried).",
    )
    jobs_lease_seconds: int = Field(
        600,
        ge=1,
        description="A running job whose node vanished is taken over by another after this.",
    )
    node_name: str = Field(
        "", description="Name of this node in logs and metrics (default: host:pid)."
    )
    mail_url: str = Field(
        "",
        description="smtp://user:pass@host:587 (STARTTLS; ?starttls=0 to turn off), "
        "smtps://user:pass@host:465 or console:// (log only). Unset: console in demo mode, "
        "else actions that send mail answer 503.",
    )
    mail_from: str = Field(
        "edtech <no-reply@localhost>", description="The From of every message sent."
    )
    public_url: str = Field(
        "http://127.0.0.1:8000",
        description="Where people reach this deployment; links in mail start with it.",
    )
    invitation_ttl_seconds: int = Field(
        7 * 24 * 3600, ge=60, description="How long an invitation or setup link stays valid."
    )
    password_reset_ttl_seconds: int = Field(
        3600, ge=60, description="How long a password-reset link stays valid."
    )
    bootstrap_token: str = Field(
        "",
        description="A bearer token that acts as a platform operator on /api/v1/institutions "
        "(automation); unset: only operator logins may.",
    )
    sso_allow_insecure_issuers: bool = Field(
        False,
        description="Let institution admins configure an http:// OpenID issuer on a loopback "
        "address (tests, a provider on this machine); otherwise issuers must be https.",
    )
    payments_provider: Literal["none", "fake", "stripe"] | None = Field(
        None,
        description="Card payments: none, fake (demo mode only) or stripe; "
        "unset means fake in demo mode and none otherwise.",
    )
    stripe_secret_key: str = Field("", description="Stripe secret API key (sk_live_… / sk_test_…).")
    stripe_webhook_secret: str = Field(
        "", description="Signing secret of the Stripe webhook endpoint (whsec_…)."
    )
    stripe_api_base: str = Field(
        "https://api.stripe.com", description="Stripe API address (tests point it at loopback)."
    )
    payments_success_url: str = Field(
        "", description="Where the provider sends a payer after paying (required with stripe)."
    )
    payments_cancel_url: str = Field(
        "", description="Where the provider sends a payer who gives up (required with stripe)."
    )
    storage_url: str = Field(
        "",
        description="Where files live: file:///directory (this node's disk) or "
        "s3://bucket?region=…&endpoint=…&path_style=1 (any S3-compatible store). Unset: "
        "./edtech-files in demo mode, else file routes answer 503.",
    )
    s3_access_key_id: str = Field(
        "", description="S3 access key (unset: boto3's chain — environment, instance role)."
    )
    s3_secret_access_key: str = Field("", description="S3 secret key, with the access key.")
    files_max_bytes: int = Field(
        1_572_864,
        ge=1,
        description="Largest file accepted by an upload (413 above); keep it under "
        "EDTECH_MAX_BODY_BYTES, which bounds every request body.",
    )
    files_quota_bytes: int = Field(
        1_073_741_824, ge=0, description="Bytes of files one institution may keep in total."
    )
    files_url_ttl_seconds: int = Field(
        300, ge=10, le=3600, description="Lifetime of a presigned download URL (S3)."
    )
    files_upload_ttl_seconds: int = Field(
        900,
        ge=10,
        le=86400,
        description="Lifetime of a direct-upload slot and its URL: the bytes must be sent "
        "and the upload confirmed before it ends.",
    )
    clamd_url: str = Field(
        "",
        description="ClamAV daemon that scans every upload: tcp://host:3310 or "
        "unix:///run/clamav/clamd.ctl. Unset: uploads are not scanned; set but down: 503.",
    )
    # The hub's knobs keep their flat names (`EDTECH_WS_SEND_QUEUE_BYTES`, …): they are read
    # from the same environment and `.env` when the settings are built, not by the hub.
    realtime: RealtimeSettings = Field(
        default_factory=RealtimeSettings, description="The realtime hub's limits and intervals."
    )
    notifications: NotificationSettings = Field(
        default_factory=NotificationSettings,
        description="Push and SMS providers and the escalation ladder's delays.",
    )
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Browser origins (scheme://host[:port], comma-separated) allowed besides the "
        "node's own: CORS on the REST API and the `Origin` check of websocket handshakes; `*` "
        "allows any. Default: none (same-origin only).",
    )

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [o.strip() for o in value.split(",") if o.strip()]
        return value

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Self:
        if self.secret_key == DEFAULT_SECRET and not self.demo:
            raise ValueError(
                "EDTECH_SECRET_KEY is the built-in default: set a secret of your own "
                "(or run in demo mode with EDTECH_DEMO=1 / --demo)"
            )
        if len(self.secret_key.encode()) < 32:  # HS256 wants a key of at least 256 bits
            raise ValueError("EDTECH_SECRET_KEY must be at least 32 characters")
        if self.bootstrap_token and len(self.bootstrap_token) < 32:  # it is a root credential
            raise ValueError("EDTECH_BOOTSTRAP_TOKEN must be at least 32 characters")
        return self

    @model_validator(mode="after")
    def _refuse_half_configured_payments(self) -> Self:
        # The fake provider "collects" whatever a signed webhook says: never on a real node.
        if self.payments_provider == "fake" and not self.demo:
            raise ValueError(
                "EDTECH_PAYMENTS_PROVIDER=fake takes no real money: it is for demo mode only"
            )
        if self.payments_provider == "stripe":
            missing = [
                f"EDTECH_{name.upper()}"
                for name in (
                    "stripe_secret_key",
                    "stripe_webhook_secret",
                    "payments_success_url",
                    "payments_cancel_url",
                )
                if not getattr(self, name)
            ]
            if missing:
                raise ValueError(f"EDTECH_PAYMENTS_PROVIDER=stripe needs {', '.join(missing)}")
        return self
