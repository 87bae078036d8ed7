"""The OneRoster 1.2 rostering service (read): collections, single records and the nested
paths, with the spec's `limit`, `offset`, `sort`, `orderBy`, `filter` and `fields`, the
`X-Total-Count` and `Link` headers and its JSON envelopes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from edtech.kernel.errors import NotFoundError
from edtech.oneroster.api.auth import ImsRoute, requires
from edtech.oneroster.domain.query import Query as RosterQuery
from edtech.oneroster.domain.query import apply, parse_query
from edtech.oneroster.domain.scopes import ROSTER_READ
from edtech.oneroster.infrastructure.clients import Integration
from edtech.oneroster.infrastructure.rostering import ROSTERING, roster_objects_now
from edtech.platform.http.deps import ClockDep, ReadSessionDep
from edtech.platform.http.pagination import MAX_OFFSET

router = APIRouter(prefix=ROSTERING, tags=["oneroster rostering"], route_class=ImsRoute)

RosterClientDep = Annotated[Integration, Depends(requires(ROSTER_READ))]
Objects = dict[str, list[dict[str, Any]]]
Id = Annotated[str, Path(min_length=1, max_length=255)]
OBJECT: dict[str, Any] = {"type": "object", "additionalProperties": True}


def query_params(
    limit: Annotated[int, Query(ge=1, le=1000, description="Records per page.")] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Records to skip.")] = 0,
    sort: Annotated[str | None, Query(max_length=100, description="Field to sort by.")] = None,
    order_by: Annotated[Literal["asc", "desc"] | None, Query(alias="orderBy")] = None,
    filter_: Annotated[
        str | None,
        Query(
            alias="filter", max_length=1000, description="e.g. `status='active' AND role='student'`"
        ),
    ] = None,
    fields: Annotated[str | None, Query(max_length=1000, description="Fields to return.")] = None,
) -> RosterQuery:
    return parse_query(limit, offset, sort, order_by, filter_, fields)


QueryDep = Annotated[RosterQuery, Depends(query_params)]


def _links(request: Request, q: RosterQuery, total: int) -> str:
    # The path as sent, percent-encoded again: decoded, an id holding a NUL or a character past
    # Latin-1 made the header unsendable (the connection dropped without an answer).
    url = request.url.replace(path=quote(request.url.path))

    def at(offset: int) -> str:
        return str(url.include_query_params(limit=q.limit, offset=offset))

    links = [f'<{at(0)}>; rel="first"']
    last = max(0, (total - 1) // q.limit * q.limit)
    if q.offset + q.limit < total:
        links.append(f'<{at(q.offset + q.limit)}>; rel="next"')
    if q.offset > 0:
        links.append(f'<{at(max(0, q.offset - q.limit))}>; rel="prev"')
    links.append(f'<{at(last)}>; rel="last"')
    return ", ".join(links)


def _page(
    request: Request, q: RosterQuery, envelope: str, items: list[dict[str, Any]]
) -> JSONResponse:
    page, total = apply(q, items)
    return JSONResponse(
        {envelope: page},
        headers={"X-Total-Count": str(total), "Link": _links(request, q, total)},
    )


def _has_role(user: dict[str, Any], role: str, org: str | None = None) -> bool:
    return any(
        r["role"] == role and (org is None or (r.get("org") or {}).get("sourcedId") == org)
        for r in user["roles"]
    )


def _enrolled(
    o: Objects, cls: str | None, user: str | None, role: str | None
) -> list[dict[str, Any]]:
    return [
        e
        for e in o["enrollments"]
        if (cls is None or e["class"]["sourcedId"] == cls)
        and (user is None or e["user"]["sourcedId"] == user)
        and (role is None or e["role"] == role)
    ]


def _users_in(o: Objects, cls: str, role: str) -> list[dict[str, Any]]:
    ids = {e["user"]["sourcedId"] for e in _enrolled(o, cls, None, role)}
    return [u for u in o["users"] if u["sourcedId"] in ids]


def _classes_of(o: Objects, user: str, role: str) -> list[dict[str, Any]]:
    ids = {e["class"]["sourcedId"] for e in _enrolled(o, None, user, role)}
    return [c for c in o["classes"] if c["sourcedId"] in ids]


def _ref_is(field: str, value: str) -> Callable[[dict[str, Any]], bool]:
    return lambda x: (x.get(field) or {}).get("sourcedId") == value


Select = Callable[[Objects, str], list[dict[str, Any]]]
TERMS = ("term", "semester")

# path, envelope, the records (given the objects and the path's id), summary
COLLECTIONS: tuple[tuple[str, str, Select, str], ...] = (
    ("/orgs", "orgs", lambda o, _: o["orgs"], "All orgs"),
    (
        "/schools",
        "orgs",
        lambda o, _: [x for x in o["orgs"] if x["type"] == "school"],
        "All schools",
    ),
    (
        "/academicSessions",
        "academicSessions",
        lambda o, _: o["academicSessions"],
        "All academic sessions",
    ),
    (
        "/terms",
        "academicSessions",
        lambda o, _: [x for x in o["academicSessions"] if x["type"] in TERMS],
        "All terms",
    ),
    (
        "/gradingPeriods",
        "academicSessions",
        lambda o, _: [x for x in o["academicSessions"] if x["type"] == "gradingPeriod"],
        "All grading periods",
    ),
    ("/courses", "courses", lambda o, _: o["courses"], "All courses"),
    ("/classes", "classes", lambda o, _: o["classes"], "All classes"),
    ("/users", "users", lambda o, _: o["users"], "All users"),
    (
        "/students",
        "users",
        lambda o, _: [u for u in o["users"] if _has_role(u, "student")],
        "All students",
    ),
    (
        "/teachers",
        "users",
        lambda o, _: [u for u in o["users"] if _has_role(u, "teacher")],
        "All teachers",
    ),
    ("/enrollments", "enrollments", lambda o, _: o["enrollments"], "All enrollments"),
    (
        "/schools/{id}/classes",
        "classes",
        lambda o, i: [c for c in o["classes"] if _ref_is("school", i)(c)],
        "Classes of a school",
    ),
    (
        "/schools/{id}/enrollments",
        "enrollments",
        lambda o, i: [e for e in o["enrollments"] if _ref_is("school", i)(e)],
        "Enrollments of a school",
    ),
    (
        "/schools/{id}/students",
        "users",
        lambda o, i: [u for u in o["users"] if _has_role(u, "student", i)],
        "Students of a school",
    ),
    (
        "/schools/{id}/teachers",
        "users",
        lambda o, i: [u for u in o["users"] if _has_role(u, "teacher", i)],
        "Teachers of a school",
    ),
    (
        "/schools/{id}/courses",
        "courses",
        lambda o, i: [c for c in o["courses"] if _ref_is("org", i)(c)],
        "Courses of a school",
    ),
    (
        "/classes/{id}/students",
        "users",
        lambda o, i: _users_in(o, i, "student"),
        "Students of a class",
    ),
    (
        "/classes/{id}/teachers",
        "users",
        lambda o, i: _users_in(o, i, "teacher"),
        "Teachers of a class",
    ),
    (
        "/courses/{id}/classes",
        "classes",
        lambda o, i: [c for c in o["classes"] if _ref_is("course", i)(c)],
        "Classes of a course",
    ),
    (
        "/terms/{id}/classes",
        "classes",
        lambda o, i: [c for c in o["classes"] if i in {t["sourcedId"] for t in c["terms"]}],
        "Classes of a term",
    ),
    (
        "/terms/{id}/gradingPeriods",
        "academicSessions",
        lambda o, i: [
            s
            for s in o["academicSessions"]
            if s["type"] == "gradingPeriod" and _ref_is("parent", i)(s)
        ],
        "Grading periods of a term",
    ),
    (
        "/students/{id}/classes",
        "classes",
        lambda o, i: _classes_of(o, i, "student"),
        "A student's classes",
    ),
    (
        "/teachers/{id}/classes",
        "classes",
        lambda o, i: _classes_of(o, i, "teacher"),
        "A teacher's classes",
    ),
    (
        "/users/{id}/classes",
        "classes",
        lambda o, i: _classes_of(o, i, "student") + _classes_of(o, i, "teacher"),
        "A user's classes",
    ),
)

# path, envelope, the collection it is found in
SINGLE: tuple[tuple[str, str, Select], ...] = (
    ("/orgs/{id}", "org", COLLECTIONS[0][2]),
    ("/schools/{id}", "org", COLLECTIONS[1][2]),
    ("/academicSessions/{id}", "academicSession", COLLECTIONS[2][2]),
    ("/terms/{id}", "academicSession", COLLECTIONS[3][2]),
    ("/gradingPeriods/{id}", "academicSession", COLLECTIONS[4][2]),
    ("/courses/{id}", "course", COLLECTIONS[5][2]),
    ("/classes/{id}", "class", COLLECTIONS[6][2]),
    ("/users/{id}", "user", COLLECTIONS[7][2]),
    ("/students/{id}", "user", COLLECTIONS[8][2]),
    ("/teachers/{id}", "user", COLLECTIONS[9][2]),
    ("/enrollments/{id}", "enrollment", COLLECTIONS[10][2]),
)


def _responses(envelope: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": f'`{{"{envelope}": ...}}`',
            "content": {"application/json": {"schema": OBJECT}},
        },
        401: {"description": "No valid bearer token."},
        403: {"description": "The token lacks the roster.readonly scope."},
    }


def _collection_route(path: str, envelope: str, select: Select, summary: str) -> None:
    if "{id}" in path:

        async def nested(
            id: Id,
            request: Request,
            client: RosterClientDep,
            q: QueryDep,
            session: ReadSessionDep,
            clock: ClockDep,
        ) -> JSONResponse:
            objects = await roster_objects_now(session, client.institution_id, clock.now())
            return _page(request, q, envelope, select(objects, id))

        endpoint: Callable[..., Any] = nested
    else:

        async def listing(
            request: Request,
            client: RosterClientDep,
            q: QueryDep,
            session: ReadSessionDep,
            clock: ClockDep,
        ) -> JSONResponse:
            objects = await roster_objects_now(session, client.institution_id, clock.now())
            return _page(request, q, envelope, select(objects, ""))

        endpoint = listing
    name = "or_" + path.strip("/").replace("/", "_").replace("{id}", "by_id")
    router.add_api_route(
        path,
        endpoint,
        methods=["GET"],
        summary=summary,
        name=name,
        operation_id=name,
        responses=_responses(envelope),
        response_class=JSONResponse,
    )


def _single_route(path: str, envelope: str, select: Select) -> None:
    async def one(
        id: Id,
        client: RosterClientDep,
        session: ReadSessionDep,
        clock: ClockDep,
        fields: Annotated[str | None, Query(max_length=1000)] = None,
    ) -> JSONResponse:
        objects = await roster_objects_now(session, client.institution_id, clock.now())
        found = [x for x in select(objects, "") if x["sourcedId"] == id]
        if not found:
            raise NotFoundError(f"{envelope} not found")
        (item,), _ = apply(parse_query(1, 0, None, None, None, fields), found)
        return JSONResponse({envelope: item})

    name = "or_" + path.strip("/").replace("/", "_").replace("{id}", "one")
    router.add_api_route(
        path,
        one,
        methods=["GET"],
        summary=f"One {envelope}",
        name=name,
        operation_id=name,
        responses={**_responses(envelope), 404: {"description": "Unknown here."}},
        response_class=JSONResponse,
    )


for _path, _envelope, _select, _summary in COLLECTIONS:
    _collection_route(_path, _envelope, _select, _summary)
for _path, _envelope, _select in SINGLE:
    _single_route(_path, _envelope, _select)
