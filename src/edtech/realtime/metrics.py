"""Prometheus metrics of the hub, on the app's own registry."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class RealtimeMetrics:
    """Connections, subscriptions, events, lag, slow consumers, recoveries, broker reconnects."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.connections = Gauge(
            "edtech_ws_connections", "Open authenticated websockets", registry=registry
        )
        self.subscriptions = Gauge(
            "edtech_ws_subscriptions", "Channel subscriptions of open sockets", registry=registry
        )
        self.node_channels = Gauge(
            "edtech_ws_node_channels", "Channels this node is subscribed to", registry=registry
        )
        self.published = Counter(
            "edtech_events_published", "Events published to the broker", registry=registry
        )
        self.delivered = Counter(
            "edtech_events_delivered", "Event frames queued to sockets", registry=registry
        )
        self.lag = Histogram(
            "edtech_event_delivery_lag_seconds",
            "From publish to queued on this node's sockets",
            registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.slow_consumers = Counter(
            "edtech_ws_slow_consumer_closes",
            "Sockets closed for a full send queue",
            registry=registry,
        )
        self.closes = Counter(
            "edtech_ws_closes", "Sockets closed by the server", ["code"], registry=registry
        )
        self.recoveries = Counter(
            "edtech_ws_recoveries",
            "Subscribe with `since`, by outcome",
            ["kind"],
            registry=registry,
        )
        self.broker_reconnects = Counter(
            "edtech_broker_reconnects", "Broker reconnections", registry=registry
        )
        self.relayed = Counter(
            "edtech_outbox_relayed", "Outbox rows published by the relay", registry=registry
        )
        self.gap_fills = Counter(
            "edtech_hub_gap_fills",
            "Out-of-order events filled from the database",
            registry=registry,
        )
        self.task_crashes = Counter(
            "edtech_realtime_task_crashes", "Background task crashes", ["task"], registry=registry
        )
