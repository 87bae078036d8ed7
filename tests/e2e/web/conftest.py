"""The browser tests' fixtures: one local topology (two nodes behind Caddy, PostgreSQL, Redis)
with the demo school's attendance, gradebook and conversation, and one headless chromium, both
for the whole module (a topology starts in seconds, not per test)."""

from tests.e2e.web.fixtures import browser, web_school, web_topology

__all__ = ["browser", "web_school", "web_topology"]
