"""OneRoster import at the issue's scale: a generated package (by default 10,000 students, 600
staff, 15,000 guardians, 900 classes, 60,000 student enrollments) imported by the real job
into a throw-away PostgreSQL database; then the same package again (must write nothing); then a
delta of 200 changed rows. Prints wall time, peak RSS and the report's counts per step.

    uv run python -m bench.oneroster_import [--students 10000]

Scaled by `--students` (staff, guardians, classes and enrollments keep the issue's ratios).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import resource
import time
import uuid
import zipfile
from datetime import UTC, datetime
from typing import Any

from bench.common import create_database, drop_database, machine
from edtech.app import create_app
from edtech.demo import SMALL, seed_demo
from edtech.kernel.principal import Principal, Role, RoleGrant
from edtech.oneroster.application.start_import import StartImport
from edtech.oneroster.infrastructure.imports import import_of, import_to_run
from edtech.platform.jobs import JobRunner, jobs_port
from edtech.settings import Settings

HEADERS = {
    "orgs": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
    "academicSessions": (
        "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear"
    ),
    "courses": (
        "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
        "orgSourcedId,subjects,subjectCodes"
    ),
    "classes": (
        "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,"
        "location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods"
    ),
    "users": (
        "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,"
        "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,"
        "userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,"
        "preferredFamilyName,primaryOrgSourcedId,pronouns"
    ),
    "roles": (
        "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,"
        "orgSourcedId,userProfileSourcedId"
    ),
    "enrollments": (
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
        "primary,beginDate,endDate"
    ),
}
SCHOOLS = 5
CLASSES_PER_STUDENT = 6


def _csv(rows: list[list[str]], header: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header.split(","))
    writer.writerows(rows)
    return out.getvalue().encode()


def _manifest(modes: dict[str, str]) -> bytes:
    rows = [["manifest.version", "1.0"], ["oneroster.version", "1.2"]]
    names = [*HEADERS, "demographics", "userProfiles"]
    rows += [[f"file.{n}", modes.get(n, "absent")] for n in names]
    rows += [["source.systemName", "bench"], ["source.systemCode", "bench"]]
    return _csv(rows, "propertyName,value")


def generate(students: int, y0: int) -> dict[str, list[list[str]]]:
    staff, guardians = students * 6 // 100, students * 3 // 2
    classes = students * 9 // 100
    y1 = y0 + 1
    orgs = [["org-d", "", "", "Bench District", "district", "D1", ""]]
    orgs += [
        [f"org-{s}", "", "", f"School {s}", "school", f"S{s}", "org-d"] for s in range(SCHOOLS)
    ]
    sessions = [
        ["as-y", "", "", f"{y0}-{y1}", "schoolYear", f"{y0}-08-01", f"{y1}-07-31", "", str(y1)],
        ["as-t", "", "", "Full year", "semester", f"{y0}-08-01", f"{y1}-07-31", "as-y", str(y1)],
    ]
    courses = [
        [f"crs-{c}", "", "", "as-y", f"Course {c}", f"C{c}", "09", f"org-{c % SCHOOLS}", "", ""]
        for c in range(max(1, classes // 10))
    ]
    klasses = [
        [
            f"cls-{k}",
            "",
            "",
            f"Class {k}",
            "09",
            f"crs-{k % len(courses)}",
            f"K{k}",
            "scheduled",
            f"Room {k}",
            f"org-{(k % len(courses)) % SCHOOLS}",
            "as-t",
            "",
            "",
            str(k % 8 + 1),
        ]
        for k in range(classes)
    ]
    users: list[list[str]] = []
    roles: list[list[str]] = []
    enrollments: list[list[str]] = []

    def user(sid: str, given: str, agents: str, grade: str) -> None:
        users.append(
            [sid, "", "", "true", sid, "", given, "Bench", "", sid, f"{sid}@bench.example",
             "", "", agents, grade, "", "", "", "", "", "", "org-0", ""]
        )  # fmt: skip

    for t in range(staff):
        user(f"t-{t}", f"Teacher{t}", "", "")
        school = f"org-{t % SCHOOLS}"
        roles.append([f"r-t-{t}", "", "", f"t-{t}", "primary", "teacher", "", "", school, ""])
    for k in range(classes):
        t = k % staff
        enrollments.append(
            [f"e-t-{k}", "", "", f"cls-{k}", f"org-{k % SCHOOLS}", f"t-{t}", "teacher", "true",
             f"{y0}-08-01", ""]
        )  # fmt: skip
    for s in range(students):
        # both sides list the link, as SIS exports do (a student row listing no agents says
        # the student has none)
        agents = ",".join(f"g-{g}" for g in range(s, guardians, students))
        user(f"s-{s}", f"Student{s}", agents, "09")
        roles.append([f"r-s-{s}", "", "", f"s-{s}", "primary", "student", "", "", "org-0", ""])
        for n in range(CLASSES_PER_STUDENT):
            k = (s * CLASSES_PER_STUDENT + n) % classes
            enrollments.append(
                [f"e-s-{s}-{n}", "", "", f"cls-{k}", f"org-{k % SCHOOLS}", f"s-{s}", "student",
                 "false", f"{y0}-08-01", ""]
            )  # fmt: skip
    for g in range(guardians):
        user(f"g-{g}", f"Guardian{g}", f"s-{g % students}", "")
        roles.append([f"r-g-{g}", "", "", f"g-{g}", "primary", "guardian", "", "", "org-d", ""])
    return {
        "orgs": orgs,
        "academicSessions": sessions,
        "courses": courses,
        "classes": klasses,
        "users": users,
        "roles": roles,
        "enrollments": enrollments,
    }


def bulk_zip(files: dict[str, list[list[str]]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.csv", _manifest(dict.fromkeys(files, "bulk")))
        for name, rows in files.items():
            archive.writestr(f"{name}.csv", _csv(rows, HEADERS[name]))
    return buffer.getvalue()


def delta_zip(files: dict[str, list[list[str]]], changed: int) -> bytes:
    """`changed` rows: students renamed and moved to another class (delta rows carry status and
    dateLastModified, as the binding requires)."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    half = changed // 2
    users = [[*u[:1], "active", stamp, *u[3:]] for u in files["users"] if u[0].startswith("s-")]
    users = users[:half]
    for u in users:
        u[6] = u[6] + "-renamed"
    moved = [e for e in files["enrollments"] if e[0].startswith("e-s-") and e[0].endswith("-0")][
        : changed - half
    ]
    enrollments = [
        [e[0], "active", stamp, f"cls-{(int(e[3][4:]) + 1) % len(files['classes'])}", *e[4:]]
        for e in moved
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.csv", _manifest({"users": "delta", "enrollments": "delta"}))
        archive.writestr("users.csv", _csv(users, HEADERS["users"]))
        archive.writestr("enrollments.csv", _csv(enrollments, HEADERS["enrollments"]))
    return buffer.getvalue()


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(students: int) -> None:
    url = await create_database()
    try:
        settings = Settings(
            database_url=url,
            broker_url="memory://",
            secret_key="bench-secret-bench-secret-bench-secret!!",
            background_jobs=False,
            log_level="WARNING",
        )
        services = create_app(settings).state.services
        demo = await seed_demo(services.session_factory, SMALL)
        principal = _admin(demo.institution_id, demo.person("admin@demo.test"))
        runner = services.components.get(JobRunner)
        today = datetime.now(UTC).date()
        y0 = today.year if today.month >= 8 else today.year - 1
        t = time.perf_counter()
        files = generate(students, y0)
        bulk = bulk_zip(files)
        rows = sum(len(r) for r in files.values())
        print(f"# {machine()}")
        print(f"generated {rows:,} rows ({len(bulk) / 2**20:.1f} MiB zipped) in "
              f"{time.perf_counter() - t:.1f} s")  # fmt: skip
        for label, package in (
            ("bulk", bulk),
            ("bulk again (unchanged)", bulk),
            ("delta, 200 rows", delta_zip(files, 200)),
        ):
            await _one(services, runner, principal, label, package)
    finally:
        await services.engine.dispose()
        await drop_database(url)


def _admin(institution_id: uuid.UUID, person_id: uuid.UUID) -> Principal:
    """The demo school's institution admin, as a sign-in would make them."""
    grant = RoleGrant(Role.INSTITUTION_ADMIN)
    return Principal(uuid.uuid4(), person_id, institution_id, "Bench Admin", frozenset({grant}))


async def _one(
    services: Any, runner: JobRunner, principal: Principal, label: str, package: bytes
) -> None:
    start = StartImport(services.uow(), services.clock, jobs_port(services))
    import_id = await start(principal, package, dry_run=False, lenient=False)
    t = time.perf_counter()
    await runner.run_once()
    elapsed = time.perf_counter() - t
    async with services.session_factory() as session:
        row = await import_of(session, principal.institution_id, import_id)
    assert row is not None
    assert await _gone(services, import_id)
    writes = 0
    if row.report:
        for counts in row.report["entities"].values():
            writes += counts["created"] + counts["changed"] + counts["ended"]
    print(
        f"{label}: {row.state} in {elapsed:.1f} s, peak RSS {_rss_mib():.0f} MiB, "
        f"{writes:,} writes; {row.problem or row.report['entities']}"
    )


async def _gone(services: Any, import_id: Any) -> bool:
    async with services.session_factory() as session:
        return await import_to_run(session, import_id) is None


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10_000)
    asyncio.run(run(parser.parse_args().students))
