"""Presence: who is connected to a channel (person, roles, display name), as coalesced
join/leave diffs and a `presence` query; counts only above a cap. Scaled, each node keeps its
members in a Redis hash that expires unless the node refreshes it, so a dead node's people
disappear by themselves."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any, Protocol

from redis import asyncio as aioredis

from edtech.realtime.broker import Broker
from edtech.realtime.protocol import presence_diff_frame


class Member(Protocol):
    id: str

    @property
    def principal(self) -> Any: ...


def _member(conn: Member) -> dict[str, Any]:
    p = conn.principal
    return {
        "person_id": str(p.person_id),
        "name": p.display_name,
        "roles": sorted(str(r) for r in p.roles),
    }


class Presence:
    """This node's members per channel, their diffs, and the cluster-wide view."""

    def __init__(
        self,
        broker: Broker,
        node: str,
        redis: aioredis.Redis | None,
        cap: int,
        ttl: int,
        flush_every: float = 0.25,
    ) -> None:
        self._broker = broker
        self._node = node
        self._redis = redis
        self._cap = cap
        self._ttl = ttl
        self._flush_every = flush_every
        self._local: dict[str, dict[str, dict[str, Any]]] = {}
        self._joins: dict[str, dict[str, dict[str, Any]]] = {}
        self._leaves: dict[str, dict[str, dict[str, Any]]] = {}

    def _key(self, channel: str, node: str) -> str:
        return f"rt:p:{channel}:{node}"

    async def join(self, channel: str, conn: Member) -> None:
        member = _member(conn)
        self._local.setdefault(channel, {})[conn.id] = member
        if self._leaves.get(channel, {}).pop(conn.id, None) is None:
            self._joins.setdefault(channel, {})[conn.id] = member
        if self._redis is not None:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.hset(self._key(channel, self._node), conn.id, json.dumps(member))
                pipe.expire(self._key(channel, self._node), self._ttl)
                pipe.sadd(f"rt:pn:{channel}", self._node)
                pipe.expire(f"rt:pn:{channel}", self._ttl)
                await pipe.execute()

    async def leave(self, channel: str, conn: Member) -> None:
        members = self._local.get(channel)
        if members is None or (member := members.pop(conn.id, None)) is None:
            return
        if not members:
            del self._local[channel]
        if self._joins.get(channel, {}).pop(conn.id, None) is None:
            self._leaves.setdefault(channel, {})[conn.id] = member
        if self._redis is not None:
            # If Redis is down the entry expires with this node's heartbeat anyway.
            with contextlib.suppress(Exception):
                await self._redis.hdel(self._key(channel, self._node), conn.id)

    async def query(self, channel: str) -> dict[str, Any]:
        """Everyone in `channel` (one entry per person), or just the count above the cap."""
        members: list[dict[str, Any]] = []
        if self._redis is None:
            members = list(self._local.get(channel, {}).values())
        else:
            nodes = await self._redis.smembers(f"rt:pn:{channel}")
            for node in nodes:
                name = node.decode() if isinstance(node, bytes) else str(node)
                entries = await self._redis.hvals(self._key(channel, name))
                members.extend(json.loads(e) for e in entries)
        people = {m["person_id"]: m for m in members}
        if len(people) > self._cap:
            return {"channel": channel, "count": len(people)}
        return {"channel": channel, "count": len(people), "members": list(people.values())}

    async def run(self) -> None:
        """Publish coalesced diffs; keep this node's entries alive."""
        beat = 0.0
        while True:
            await asyncio.sleep(self._flush_every)
            joins, leaves, self._joins, self._leaves = self._joins, self._leaves, {}, {}
            for channel in set(joins) | set(leaves):
                j = list(joins.get(channel, {}).values())
                left = list(leaves.get(channel, {}).values())
                if j or left:
                    frame = presence_diff_frame(channel, j, left)
                    await self._broker.publish(channel, "p" + frame)
            beat += self._flush_every
            if self._redis is not None and beat >= self._ttl / 3:
                beat = 0.0
                async with self._redis.pipeline(transaction=False) as pipe:
                    for channel in self._local:
                        pipe.expire(self._key(channel, self._node), self._ttl)
                        pipe.expire(f"rt:pn:{channel}", self._ttl)
                    await pipe.execute()
