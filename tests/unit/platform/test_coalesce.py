"""`Coalescer`: items submitted during a run go together into the next, up to its limit, and
each caller gets its own item's outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from edtech.platform.coalesce import Coalescer


class Runs:
    """Records each run's items; an odd item is refused alone; a run with an item of `fail`
    raises as a whole; `gate` holds a run."""

    def __init__(self) -> None:
        self.runs: list[list[int]] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail: set[int] = set()

    async def __call__(self, items: Sequence[int]) -> list[int | Exception]:
        self.runs.append(list(items))
        await self.gate.wait()
        if self.fail & set(items):
            raise RuntimeError("the run failed")
        return [ValueError(i) if i % 2 else i * 10 for i in items]


async def test_items_arriving_during_a_run_go_together_up_to_the_limit() -> None:
    runs = Runs()
    queue: Coalescer[int, int] = Coalescer(runs, limit=3, name="test")
    runs.gate.clear()
    first = asyncio.create_task(queue.submit(0))
    await asyncio.sleep(0.01)
    later = [asyncio.create_task(queue.submit(i)) for i in range(2, 9)]
    await asyncio.sleep(0.01)
    runs.gate.set()
    assert await first == 0
    answers = await asyncio.gather(*later, return_exceptions=True)
    assert answers[0::2] == [20, 40, 60, 80]
    assert all(isinstance(a, ValueError) for a in answers[1::2])  # refused alone
    assert runs.runs == [[0], [2, 3, 4], [5, 6, 7], [8]]
    assert queue.runs == 2


async def test_a_failed_run_fails_each_of_its_items_and_the_next_run_goes_on() -> None:
    runs = Runs()
    queue: Coalescer[int, int] = Coalescer(runs, limit=8, name="test")
    runs.fail = {4}
    runs.gate.clear()
    first = asyncio.create_task(queue.submit(0))
    await asyncio.sleep(0.01)
    later = [asyncio.create_task(queue.submit(i)) for i in (2, 4)]
    await asyncio.sleep(0.01)
    runs.gate.set()
    assert await first == 0
    for answer in await asyncio.gather(*later, return_exceptions=True):
        assert isinstance(answer, RuntimeError)
    assert await queue.submit(6) == 60
    assert runs.runs == [[0], [2, 4], [6]]


async def test_stop_runs_what_is_queued_then_refuses_new_items() -> None:
    runs = Runs()
    queue: Coalescer[int, int] = Coalescer(runs, limit=8, name="test")
    runs.gate.clear()
    waiting = [asyncio.create_task(queue.submit(i)) for i in (0, 2, 4)]
    await asyncio.sleep(0.01)
    stopping = asyncio.create_task(queue.stop())
    await asyncio.sleep(0.01)
    runs.gate.set()
    await stopping
    assert await asyncio.gather(*waiting) == [0, 20, 40]
    assert queue.stopped
    with pytest.raises(RuntimeError, match="test has stopped"):
        await queue.submit(6)
