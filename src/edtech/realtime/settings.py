"""Knobs of the realtime hub (env prefix `EDTECH_`), kept beside the hub that reads them.

The app's `Settings.realtime` holds them: they are read from the environment (and `.env`) when
the node's settings are built, under their flat names (`EDTECH_WS_SEND_QUEUE_BYTES`, …); the hub
itself only ever receives them."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RealtimeSettings(BaseSettings):
    """Limits, intervals and retention of the hub. Defaults suit one node and a small school."""

    model_config = SettingsConfigDict(env_prefix="EDTECH_", env_file=".env", extra="ignore")

    ws_max_frame_bytes: int = Field(64 * 1024, ge=1024, description="Largest client frame.")
    ws_send_queue_bytes: int = Field(
        1024 * 1024, ge=1024, description="Bytes queued for one socket before it is cut off."
    )
    ws_rate_per_second: float = Field(20.0, gt=0, description="Client frames per second.")
    ws_rate_burst: int = Field(60, ge=1, description="Client frames allowed in a burst.")
    ws_typing_interval_seconds: float = Field(
        1.0, ge=0, description="Minimum spacing of typing signals per socket and channel."
    )
    ws_max_subscriptions: int = Field(200, ge=1, description="Channels per socket.")
    outbox_retention_seconds: int = Field(
        7 * 24 * 3600, ge=60, description="How long published events stay recoverable."
    )
    prune_interval_seconds: float = Field(3600.0, gt=0, description="Outbox pruning period.")
    relay_interval_seconds: float = Field(1.0, gt=0, description="Relay polling period.")
    relay_grace_seconds: float = Field(
        2.0, ge=0, description="Age before the relay publishes a row its node has not."
    )
    hot_history_ttl_seconds: int = Field(
        600, ge=1, description="Hot history of an idle channel expires after this."
    )
    recovery_max_events: int = Field(
        2000, ge=1, description="Larger gaps answer recovered:false (reload over REST)."
    )
    probe_interval_seconds: float = Field(1.0, gt=0, description="Broker probe period.")
    probe_stale_seconds: float = Field(
        5.0, gt=0, description="Broker unready when no probe came back for this long."
    )
    presence_cap: int = Field(200, ge=1, description="Above this, presence reports counts only.")
    presence_ttl_seconds: int = Field(30, ge=3, description="Presence of a dead node expires.")
    drain_batch: int = Field(200, ge=1, description="Sockets closed per batch on drain.")
    drain_pause_seconds: float = Field(0.05, ge=0, description="Pause between drain batches.")
