"""`GroupPosts` queues what arrives during a transaction and gives each post its own answer;
the statements are the integration tests' (`tests/integration/communication`)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from edtech.communication.application.group_posts import GroupPosts
from edtech.communication.application.post_message import Posted, PostMessage
from edtech.communication.application.post_messages import PostIn, PostMessages
from edtech.communication.domain import Attachment, Message
from edtech.communication.infrastructure import SqlAlchemyConversations
from edtech.kernel.errors import ForbiddenError
from edtech.kernel.principal import Principal


def posted(client_id: str) -> Posted:
    return cast(Posted, ("posted", client_id))  # the queue never looks inside an answer


def post(client_id: str) -> PostIn:
    return PostIn(cast(Principal, None), uuid.UUID(int=1), client_id, "hi")


class Recorder:
    """Stands in for both use cases: records each transaction's posts; a post whose client id
    starts with `no` is refused; `gate` holds a transaction until it is set."""

    def __init__(self) -> None:
        self.transactions: list[list[str]] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail_commit = False

    def single(self) -> PostMessage:
        async def alone(_p: Any, _c: Any, client_id: str, *_: Any) -> Posted:
            self.transactions.append([client_id])
            await self.gate.wait()
            if client_id.startswith("no"):
                raise ForbiddenError("refused")
            return posted(client_id)

        return cast(PostMessage, alone)

    def together(self) -> PostMessages:
        async def batch(posts: Sequence[PostIn]) -> list[Posted | Exception]:
            self.transactions.append([p.client_id for p in posts])
            await self.gate.wait()
            if self.fail_commit:
                raise RuntimeError("commit failed")
            return [
                ForbiddenError("refused") if p.client_id.startswith("no") else posted(p.client_id)
                for p in posts
            ]

        return cast(PostMessages, batch)


async def test_a_lone_post_goes_alone_and_those_arriving_meanwhile_go_together() -> None:
    rec = Recorder()
    posts = GroupPosts(rec.single, rec.together)
    assert await posts.post(post("first")) == posted("first")
    rec.gate.clear()
    held = asyncio.create_task(posts.post(post("held")))
    await asyncio.sleep(0.01)  # the transaction of "held" is under way
    later = [asyncio.create_task(posts.post(post(c))) for c in ("a", "no-b", "c")]
    await asyncio.sleep(0.01)
    rec.gate.set()
    assert await held == posted("held")
    answers = await asyncio.gather(*later, return_exceptions=True)
    assert answers[0] == posted("a")
    assert isinstance(answers[1], ForbiddenError)  # refused alone
    assert answers[2] == posted("c")
    assert rec.transactions == [["first"], ["held"], ["a", "no-b", "c"]]
    assert posts.transactions == 1


async def test_a_failed_transaction_fails_each_of_its_posts() -> None:
    rec = Recorder()
    posts = GroupPosts(rec.single, rec.together)
    rec.gate.clear()
    held = asyncio.create_task(posts.post(post("held")))
    await asyncio.sleep(0.01)
    rec.fail_commit = True
    later = [asyncio.create_task(posts.post(post(c))) for c in ("a", "b")]
    await asyncio.sleep(0.01)
    rec.gate.set()
    assert await held == posted("held")
    for answer in await asyncio.gather(*later, return_exceptions=True):
        assert isinstance(answer, RuntimeError)
    assert rec.transactions == [["held"], ["a", "b"]]


async def test_a_post_cancelled_before_its_transaction_is_dropped() -> None:
    rec = Recorder()
    posts = GroupPosts(rec.single, rec.together)
    rec.gate.clear()
    held = asyncio.create_task(posts.post(post("held")))
    await asyncio.sleep(0.01)
    gone = asyncio.create_task(posts.post(post("gone")))
    kept = asyncio.create_task(posts.post(post("kept")))
    await asyncio.sleep(0.01)
    gone.cancel()
    rec.gate.set()
    assert await held == posted("held")
    assert await kept == posted("kept")
    assert rec.transactions == [["held"], ["kept"]]  # "kept" then went alone


async def test_without_grouping_each_post_is_its_own_transaction() -> None:
    rec = Recorder()
    posts = GroupPosts(rec.single, None)
    answers = await asyncio.gather(*(posts.post(post(c)) for c in ("a", "b", "c")))
    assert answers == [posted("a"), posted("b"), posted("c")]
    assert sorted(rec.transactions) == [["a"], ["b"], ["c"]]
    assert posts.transactions == 0


async def test_stop_lets_the_queued_posts_commit_then_refuses_new_ones() -> None:
    rec = Recorder()
    posts = GroupPosts(rec.single, rec.together)
    rec.gate.clear()
    waiting = [asyncio.create_task(posts.post(post(c))) for c in ("a", "b", "c")]
    await asyncio.sleep(0.01)
    stopping = asyncio.create_task(posts.stop())
    await asyncio.sleep(0.01)
    rec.gate.set()
    await stopping
    assert await asyncio.gather(*waiting) == [posted("a"), posted("b"), posted("c")]
    with pytest.raises(RuntimeError, match="stopped"):
        await posts.post(post("late"))


async def test_the_one_statement_of_plain_posts_refuses_a_message_with_files() -> None:
    # `save_posted` writes no attachments column: a message with files never goes through it
    # (a plain post has none); handed one, it refuses before it touches the session.
    with_file = Message.post(
        id=uuid.uuid4(),
        institution_id=uuid.uuid4(),
        conversation_id=uuid.uuid4(),
        seq=1,
        sender_id=uuid.uuid4(),
        client_id="c1",
        body="see attached",
        at=datetime.now(UTC),
        attachments=(Attachment(uuid.uuid4(), "a.pdf", "application/pdf", 10),),
    )
    with pytest.raises(ValueError, match="without files"):
        await SqlAlchemyConversations(cast(AsyncSession, None)).save_posted([], [with_file])
