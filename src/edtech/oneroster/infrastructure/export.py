"""The institution's roster as a OneRoster 1.2 bulk CSV package (a set-based read).

Each record keeps the `sourcedId` it came in with (our id for records made here) and the
columns we do not model (`metadata.*` included) as imported; the columns we model come from
the roster as it is now. Ended records are left out: in a bulk file, missing means ended.
The importer reads the package back with no change.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.public import institution_settings, roster_rows
from edtech.oneroster.domain.binding import HEADERS, parse_date, split_list
from edtech.oneroster.domain.package import ORG_TYPES, SESSION_KINDS
from edtech.oneroster.infrastructure.sources import sourced_ids_by_target

SESSION_TYPES = {"school_year": "schoolYear", "term": "term", "grading_period": "gradingPeriod"}
ROLE_NAMES = {
    "student": "student",
    "teacher": "teacher",
    "guardian": "guardian",
    "school_admin": "siteAdministrator",
    "institution_admin": "districtAdministrator",
}
ROLES_BACK = {
    "guardian": {"guardian", "parent", "relative"},
    "school_admin": {"principal", "siteAdministrator", "administrator"},
    "institution_admin": {"districtAdministrator", "systemAdministrator"},
}


def _current(row: Any, today: date) -> bool:
    return row.ends_on is None or row.ends_on > today


class _Kind:
    def __init__(self, mapping: dict[uuid.UUID, tuple[str, str, dict[str, Any]]]) -> None:
        self.mapping = mapping

    def sid(self, target: uuid.UUID | None) -> str:
        if target is None:
            return ""
        found = self.mapping.get(target)
        return found[0] if found else str(target)

    def stored(self, target: uuid.UUID) -> dict[str, Any]:
        found = self.mapping.get(target)
        return dict(found[2]) if found else {}


def _keep(stored: dict[str, Any], column: str, value: str, same: bool | None = None) -> str:
    """The imported text when it says the same as `value` (case, lists, preferred names)."""
    old = stored.get(column)
    if old is None:
        return value
    return old if (same if same is not None else old == value) else value


async def export_package(
    session: AsyncSession, institution_id: uuid.UUID, today: date
) -> dict[str, list[dict[str, str]]]:
    """Rows per file (without `manifest`), in the binding's columns."""
    rows = await roster_rows(session, institution_id)
    k = {
        kind: _Kind(await sourced_ids_by_target(session, institution_id, kind))
        for kind in (
            "org",
            "academicSession",
            "course",
            "class",
            "user",
            "role",
            "enrollment",
            "demographic",
            "link",
        )
    }
    out: dict[str, list[dict[str, str]]] = {name: [] for name in HEADERS}
    org, ses, crs, cls, usr = k["org"], k["academicSession"], k["course"], k["class"], k["user"]
    for r in rows["school"]:
        s = org.stored(r.id)
        out["orgs"].append(
            {
                **s,
                "sourcedId": org.sid(r.id),
                "name": r.name,
                "type": s["type"]
                if ORG_TYPES.get(s.get("type", ""), "district") == str(r.org_type) and "type" in s
                else str(r.org_type),
                "parentSourcedId": org.sid(r.parent_id),
            }
        )
    for r in rows["academic_session"]:
        s = ses.stored(r.id)
        kind = str(r.kind)
        stored_type = s.get("type", "")
        same_kind = SESSION_KINDS.get(stored_type) == kind
        out["academicSessions"].append(
            {
                **s,
                "sourcedId": ses.sid(r.id),
                "title": r.title,
                "type": stored_type if stored_type and same_kind else SESSION_TYPES[kind],
                "startDate": r.starts_on.isoformat(),
                "endDate": r.ends_on.isoformat(),
                "parentSourcedId": ses.sid(r.parent_id),
                "schoolYear": s.get("schoolYear") or str(r.ends_on.year),
            }
        )
    for r in rows["course"]:
        s = crs.stored(r.id)
        sid = crs.sid(r.id)
        out["courses"].append(
            {
                **s,
                "sourcedId": sid,
                "title": r.title,
                "courseCode": "" if r.code == sid and not s.get("courseCode") else r.code,
                "orgSourcedId": org.sid(r.school_id),
            }
        )
    for r in rows["section"]:
        s = cls.stored(r.id)
        terms = split_list(s.get("termSourcedIds", ""))
        term = ses.sid(r.term_id)
        out["classes"].append(
            {
                **s,
                "sourcedId": cls.sid(r.id),
                "title": r.title,
                "courseSourcedId": crs.sid(r.course_id),
                "classCode": r.code or "",
                "classType": str(r.class_type),
                "location": r.room or "",
                "schoolSourcedId": org.sid(r.school_id),
                "termSourcedIds": s["termSourcedIds"] if terms and terms[0] == term else term,
            }
        )
    agents: dict[uuid.UUID, list[str]] = {}
    for r in rows["guardian_link"]:
        if _current(r, today):
            agents.setdefault(r.student_id, []).append(usr.sid(r.guardian_id))
            agents.setdefault(r.guardian_id, []).append(usr.sid(r.student_id))
    for r in rows["person"]:
        if not _current(r, today):
            continue
        s = usr.stored(r.id)
        given = s.get("preferredGivenName") or s.get("givenName")
        family = s.get("preferredFamilyName") or s.get("familyName")
        grades = split_list(s.get("grades", ""))
        listed = sorted(agents.get(r.id, []))
        stored_agents = split_list(s.get("agentSourcedIds", ""))
        row = {
            **dict.fromkeys(HEADERS["users"][0], ""),
            **s,
            "sourcedId": usr.sid(r.id),
            "enabledUser": s.get("enabledUser", "true"),
            "username": s.get("username") or r.email or usr.sid(r.id),
            "email": _keep(
                s, "email", r.email or "", (s.get("email") or "").lower() == (r.email or "")
            ),
            "grades": s["grades"]
            if grades and grades[0] == r.grade_level
            else (r.grade_level or ""),
            "agentSourcedIds": s["agentSourcedIds"]
            if set(stored_agents) >= set(listed) and stored_agents
            else ",".join(listed),
        }
        if given != r.given_name:
            row["givenName"], row["preferredGivenName"] = r.given_name, ""
        if family != r.family_name:
            row["familyName"], row["preferredFamilyName"] = r.family_name, ""
        row.pop("role", None)
        row.pop("orgSourcedIds", None)
        out["users"].append(row)
    current_people = {r.id for r in rows["person"] if _current(r, today)}
    role_k = k["role"]
    for r in rows["role_assignment"]:
        if not _current(r, today) or r.person_id not in current_people:
            continue
        s = role_k.stored(r.id)
        role = str(r.role)
        stored_role = s.get("role", "")
        if role not in ROLE_NAMES:
            continue
        name = stored_role if stored_role in ROLES_BACK.get(role, {role}) else ROLE_NAMES[role]
        out["roles"].append(
            {
                **s,
                "sourcedId": role_k.sid(r.id),
                "userSourcedId": usr.sid(r.person_id),
                "roleType": s.get("roleType", "primary"),
                "role": name,
                "beginDate": s.get("beginDate", "")
                if parse_date(s.get("beginDate", "") or "x") in (None, r.begins_on)
                else r.begins_on.isoformat(),
                "endDate": r.ends_on.isoformat() if r.ends_on else "",
                "orgSourcedId": org.sid(r.school_id)
                if r.school_id
                else s.get("orgSourcedId", "") or _first_org(rows),
                "userProfileSourcedId": s.get("userProfileSourcedId", ""),
            }
        )
    enr = k["enrollment"]
    school_of = {r.id: r.school_id for r in rows["section"]}
    for r in rows["enrollment"]:
        if not _current(r, today) or r.person_id not in current_people:
            continue
        s = enr.stored(r.id)
        out["enrollments"].append(
            {
                **s,
                "sourcedId": enr.sid(r.id),
                "classSourcedId": cls.sid(r.section_id),
                "schoolSourcedId": org.sid(school_of[r.section_id]),
                "userSourcedId": usr.sid(r.person_id),
                "role": str(r.role),
                "primary": "true" if r.is_primary else ("false" if s.get("primary") != "" else ""),
                "beginDate": s.get("beginDate", "")
                if parse_date(s.get("beginDate", "") or "x") in (None, r.begins_on)
                else r.begins_on.isoformat(),
                "endDate": r.ends_on.isoformat() if r.ends_on else "",
            }
        )
    _kept_only(out, k, rows)
    born = {r.id: r.birth_date for r in rows["person"] if _current(r, today)}
    for target, (_sid, status, s) in k["demographic"].mapping.items():
        if status == "active" and target in born:
            b = born[target]
            out["demographics"].append({**s, "birthDate": b.isoformat() if b else ""})
    return out


def _first_org(rows: dict[str, list[Any]]) -> str:
    return str(rows["school"][0].id) if rows["school"] else ""


def _kept_only(
    out: dict[str, list[dict[str, str]]], k: dict[str, _Kind], rows: dict[str, list[Any]]
) -> None:
    """Roles and enrollments we keep but do not model (an aide's role, a proctor)."""
    ours = {
        "role": {r.id for r in rows["role_assignment"]},
        "enrollment": {r.id for r in rows["enrollment"]},
    }
    for kind, name in (("role", "roles"), ("enrollment", "enrollments")):
        for target, (_sid, status, s) in k[kind].mapping.items():
            if status == "active" and target not in ours[kind]:
                out[name].append(dict(s))


def columns(name: str, rows: list[dict[str, str]]) -> list[str]:
    base = list(HEADERS[name][0])
    extra = sorted({c for r in rows for c in r if c.startswith("metadata.")})
    return base + extra


def to_zip(files: dict[str, list[dict[str, str]]]) -> bytes:
    """The package as a zip: a manifest naming each non-empty file `bulk`, the rest absent."""
    buffer = io.BytesIO()
    manifest = [("manifest.version", "1.0"), ("oneroster.version", "1.2")]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in HEADERS:
            rows = files.get(name, [])
            manifest.append((f"file.{name}", "bulk" if rows else "absent"))
            if not rows:
                continue
            text = io.StringIO()
            cols = columns(name, rows)
            writer = csv.writer(text, lineterminator="\r\n")
            writer.writerow(cols)
            for r in sorted(rows, key=lambda r: r.get("sourcedId", "")):
                writer.writerow([_blank_sync(c, r.get(c, "")) for c in cols])
            archive.writestr(f"{name}.csv", text.getvalue())
        manifest += [("source.systemName", "edtech"), ("source.systemCode", "edtech")]
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(["propertyName", "value"])
        writer.writerows(manifest)
        archive.writestr("manifest.csv", text.getvalue())
    return buffer.getvalue()


def _blank_sync(column: str, value: str) -> str:
    """A bulk file leaves `status` and `dateLastModified` blank."""
    return "" if column in ("status", "dateLastModified") else value


async def export_zip(session: AsyncSession, institution_id: uuid.UUID, now: datetime) -> bytes:
    """The package as a zip, judged on the school's date (ended means ended there)."""
    settings = await institution_settings(session, institution_id)
    zone = ZoneInfo(settings.timezone) if settings else None
    return to_zip(await export_package(session, institution_id, now.astimezone(zone).date()))
