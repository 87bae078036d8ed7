"""A node's cache of checked device keys: trusted for a few seconds, forgotten on revocation."""

from __future__ import annotations

import uuid

from edtech.identity.application.device_keys import DeviceKeys
from edtech.kernel.principal import DevicePrincipal


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def device(name: str = "door") -> DevicePrincipal:
    return DevicePrincipal(
        device_id=uuid.uuid4(), institution_id=uuid.uuid4(), school_id=uuid.uuid4(), name=name
    )


def test_a_key_is_trusted_until_its_time_is_up() -> None:
    ticks = Ticks()
    keys = DeviceKeys(ttl=5, now=ticks)
    door = device()
    keys.put("h1", door)
    ticks.now += 4.9
    assert keys.get("h1") == door
    ticks.now += 0.2
    assert keys.get("h1") is None
    assert keys.get("never-seen") is None


def test_forgetting_a_device_drops_every_key_of_it_and_only_those() -> None:
    keys = DeviceKeys(ttl=5, now=Ticks())
    door, gate = device("door"), device("gate")
    keys.put("h1", door)
    keys.put("h2", door)
    keys.put("h3", gate)
    keys.forget(door.device_id)
    assert (keys.get("h1"), keys.get("h2"), keys.get("h3")) == (None, None, gate)


def test_the_oldest_entries_go_first_when_full() -> None:
    keys = DeviceKeys(ttl=5, capacity=2, now=Ticks())
    a, b, c = device("a"), device("b"), device("c")
    keys.put("a", a)
    keys.put("b", b)
    keys.put("a", a)  # refreshed: now the newest
    keys.put("c", c)
    assert (keys.get("a"), keys.get("b"), keys.get("c")) == (a, None, c)
