"""Applying a checked OneRoster package to the roster through the roster's public sync classes
(so every change records its event, as a hand edit would): orgs, sessions, courses and classes
record by record (`RosterSync`), people, roles, enrollments and guardian links set-based
(`RosterBatch`: the institution's rows read once, the diff made in memory, the writes sent in
multi-row statements after each file)."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from edtech.institutions.public import BATCH_KINDS, RosterBatch, RosterSync
from edtech.kernel.errors import DomainError, InvalidError
from edtech.oneroster.domain.binding import (
    LENGTHS,
    Mode,
    Problem,
    Record,
    parse_date,
    split_list,
)
from edtech.oneroster.domain.package import KIND_OF_FILE, ORG_TYPES, SESSION_KINDS, Package
from edtech.oneroster.infrastructure.sources import SqlAlchemySources

GUARDIAN_ROLES = frozenset({"guardian", "parent", "relative"})
ROLES = {
    "student": "student",
    "teacher": "teacher",
    "guardian": "guardian",
    "parent": "guardian",
    "relative": "guardian",
    "principal": "school_admin",
    "siteAdministrator": "school_admin",
    "administrator": "school_admin",
    "districtAdministrator": "institution_admin",
    "systemAdministrator": "institution_admin",
}
"""OneRoster roles → ours; the rest (aide, counselor, proctor) are kept but grant nothing."""
INSTITUTION_WIDE = frozenset({"guardian", "institution_admin"})
ENROLLMENT_ROLES = {"student": "student", "teacher": "teacher", "aide": "aide"}
APPLY_ORDER = (
    "orgs",
    "academicSessions",
    "courses",
    "classes",
    "users",
    "roles",
    "enrollments",
    "demographics",
)
"""Files in the order their records are applied (each refers only to earlier ones)."""

FileDone = Callable[[str, int, int], Awaitable[None]]
"""Told after each file is applied: its name, how many files are done, of how many."""


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), per kind of record."""

    dry_run: bool
    created: Counter[str] = field(default_factory=Counter)
    changed: Counter[str] = field(default_factory=Counter)
    ended: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def writes(self) -> int:
        return sum(self.created.values()) + sum(self.changed.values()) + sum(self.ended.values())

    def as_data(self) -> dict[str, Any]:
        kinds = sorted(
            set(self.created) | set(self.changed) | set(self.ended) | set(self.unchanged)
        )
        return {
            "dry_run": self.dry_run,
            "entities": {
                k: {
                    "created": self.created[k],
                    "changed": self.changed[k],
                    "ended": self.ended[k],
                    "unchanged": self.unchanged[k],
                }
                for k in kinds
            },
            "warnings": [{"loc": list(w.loc()), "msg": w.message} for w in self.warnings],
        }


class Applier:
    """Applies a package's files in reference order, then ends what a bulk file left out."""

    def __init__(
        self,
        sync: RosterSync,
        batch: RosterBatch,
        sources: SqlAlchemySources,
        today: date,
        now: datetime,
        report: ImportReport,
    ) -> None:
        self.sync, self.batch, self.sources = sync, batch, sources
        self.today, self.now = today, now
        self.report = report
        self.problems: list[Problem] = []
        self.roles_of: dict[str, set[str]] = {}
        """userSourcedId → OneRoster roles, from this package and earlier imports."""
        self._agents: list[tuple[str, str]] = []
        """(sourcedId, agentSourcedIds) of the package's active users, once their rows go."""
        self._present: dict[str, set[str]] = {}
        """Kind → the sourcedIds its bulk file held (what the file leaves out ends), in the
        order of the files."""
        self._roles_present: set[str] | None = None
        """The roles a bulk 1.1 users file held (no roles file)."""

    async def run(self, pkg: Package, on_file: FileDone | None = None) -> None:
        """Apply every file; `on_file(name, done, total)` after each (progress)."""
        self._learn_roles(pkg)
        names = [n for n in APPLY_ORDER if n in pkg.records]
        done = 0

        async def step(name: str) -> None:
            nonlocal done
            await self.batch.flush()
            await self.sources.flush()
            if name != "orgs":  # an org's type is read by every later step
                self.sources.unload(KIND_OF_FILE[name])
            done += 1
            if on_file is not None:
                await on_file(name, done, len(names))

        for name in ("orgs", "academicSessions", "courses", "classes", "users"):
            await self._prepare(KIND_OF_FILE[name], pkg.records.get(name, []))
            for r in pkg.records.get(name, ()):
                await self._record(KIND_OF_FILE[name], r, self._values(name, r))
            if name in pkg.records:
                await step(name)
            if name != "users":
                self._release(pkg, name)
        roles = pkg.records.get("roles", [])
        if not roles and pkg.records.get("users") and "role" in pkg.records["users"][0].values:
            roles = list(self._roles_from_users(pkg.records["users"]))
        self._agents = [
            (u.sourced_id, u.get("agentSourcedIds"))
            for u in pkg.records.get("users", ())
            if u.status == "active"
        ]
        self._release(pkg, "users")
        await self._prepare("role", roles)
        for r in roles:
            await self._record("role", r, self._values("roles", r))
        if "roles" in pkg.records:
            await step("roles")
        if pkg.modes.get("users") is Mode.BULK and "roles" not in pkg.records and roles:
            self._roles_present = {r.sourced_id for r in roles}
        self._release(pkg, "roles")
        roles.clear()  # those read from a 1.1 users file
        for name, kind in (("enrollments", "enrollment"), ("demographics", "demographic")):
            await self._prepare(kind, pkg.records.get(name, []))
            for r in pkg.records.get(name, ()):
                await self._record(kind, r, self._values(name, r))
            if name in pkg.records:
                await step(name)
            self._release(pkg, name)
        await self._links(pkg)
        await self._end_missing()
        await self.batch.flush()

    def _release(self, pkg: Package, name: str) -> None:
        """Forget a file's parsed rows once applied (an import's memory), keeping what the
        end of the import needs of them: the sourcedIds a bulk file holds."""
        records = pkg.records.get(name)
        if records is None:
            return
        if pkg.modes.get(name) is Mode.BULK:
            self._present[KIND_OF_FILE[name]] = {r.sourced_id for r in records}
        records.clear()

    # --- reading ahead, in a few statements per file -------------------------------------

    async def _prepare(self, kind: str, records: list[Record]) -> None:
        """Read what a file's records need before applying them: the rows imported before
        (to compare with), the roster rows they change, who holds the emails they claim."""
        await self.sources.fetch_records(kind, (r.sourced_id for r in records), compare=True)
        roster_kind = _roster_kind(kind)
        if roster_kind not in BATCH_KINDS:
            return
        pending = [r for r in records if self._pending(kind, r)]
        targets = [self.sources.target(kind, r.sourced_id) for r in pending]
        if kind == "demographic":
            targets = [self.sources.target("user", r.sourced_id) for r in pending]
        await self.batch.prefetch(roster_kind, [t for t in targets if t is not None])
        if kind == "user":
            emails = (r.get("email").strip().lower() for r in pending if r.status == "active")
            await self.batch.prefetch_emails([e for e in emails if e])

    def _pending(self, kind: str, r: Record) -> bool:
        """Whether applying the record may change the roster (else it is unchanged)."""
        found = self.sources.get(kind, r.sourced_id)
        active = found is not None and found.status == "active"
        if r.status == "tobedeleted":
            return active
        return not (active and found is not None and found.holds(r.content()))

    async def _end_all(self, kind: str, keys: list[str]) -> None:
        """End these mappings' records, having read what that needs in a few statements."""
        await self.sources.fetch_records(kind, keys)
        if kind in BATCH_KINDS:
            targets = [self.sources.target(kind, k) for k in keys]
            await self.batch.prefetch(kind, [t for t in targets if t is not None])
        for key in keys:
            await self._end(kind, key)

    # --- one record ---------------------------------------------------------------------

    async def _record(self, kind: str, r: Record, values: dict[str, Any] | None) -> None:
        found = self.sources.get(kind, r.sourced_id)
        content = r.content()
        if r.status == "tobedeleted":
            if found is not None and found.status == "active":
                await self._end(kind, r.sourced_id)
            return
        if found is not None and found.status == "active" and found.holds(content):
            self.report.unchanged[kind] += 1
            return
        if values is None:  # kept for export, grants nothing here
            target = found.target_id if found else uuid.uuid5(uuid.NAMESPACE_URL, r.sourced_id)
            await self.sources.put(kind, r.sourced_id, target, "active", content, self.now)
            return
        target_id = found.target_id if found else await self._adopt(kind, r.sourced_id, values)
        if target_id is not None and str(target_id) == r.sourced_id:
            values.pop("sourced_id", None)  # a record made here keeps no outside id
        if target_id is not None and kind == "link":
            values.pop("relationship", None)  # the office may have said more than the SIS
        try:
            if kind == "demographic":
                person = self.sources.target("user", r.sourced_id)
                assert person is not None
                new_id, changed = await self.batch.put("user", person, values)
            else:
                if kind == "user" and values.get("email"):
                    await self._check_email(r, values["email"], target_id)
                if target_id is not None and "begins_on" in values and values["begins_on"] is None:
                    values.pop("begins_on")
                elif "begins_on" in values and values["begins_on"] is None:
                    values["begins_on"] = self.today
                roster_kind = _roster_kind(kind)
                writer = self.batch if roster_kind in BATCH_KINDS else self.sync
                new_id, changed = await writer.put(roster_kind, target_id, values)
        except InvalidError as exc:
            for p in exc.problems or []:
                self.problems.append(Problem(r.file, r.line, None, f"{exc.message}: {p.message}"))
            if not exc.problems:
                self.problems.append(Problem(r.file, r.line, None, exc.message))
            return
        except DomainError as exc:
            self.problems.append(Problem(r.file, r.line, None, exc.message))
            return
        if target_id is None:
            self.report.created[kind] += 1
        elif changed or (found is not None and found.status != "active"):
            self.report.changed[kind] += 1
        else:
            self.report.unchanged[kind] += 1
        await self.sources.put(kind, r.sourced_id, new_id, "active", content, self.now)

    async def _adopt(self, kind: str, sourced_id: str, values: dict[str, Any]) -> uuid.UUID | None:
        """A sourcedId that is one of our ids (an export of records made here) is that record;
        a guardian link is the open link between the same two people."""
        if kind == "link":
            return await self.batch.open_link(
                values["student_id"], values["guardian_id"], self.today
            )
        try:
            candidate = uuid.UUID(sourced_id)
        except ValueError:
            return None
        roster_kind = _roster_kind(kind)
        writer = self.batch if roster_kind in BATCH_KINDS else self.sync
        if not await writer.exists(roster_kind, candidate):
            return None
        return candidate

    async def _check_email(self, r: Record, email: str, but: uuid.UUID | None) -> None:
        if await self.batch.email_taken(email, but):
            raise InvalidError(f"the email {email} belongs to someone else here")

    # --- values per file ----------------------------------------------------------------

    def _ref(self, kind: str, sourced_id: str) -> uuid.UUID | None:
        return self.sources.target(kind, sourced_id) if sourced_id else None

    def _values(self, name: str, r: Record) -> dict[str, Any] | None:
        if r.status != "active":
            return {}
        g = r.get
        if name == "orgs":
            return {
                "name": g("name"),
                "org_type": ORG_TYPES.get(g("type"), "district"),
                "parent_id": self._ref("org", g("parentSourcedId")),
                "sourced_id": r.sourced_id,
            }
        if name == "academicSessions":
            return {
                "kind": SESSION_KINDS[g("type")],
                "title": g("title"),
                "starts_on": parse_date(g("startDate")),
                "ends_on": parse_date(g("endDate")),
                "parent_id": self._ref("academicSession", g("parentSourcedId")),
            }
        if name == "courses":
            return {
                "school_id": self._ref("org", g("orgSourcedId")),
                "code": g("courseCode") or r.sourced_id[: LENGTHS[("courses", "courseCode")]],
                "title": g("title"),
                "sourced_id": r.sourced_id,
            }
        if name == "classes":
            return {
                "school_id": self._ref("org", g("schoolSourcedId")),
                "course_id": self._ref("course", g("courseSourcedId")),
                "term_id": self._ref("academicSession", split_list(g("termSourcedIds"))[0]),
                "title": g("title"),
                "code": g("classCode") or None,
                "room": g("location") or None,
                "class_type": g("classType"),
                "sourced_id": r.sourced_id,
            }
        if name == "users":
            grades = split_list(g("grades"))
            return {
                "given_name": g("preferredGivenName") or g("givenName"),
                "family_name": g("preferredFamilyName") or g("familyName"),
                "email": g("email").strip().lower() or None,
                "sourced_id": r.sourced_id,
                "grade_level": grades[0] if grades else None,
            }
        if name == "roles":
            role = ROLES.get(g("role"))
            if role is None:
                self.report.warnings.append(
                    Problem(r.file, r.line, "role", f"{g('role')!r} is kept but grants no role")
                )
                return None
            org = self._ref("org", g("orgSourcedId"))
            return {
                "person_id": self._ref("user", g("userSourcedId")),
                "role": role,
                "school_id": None
                if role in INSTITUTION_WIDE or self._is_district(g("orgSourcedId"))
                else org,
                "begins_on": parse_date(g("beginDate")),
                "ends_on": parse_date(g("endDate")),
            }
        if name == "enrollments":
            role = ENROLLMENT_ROLES.get(g("role"))
            if role is None:
                self.report.warnings.append(
                    Problem(r.file, r.line, "role", f"{g('role')!r} is kept but enrolls no one")
                )
                return None
            return {
                "section_id": self._ref("class", g("classSourcedId")),
                "person_id": self._ref("user", g("userSourcedId")),
                "role": role,
                "is_primary": role == "teacher" and g("primary") == "true",
                "begins_on": parse_date(g("beginDate")),
                "ends_on": parse_date(g("endDate")),
            }
        if name == "demographics":
            return {"birth_date": parse_date(g("birthDate"))}
        raise AssertionError(name)

    def _is_district(self, org_sourced_id: str) -> bool:
        found = self.sources.get("org", org_sourced_id)
        return found is not None and found.record.get("type") != "school"

    # --- roles from 1.1 users, guardian links -------------------------------------------

    def _roles_from_users(self, users: list[Record]) -> list[Record]:
        out = []
        for u in users:
            for org in split_list(u.get("orgSourcedIds")):
                values = {
                    "sourcedId": f"{u.sourced_id}:{u.get('role')}:{org}",
                    "userSourcedId": u.sourced_id,
                    "roleType": "primary",
                    "role": u.get("role"),
                    "beginDate": "",
                    "endDate": "",
                    "orgSourcedId": org,
                    "userProfileSourcedId": "",
                }
                out.append(Record(u.file, u.line, values["sourcedId"], u.status, values))
        return out

    def _learn_roles(self, pkg: Package) -> None:
        for s in self.sources.of_kind("role").values():
            if s.status == "active":
                self.roles_of.setdefault(s.record.get("userSourcedId", ""), set()).add(
                    s.record.get("role", "")
                )
        for r in pkg.records.get("roles", ()):
            if r.status == "active":
                self.roles_of.setdefault(r.get("userSourcedId"), set()).add(r.get("role"))
        for u in pkg.records.get("users", ()):
            if u.get("role"):
                self.roles_of.setdefault(u.sourced_id, set()).add(u.get("role"))

    def _is_guardian(self, user: str) -> bool:
        return bool(self.roles_of.get(user, set()) & GUARDIAN_ROLES)

    async def _links(self, pkg: Package) -> None:
        """`agentSourcedIds` between a guardian/parent/relative and a student are guardian
        links (read from either side); a listed user's links not listed any more end."""
        pairs: dict[str, tuple[str, str, str]] = {}
        for user, agents in self._agents:
            for agent in split_list(agents):
                if self._is_guardian(user) and not self._is_guardian(agent):
                    guardian, student = user, agent
                elif self._is_guardian(agent) and not self._is_guardian(user):
                    guardian, student = agent, user
                else:
                    continue
                relation = sorted(self.roles_of[guardian] & GUARDIAN_ROLES)[0]
                pairs[f"{guardian}|{student}"] = (guardian, student, relation)
        await self.sources.fetch_records("link", pairs, compare=True)
        for key, (guardian, student, relation) in sorted(pairs.items()):
            record = {
                "guardianSourcedId": guardian,
                "studentSourcedId": student,
                "relationship": relation,
            }
            values = {
                "guardian_id": self.sources.target("user", guardian),
                "student_id": self.sources.target("user", student),
                "relationship": relation,
                "begins_on": None,
            }
            r = Record("users", 0, key, "active", record)
            await self._record("link", r, values)
        listed = {user for user, _ in self._agents}
        bulk = pkg.modes.get("users") is Mode.BULK
        ended = []
        for key, s in list(self.sources.of_kind("link").items()):
            if s.status != "active" or key in pairs:
                continue
            guardian, student = key.split("|", 1)
            if bulk or guardian in listed or student in listed:
                ended.append(key)
        await self._end_all("link", ended)

    async def _end(self, kind: str, sourced_id: str) -> None:
        await self.sources.fetch_records(kind, [sourced_id])
        found = self.sources.get(kind, sourced_id)
        assert found is not None
        if kind != "demographic" and await self.batch.end(kind, found.target_id, self.today):
            self.report.ended[kind] += 1
        await self.sources.put(
            kind, sourced_id, found.target_id, "tobedeleted", found.record, self.now
        )

    async def _end_missing(self) -> None:
        """In a bulk file, a record missing from the file is ended (dated), never deleted."""
        for kind, present in self._present.items():
            await self._end_absent(kind, present)
        if self._roles_present is not None:
            await self._end_absent("role", self._roles_present)

    async def _end_absent(self, kind: str, present: set[str]) -> None:
        absent = [
            key
            for key, s in self.sources.of_kind(kind).items()
            if s.status == "active" and key not in present
        ]
        await self._end_all(kind, absent)


def _roster_kind(kind: str) -> str:
    return "user" if kind == "demographic" else kind
