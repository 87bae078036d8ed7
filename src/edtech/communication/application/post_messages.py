"""Use case: post several messages in one transaction (the node's group commit of chat
messages, `GroupPosts`)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.communication.application.common import conversation_for
from edtech.communication.application.ports import (
    AttachmentClaims,
    Callers,
    Directory,
    DirectoryFactory,
    NoAttachments,
)
from edtech.communication.application.post_message import (
    Posted,
    check_may_send,
    checked_against,
    checked_input,
    new_message,
    post_message,
)
from edtech.communication.domain import Audience, Conversation, Message, Profile
from edtech.communication.infrastructure import (
    ManyGuards,
    SqlAlchemyConversations,
    SqlAlchemyMessages,
    SqlAlchemySafety,
)
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


@dataclass(frozen=True)
class TokenPostIn:
    """One message to post whose sender is an access token not checked yet: its sign-in is
    read in the posts' transaction, with the other posts' (`PostMessages`, ADR-0022); a token
    that does not hold refuses its post alone (`AuthenticationError`)."""

    token: str = field(repr=False)
    conversation_id: uuid.UUID
    client_id: str
    body: str
    attachment_ids: Sequence[uuid.UUID] = ()

    def signed(self, principal: Principal) -> PostIn:
        return PostIn(
            principal, self.conversation_id, self.client_id, self.body, self.attachment_ids
        )


class _GiveBack(Exception):
    """A replay: leaving its savepoint by this rolls back the number it took."""

    def __init__(self, posted: Posted) -> None:
        super().__init__("replayed")
        self.posted = posted


class PostMessages:
    """Post several messages in one transaction (the node's group commit of concurrent posts,
    `GroupPosts`, on PostgreSQL).

    Each post is exactly `PostMessage`'s — the same checks, answers and events — and fails
    alone: a plain post (`_plain`) is judged before it writes, so a refused or replayed one
    writes nothing and takes no number (ADR-0020); any other post is `post_message` in a
    savepoint of its own, whose refusal (or any other error) rolls it back, writes nothing and
    raises no event, and whose replay rolls back the number it took (ADR-0018). Either way its
    neighbours commit. The conversations are locked at once, in the order of their ids (posts
    to one conversation numbered in the order given), so two transactions never wait on each
    other in a circle. Returns each post's `Posted`, or the exception that refused it, in the
    order given; when the commit fails, every post it would have stored gets its error.

    A post sent with an access token (`TokenPostIn`) has its sign-in read first, with the
    others', in one statement of the same transaction (`callers`, ADR-0022)."""

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        directory: DirectoryFactory,
        attachments: AttachmentClaims | None = None,
        callers: Callers | None = None,
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.directory = directory
        self.attachments = attachments or NoAttachments()
        self.callers = callers

    async def __call__(self, posts: Sequence[PostIn | TokenPostIn]) -> list[Posted | Exception]:
        async with self.uow as uow:
            signed = await self._signed(uow.session, posts)
            results: dict[int, Posted | Exception] = {}
            mine: list[tuple[int, PostIn]] = []
            for i, post in enumerate(signed):
                if isinstance(post, PostIn):
                    mine.append((i, post))
                else:
                    results[i] = post
            if mine:
                posted = await self._post(uow, [post for _, post in mine])
                results.update((mine[j][0], outcome) for j, outcome in posted.items())
            stored = [i for i, r in results.items() if isinstance(r, Posted) and not r.replayed]
            if stored:
                try:
                    await uow.commit()
                except Exception as exc:
                    for i in stored:
                        results[i] = exc
        return [results[i] for i in range(len(posts))]

    async def _signed(
        self, session: AsyncSession, posts: Sequence[PostIn | TokenPostIn]
    ) -> list[PostIn | Exception]:
        """Each post with its sender's principal, or the exception that refuses its token: the
        tokens' sign-ins read in one statement (none without a `TokenPostIn`)."""
        tokens = [post.token for post in posts if isinstance(post, TokenPostIn)]
        callers = iter(await self._callers(session, tokens) if tokens else ())
        return [
            post if isinstance(post, PostIn) else _signed_by(post, next(callers)) for post in posts
        ]

    async def _callers(
        self, session: AsyncSession, tokens: Sequence[str]
    ) -> Sequence[Principal | Exception]:
        if self.callers is None:
            raise RuntimeError("PostMessages was built without a Callers port for access tokens")
        return await self.callers(session, tokens)

    async def _post(
        self, uow: UnitOfWork, posts: Sequence[PostIn]
    ) -> dict[int, Posted | Exception]:
        """Each post's outcome, by its index in `posts`, written in `uow`'s transaction (the
        caller commits)."""
        results: dict[int, Posted | Exception] = {}
        now = self.clock.now()
        order = sorted(range(len(posts)), key=lambda i: posts[i].conversation_id.bytes)
        session = uow.session
        conversations = SqlAlchemyConversations(session)
        # Read once for all: the conversations, locked (in the order of their ids: a post
        # that takes a number later, `next_seq`, finds its row locked already), then the
        # roster profiles each post's policy check judges (per institution and school
        # day) and the guards.
        loaded = await conversations.lock_many({post.conversation_id for post in posts})
        directories = await self._directories(session, posts, loaded, now)
        guarded = await _guards(session, posts, loaded)
        taking_part = [_taking_part(post, loaded) for post in posts]
        plain = _plain(posts, taking_part, guarded)
        mine = [i for i in order if posts[i].conversation_id in plain]
        for i in (i for i in order if posts[i].conversation_id not in plain):
            post = posts[i]
            try:
                async with uow.savepoint():
                    posted = await post_message(
                        uow,
                        self.clock,
                        directories[i],
                        post.principal,
                        post.conversation_id,
                        post.client_id,
                        post.body,
                        attachment_ids=post.attachment_ids,
                        claims=self.attachments,
                        loaded=loaded,
                        guarded=guarded,
                    )
                    if posted.replayed:
                        raise _GiveBack(posted)
            except _GiveBack as replay:
                results[i] = replay.posted
                loaded.pop(post.conversation_id, None)  # rolled back: read it afresh
            except Exception as exc:  # this post's refusal, or failure, is its own
                results[i] = exc
                loaded.pop(post.conversation_id, None)
            else:
                results[i] = posted
        # The plain posts last: nothing of theirs is written before every savepoint is over.
        results.update(
            await _post_plain(session, self.clock, posts, mine, loaded, directories, guarded)
        )
        return results

    async def _directories(
        self,
        session: AsyncSession,
        posts: Sequence[PostIn],
        loaded: Mapping[uuid.UUID, Conversation],
        now: datetime,
    ) -> list[Directory]:
        """Each post's directory, one per institution and school day, knowing already (one
        round trip each) the profiles of the senders and those they write to."""
        shared: dict[tuple[uuid.UUID, date | None], _Known] = {}
        wanted: dict[tuple[uuid.UUID, date | None], list[uuid.UUID]] = {}
        mine: list[Directory] = []
        for post in posts:
            who = post.principal
            day = who.school_day(now)
            key = (who.institution_id, day)
            if key not in shared:
                shared[key] = _Known(self.directory(session, self.clock if day is None else day))
            mine.append(shared[key])
            if (conv := _taking_part(post, loaded)) is not None:
                people = [who.person_id, *checked_against(conv, who.person_id)]
                wanted.setdefault(key, []).extend(people)
        for key, people in wanted.items():
            await shared[key].prefetch(key[0], list(dict.fromkeys(people)))
        return mine


def _signed_by(post: TokenPostIn, caller: Principal | Exception) -> PostIn | Exception:
    return caller if isinstance(caller, Exception) else post.signed(caller)


def _plain(
    posts: Sequence[PostIn],
    taking_part: Sequence[Conversation | None],
    guarded: Mapping[uuid.UUID, ManyGuards],
) -> set[uuid.UUID]:
    """The conversations whose every post (of a sender taking part) is plain: it carries no
    files, and the guards read for all judge it and find no recipient keeping quiet hours —
    so it is answered, refused or replayed before it writes anything and needs no savepoint
    (`_post_plain`). A conversation with any other post keeps a savepoint per post."""
    plain: set[uuid.UUID] = set()
    mixed: set[uuid.UUID] = set()
    for post, conv in zip(posts, taking_part, strict=True):
        if conv is None:
            continue  # refused (404) whatever the others
        who = post.principal
        read = guarded.get(who.institution_id)
        people = checked_against(conv, who.person_id)
        guards = (
            read.of(who.person_id, people, conv.others(who.person_id)) if read is not None else None
        )
        if post.attachment_ids or not people or guards is None or guards.quiet_hours:
            mixed.add(conv.id)
        else:
            plain.add(conv.id)
    return plain - mixed


async def _post_plain(
    session: AsyncSession,
    clock: Clock,
    posts: Sequence[PostIn],
    mine: Sequence[int],
    loaded: Mapping[uuid.UUID, Conversation],
    directories: Sequence[Directory],
    guarded: Mapping[uuid.UUID, ManyGuards],
) -> dict[int, Posted | Exception]:
    """Posts `mine` (to conversations locked already, all of them `_plain`), each checked as
    `post_message` checks it — its fields, its conversation, a replay, the policy — and
    written with the others: the client ids read in one statement, then the conversations'
    numbers, the senders' cursors and the messages all written by one. A post refused or
    replayed writes nothing and takes no number, so none needs a savepoint."""
    results: dict[int, Posted | Exception] = {}
    keys: dict[int, tuple[uuid.UUID, uuid.UUID, str]] = {}
    texts: dict[int, str] = {}
    for i in mine:
        post = posts[i]
        try:
            texts[i], _ = checked_input(post.body, post.client_id, post.attachment_ids)
        except Exception as exc:
            results[i] = exc
        else:
            keys[i] = (post.conversation_id, post.principal.person_id, post.client_id)
    if not keys:
        return results
    messages = SqlAlchemyMessages(session)
    stored = await messages.by_client_ids(set(keys.values()))
    cursors: dict[tuple[uuid.UUID, uuid.UUID], tuple[Conversation, uuid.UUID]] = {}
    written: list[Message] = []
    for i, key in keys.items():
        post, who = posts[i], posts[i].principal
        try:
            conv = await conversation_for(session, who, post.conversation_id, loaded)
            if (earlier := stored.get(key)) is not None:
                results[i] = Posted(earlier, replayed=True)
                continue
            others = conv.others(who.person_id)
            read = guarded.get(who.institution_id)
            await check_may_send(session, directories[i], who, conv, quiet=others, read=read)
        except Exception as exc:  # this post's refusal is its own: it wrote nothing
            results[i] = exc
            continue
        now = clock.now()
        seq = conv.take_seq(now)
        message = new_message(
            conv, who, post.client_id, texts[i], now, seq=seq, notify_ids=(*others,)
        )
        written.append(message)
        stored[key] = message
        cursors[(conv.id, who.person_id)] = (conv, who.person_id)
        results[i] = Posted(message, replayed=False)
    if written:  # the conversations' numbers, the senders' cursors, the messages
        await SqlAlchemyConversations(session).save_posted(list(cursors.values()), written)
    return results


def _taking_part(post: PostIn, loaded: Mapping[uuid.UUID, Conversation]) -> Conversation | None:
    """The post's conversation, read already, when its sender takes part in it (otherwise
    `post_message` refuses it, 404, and nothing is read for it)."""
    conv = loaded.get(post.conversation_id)
    who = post.principal
    if conv is None or conv.institution_id != who.institution_id:
        return None
    return conv if conv.is_participant(who.person_id) else None


async def _guards(
    session: AsyncSession, posts: Sequence[PostIn], loaded: Mapping[uuid.UUID, Conversation]
) -> dict[uuid.UUID, ManyGuards]:
    """The guards every post's policy check reads (`check_may_send`), one round trip per
    institution: the senders, whom each writes to, and each post's recipients' quiet hours."""
    asked: dict[uuid.UUID, tuple[list[uuid.UUID], list[uuid.UUID], list[uuid.UUID]]] = {}
    for post in posts:
        who = post.principal
        if (conv := _taking_part(post, loaded)) is None:
            continue
        if not (people := checked_against(conv, who.person_id)):
            continue  # a group's starter: nothing to check
        senders, against, quiet = asked.setdefault(who.institution_id, ([], [], []))
        senders.append(who.person_id)
        against.extend(people)
        quiet.extend(conv.others(who.person_id))
    safety = SqlAlchemySafety(session)
    return {
        institution_id: await safety.guards_of_many(
            institution_id, *(list(dict.fromkeys(ids)) for ids in lists)
        )
        for institution_id, lists in asked.items()
    }


class _Known:
    """A `Directory` that answers `profiles` from those `prefetch` read, when it read them all;
    everything else goes to `inner`."""

    def __init__(self, inner: Directory) -> None:
        self.inner = inner
        self.known: dict[tuple[uuid.UUID, uuid.UUID], Profile | None] = {}

    async def prefetch(self, institution_id: uuid.UUID, person_ids: list[uuid.UUID]) -> None:
        found = await self.inner.profiles(institution_id, person_ids)
        for person_id in person_ids:
            self.known[(institution_id, person_id)] = found.get(person_id)

    async def profile(self, institution_id: uuid.UUID, person_id: uuid.UUID) -> Profile | None:
        if (institution_id, person_id) in self.known:
            return self.known[(institution_id, person_id)]
        return await self.inner.profile(institution_id, person_id)

    async def profiles(
        self, institution_id: uuid.UUID, person_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, Profile]:
        known = self.known
        if not all((institution_id, p) in known for p in person_ids):
            return await self.inner.profiles(institution_id, person_ids)
        found = {p: known[(institution_id, p)] for p in person_ids}
        return {p: profile for p, profile in found.items() if profile is not None}

    async def timezone(self, institution_id: uuid.UUID) -> ZoneInfo:
        return await self.inner.timezone(institution_id)

    async def display_names(
        self, institution_id: uuid.UUID, person_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, str]:
        return await self.inner.display_names(institution_id, person_ids)

    async def section_exists(self, institution_id: uuid.UUID, section_id: uuid.UUID) -> bool:
        return await self.inner.section_exists(institution_id, section_id)

    async def school_exists(self, institution_id: uuid.UUID, school_id: uuid.UUID) -> bool:
        return await self.inner.school_exists(institution_id, school_id)

    async def person_exists(self, institution_id: uuid.UUID, person_id: uuid.UUID) -> bool:
        return await self.inner.person_exists(institution_id, person_id)

    async def audience(self, institution_id: uuid.UUID, audience: Audience) -> list[uuid.UUID]:
        return await self.inner.audience(institution_id, audience)
