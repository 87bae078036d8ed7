"""Use case: post several messages in one transaction (the node's group commit of chat
messages, `GroupPosts`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from edtech.communication.application.ports import (
    AttachmentClaims,
    DirectoryFactory,
    NoAttachments,
)
from edtech.communication.application.post_message import Posted, post_message
from edtech.kernel.clock import Clock
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


@dataclass(frozen=True)
class PostIn:
    """One message to post: `PostMessage`'s arguments."""

    principal: Principal
    conversation_id: uuid.UUID
    client_id: str
    body: str
    attachment_ids: Sequence[uuid.UUID] = ()


class _GiveBack(Exception):
    """A replay: leaving its savepoint by this rolls back the number it took."""

    def __init__(self, posted: Posted) -> None:
        super().__init__("replayed")
        self.posted = posted


class PostMessages:
    """Post several messages in one transaction, each in a savepoint of its own (the node's
    group commit of concurrent posts, `ChatPosts`, on PostgreSQL).

    Each post is exactly `PostMessage`'s — the same checks, answers and events — and fails
    alone: a refusal (or any other error) of one rolls back its savepoint, writes nothing and
    raises no event, and its neighbours commit; a replay rolls back the number it took, as
    alone. The posts take their conversations' locks in the order of the conversations' ids
    (posts to one conversation in the order given), so two transactions never wait on each
    other in a circle. Returns each post's `Posted`, or the exception that refused it, in the
    order given; when the commit fails, every post it would have stored gets its error."""

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        directory: DirectoryFactory,
        attachments: AttachmentClaims | None = None,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.directory = directory
        self.attachments = attachments or NoAttachments()

    async def __call__(self, posts: Sequence[PostIn]) -> list[Posted | Exception]:
        results: dict[int, Posted | Exception] = {}
        now = self.clock.now()
        order = sorted(range(len(posts)), key=lambda i: posts[i].conversation_id.bytes)
        async with self.uow as uow:
            for i in order:
                post = posts[i]
                day = post.principal.school_day(now)
                directory = self.directory(uow.session, self.clock if day is None else day)
                try:
                    async with uow.savepoint():
                        posted = await post_message(
                            uow,
                            self.clock,
                            directory,
                            post.principal,
                            post.conversation_id,
                            post.client_id,
                            post.body,
                            attachment_ids=post.attachment_ids,
                            claims=self.attachments,
                        )
                        if posted.replayed:
                            raise _GiveBack(posted)
                except _GiveBack as replay:
                    results[i] = replay.posted
                except Exception as exc:  # this post's refusal, or failure, is its own
                    results[i] = exc
                else:
                    results[i] = posted
            stored = [i for i, r in results.items() if isinstance(r, Posted) and not r.replayed]
            if stored:
                try:
                    await uow.commit()
                except Exception as exc:
                    for i in stored:
                        results[i] = exc
        return [results[i] for i in range(len(posts))]
