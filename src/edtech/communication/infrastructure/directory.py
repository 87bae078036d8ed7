"""The roster as this slice sees it (profiles, time zones, audiences) via `institutions.public`."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.communication.domain import Audience, AudienceKind, ChildLink, Profile
from edtech.institutions import public as roster
from edtech.kernel.clock import Clock, school_zone
from edtech.kernel.errors import FieldProblem, InvalidError

TEACHING = frozenset({"teacher", "aide"})
ANNOUNCEMENT_FLAG = "can_message"
"""Guardians reached by section announcements: an active, unrestricted link that allows contact."""


class RosterDirectory:
    """Answers the slice's roster questions from `edtech.institutions.public` on one session."""

    def __init__(self, session: AsyncSession, on: date | Clock) -> None:
        """Dated facts are judged on `on`, or — given a clock — on today at each institution
        asked about, in its time zone (never the UTC date)."""
        self.session = session
        self._on = on
        self._policies: dict[uuid.UUID, roster.Policy] = {}

    async def day(self, institution_id: uuid.UUID) -> date:
        """The date this directory judges the institution's dated facts on."""
        return (await self._policy(institution_id)).today

    async def _policy(self, institution_id: uuid.UUID) -> roster.Policy:
        policy = self._policies.get(institution_id)
        if policy is None:
            if isinstance(self._on, date):
                policy = roster.Policy(self.session, today=self._on)
            else:
                policy = await roster.Policy.at_school(self.session, self._on, institution_id)
            self._policies[institution_id] = policy
        return policy

    async def profile(self, institution_id: uuid.UUID, person_id: uuid.UUID) -> Profile | None:
        """Who the person is today (None if unknown in this institution or gone): one round trip."""
        return (await self.profiles(institution_id, [person_id])).get(person_id)

    async def profiles(
        self, institution_id: uuid.UUID, person_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, Profile]:
        """`profile` of several people in one round trip; the unknown and gone are left out."""
        found = await roster.roster_profiles(
            self.session, institution_id, person_ids, await self.day(institution_id)
        )
        return {person_id: _profile(person_id, facts) for person_id, facts in found.items()}

    async def timezone(self, institution_id: uuid.UUID) -> ZoneInfo:
        settings = await roster.institution_settings(self.session, institution_id)
        try:
            return ZoneInfo(settings.timezone if settings else "UTC")
        except ZoneInfoNotFoundError:
            return ZoneInfo("UTC")

    async def display_names(
        self, institution_id: uuid.UUID, person_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, str]:
        return await roster.display_names(self.session, institution_id, person_ids)

    async def section_exists(self, institution_id: uuid.UUID, section_id: uuid.UUID) -> bool:
        return await roster.section_in_institution(self.session, institution_id, section_id)

    async def school_exists(self, institution_id: uuid.UUID, school_id: uuid.UUID) -> bool:
        return await roster.school_in_institution(self.session, institution_id, school_id)

    async def person_exists(self, institution_id: uuid.UUID, person_id: uuid.UUID) -> bool:
        return await roster.person_in_institution(self.session, institution_id, person_id)

    async def audience(self, institution_id: uuid.UUID, audience: Audience) -> list[uuid.UUID]:
        """The people an audience names today, in a stable order."""
        if audience.kind in (AudienceKind.SECTION, AudienceKind.SECTION_GUARDIANS):
            assert audience.section_id is not None
            students = await (await self._policy(institution_id)).students_of_section(
                institution_id, audience.section_id
            )
            if audience.kind is AudienceKind.SECTION:
                staff = await (await self._policy(institution_id)).teachers_of_section(
                    institution_id, audience.section_id
                )
                return list(dict.fromkeys([*staff, *students]))
            guardians: list[uuid.UUID] = []
            for student_id in students:
                guardians += await (await self._policy(institution_id)).guardians_to_notify(
                    institution_id, student_id, ANNOUNCEMENT_FLAG
                )
            return list(dict.fromkeys(guardians))
        if audience.kind is AudienceKind.ROLE and audience.role is None:
            raise InvalidError(
                "this audience needs a role",
                [FieldProblem(("audience", "role"), "required for role")],
            )
        roles = [audience.role] if audience.role is not None else None
        return await roster.people_with_roles(
            self.session,
            institution_id,
            await self.day(institution_id),
            roles=roles,
            school_id=audience.school_id,
        )


class ProfileCache:
    """Roster profiles, and each institution's time zone, remembered for `ttl` seconds on this
    node (for the websocket `send` path: a chat checks the same two people's roster facts,
    judged on the same school's day, message after message)."""

    def __init__(
        self, ttl: float = 3.0, size: int = 20_000, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        self.size = size
        self.now = now
        self._profiles: dict[tuple[uuid.UUID, uuid.UUID, date], tuple[float, Profile | None]] = {}
        self._zones: dict[uuid.UUID, tuple[float, ZoneInfo]] = {}

    def get(self, key: tuple[uuid.UUID, uuid.UUID, date]) -> tuple[bool, Profile | None]:
        hit = self._profiles.get(key)
        if hit is None or hit[0] < self.now():
            return False, None
        return True, hit[1]

    def put(self, key: tuple[uuid.UUID, uuid.UUID, date], profile: Profile | None) -> None:
        if len(self._profiles) >= self.size:
            now = self.now()
            self._profiles = {k: v for k, v in self._profiles.items() if v[0] >= now}
            if len(self._profiles) >= self.size:
                self._profiles.clear()
        self._profiles[key] = (self.now() + self.ttl, profile)

    def zone(self, institution_id: uuid.UUID) -> ZoneInfo | None:
        hit = self._zones.get(institution_id)
        return None if hit is None or hit[0] < self.now() else hit[1]

    def put_zone(self, institution_id: uuid.UUID, zone: ZoneInfo) -> None:
        if len(self._zones) >= self.size:
            self._zones.clear()
        self._zones[institution_id] = (self.now() + self.ttl, zone)

    def directory(self, session: AsyncSession, on: date | Clock) -> CachedDirectory:
        """A `DirectoryFactory` whose profiles come from this cache when fresh."""
        return CachedDirectory(session, on, self)


class CachedDirectory(RosterDirectory):
    """`RosterDirectory` whose `profile` answers from a `ProfileCache` while it is fresh: a
    roster change (a custody restriction, an ended role) reaches it within the cache's ttl. The
    school day is today in the institution's zone as the cache remembers it (so a changed time
    zone, too, within the ttl; midnight at once)."""

    def __init__(self, session: AsyncSession, on: date | Clock, cache: ProfileCache) -> None:
        super().__init__(session, on)
        self.cache = cache

    async def _policy(self, institution_id: uuid.UUID) -> roster.Policy:
        if institution_id not in self._policies and not isinstance(self._on, date):
            zone = self.cache.zone(institution_id)
            if zone is None:
                zone = school_zone(await roster.school_zone_name(self.session, institution_id))
                self.cache.put_zone(institution_id, zone)
            today = self._on.now().astimezone(zone).date()
            self._policies[institution_id] = roster.Policy(self.session, today=today)
        return await super()._policy(institution_id)

    async def profiles(
        self, institution_id: uuid.UUID, person_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, Profile]:
        """From the cache while fresh; the others in one round trip, then remembered (the
        unknown and gone too)."""
        day = await self.day(institution_id)
        answer: dict[uuid.UUID, Profile] = {}
        missing: list[uuid.UUID] = []
        for person_id in person_ids:
            found, profile = self.cache.get((institution_id, person_id, day))
            if not found:
                missing.append(person_id)
            elif profile is not None:
                answer[person_id] = profile
        if missing:
            read = await super().profiles(institution_id, missing)
            for person_id in missing:
                self.cache.put((institution_id, person_id, day), read.get(person_id))
            answer.update(read)
        return answer


def _profile(person_id: uuid.UUID, found: roster.RosterProfile) -> Profile:
    """The slice's view of a person's roster facts."""
    return Profile(
        person_id=person_id,
        display_name=found.display_name,
        roles=frozenset(g.role for g in found.grants),
        staffed_sections=frozenset(s for s, role in found.memberships if role in TEACHING),
        enrolled_sections=frozenset(s for s, role in found.memberships if role not in TEACHING),
        children=tuple(
            ChildLink(student_id=c.student_id, sections=c.sections, may_message=c.can_message)
            for c in found.children
        ),
    )
