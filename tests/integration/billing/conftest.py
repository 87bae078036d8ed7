"""Billing fixtures on top of the shared roster fixtures (`demo`); helpers in `helpers.py`."""

from __future__ import annotations

import pytest

from edtech.demo import DemoSummary


@pytest.fixture
def school(demo: DemoSummary) -> DemoSummary:
    """The small demo school (USD): student5 and student6 are siblings (guardian5's)."""
    return demo
