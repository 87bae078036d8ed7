"""A whole OneRoster package, checked before anything changes: every file, then the references
between files (a class whose course is missing, an enrollment of an unknown user), then
duplicates. Pure: the sourcedIds the institution already holds are handed in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from edtech.oneroster.domain.binding import (
    FILES,
    Mode,
    Problem,
    Record,
    manifest_modes,
    parse_file,
    parse_manifest,
    split_list,
)

KIND_OF_FILE = {
    "orgs": "org",
    "academicSessions": "academicSession",
    "courses": "course",
    "classes": "class",
    "users": "user",
    "roles": "role",
    "enrollments": "enrollment",
    "demographics": "demographic",
}

ORG_TYPES = {"district": "district", "school": "school", "department": "department"}
"""OneRoster org types → ours (local, state and national orgs sit above schools, as districts)."""
SESSION_KINDS = {
    "schoolYear": "school_year",
    "term": "term",
    "semester": "term",
    "gradingPeriod": "grading_period",
}

# (file, column, file referred to, holds a list)
REFERENCES: tuple[tuple[str, str, str, bool], ...] = (
    ("orgs", "parentSourcedId", "orgs", False),
    ("academicSessions", "parentSourcedId", "academicSessions", False),
    ("courses", "orgSourcedId", "orgs", False),
    ("courses", "schoolYearSourcedId", "academicSessions", False),
    ("classes", "courseSourcedId", "courses", False),
    ("classes", "schoolSourcedId", "orgs", False),
    ("classes", "termSourcedIds", "academicSessions", True),
    ("users", "agentSourcedIds", "users", True),
    ("users", "primaryOrgSourcedId", "orgs", False),
    ("users", "orgSourcedIds", "orgs", True),
    ("roles", "userSourcedId", "users", False),
    ("roles", "orgSourcedId", "orgs", False),
    ("enrollments", "classSourcedId", "classes", False),
    ("enrollments", "schoolSourcedId", "orgs", False),
    ("enrollments", "userSourcedId", "users", False),
    ("demographics", "sourcedId", "users", False),
)


@dataclass
class Package:
    """The checked package: each file's mode and records; problems mean nothing may change."""

    modes: dict[str, Mode] = field(default_factory=dict)
    records: dict[str, list[Record]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    version: str = "1.2"

    @property
    def ok(self) -> bool:
        return not self.problems

    def present(self) -> list[str]:
        return [f for f in FILES if self.modes.get(f, Mode.ABSENT) is not Mode.ABSENT]


def read_package(
    texts: Mapping[str, str], known: Mapping[str, set[str]], *, lenient: bool = False
) -> Package:
    """Parse `texts` (file name without `.csv` → its text) against what the institution holds.

    `known` maps a file name to the sourcedIds already imported for it (delta files may refer
    to them; a bulk file replaces its entity, so only its own rows count).
    """
    pkg = Package()
    if "manifest" not in texts:
        pkg.problems.append(Problem("manifest", 0, None, "the package has no manifest.csv"))
        return pkg
    props, problems = parse_manifest(texts["manifest"])
    pkg.problems.extend(problems)
    modes, problems = manifest_modes(props)
    pkg.problems.extend(problems)
    pkg.modes = modes
    pkg.version = props.get("oneroster.version", "1.2")
    for name in FILES:
        mode = modes.get(name, Mode.ABSENT)
        if mode is Mode.ABSENT:
            if name in texts:
                pkg.problems.append(
                    Problem(name, 0, None, "the manifest says absent but the file is there")
                )
            continue
        if name not in texts:
            pkg.problems.append(
                Problem(name, 0, None, f"the manifest says {mode.value} but the file is missing")
            )
            continue
        parsed = parse_file(name, texts[name], mode, lenient=lenient)
        pkg.problems.extend(parsed.problems)
        pkg.warnings.extend(parsed.warnings)
        pkg.records[name] = parsed.records
    _check_duplicates(pkg)
    _check_references(pkg, known)
    return pkg


def _check_duplicates(pkg: Package) -> None:
    for name, records in pkg.records.items():
        seen: dict[str, int] = {}
        for r in records:
            if r.sourced_id in seen:
                pkg.problems.append(
                    Problem(
                        name,
                        r.line,
                        "sourcedId",
                        f"{r.sourced_id!r} appears twice (first on line {seen[r.sourced_id]})",
                    )
                )
            seen.setdefault(r.sourced_id, r.line)


def _available(pkg: Package, known: Mapping[str, set[str]], name: str) -> set[str]:
    mine = {r.sourced_id for r in pkg.records.get(name, ()) if r.status == "active"}
    gone = {r.sourced_id for r in pkg.records.get(name, ()) if r.status != "active"}
    if pkg.modes.get(name) is Mode.BULK:
        return mine
    return (set(known.get(name, set())) | mine) - gone


def _check_references(pkg: Package, known: Mapping[str, set[str]]) -> None:
    available = {name: _available(pkg, known, name) for name in FILES}
    for file, column, target, is_list in REFERENCES:
        for r in pkg.records.get(file, ()):
            if r.status != "active" or not r.get(column):
                continue
            ids = split_list(r.get(column)) if is_list else [r.get(column)]
            for ref in ids:
                if ref not in available[target]:
                    pkg.problems.append(
                        Problem(
                            file, r.line, column, f"refers to {ref!r}, which is not in {target}.csv"
                        )
                    )
    if pkg.version == "1.1" or "roles" in pkg.records:
        return
    users = pkg.records.get("users", ())
    if users and "role" not in users[0].values:
        # a 1.2 users.csv names no role: without roles.csv nobody would hold one
        pkg.warnings.append(Problem("roles", 0, None, "no roles.csv: imported users hold no role"))
