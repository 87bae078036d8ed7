"""The node's roster-profile cache for the websocket `send` path: fresh for a few seconds only."""

from __future__ import annotations

import uuid
from datetime import date

from edtech.communication.domain import Profile
from edtech.communication.infrastructure import ProfileCache

DAY = date(2026, 11, 26)


class Ticks:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def profile(name: str) -> Profile:
    return Profile(
        person_id=uuid.uuid4(),
        display_name=name,
        roles=frozenset(),
        staffed_sections=frozenset(),
        enrolled_sections=frozenset(),
        children=(),
    )


def key() -> tuple[uuid.UUID, uuid.UUID, date]:
    return (uuid.uuid4(), uuid.uuid4(), DAY)


def test_a_profile_is_answered_from_the_cache_until_its_ttl_runs_out() -> None:
    ticks = Ticks()
    cache = ProfileCache(ttl=3.0, now=ticks)
    k, p = key(), profile("Ann")
    assert cache.get(k) == (False, None)
    cache.put(k, p)
    ticks.t += 2.9
    assert cache.get(k) == (True, p)
    ticks.t += 0.2
    assert cache.get(k) == (False, None)


def test_someone_unknown_is_remembered_as_unknown() -> None:
    cache = ProfileCache(now=Ticks())
    k = key()
    cache.put(k, None)
    assert cache.get(k) == (True, None)


def test_the_cache_never_grows_past_its_size() -> None:
    ticks = Ticks()
    cache = ProfileCache(ttl=60, size=3, now=ticks)
    keys = [key() for _ in range(10)]
    for k in keys:
        cache.put(k, profile("x"))
    assert sum(cache.get(k)[0] for k in keys) <= 3
    assert cache.get(keys[-1])[0] is True
