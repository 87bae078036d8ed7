"""The scoring port: another `Scorer` component in the rule-based one's place scores the
feature table (a model plugs in this way)."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from fastapi import FastAPI

from edtech.app import create_app
from edtech.insights.domain import Level
from edtech.insights.domain.features import (
    FEATURE_VERSION,
    NO_GRADES,
    GradeFeatures,
    Score,
    Scorer,
    StudentFeatures,
)
from edtech.insights.slice import SLICE as INSIGHTS
from edtech.kernel.clock import FixedClock
from edtech.settings import Settings
from edtech.slices import SLICES
from tests.integration.attendance.helpers import School
from tests.integration.insights.helpers import four_days_and_an_absence
from tests.roster import login


class EveryoneAtRisk(Scorer):
    """A stand-in for a model plugged into the scoring port."""

    name = "everyone"
    version = FEATURE_VERSION

    def score(self, features: StudentFeatures, grades: GradeFeatures = NO_GRADES) -> Score:
        return Score(Level.ALERT, 1.0, ("model says so",))


@pytest.fixture
def app(settings: Settings, clock: FixedClock) -> FastAPI:
    """The attendance tests' node, with another scorer in the insights slice's place."""
    long_tokens = settings.model_copy(update={"access_token_ttl_seconds": 2 * 24 * 3600})
    plugged = dataclasses.replace(INSIGHTS, components=[lambda services: EveryoneAtRisk()])
    slices = [plugged if part is INSIGHTS else part for part in SLICES]
    return create_app(long_tokens, clock=clock, slices=slices)


async def test_a_scorer_plugged_into_the_port_scores_the_table(
    client: httpx.AsyncClient, school: School, app: FastAPI
) -> None:
    await four_days_and_an_absence(client, school, app)
    admin = await login(client, "admin@demo.test")
    r = await client.get(
        f"/api/v1/insights/features/schools/{school.demo.school_ids[0]}", headers=admin
    )
    assert r.status_code == 200, r.text
    assert {(i["scorer"], i["score_level"]) for i in r.json()["items"]} == {
        (f"everyone@{FEATURE_VERSION}", "alert")
    }
