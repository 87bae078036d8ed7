"""Every channel type the nodes serve × the demo's people and another institution's: who may
subscribe is decided by the policy written below in the school's words, from the roster's
facts — never from the answers. A channel type without a declared rule fails the suite.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import sqlalchemy as sa
from websockets.asyncio.client import connect

from edtech.platform.db.engine import make_engine
from edtech.realtime import channels as hub_channels
from edtech.realtime.registry import ChannelRegistry
from edtech.slices import channel_registrations, metadata
from tests.authz.world import LOGINS, World
from tests.servers import LiveServer

OFFICE_WIDE = {"institution_admin"}


@dataclass(frozen=True)
class Facts:
    """What the roster says, read straight from the tables (not through the product)."""

    people: dict[str, uuid.UUID]  # login -> person id
    institution_of: dict[str, uuid.UUID]
    roles: dict[uuid.UUID, set[tuple[str, uuid.UUID | None]]]  # person -> (role, school)
    teaches: set[tuple[uuid.UUID, uuid.UUID]]  # (person, section) as teacher or aide
    participants: set[tuple[uuid.UUID, uuid.UUID]]  # (person, conversation)

    def has(self, person: uuid.UUID, role: str, school: uuid.UUID | None = None) -> bool:
        return any(
            r == role and (s is None or school is None or s == school)
            for r, s in self.roles.get(person, set())
        )


@dataclass(frozen=True)
class Target:
    channel: str
    institution: uuid.UUID
    school: uuid.UUID | None = None
    section: uuid.UUID | None = None
    conversation: uuid.UUID | None = None
    person: uuid.UUID | None = None


Rule = Callable[[Facts, str, Target], bool]


def board(f: Facts, who: str, t: Target) -> bool:
    """A session's board: the section's teachers and aides, attendance officers of its school,
    administrators of its school and of the institution."""
    p = f.people[who]
    return (
        (p, t.section) in f.teaches
        or f.has(p, "attendance_officer", t.school)
        or f.has(p, "school_admin", t.school)
        or f.has(p, "institution_admin")
    )


def billing(f: Facts, who: str, t: Target) -> bool:
    """The institution's billing dashboard: its accountants and institution administrators."""
    p = f.people[who]
    return f.has(p, "accountant") or f.has(p, "institution_admin")


def conversation(f: Facts, who: str, t: Target) -> bool:
    """A conversation: its participants only (an administrator reads it by export, audited)."""
    return (f.people[who], t.conversation) in f.participants


def gradebook(f: Facts, who: str, t: Target) -> bool:
    """A section's live gradebook (drafts included): the section's teachers and aides only."""
    return (f.people[who], t.section) in f.teaches


def signals(f: Facts, who: str, t: Target) -> bool:
    """A school's early-warning signals: its counsellors and administrators, and the
    institution's administrators."""
    p = f.people[who]
    return (
        f.has(p, "counsellor", t.school)
        or f.has(p, "school_admin", t.school)
        or f.has(p, "institution_admin")
    )


def section_signals(f: Facts, who: str, t: Target) -> bool:
    """A section's early-warning signals: its teachers and aides, and whoever follows its
    school's signals (counsellors and administrators of the school, institution admins)."""
    return (f.people[who], t.section) in f.teaches or signals(f, who, t)


def inbox(f: Facts, who: str, t: Target) -> bool:
    """A personal inbox: that person only."""
    return f.people[who] == t.person


def batch_counts(f: Facts, who: str, t: Target) -> bool:
    """An announcement's delivery counts: its sender and the institution's administrators."""
    p = f.people[who]
    return p == t.person or f.has(p, "institution_admin")


def roster_import(f: Facts, who: str, t: Target) -> bool:
    """A roster import's progress: the institution's administrators (the import's tenant is
    checked for every rule)."""
    return f.has(f.people[who], "institution_admin")


POLICY: dict[str, Rule] = {
    "attendance.session.{id}": board,
    "billing.institution.{id}": billing,
    "chat.conversation.{id}": conversation,
    "grades.section.{id}": gradebook,
    "insights.school.{id}": signals,
    "insights.section.{id}": section_signals,
    "user.{id}": inbox,
    "notifications.batch.{id}": batch_counts,
    "oneroster.import.{id}": roster_import,
}


async def facts(world: World) -> Facts:
    tables = metadata().tables
    engine = make_engine(world.settings.database_url)
    try:
        async with engine.connect() as conn:
            person = tables["person"]
            rows = (
                await conn.execute(sa.select(person.c.id, person.c.email, person.c.institution_id))
            ).all()
            people = {r.email: r.id for r in rows if r.email in LOGINS}
            institution_of = {r.email: r.institution_id for r in rows if r.email in LOGINS}
            roles: dict[uuid.UUID, set[tuple[str, uuid.UUID | None]]] = {}
            ra = tables["role_assignment"]
            for r in await conn.execute(sa.select(ra.c.person_id, ra.c.role, ra.c.school_id)):
                roles.setdefault(r.person_id, set()).add((r.role, r.school_id))
            en = tables["enrollment"]
            teaches = {
                (r.person_id, r.section_id)
                for r in await conn.execute(
                    sa.select(en.c.person_id, en.c.section_id).where(
                        en.c.role.in_(["teacher", "aide"])
                    )
                )
            }
            cp = tables["conversation_participant"]
            participants = {
                (r.person_id, r.conversation_id)
                for r in await conn.execute(sa.select(cp.c.person_id, cp.c.conversation_id))
            }
    finally:
        await engine.dispose()
    return Facts(people, institution_of, roles, teaches, participants)


async def targets(world: World) -> list[Target]:
    tables = metadata().tables
    demo = world.demo.institution_id
    engine = make_engine(world.settings.database_url)
    try:
        async with engine.connect() as conn:
            s = tables["attendance_session"]
            sessions = (await conn.execute(sa.select(s.c.id, s.c.school_id, s.c.section_id))).all()
            c = tables["conversation"]
            conversations = (await conn.scalars(sa.select(c.c.id))).all()
            sec = tables["section"]
            sections = (
                await conn.execute(sa.select(sec.c.id, sec.c.institution_id, sec.c.school_id))
            ).all()
            nb = tables["notification_batch"]
            batches = (
                await conn.execute(sa.select(nb.c.id, nb.c.institution_id, nb.c.sender_id))
            ).all()
            sch = tables["school"]
            schools = (await conn.execute(sa.select(sch.c.id, sch.c.institution_id))).all()
            imp = tables["oneroster_import"]
            imports = (await conn.execute(sa.select(imp.c.id, imp.c.institution_id))).all()
    finally:
        await engine.dispose()
    found = [
        Target(f"attendance.session.{r.id}", demo, school=r.school_id, section=r.section_id)
        for r in sessions
    ]
    found += [Target(f"chat.conversation.{c}", demo, conversation=c) for c in conversations]
    found += [Target(f"grades.section.{r.id}", r.institution_id, section=r.id) for r in sections]
    found += [Target(f"billing.institution.{i}", i) for i in (demo, world.other.institution_id)]
    found += [
        Target(f"notifications.batch.{r.id}", r.institution_id, person=r.sender_id) for r in batches
    ]
    found += [Target(f"insights.school.{r.id}", r.institution_id, school=r.id) for r in schools]
    found += [
        Target(f"insights.section.{r.id}", r.institution_id, school=r.school_id, section=r.id)
        for r in sections
    ]
    found += [Target(f"oneroster.import.{r.id}", r.institution_id) for r in imports]
    f = await facts(world)
    found += [
        Target(f"user.{p}", f.institution_of[email], person=p) for email, p in f.people.items()
    ]
    return found


def test_every_channel_type_has_a_declared_rule() -> None:
    registry = ChannelRegistry()
    for register in (hub_channels.register, *channel_registrations()):
        register(registry)
    served = {t.pattern for t in registry.types}
    assert served - POLICY.keys() == set(), "declare who may subscribe in tests/authz"
    assert POLICY.keys() - served == set(), "a rule for a channel type nobody serves"


async def test_subscriptions_follow_the_policy(
    live_server: LiveServer, client: httpx.AsyncClient, world: World
) -> None:
    f = await facts(world)
    every = await targets(world)
    assert {t.channel.rsplit(".", 1)[0] for t in every} >= {
        "attendance.session",
        "chat.conversation",
        "grades.section",
        "billing.institution",
        "insights.school",
        "insights.section",
        "oneroster.import",
        "user",
    }
    wrong: list[str] = []
    for who in LOGINS:
        token = world.headers[who]["Authorization"].removeprefix("Bearer ")
        async with connect(f"{live_server.ws_url}/ws?token={token}", open_timeout=30) as ws:
            for n, target in enumerate(every):
                pattern = next(p for p in POLICY if target.channel.startswith(p.split("{")[0]))
                same_tenant = f.institution_of[who] == target.institution
                expected = same_tenant and POLICY[pattern](f, who, target)
                await ws.send(
                    json.dumps({"op": "subscribe", "ref": str(n), "channel": target.channel})
                )
                while True:
                    frame = json.loads(await ws.recv())
                    if frame.get("op") == "reply" and frame.get("ref") == str(n):
                        break
                if frame["ok"] != expected:
                    wrong.append(f"{who} -> {target.channel}: ok={frame['ok']}, policy={expected}")
                elif not expected:
                    assert frame["error"]["code"] == "forbidden", frame
                if frame["ok"]:
                    await ws.send(json.dumps({"op": "unsubscribe", "channel": target.channel}))
    assert not wrong, "\n".join(wrong)
