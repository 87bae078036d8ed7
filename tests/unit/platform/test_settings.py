"""Settings refuse the built-in secret outside demo mode."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from edtech.settings import DEFAULT_SECRET, Settings


def test_default_secret_is_refused_outside_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EDTECH_SECRET_KEY", raising=False)
    monkeypatch.delenv("EDTECH_DEMO", raising=False)
    with pytest.raises(ValidationError, match="EDTECH_SECRET_KEY"):
        Settings()


def test_default_secret_is_allowed_in_demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDTECH_DEMO", "1")
    monkeypatch.delenv("EDTECH_SECRET_KEY", raising=False)
    assert Settings().secret_key == DEFAULT_SECRET


def test_short_secrets_are_refused() -> None:
    with pytest.raises(ValidationError, match="32 characters"):
        Settings(secret_key="short")


def test_environment_variables_use_the_edtech_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDTECH_SECRET_KEY", "a-long-enough-secret-value-for-hs256-keys")
    monkeypatch.setenv("EDTECH_BROKER_URL", "redis://example:6379")
    assert Settings().broker_url == "redis://example:6379"
