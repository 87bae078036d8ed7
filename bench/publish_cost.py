"""What publishing a committed batch to Redis costs the node, per row: the hot history's one
script call per row (each row's frame sent twice, in the stream entry and in the published
message) against the script that takes a batch's rows in one call and builds the published
message in Redis (`RedisHistory`), on uvloop as `edtech serve` runs.

    uv run python -m bench.publish_cost [--batches 1000] [--rows 15]

A Redis of its own (started here, as the other benches do). Batches of `--rows` chat-sized rows
over three channels per message (a conversation's and two inboxes', as a chat message
writes), each path in turn after a warm-up, five rounds; prints the process CPU and wall
time per row, medians of the rounds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime

import uvloop
from redis import asyncio as aioredis

from bench.common import machine, start_redis
from edtech.realtime.broker import broker_channel
from edtech.realtime.history import RedisHistory, event_message, history_key
from edtech.realtime.outbox import OutboxRow

ROUNDS = 5

PER_ROW_SCRIPT = """
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], '*', 'o', ARGV[3], 'f', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return redis.call('PUBLISH', ARGV[5], ARGV[6])
"""
"""The hot history's script before the batch script: one call per row."""


class PerRowHistory:
    """The earlier `RedisHistory._send`: a pipeline of one EVALSHA per row."""

    def __init__(self, client: aioredis.Redis, ttl_seconds: int, sha: str) -> None:
        self._client = client
        self._ttl = ttl_seconds
        self._sha = sha

    async def publish(self, rows: Sequence[OutboxRow], sizes: Mapping[str, int]) -> None:
        async with self._client.pipeline(transaction=False) as pipe:
            for row in rows:
                frame = row.frame()
                pipe.evalsha(
                    self._sha,
                    1,
                    history_key(row.channel),
                    sizes[row.channel],
                    self._ttl,
                    row.offset,
                    frame,
                    broker_channel(row.channel),
                    event_message(row.offset, frame),
                )
            await pipe.execute()


def batch_maker(rows: int) -> Callable[[], list[OutboxRow]]:
    """A maker of batches of `rows` chat-sized rows, each on its channel's next offset."""
    at = datetime.now(UTC)
    data = {
        "message": {
            "id": "0192f3a4-1111-7222-8333-944445555666",
            "conversation_id": "0192f3a4-1111-7222-8333-944445555000",
            "sender_id": "0192f3a4-1111-7222-8333-944445555667",
            "seq": 12,
            "client_id": "c-0192f3a4",
            "body": "Thank you, we will bring the signed form tomorrow morning.",
            "created_at": at.isoformat(),
        }
    }
    offsets: dict[str, int] = {}

    def make() -> list[OutboxRow]:
        out: list[OutboxRow] = []
        for n in range(rows):
            message = n // 3
            channel = ("chat.conversation.c", "inbox.guardian.g", "inbox.teacher.t")[n % 3]
            channel += str(message)
            offset = offsets[channel] = offsets.get(channel, 0) + 1
            out.append(OutboxRow(offset, channel, offset, "chat.message_posted", data, at))
        return out

    return make


async def per_row_cost(
    batches: int, rows: int, publish: Callable[[list[OutboxRow]], Awaitable[None]]
) -> tuple[float, float]:
    """CPU and wall µs per row published, after a warm-up."""
    make = batch_maker(rows)
    for _ in range(100):
        await publish(make())
    work = [make() for _ in range(batches)]
    cpu, wall = time.process_time(), time.perf_counter()
    for batch in work:
        await publish(batch)
    done = batches * rows
    return 1e6 * (time.process_time() - cpu) / done, 1e6 * (time.perf_counter() - wall) / done


async def main(batches: int, rows: int) -> None:
    server, url = start_redis()
    client = aioredis.Redis.from_url(url)
    try:
        sha = await client.script_load(PER_ROW_SCRIPT)
        per_row = PerRowHistory(client, 60, sha)
        batched = RedisHistory(client, 60)

        async def old(batch: list[OutboxRow]) -> None:
            await per_row.publish(batch, {r.channel: 100 for r in batch})

        async def new(batch: list[OutboxRow]) -> None:
            await batched.publish(batch, {r.channel: 100 for r in batch})

        results: dict[str, list[tuple[float, float]]] = {"old": [], "new": []}
        for _ in range(ROUNDS):
            results["old"].append(await per_row_cost(batches, rows, old))
            results["new"].append(await per_row_cost(batches, rows, new))
    finally:
        await client.aclose()
        server.terminate()
        server.wait()
    print(machine())
    print(f"{batches} batches of {rows} rows a round, medians of {ROUNDS} rounds, uvloop")
    print("| hot history publish | CPU per row | wall per row |")
    print("|---|---|---|")
    for name, label in (("old", "a script call per row"), ("new", "a script call per batch")):
        cpu = statistics.median(r[0] for r in results[name])
        wall = statistics.median(r[1] for r in results[name])
        print(f"| {label} | {cpu:.1f} µs | {wall:.1f} µs |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=15)
    args = parser.parse_args()
    uvloop.run(main(args.batches, args.rows))
