"""The hub's settings are part of the node's: read with them, under their documented names."""

from __future__ import annotations

import pytest

from edtech.app import create_app
from edtech.realtime.settings import RealtimeSettings
from edtech.settings import Settings

SECRET = "a-test-secret-that-is-long-enough-for-hs256"


def test_the_hub_settings_keep_their_flat_environment_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EDTECH_WS_RATE_BURST", "7")
    monkeypatch.setenv("EDTECH_DRAIN_BATCH", "11")
    settings = Settings(secret_key=SECRET)
    assert settings.realtime.ws_rate_burst == 7
    assert settings.realtime.drain_batch == 11


def test_the_node_is_built_from_its_settings_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    given = Settings(
        secret_key=SECRET,
        database_url="sqlite+aiosqlite:///:memory:",
        realtime=RealtimeSettings(ws_rate_burst=3),
    )
    monkeypatch.setenv("EDTECH_WS_RATE_BURST", "9")  # too late: the settings are built
    app = create_app(given)
    assert app.state.realtime.settings.ws_rate_burst == 3
    assert app.state.realtime.sockets.settings.ws_rate_burst == 3
