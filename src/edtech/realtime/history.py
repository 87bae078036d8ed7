"""Hot history: the last events of each channel, appended and fanned out in one step.

Scaled, a Redis Stream per channel (exact MAXLEN, expiring when idle) written by a Lua script
that also PUBLISHes, so an event is in the history before any node can deliver it. Embedded,
a bounded deque per channel in memory. Offsets come from the database, never from here, so
losing this history loses no offsets: recovery then falls back to the database (durable
channels) or answers `recovered: false` (ephemeral ones).
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Protocol

from redis import asyncio as aioredis
from redis.exceptions import NoScriptError

from edtech.realtime.broker import Broker, broker_channel
from edtech.realtime.outbox import OutboxRow

_APPEND_AND_PUBLISH = """
local ttl, sent = ARGV[1], ARGV[2]
for i, key in ipairs(KEYS) do
  local at = 2 + (i - 1) * 4
  local offset, frame = ARGV[at + 2], ARGV[at + 3]
  redis.call('XADD', key, 'MAXLEN', ARGV[at + 1], '*', 'o', offset, 'f', frame)
  redis.call('EXPIRE', key, ttl)
  redis.call('PUBLISH', ARGV[at + 4], 'e' .. offset .. '|' .. sent .. '|' .. frame)
end
return #KEYS
"""
"""Appends each row (KEYS: the rows' histories; ARGV: the TTL, the publish time in ms, then per
row its history's size, offset, frame and broker channel) and publishes it as `event_message`
words it: each frame is sent to Redis once."""

ROWS_PER_CALL = 128
"""Rows one script call appends at most: a script runs alone on Redis, so a large batch (an
announcement's thousands of inbox rows) is several calls in the one round trip, with other
clients served between them."""


def event_message(offset: int, frame: str) -> str:
    """What travels on the broker: `e<offset>|<publish time ms>|<frame>` (parsed cheaply)."""
    return f"e{offset}|{int(time.time() * 1000)}|{frame}"


def history_key(channel: str) -> str:
    return f"rt:h:{channel}"


class HotHistory(Protocol):
    async def publish(self, rows: Sequence[OutboxRow], sizes: Mapping[str, int]) -> None:
        """Append `rows` to their channels' histories and fan them out, in order."""

    async def read(self, channel: str, after: int) -> dict[int, str]:
        """Frames of `channel` after offset `after` still held, by offset."""


class MemoryHistory:
    """Embedded mode: a bounded deque per channel; fan-out through the in-process broker."""

    def __init__(self, broker: Broker) -> None:
        self._broker = broker
        self._history: dict[str, deque[tuple[int, str]]] = {}

    async def publish(self, rows: Sequence[OutboxRow], sizes: Mapping[str, int]) -> None:
        for row in rows:
            frame = row.frame()
            history = self._history.get(row.channel)
            if history is None:
                history = self._history[row.channel] = deque(maxlen=sizes[row.channel])
            history.append((row.offset, frame))
            await self._broker.publish(row.channel, event_message(row.offset, frame))

    async def read(self, channel: str, after: int) -> dict[int, str]:
        return {o: f for o, f in self._history.get(channel, ()) if o > after}


class RedisHistory:
    """Scaled mode: a Redis Stream per channel; XADD and PUBLISH in one script.

    A batch is one pipeline of EVALSHA calls, each appending and publishing up to
    `ROWS_PER_CALL` rows: one round trip, each frame sent once. (redis-py's `Script` objects
    would first ask `SCRIPT EXISTS` on every pipeline, a second round trip per batch.) A Redis
    that does not hold the script (restarted, flushed) refuses the whole batch with NOSCRIPT,
    having run none of it; the script is then loaded and the batch sent again."""

    def __init__(self, client: aioredis.Redis, ttl_seconds: int) -> None:
        self._client = client
        self._ttl = ttl_seconds
        self._sha = hashlib.sha1(_APPEND_AND_PUBLISH.encode(), usedforsecurity=False).hexdigest()

    async def publish(self, rows: Sequence[OutboxRow], sizes: Mapping[str, int]) -> None:
        try:
            await self._send(rows, sizes)
        except NoScriptError:
            await self._client.script_load(_APPEND_AND_PUBLISH)
            await self._send(rows, sizes)

    async def _send(self, rows: Sequence[OutboxRow], sizes: Mapping[str, int]) -> None:
        sent = int(time.time() * 1000)
        async with self._client.pipeline(transaction=False) as pipe:
            for start in range(0, len(rows), ROWS_PER_CALL):
                chunk = rows[start : start + ROWS_PER_CALL]
                args: list[str | int] = [self._ttl, sent]
                for row in chunk:
                    args += (
                        sizes[row.channel],
                        row.offset,
                        row.frame(),
                        broker_channel(row.channel),
                    )
                pipe.evalsha(
                    self._sha, len(chunk), *(history_key(row.channel) for row in chunk), *args
                )
            await pipe.execute()

    async def read(self, channel: str, after: int) -> dict[int, str]:
        entries: list[tuple[bytes, dict[bytes, bytes]]] = await self._client.xrange(
            history_key(channel)
        )  # type: ignore[assignment]
        out: dict[int, str] = {}
        for _id, fields in entries:
            offset = int(fields[b"o"])
            if offset > after:
                out[offset] = fields[b"f"].decode()
        return out
