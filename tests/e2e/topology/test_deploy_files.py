"""The deployment files agree with the code and with each other: every setting is documented,
compose runs what the Caddyfile proxies to, the image is small and unprivileged, and the
generated local Caddyfile is one Caddy accepts."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from edtech.notifications.settings import NotificationSettings
from edtech.realtime.settings import RealtimeSettings
from edtech.settings import Settings
from edtech.topology.caddyfile import render_local_caddyfile
from edtech.topology.graceful import LifecycleSettings
from tests.services import caddy_binary

ROOT = Path(__file__).resolve().parents[3]
SETTINGS = [Settings, RealtimeSettings, NotificationSettings, LifecycleSettings]


def env_names() -> list[str]:
    """Every variable a node reads (a nested group, such as `Settings.realtime` or
    `Settings.notifications`, is read under its own fields' names, which its class lists)."""
    return [
        f"EDTECH_{name.upper()}"
        for cls in SETTINGS
        for name, field in cls.model_fields.items()
        if field.annotation not in SETTINGS
    ]


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


@pytest.mark.parametrize("document", ["docs/deploy.md", ".env.example"])
def test_every_setting_is_documented(document: str) -> None:
    text = (ROOT / document).read_text()
    missing = [name for name in env_names() if not re.search(rf"\b{name}\b", text)]
    assert missing == [], f"{document} does not mention {missing}"


def test_compose_runs_migrations_once_then_identical_nodes_behind_caddy() -> None:
    services = compose()["services"]
    nodes = {name: s for name, s in services.items() if re.fullmatch(r"app\d+", name)}
    assert {"postgres", "redis", "migrate", "caddy"} <= set(services)
    assert len(nodes) >= 2
    for service in ("postgres", "redis"):
        assert services[service]["healthcheck"]["test"], service
        assert any(":/" in v for v in services[service]["volumes"]), service
    assert services["migrate"]["command"] == ["edtech", "migrate"]
    assert services["migrate"]["restart"] == "no"
    for name, node in nodes.items():
        assert "--no-migrate" in node["command"], name
        assert node["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert node["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert node["depends_on"]["redis"]["condition"] == "service_healthy"
        assert node["environment"]["EDTECH_BROKER_URL"].startswith("redis://redis:")
        assert node["environment"]["EDTECH_DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert node["stop_signal"] == "SIGTERM"
        assert node["hostname"] == name
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in services["caddy"]["volumes"]


def test_caddy_proxies_to_exactly_the_compose_nodes_with_health_checks() -> None:
    caddyfile = (ROOT / "Caddyfile").read_text()
    upstreams = re.search(r"^\s*to (.+)$", caddyfile, re.MULTILINE)
    assert upstreams is not None
    nodes = sorted(n for n in compose()["services"] if re.fullmatch(r"app\d+", n))
    assert sorted(upstreams.group(1).split()) == [f"{n}:8000" for n in nodes]
    for directive in ("health_uri /readyz", "flush_interval -1", "lb_try_duration", "max_fails"):
        assert directive in caddyfile


def test_image_is_multi_stage_unprivileged_and_health_checked() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.MULTILINE)) >= 3
    assert re.search(r"^USER edtech$", dockerfile, re.MULTILINE)
    assert re.search(r"^HEALTHCHECK .*\n.*/healthz", dockerfile, re.MULTILINE)
    assert "--no-dev" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".env", "tests"} <= set(ignored)


def test_local_caddyfile_is_valid_for_caddy(tmp_path: Path) -> None:
    caddy = caddy_binary()
    path = tmp_path / "Caddyfile"
    path.write_text(
        render_local_caddyfile(
            host="127.0.0.1",
            port=18080,
            upstreams=["127.0.0.1:18081", "127.0.0.1:18082"],
            admin="127.0.0.1:18083",
        )
    )
    result = subprocess.run(
        [caddy, "validate", "--config", str(path), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict.fromkeys(("XDG_CONFIG_HOME", "XDG_DATA_HOME", "HOME"), str(tmp_path)),
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_local_caddyfile_needs_an_upstream() -> None:
    with pytest.raises(ValueError, match="upstream"):
        render_local_caddyfile(host="127.0.0.1", port=1, upstreams=[])


def test_compose_runs_a_job_worker_after_migrations_without_an_http_probe() -> None:
    worker = compose()["services"]["worker"]
    assert worker["command"] == ["edtech", "worker", "--no-migrate"]
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert worker["environment"]["EDTECH_DATABASE_URL"].startswith("postgresql+asyncpg://")
    assert worker["healthcheck"] == {"disable": True}
    assert worker["stop_signal"] == "SIGTERM"
