"""Group commit for chat messages: concurrent posts of a node share a transaction (ADR-0018)."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from edtech.communication.application.post_message import Posted, PostMessage
from edtech.communication.application.post_messages import PostIn, PostMessages

POSTS_PER_TRANSACTION = 32
"""Posts per transaction at most: bounds how long the batch holds its conversations' locks."""

STOP_WITHIN = 5.0
"""Seconds `stop()` waits for the queued posts to commit before cancelling them."""


@dataclass(frozen=True, slots=True)
class _Waiting:
    post: PostIn
    result: asyncio.Future[Posted]


class GroupPosts:
    """Post chat messages, those that arrive together in one transaction.

    A message costs a node about as much in the transaction around it (BEGIN, planning its
    notification, its outbox row, COMMIT, the publish) as in its own statements. A post that
    finds no transaction under way starts one at once with `single` (`PostMessage`, exactly as
    alone): a lone message waits for nothing. Posts that arrive meanwhile queue; the next
    transaction takes them all (up to `limit`) through `together` (`PostMessages`: a savepoint
    each, so each is refused or replayed alone, and one planning and one outbox write for all).

    What each caller can rely on: its answer is its own post's (the message, a replay, or the
    refusal raised); it returns once the message committed. Posts of one transaction share only
    its commit: if that fails, each of them gets the error and none was stored. A caller
    cancelled before its transaction began is dropped unposted; cancelled later, its message
    commits all the same. Without `together` (SQLite: Python's sqlite3 has no usable
    savepoint before a write), every post is a transaction of its own and nothing queues.
    `stop()` lets the queued posts commit for at most `STOP_WITHIN` seconds, then cancels them.
    """

    def __init__(
        self,
        single: Callable[[], PostMessage],
        together: Callable[[], PostMessages] | None,
        limit: int = POSTS_PER_TRANSACTION,
    ) -> None:
        self._single = single
        self._together = together
        self._limit = limit
        self._queue: deque[_Waiting] = deque()
        self._drain: asyncio.Task[None] | None = None
        self._stopped = False
        self.transactions = 0
        """Transactions that posted a batch of two or more (what the grouping saved)."""

    async def post(self, post: PostIn) -> Posted:
        """Post one message, in a transaction shared with concurrent posts; raises what
        refused it."""
        if self._stopped:
            raise RuntimeError("the chat posts' group commit has stopped")
        if self._together is None:
            return await self._alone(post)
        result: asyncio.Future[Posted] = asyncio.get_running_loop().create_future()
        self._queue.append(_Waiting(post, result))
        if self._drain is None:
            self._drain = asyncio.create_task(self._run(), name="communication.group-posts")
        return await result

    async def stop(self) -> None:
        self._stopped = True
        if self._drain is None:
            return
        drain = self._drain
        _, pending = await asyncio.wait([drain], timeout=STOP_WITHIN)
        if pending:
            drain.cancel()
            await asyncio.gather(drain, return_exceptions=True)

    async def _alone(self, post: PostIn) -> Posted:
        return await self._single()(
            post.principal, post.conversation_id, post.client_id, post.body, post.attachment_ids
        )

    def _next_batch(self) -> list[_Waiting]:
        queue = self._queue
        batch = [queue.popleft() for _ in range(min(self._limit, len(queue)))]
        return [w for w in batch if not w.result.done()]  # a cancelled caller is dropped

    async def _run(self) -> None:
        batch: list[_Waiting] = []
        try:
            while self._queue:
                if not (batch := self._next_batch()):
                    continue
                await self._post(batch)
                batch = []
        finally:
            # Cancelled (the node stops): nobody may wait for ever. In the same step as the
            # empty queue was seen: a post arriving next starts a drain.
            for waiting in [*batch, *self._queue]:
                if not waiting.result.done():
                    waiting.result.cancel()
            self._queue.clear()
            self._drain = None

    async def _post(self, batch: list[_Waiting]) -> None:
        outcomes: list[Posted | Exception]
        try:
            if len(batch) == 1:  # alone: no savepoint needed
                outcomes = [await self._alone(batch[0].post)]
            else:
                assert self._together is not None
                outcomes = await self._together()([w.post for w in batch])
                self.transactions += 1
        except Exception as exc:  # each post of the transaction gets its error
            outcomes = [exc] * len(batch)
        for waiting, outcome in zip(batch, outcomes, strict=True):
            if waiting.result.done():
                continue
            if isinstance(outcome, Exception):
                waiting.result.set_exception(outcome)
            else:
                waiting.result.set_result(outcome)
