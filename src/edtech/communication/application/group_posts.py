"""Group commit for chat messages: concurrent posts of a node share a transaction (ADR-0018)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from edtech.communication.application.post_message import Posted, PostMessage
from edtech.communication.application.post_messages import PostIn, PostMessages, TokenPostIn
from edtech.platform.coalesce import Coalescer

POSTS_PER_TRANSACTION = 32
"""Posts per transaction at most: bounds how long the batch holds its conversations' locks."""


class GroupPosts:
    """Post chat messages, those that arrive together in one transaction.

    A message costs a node about as much in the transaction around it (BEGIN, planning its
    notification, its outbox row, COMMIT, the publish) as in its own statements. A post that
    finds no transaction under way starts one at once with `single` (`PostMessage`, exactly as
    alone): a lone message waits for nothing. Posts that arrive meanwhile queue; the next
    transaction takes them all (up to `limit`) through `together` (`PostMessages`: each
    refused or replayed alone — a plain post judged before it writes, any other in a savepoint
    — and one planning and one outbox write for all).

    What each caller can rely on: its answer is its own post's (the message, a replay, or the
    refusal raised); it returns once the message committed. Posts of one transaction share only
    its commit: if that fails, each of them gets the error and none was stored. A caller
    cancelled before its transaction began is dropped unposted; cancelled later, its message
    commits all the same. Without `together` (SQLite: Python's sqlite3 has no usable
    savepoint before a write), every post is a transaction of its own and nothing queues.
    `stop()` lets the queued posts commit for at most the platform `Coalescer`'s `STOP_WITHIN`
    seconds, then cancels them.

    A post sent with an access token (`TokenPostIn`, PostgreSQL only: `grouped`) goes through
    `together` even alone: its sign-in is read in its transaction (ADR-0022), not in one of
    its own.
    """

    def __init__(
        self,
        single: Callable[[], PostMessage],
        together: Callable[[], PostMessages] | None,
        limit: int = POSTS_PER_TRANSACTION,
    ) -> None:
        self._single = single
        self._together = together
        self._queue: Coalescer[PostIn | TokenPostIn, Posted] = Coalescer(
            self._post, limit=limit, name="communication.group-posts"
        )

    @property
    def transactions(self) -> int:
        """Transactions that posted a batch of two or more (what the grouping saved)."""
        return self._queue.runs

    @property
    def grouped(self) -> bool:
        """Whether posts share transactions (and a `TokenPostIn` is taken)."""
        return self._together is not None

    async def post(self, post: PostIn | TokenPostIn) -> Posted:
        """Post one message, in a transaction shared with concurrent posts; raises what
        refused it."""
        if self._together is None:
            if self._queue.stopped:
                raise RuntimeError("communication.group-posts has stopped")
            if not isinstance(post, PostIn):
                raise TypeError("posts with an access token are grouped only (PostgreSQL)")
            return await self._alone(post)
        return await self._queue.submit(post)

    async def stop(self) -> None:
        await self._queue.stop()

    async def _alone(self, post: PostIn) -> Posted:
        return await self._single()(
            post.principal, post.conversation_id, post.client_id, post.body, post.attachment_ids
        )

    async def _post(self, batch: Sequence[PostIn | TokenPostIn]) -> list[Posted | Exception]:
        if len(batch) == 1 and isinstance(batch[0], PostIn):  # alone: no savepoint needed
            return [await self._alone(batch[0])]
        assert self._together is not None
        return await self._together()(batch)
