"""The OneRoster REST query parameters, pure: `filter` (its predicate grammar), `sort` and
`orderBy`, `fields`, `limit` and `offset`, applied to a collection of JSON objects.

The filter is parsed into predicates and evaluated on the objects — never turned into SQL
text. Grammar (OneRoster 1.2 §3.4): `field op 'value'`, op one of `= != > >= < <= ~`
(`~` contains), predicates joined by one logical operator, `AND` or `OR`; a dotted field
names a member of a reference (`school.sourcedId`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from edtech.kernel.errors import FieldProblem, InvalidError

_PREDICATE = re.compile(r"\s*([A-Za-z][A-Za-z0-9_.]*)\s*(!=|>=|<=|=|>|<|~)\s*'((?:[^']|'')*)'\s*")
_LOGICAL = re.compile(r"\s+(AND|OR)\s+")
MAX_FILTER = 1000


def bad(param: str, message: str) -> InvalidError:
    return InvalidError(f"invalid {param}: {message}", [FieldProblem(("query", param), message)])


@dataclass(frozen=True)
class Predicate:
    field: str
    op: str
    value: str


@dataclass(frozen=True)
class Filter:
    predicates: tuple[Predicate, ...]
    logical: str = "AND"

    def __call__(self, obj: dict[str, Any]) -> bool:
        results = (_holds(p, obj) for p in self.predicates)
        return all(results) if self.logical == "AND" else any(results)


def parse_filter(text: str) -> Filter:
    if len(text) > MAX_FILTER:
        raise bad("filter", f"at most {MAX_FILTER} characters")
    parts = _LOGICAL.split(text)
    predicates, logicals = parts[0::2], set(parts[1::2])
    if len(logicals) > 1:
        raise bad("filter", "use either AND or OR, not both")
    out = []
    for part in predicates:
        m = _PREDICATE.fullmatch(part)
        if m is None:
            raise bad("filter", f"cannot read {part.strip()!r}; write field='value'")
        out.append(Predicate(m.group(1), m.group(2), m.group(3).replace("''", "'")))
    return Filter(tuple(out), logicals.pop() if logicals else "AND")


def _value(obj: Any, path: str) -> Any:
    """The value at a dotted path; through a list, the list of each member's value."""
    key, _, rest = path.partition(".")
    if isinstance(obj, list):
        return [_value(o, path) for o in obj]
    if not isinstance(obj, dict):
        return None
    found = obj.get(key)
    return _value(found, rest) if rest else found


def _flat(value: Any) -> list[Any]:
    if not isinstance(value, list):
        return [value]
    return [x for v in value for x in _flat(v)]


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return "" if v is None else str(v)


def _holds(p: Predicate, obj: dict[str, Any]) -> bool:
    values = _flat(_value(obj, p.field))
    return any(_compare(_text(v), p.op, p.value) for v in values)


def _compare(a: str, op: str, b: str) -> bool:
    if op == "=":
        return a == b
    if op == "!=":
        return a != b
    if op == "~":
        return b.lower() in a.lower()
    ops: dict[str, Callable[[str, str], bool]] = {
        ">": lambda x, y: x > y,
        ">=": lambda x, y: x >= y,
        "<": lambda x, y: x < y,
        "<=": lambda x, y: x <= y,
    }
    return ops[op](a, b)


@dataclass(frozen=True)
class Query:
    limit: int = 100
    offset: int = 0
    sort: str | None = None
    order_by: str = "asc"
    filter: Filter | None = None
    fields: tuple[str, ...] = ()


def parse_query(
    limit: int,
    offset: int,
    sort: str | None,
    order_by: str | None,
    filter_: str | None,
    fields: str | None,
) -> Query:
    if order_by not in (None, "asc", "desc"):
        raise bad("orderBy", "must be asc or desc")
    chosen = tuple(f.strip() for f in (fields or "").split(",") if f.strip())
    return Query(
        limit=limit,
        offset=offset,
        sort=sort or None,
        order_by=order_by or "asc",
        filter=parse_filter(filter_) if filter_ else None,
        fields=chosen,
    )


def apply(query: Query, items: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """Filter, sort, page and select fields; returns the page and the total before paging."""
    known = set().union(*(i.keys() for i in items)) if items else set()
    for name in query.fields:
        if items and name not in known:
            raise bad("fields", f"unknown field {name!r}")
    if query.sort and items and query.sort.split(".")[0] not in known:
        raise bad("sort", f"unknown field {query.sort!r}")
    chosen = [i for i in items if query.filter is None or query.filter(i)]
    if query.sort:
        key = query.sort
        chosen.sort(key=lambda i: _text(_value(i, key)), reverse=query.order_by == "desc")
    total = len(chosen)
    page = chosen[query.offset : query.offset + query.limit]
    if query.fields:
        page = [{k: v for k, v in i.items() if k in query.fields} for i in page]
    return page, total
