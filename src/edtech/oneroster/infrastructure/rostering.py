"""The roster as OneRoster 1.2 REST objects (the rostering service's read model).

Built from the same rows as the CSV export, so both bindings say the same thing: references
are `{"sourcedId", "href", "type"}`, lists are lists, booleans are booleans.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from edtech.institutions.public import institution_settings
from edtech.oneroster.domain.binding import split_list
from edtech.oneroster.infrastructure.export import export_package

ROSTERING = "/ims/oneroster/rostering/v1p2"

COLLECTION_TYPES = {
    "orgs": "org",
    "academicSessions": "academicSession",
    "courses": "course",
    "classes": "class",
    "users": "user",
    "enrollments": "enrollment",
}


def ref(collection: str, sourced_id: str) -> dict[str, str] | None:
    if not sourced_id:
        return None
    return {
        "sourcedId": sourced_id,
        "href": f"{ROSTERING}/{collection}/{sourced_id}",
        "type": COLLECTION_TYPES[collection],
    }


def _refs(collection: str, ids: str) -> list[dict[str, str]]:
    return [r for r in (ref(collection, i) for i in split_list(ids)) if r]


def _base(row: dict[str, str]) -> dict[str, Any]:
    meta = {k[len("metadata.") :]: v for k, v in row.items() if k.startswith("metadata.") and v}
    out: dict[str, Any] = {
        "sourcedId": row["sourcedId"],
        "status": "active",
        "dateLastModified": row.get("dateLastModified") or None,
    }
    if meta:
        out["metadata"] = meta
    return out


async def roster_objects(
    session: AsyncSession, institution_id: uuid.UUID, today: date
) -> dict[str, list[dict[str, Any]]]:
    files = await export_package(session, institution_id, today)
    orgs = [
        {
            **_base(r),
            "name": r["name"],
            "type": r["type"],
            "identifier": r.get("identifier", ""),
            "parent": ref("orgs", r["parentSourcedId"]),
            "children": [
                ref("orgs", c["sourcedId"])
                for c in files["orgs"]
                if c["parentSourcedId"] == r["sourcedId"]
            ],
        }
        for r in files["orgs"]
    ]
    sessions = [
        {
            **_base(r),
            "title": r["title"],
            "type": r["type"],
            "startDate": r["startDate"],
            "endDate": r["endDate"],
            "parent": ref("academicSessions", r["parentSourcedId"]),
            "children": [
                ref("academicSessions", c["sourcedId"])
                for c in files["academicSessions"]
                if c["parentSourcedId"] == r["sourcedId"]
            ],
            "schoolYear": r["schoolYear"],
        }
        for r in files["academicSessions"]
    ]
    courses = [
        {
            **_base(r),
            "title": r["title"],
            "courseCode": r["courseCode"],
            "grades": split_list(r.get("grades", "")),
            "subjects": split_list(r.get("subjects", "")),
            "org": ref("orgs", r["orgSourcedId"]),
            "schoolYear": ref("academicSessions", r.get("schoolYearSourcedId", "")),
        }
        for r in files["courses"]
    ]
    classes = [
        {
            **_base(r),
            "title": r["title"],
            "classCode": r["classCode"],
            "classType": r["classType"],
            "location": r["location"],
            "grades": split_list(r.get("grades", "")),
            "subjects": split_list(r.get("subjects", "")),
            "course": ref("courses", r["courseSourcedId"]),
            "school": ref("orgs", r["schoolSourcedId"]),
            "terms": _refs("academicSessions", r["termSourcedIds"]),
            "periods": split_list(r.get("periods", "")),
        }
        for r in files["classes"]
    ]
    roles: dict[str, list[dict[str, Any]]] = {}
    for r in files["roles"]:
        roles.setdefault(r["userSourcedId"], []).append(
            {
                "roleType": r["roleType"],
                "role": r["role"],
                "org": ref("orgs", r["orgSourcedId"]),
                "beginDate": r["beginDate"] or None,
                "endDate": r["endDate"] or None,
            }
        )
    users = [
        {
            **_base(r),
            "enabledUser": r.get("enabledUser", "true") == "true",
            "username": r["username"],
            "givenName": r["givenName"],
            "familyName": r["familyName"],
            "middleName": r.get("middleName", ""),
            "identifier": r.get("identifier", ""),
            "email": r["email"],
            "roles": roles.get(r["sourcedId"], []),
            "agents": _refs("users", r["agentSourcedIds"]),
            "grades": split_list(r.get("grades", "")),
            "primaryOrg": ref("orgs", r.get("primaryOrgSourcedId", "")),
        }
        for r in files["users"]
    ]
    enrollments = [
        {
            **_base(r),
            "role": r["role"],
            "primary": r["primary"] == "true",
            "beginDate": r["beginDate"] or None,
            "endDate": r["endDate"] or None,
            "user": ref("users", r["userSourcedId"]),
            "class": ref("classes", r["classSourcedId"]),
            "school": ref("orgs", r["schoolSourcedId"]),
        }
        for r in files["enrollments"]
        if r["role"] in ("student", "teacher", "aide", "administrator", "proctor")
    ]
    return {
        "orgs": orgs,
        "academicSessions": sessions,
        "courses": courses,
        "classes": classes,
        "users": users,
        "enrollments": enrollments,
    }


async def roster_objects_now(
    session: AsyncSession, institution_id: uuid.UUID, now: datetime
) -> dict[str, list[dict[str, Any]]]:
    """The objects as of the school's date."""
    settings = await institution_settings(session, institution_id)
    zone = ZoneInfo(settings.timezone) if settings else None
    return await roster_objects(session, institution_id, now.astimezone(zone).date())
