"""Chat messages posted together share a transaction on PostgreSQL (`GroupPosts`, ADR-0018),
and each is answered, refused or replayed exactly as alone; on SQLite each stays alone."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from edtech.communication.application.group_posts import GroupPosts
from edtech.communication.application.post_message import Posted
from edtech.communication.application.post_messages import PostIn, TokenPostIn
from edtech.identity.public import principal_from_access_token
from edtech.kernel.errors import AuthenticationError, ForbiddenError, InvalidError, NotFoundError
from edtech.kernel.principal import Principal
from tests.integration.communication.helpers import People, statements
from tests.roster import login

G1, T1, ADMIN = "guardian1@demo.test", "teacher1@demo.test", "admin@demo.test"
OUTSIDER = "guardian3@demo.test"


async def principal(app: FastAPI, people: People, email: str) -> Principal:
    token = (await people.as_(email))["Authorization"].removeprefix("Bearer ")
    return await principal_from_access_token(app.state.services, token)


async def outbox(app: FastAPI, conversation_id: str) -> list[tuple[str, str]]:
    """(event type, client id) of the conversation's channel, in offset order."""
    async with app.state.services.session_factory() as session:
        rows = await session.execute(
            sa.text('SELECT type, data FROM outbox_event WHERE channel = :c ORDER BY "offset"'),
            {"c": f"chat.conversation.{conversation_id}"},
        )
        return [
            (kind, (data if isinstance(data, dict) else json.loads(data))["client_id"])
            for kind, data in rows
        ]


async def test_posts_together_are_each_answered_refused_or_replayed_as_alone(
    app: FastAPI, people: People, database_url: str
) -> None:
    one = (await people.start(G1, T1)).json()["id"]
    two = (await people.start(T1, ADMIN)).json()["id"]
    guardian, teacher = await principal(app, people, G1), await principal(app, people, T1)
    outsider = await principal(app, people, OUTSIDER)
    assert (await people.post(G1, one, "before", client_id="early")).status_code == 201
    posts = app.state.services.components.get(GroupPosts)
    before = posts.transactions

    def to(who: Principal, conv: str, client_id: str, body: str = "hi") -> PostIn:
        return PostIn(who, uuid.UUID(conv), client_id, body)

    answers = await asyncio.gather(
        posts.post(to(guardian, one, "a")),
        posts.post(to(teacher, two, "b")),
        posts.post(to(outsider, one, "c")),  # not taking part: 404, as alone
        posts.post(to(guardian, one, "early")),  # a replay of a message committed before
        posts.post(to(guardian, one, "d", "   ")),  # an empty body: 422, as alone
        posts.post(to(guardian, one, "a")),  # a replay of a message of this very transaction
        posts.post(to(teacher, one, "e")),
        posts.post(to(teacher, two, "f")),
        return_exceptions=True,
    )
    a, b, refused, early, empty, again, e, f = answers
    assert isinstance(refused, NotFoundError)
    assert isinstance(empty, InvalidError)
    assert isinstance(a, Posted)
    assert isinstance(e, Posted)
    assert isinstance(b, Posted)
    assert isinstance(f, Posted)
    assert isinstance(early, Posted)
    assert isinstance(again, Posted)
    # None is lost to a refusal or a replay: each gave back the number it took. Grouped, the
    # numbers follow the order given within a conversation (alone, the posts race).
    grouped = database_url.startswith("postgresql")
    assert posts.transactions - before == (1 if grouped else 0)
    # "a" twice: the second is the first's replay (alone, whichever committed first is "first")
    first, replay = (again, a) if a.replayed and not grouped else (a, again)
    assert replay.replayed
    assert not first.replayed
    assert replay.message.id == first.message.id
    numbered = {first.message.client_id: first.message.seq, e.message.client_id: e.message.seq}
    assert sorted(numbered.values()) == [2, 3]
    assert sorted([b.message.seq, f.message.seq]) == [1, 2]
    if grouped:
        assert (a.message.seq, e.message.seq, b.message.seq, f.message.seq) == (2, 3, 1, 2)
    assert not b.replayed
    assert not e.replayed
    assert not f.replayed
    assert early.replayed
    assert early.message.seq == 1
    assert early.message.body == "before"

    # What was stored is exactly the posts that were answered with a message, with one event
    # each; the refused and replayed raised none.
    by_seq = {1: "early", **{seq: cid for cid, seq in numbered.items()}}
    assert await outbox(app, one) == [("chat.message_posted", by_seq[n]) for n in (1, 2, 3)]
    in_two = sorted([b.message, f.message], key=lambda m: m.seq)
    assert await outbox(app, two) == [("chat.message_posted", m.client_id) for m in in_two]
    page = await people.client.get(
        f"/api/v1/conversations/{one}/messages", headers=await people.as_(G1)
    )
    assert [m["client_id"] for m in page.json()["items"]] == [by_seq[n] for n in (3, 2, 1)]
    after = await people.post(G1, one, "next")
    assert after.status_code == 201
    assert after.json()["seq"] == 4


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # grouped there only
async def test_concurrent_requests_are_grouped_and_each_gets_its_own_message(
    app: FastAPI, people: People
) -> None:
    one = (await people.start(G1, T1)).json()["id"]
    two = (await people.start(T1, ADMIN)).json()["id"]
    posts = app.state.services.components.get(GroupPosts)
    before = posts.transactions
    sent = [(G1, one, f"g{n}") for n in range(10)] + [(T1, two, f"t{n}") for n in range(10)]
    replies = await asyncio.gather(*(people.post(w, c, cid, client_id=cid) for w, c, cid in sent))
    assert [r.status_code for r in replies] == [201] * len(sent)
    assert [r.json()["client_id"] for r in replies] == [cid for _, _, cid in sent]
    assert posts.transactions > before  # some of the twenty shared a transaction
    for conv in (one, two):
        numbers = sorted(r.json()["seq"] for r in replies if r.json()["conversation_id"] == conv)
        assert numbers == list(range(1, 11))
    assert len(await outbox(app, one)) == len(await outbox(app, two)) == 10


SIGN_IN_READ = "SELECT live_login.account_id AS key_account_id"


@contextmanager
def on_connections() -> Iterator[list[tuple[int, str]]]:
    """Every statement sent meanwhile, and every transaction's end (`END`), by connection."""
    seen: list[tuple[int, str]] = []

    def statement(conn: Any, _cur: Any, text: str, *_: Any) -> None:
        seen.append((id(conn.connection.dbapi_connection), text))

    def end(conn: Any) -> None:
        seen.append((id(conn.connection.dbapi_connection), "END"))

    listened = [("before_cursor_execute", statement), ("commit", end), ("rollback", end)]
    for name, fn in listened:
        sa.event.listen(sa.engine.Engine, name, fn)
    try:
        yield seen
    finally:
        for name, fn in listened:
            sa.event.remove(sa.engine.Engine, name, fn)


def read_then_written(seen: list[tuple[int, str]]) -> list[str]:
    """What the transaction of each sign-in read sent after it, up to its end."""
    after: list[str] = []
    for n, (conn, text) in enumerate(seen):
        if text.startswith(SIGN_IN_READ):
            rest = [t for c, t in seen[n + 1 :] if c == conn]
            after.append(" ; ".join(rest[: rest.index("END")] if "END" in rest else rest))
    return after


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # grouped there only
async def test_posts_sent_with_access_tokens_read_their_sign_ins_in_their_transaction(
    app: FastAPI, people: People
) -> None:
    one = (await people.start(G1, T1)).json()["id"]
    two = (await people.start(T1, ADMIN)).json()["id"]
    g1, t1 = [(await people.as_(e))["Authorization"].removeprefix("Bearer ") for e in (G1, T1)]
    revoked = await login(people.client, G1)  # a second sign-in of the guardian, then over
    assert (await people.client.post("/api/v1/auth/logout", headers=revoked)).status_code == 204
    guardian = await principal(app, people, G1)
    posts = app.state.services.components.get(GroupPosts)
    before = posts.transactions
    with on_connections() as seen:
        answers: list[Posted | BaseException] = await asyncio.gather(
            posts.post(TokenPostIn(g1, uuid.UUID(one), "a", "hi")),
            posts.post(TokenPostIn(t1, uuid.UUID(two), "b", "hi")),
            posts.post(TokenPostIn(revoked["Authorization"][7:], uuid.UUID(one), "c", "hi")),
            posts.post(TokenPostIn("not-a-token", uuid.UUID(one), "d", "hi")),
            posts.post(PostIn(guardian, uuid.UUID(one), "e", "hi")),
            return_exceptions=True,
        )
    a, b, c, d, e = answers
    assert isinstance(c, AuthenticationError)  # its session was revoked: refused alone
    assert isinstance(d, AuthenticationError)
    assert isinstance(a, Posted)
    assert isinstance(b, Posted)
    assert isinstance(e, Posted)
    assert (a.message.sender_id, b.message.sender_id) == (people.id(G1), people.id(T1))
    assert posts.transactions - before == 1
    # The three tokens still signed (the revoked one too) were read in one statement of the
    # transaction that then wrote the posts: no sign-in read of their own.
    (written,) = read_then_written(seen)
    assert "FOR UPDATE OF conversation" in written
    assert "INSERT INTO message" in written
    assert await outbox(app, one) == [("chat.message_posted", cid) for cid in ("a", "e")]
    assert await outbox(app, two) == [("chat.message_posted", "b")]

    # Alone, a post sent with a token is read and written in one transaction all the same
    with on_connections() as seen:
        alone = await posts.post(TokenPostIn(g1, uuid.UUID(one), "f", "hi"))
    assert alone.message.seq == 3
    (written,) = read_then_written(seen)
    assert "INSERT INTO message" in written


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # grouped there only
async def test_posts_together_read_their_conversations_and_profiles_once(
    app: FastAPI, people: People
) -> None:
    one = (await people.start(G1, T1)).json()["id"]
    two = (await people.start(T1, ADMIN)).json()["id"]
    guardian, teacher = await principal(app, people, G1), await principal(app, people, T1)
    posts = app.state.services.components.get(GroupPosts)
    sent = [(guardian, one), (teacher, two), (teacher, one), (teacher, two), (guardian, one)]
    with statements() as seen:
        answers = await asyncio.gather(
            *(posts.post(PostIn(w, uuid.UUID(c), f"m{n}", "hi")) for n, (w, c) in enumerate(sent))
        )
    assert [a.message.seq for a in answers] == [1, 1, 2, 2, 3]
    conversations = [s for s in seen if s.startswith("SELECT conversation.id")]
    locks = [s for s in conversations if s.endswith("FOR UPDATE OF conversation")]
    profiles = [s for s in seen if "AS kind, person.id AS who" in s]
    assert len(conversations) == 1  # read and locked at once: not once per post
    assert len(locks) == 1
    assert "ORDER BY conversation.id" in locks[0]  # the order every grouped batch locks in
    assert len(profiles) == 1
    assert " IN " not in profiles[0]  # the people one array (`= ANY`): one text for any number
    guards = [s for s in seen if s.startswith("SELECT messaging_settings.institution_id")]
    assert len(guards) == 1
    assert " IN " not in guards[0]  # each list one array (`= ANY`): one text for any sizes
    # Plain posts (no files, nobody in quiet hours) need no savepoint: their client ids are
    # read at once, their numbers, cursors and rows written by one statement.
    assert not [s for s in seen if s.startswith(("SAVEPOINT", "RELEASE"))]
    assert len([s for s in seen if s.startswith("SELECT message.")]) == 1
    assert not [s for s in seen if s.startswith(("UPDATE conversation", "INSERT INTO message"))]
    posted = [s for s in seen if "UPDATE conversation_participant" in s]
    assert len(posted) == 1
    assert "UPDATE conversation AS c" in posted[0]
    assert "p.read_seq <= u.read_seq" in posted[0]  # never moved back by a racing device
    assert "INSERT INTO message" in posted[0]
    # Their notifications, attempts and jobs: one statement for the batch
    planned = [s for s in seen if "INSERT INTO notification_attempt" in s]
    assert len(planned) == 1
    assert "INSERT INTO notification (" in planned[0]
    assert "INSERT INTO job " in planned[0]
    assert not [s for s in seen if s.startswith(("INSERT INTO notification", "INSERT INTO job"))]
    # ... as stored: each message as answered, each conversation's last number and time,
    # each sender's read cursor
    for conv in (one, two):
        page = await people.client.get(
            f"/api/v1/conversations/{conv}/messages",
            headers=await people.as_(G1 if conv == one else T1),
        )
        assert page.status_code == 200, page.text
        stored = [
            (
                m["id"],
                m["seq"],
                m["sender_id"],
                m["client_id"],
                m["body"],
                m["kind"],
                datetime.fromisoformat(m["created_at"]),
            )
            for m in reversed(page.json()["items"])
        ]
        answered = [a.message for (_, c), a in zip(sent, answers, strict=True) if c == conv]
        assert stored == [
            (
                str(m.id),
                m.seq,
                str(m.sender_id),
                m.client_id,
                "hi",
                "text",
                m.created_at,
            )
            for m in sorted(answered, key=lambda m: m.seq)
        ]
    for email, conv, last in ((T1, two, 2), (G1, one, 3), (T1, one, 3)):
        got = await people.client.get(
            f"/api/v1/conversations/{conv}", headers=await people.as_(email)
        )
        assert got.status_code == 200, got.text
        assert got.json()["last_seq"] == last
        assert got.json()["last_message_at"] is not None
        mine = [
            a.message.seq
            for (w, c), a in zip(sent, answers, strict=True)
            if (w.person_id, c) == (people.id(email), conv)
        ]
        assert got.json()["read_seq"] == max(mine)


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # grouped there only
async def test_posts_needing_a_savepoint_share_the_batch_with_plain_ones(
    app: FastAPI, people: People
) -> None:
    # A group's starter is not judged by the guards: their posts keep a savepoint each, and
    # are refused or replayed exactly as alone beside a plain post of the same transaction.
    group = (await people.start(ADMIN, T1, G1, kind="group")).json()["id"]
    direct = (await people.start(G1, T1)).json()["id"]
    assert (await people.post(ADMIN, group, "before", client_id="early")).status_code == 201
    admin, guardian = await principal(app, people, ADMIN), await principal(app, people, G1)
    outsider = await principal(app, people, OUTSIDER)
    posts = app.state.services.components.get(GroupPosts)
    before = posts.transactions

    def to(who: Principal, conv: str, client_id: str, body: str = "hi") -> PostIn:
        return PostIn(who, uuid.UUID(conv), client_id, body)

    with statements() as seen:
        answers = await asyncio.gather(
            posts.post(to(guardian, direct, "x")),  # plain
            posts.post(to(admin, group, "a")),
            posts.post(to(guardian, direct, "y")),  # plain
            posts.post(to(admin, group, "early")),  # committed before: a replay
            posts.post(to(admin, group, "a")),  # posted by this very transaction: a replay
            posts.post(to(admin, group, "b", "   ")),  # an empty body: 422
            posts.post(to(outsider, group, "c")),  # not taking part: 404
            posts.post(to(admin, group, "d")),
            return_exceptions=True,
        )
    x, a, y, early, again, empty, refused, d = answers
    assert posts.transactions - before == 1
    assert isinstance(empty, InvalidError)
    assert isinstance(refused, NotFoundError)
    assert isinstance(a, Posted)
    assert isinstance(x, Posted)
    assert isinstance(y, Posted)
    assert isinstance(early, Posted)
    assert isinstance(again, Posted)
    assert isinstance(d, Posted)
    assert (a.message.seq, d.message.seq, x.message.seq, y.message.seq) == (2, 3, 1, 2)
    assert not any(p.replayed for p in (a, d, x, y))
    assert early.replayed
    assert (early.message.seq, early.message.body) == (1, "before")
    assert again.replayed
    assert again.message.id == a.message.id
    # A savepoint for each post to the group that reached the database (the empty body is
    # refused before), then the plain posts' rows, written together after the last of them.
    savepoints = [n for n, s in enumerate(seen) if s.startswith("SAVEPOINT")]
    assert len(savepoints) == 5
    rows = [n for n, s in enumerate(seen) if "INSERT INTO message" in s]
    assert len(rows) == 3  # "a" and "d", each in its savepoint; "x" and "y" in one
    assert rows[-1] > max(n for n, s in enumerate(seen) if s.startswith("RELEASE SAVEPOINT"))
    page = await people.client.get(
        f"/api/v1/conversations/{group}/messages", headers=await people.as_(T1)
    )
    assert [m["client_id"] for m in page.json()["items"]] == ["d", "a", "early"]
    after = await people.post(ADMIN, group, "next")
    assert after.json()["seq"] == 4


async def test_posts_together_are_each_held_to_their_own_blocks_and_quiet_hours(
    app: FastAPI, people: People, database_url: str
) -> None:
    one = (await people.start(G1, T1)).json()["id"]
    two = (await people.start(T1, ADMIN)).json()["id"]
    guardian, teacher = await principal(app, people, G1), await principal(app, people, T1)
    blocked = await people.client.post(
        "/api/v1/blocks", json={"person_id": str(people.id(T1))}, headers=await people.as_(G1)
    )
    assert blocked.status_code == 204, blocked.text
    local = datetime.now(UTC).astimezone(ZoneInfo("America/New_York"))  # the demo's zone
    hours = {
        "starts_at": (local - timedelta(hours=1)).strftime("%H:%M"),
        "ends_at": (local + timedelta(hours=2)).strftime("%H:%M"),
    }
    quiet = await people.client.put(
        "/api/v1/quiet-hours/me", json=hours, headers=await people.as_(ADMIN)
    )
    assert quiet.status_code == 200, quiet.text
    posts = app.state.services.components.get(GroupPosts)
    before = posts.transactions
    answers = await asyncio.gather(
        posts.post(PostIn(teacher, uuid.UUID(one), "t-1", "hi")),  # the guardian blocked them
        posts.post(PostIn(guardian, uuid.UUID(one), "g-1", "hi")),
        posts.post(PostIn(teacher, uuid.UUID(two), "t-2", "hi")),  # the admin keeps quiet hours
        return_exceptions=True,
    )
    refused, fine, held = answers
    assert posts.transactions - before == (1 if database_url.startswith("postgresql") else 0)
    assert isinstance(refused, ForbiddenError)
    assert "blocked" in str(refused)
    assert isinstance(fine, Posted)
    assert fine.notices == []
    assert isinstance(held, Posted)
    assert [n.person_id for n in held.notices] == [people.id(ADMIN)]
    assert held.notices[0].until == datetime.fromisoformat(quiet.json()["quiet_until"])
