"""A node's cache of device keys it checked lately (a component: one per node)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from edtech.kernel.principal import DevicePrincipal

DEVICE_KEY_CACHE_SECONDS = 5.0
"""How long a node trusts a device key it checked: a key revoked on another node is refused
there within this time (on the node that revoked it, at once)."""


class DeviceKeys:
    """A node's device keys checked in the last `ttl` seconds, by key hash.

    A scanner posts a request per tap; without this each one would begin with a database round
    trip for the same answer. Only keys that were valid are kept; `forget` drops a revoked
    device at once. At most `capacity` entries (the oldest go first).
    """

    def __init__(
        self,
        ttl: float = DEVICE_KEY_CACHE_SECONDS,
        capacity: int = 10_000,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl, self._capacity, self._now = ttl, capacity, now
        self._entries: dict[str, tuple[float, DevicePrincipal]] = {}

    def get(self, key_hash: str) -> DevicePrincipal | None:
        entry = self._entries.get(key_hash)
        if entry is None:
            return None
        if entry[0] <= self._now():
            del self._entries[key_hash]
            return None
        return entry[1]

    def put(self, key_hash: str, device: DevicePrincipal) -> None:
        self._entries.pop(key_hash, None)
        while len(self._entries) >= self._capacity:
            del self._entries[next(iter(self._entries))]
        self._entries[key_hash] = (self._now() + self._ttl, device)

    def forget_institution(self, institution_id: uuid.UUID) -> None:
        """Drop every key of a suspended institution (other nodes: within `ttl`)."""
        for key_hash, (_, device) in list(self._entries.items()):
            if device.institution_id == institution_id:
                del self._entries[key_hash]

    def forget(self, device_id: uuid.UUID) -> None:
        for key_hash, (_, device) in list(self._entries.items()):
            if device.device_id == device_id:
                del self._entries[key_hash]
