"""Every bounded text and decimal a REST request accepts fits the column it is stored in.

`String(n)` is a hard `varchar(n)` on PostgreSQL and no limit on SQLite, so a request field
longer than its column passed every SQLite test and was a 500 at PostgreSQL's insert (grade
levels, relationships, OneRoster ids, pass marks). Each text or decimal property of a request
body in the OpenAPI document is matched by name with the columns of the tables of the slice that
declares its schema (`edtech.<slice>.…`), and must fit every one it matches. A field stored under
another name, or with a same-named column of another meaning in its slice, is in `STORED_AS`; one
no column length applies to is in `NO_COLUMN_LIMIT`; one its domain bounds tighter than its
schema is in `DOMAIN_BOUNDED`. A bounded field that matches nothing fails until it is listed.
"""

from __future__ import annotations

import importlib
import json
import sys
import typing
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from edtech.app import create_app
from edtech.files.domain import MAX_NAME_LENGTH
from edtech.grades.domain.gradebook import MAX_POINTS_LIMIT
from edtech.grades.domain.schemes import HUNDRED, MAX_DECIMALS
from edtech.notifications.infrastructure.webpush import (
    URL_CHARACTERS,
    parse_subscription,
    subscription_token,
)
from edtech.settings import Settings
from edtech.slices import SLICES, metadata
from tests.servers import TEST_SECRET

STORED_AS: dict[str, str] = {
    # Named otherwise in the table.
    "attendance.CheckInIn.device_id": "attendance_check_in.device_ref",
    "attendance.ScanItem.id": "attendance_scan.scan_id",
    "attendance.CancelIn.reason": "attendance_session.cancel_reason",
    "oneroster.CategoryIn.title": "grade_category.name",
    "oneroster.LineItemIn.title": "assessment.title",
    "oneroster.LineItemIn.resultValueMax": "assessment.max_points",
    "oneroster.RefIn.sourcedId": "oneroster_source.sourced_id",
    # Identity creates the institution and its first administrator (the roster's tables).
    "identity.InstitutionIn.name": "institution.name",
    "identity.InstitutionIn.slug": "institution.slug",
    "identity.InstitutionIn.timezone": "institution.timezone",
    "identity.InstitutionIn.locale": "institution.locale",
    "identity.InstitutionIn.currency": "institution.currency",
    "identity.InstitutionIn.admin_email": "person.email",  # and account.email, as long
    "identity.InstitutionIn.admin_given_name": "person.given_name",
    "identity.InstitutionIn.admin_family_name": "person.family_name",
    "identity.SuspendIn.reason": "institution_suspension.reason",
    # A same-named column of the slice means something else (a shorter one, or another kind).
    "attendance.MarkIn.reason": "attendance_mark_change.reason",  # not attendance_scan.reason
    "attendance.ExcuseIn.reason": "attendance_excuse.reason",
    "billing.AccountIn.name": "billing_account.name",  # not billing_sequence.name (32)
    "billing.CategoryIn.name": "billing_fee_category.name",
    "billing.FeeItemIn.name": "billing_fee_item.name",
    "billing.FeePlanIn.name": "billing_fee_plan.name",
    "billing.GrantIn.name": "billing_grant.name",
    "identity.DeviceIn.name": "device.name",  # not sso_provider.name (40)
    "oneroster.ClientIn.name": "oneroster_client.name",  # not job.name (120)
}
"""Request field (`slice.Schema.field`) → the one column it is stored in."""

NO_COLUMN_LIMIT: dict[str, str] = {
    # Secrets: a hash is kept, or nothing.
    "identity.AcceptIn.token": "hashed (invitation.token_hash)",
    "identity.TokenIn.token": "hashed and looked up (invitation, email change)",
    "identity.ResetCompleteIn.token": "hashed (password_reset.token_hash)",
    "identity.RefreshIn.refresh_token": "hashed (refresh_token.token_hash)",
    "identity.AcceptIn.password": "hashed (account.password_hash)",
    "identity.AccountIn.password": "hashed (account.password_hash)",
    "identity.ChangePasswordIn.current_password": "compared with the hash",
    "identity.ChangePasswordIn.new_password": "hashed (account.password_hash)",
    "identity.EmailChangeIn.current_password": "compared with the hash",
    "identity.ResetCompleteIn.new_password": "hashed (account.password_hash)",
    "identity.SsoCallbackIn.state": "hashed and compared (sso_attempt.state_hash)",
    "identity.SsoCallbackIn.code": "exchanged with the identity provider",
    "attendance.CredentialIn.value": "hashed (attendance_credential.value_hash)",
    "attendance.ScanItem.credential": "hashed and looked up",
    "attendance.CheckInIn.token": "a signed QR token, verified",
    "institutions.PairingRequestIn.code": "hashed and looked up (pairing_code.code_hash)",
    "Body_sign_in_api_v1_auth_token_post.grant_type": "OAuth form field",
    "Body_token_ims_oneroster_oauth2_token_post.grant_type": "OAuth form field",
    "Body_token_ims_oneroster_oauth2_token_post.scope": "checked against the client's scopes",
    # Inside a JSON column (no length on either dialect).
    "calendar.PeriodIO.name": "bell_schedule.periods",
    "calendar.RotationMeetingIO.label": "rotation meetings",
    "calendar.RotationMeetingIO.period": "rotation meetings",
    "grades.BandIn.letter": "grade_scheme.bands",
    "grades.BandIn.min_percent": "grade_scheme.bands",
    "grades.BandIn.value_percent": "grade_scheme.bands",
    "grades.*.value": "grade_result.draft (a mark)",
    "grades.*.comment": "grade_result.draft (a mark)",
    "oneroster.ResultIn.score": "grade_result.draft (a mark)",
    "oneroster.ResultIn.comment": "grade_result.draft (a mark)",
    "oneroster.LineItemIn.description": "oneroster_source.record, the line item as sent",
    "oneroster.LineItemIn.resultValueMin": "oneroster_source.record, the line item as sent",
    "oneroster.RefIn.type": "oneroster_source.record, the row as sent",
    "oneroster.RefIn.href": "oneroster_source.record, the row as sent",
    "oneroster.CategoryIn.weight": "oneroster_source.record, the category as sent",
    # Composed into one text: test_a_web_push_subscription_fits_the_device_token_column.
    "notifications.WebPushSubscriptionIn.endpoint": "push_device.token, with the keys",
    "notifications.WebPushKeysIn.p256dh": "push_device.token, with the endpoint",
    "notifications.WebPushKeysIn.auth": "push_device.token, with the endpoint",
    # Parsed into integers.
    "billing.*.amount": "integer minor units (amount_minor)",
    "billing.GrantIn.percent": "integer basis points (percent_bp)",
}
"""Request field (`slice.*.field` for every schema of the slice) → why no column's length
applies to it."""

_ZONE = max(map(len, zoneinfo.available_timezones()))
DOMAIN_BOUNDED: dict[str, int] = {
    # The use case refuses what the schema lets through, before anything is stored.
    "files.UploadIn.filename": MAX_NAME_LENGTH,
    "institutions.InstitutionPatch.timezone": _ZONE,  # an IANA zone's name
    "institutions.SchoolIn.timezone": _ZONE,
    "institutions.SchoolPatch.timezone": _ZONE,
    "institutions.InstitutionPatch.locale": 12,  # institutions.domain.values._LOCALE: zh-Hant-TW
    "institutions.InstitutionPatch.currency": 3,  # ISO 4217
    # Decimal text: at most 4 places, "100000.0000" and "100.0000".
    "grades.AssessmentIn.max_points": len(str(int(MAX_POINTS_LIMIT))) + 1 + MAX_DECIMALS,
    "grades.AssessmentPatchIn.max_points": len(str(int(MAX_POINTS_LIMIT))) + 1 + MAX_DECIMALS,
    "grades.SchemeIn.pass_percent": len(str(int(HUNDRED))) + 1 + MAX_DECIMALS,
}
"""Request field → the most characters its domain rule lets reach the column."""

KNOWN_PAIRS = {
    ("institutions.InstitutionPatch.name", "institution.name"),
    ("institutions.PersonIn.grade_level", "person.grade_level"),
    ("institutions.GuardianLinkIn.relationship", "guardian_link.relationship"),
    ("communication.MessageIn.client_id", "message.client_id"),
    ("communication.MessageIn.body", "message.body"),
    ("communication.AnnouncementIn.body", "announcement.body"),
    ("grades.SchemeIn.pass_percent", "grade_scheme.pass_percent"),
    ("oneroster.LineItemIn.resultValueMax", "assessment.max_points"),
}
"""Pairs the matcher must find, so that it cannot silently check nothing."""

_REGEX_PARSER: Any = importlib.import_module("re._parser")
"""CPython's regex parser: `parse(pattern).getwidth()` is the shortest and longest match."""


@dataclass(frozen=True)
class RequestField:
    """A text or decimal property of a request body, with the longest value it admits."""

    key: str
    """`slice.Schema.field`, or `Component.field` for a schema no slice declares."""
    slice: str | None
    name: str
    text: int | None
    """The most characters the value is stored as; None when nothing bounds it."""
    decimal: tuple[int | None, int | None] | None
    """A decimal's (integer digits, decimal places), each None when unbounded."""


Pair = tuple[RequestField, "sa.Column[Any]"]


@pytest.fixture(scope="module")
def fields() -> list[RequestField]:
    settings = Settings(
        database_url="sqlite+aiosqlite:///:memory:", secret_key=TEST_SECRET, background_jobs=False
    )
    return list(_request_fields(create_app(settings).openapi()))


@pytest.fixture(scope="module")
def pairs(fields: list[RequestField]) -> list[Pair]:
    tables = metadata().tables
    by_slice = _slice_tables()
    found: list[Pair] = []
    for field in fields:
        if _entry(NO_COLUMN_LIMIT, field) is not None:
            continue
        if (target := _entry(STORED_AS, field)) is not None:
            table, column = target.split(".")
            found.append((field, tables[table].c[column]))
        else:
            slice_tables = by_slice.get(field.slice or "", [])
            found += [(field, t.c[field.name]) for t in slice_tables if field.name in t.c]
    return found


def test_every_request_field_fits_the_columns_it_is_stored_in(pairs: list[Pair]) -> None:
    problems = [problem for field, column in pairs if (problem := _misfit(field, column))]
    assert not problems, "\n".join(problems)


def test_every_bounded_request_field_is_matched_mapped_or_excluded(
    fields: list[RequestField], pairs: list[Pair]
) -> None:
    """A bounded field that matches no column of its slice is stored under another name or not
    as text: the test cannot tell which, so `STORED_AS` or `NO_COLUMN_LIMIT` must say."""
    matched = {field.key for field, _ in pairs}
    unmatched = [
        f.key
        for f in fields
        if (f.text is not None or f.decimal is not None)
        and f.key not in matched
        and _entry(NO_COLUMN_LIMIT, f) is None
    ]
    assert not unmatched, "\n".join(unmatched)


def test_every_listed_field_and_column_exists(fields: list[RequestField]) -> None:
    used = {
        key
        for f in fields
        for key in (f.key, f"{f.slice}.*.{f.name}")
        if key in STORED_AS or key in NO_COLUMN_LIMIT or key in DOMAIN_BOUNDED
    }
    stale = (set(STORED_AS) | set(NO_COLUMN_LIMIT) | set(DOMAIN_BOUNDED)) - used
    assert not stale, sorted(stale)
    assert not set(STORED_AS) & set(NO_COLUMN_LIMIT)
    tables = metadata().tables
    for target in STORED_AS.values():
        table, column = target.split(".")
        assert table in tables, target
        assert column in tables[table].c, target


def test_the_matcher_checks_the_known_pairs(pairs: list[Pair]) -> None:
    checked = {(field.key, f"{column.table.name}.{column.name}") for field, column in pairs}
    assert checked >= KNOWN_PAIRS, sorted(KNOWN_PAIRS - checked)
    matched = {field.key for field, _ in pairs}
    assert len(matched) >= 100, len(matched)


def test_a_web_push_subscription_fits_the_device_token_column(fields: list[RequestField]) -> None:
    """A subscription is stored as one JSON text (`subscription_token`, escaped to ASCII). Its
    endpoint is URL characters only, none of which JSON escapes, so the longest endpoint the
    schema admits and the longest keys (base64url: never escaped) fit `push_device.token`;
    a character JSON would escape (an emoji: 12 characters) is refused before."""
    longest = {f.name: f.text or 0 for f in fields if ".WebPush" in f.key}
    url_characters = [c for c in map(chr, range(0x110000)) if URL_CHARACTERS.fullmatch(c)]
    assert all(len(json.dumps(c)) == 3 for c in url_characters)  # none escaped
    token = subscription_token(
        "https://" + "%" * (longest["endpoint"] - 8), "a" * longest["p256dh"], "a" * longest["auth"]
    )
    column = metadata().tables["push_device"].c.token.type
    assert isinstance(column, sa.String)
    assert column.length is not None
    assert len(token) <= column.length
    with pytest.raises(ValueError, match="URL characters"):
        parse_subscription("https://push.example/😀", "a", "a")


def _misfit(field: RequestField, column: sa.Column[Any]) -> str | None:
    """Why the longest value `field` admits does not fit `column`, if it does not."""
    where = f"{field.key} → {column.table.name}.{column.name}"
    storage = column.type
    while isinstance(storage, sa.TypeDecorator):
        storage = storage.impl_instance
    if isinstance(storage, sa.Numeric) and field.decimal is not None:
        integer, places = field.decimal
        precision, scale = storage.precision, storage.scale
        if precision is None or scale is None:
            return None
        if places is None or places > scale or integer is None or integer > precision - scale:
            return f"{where}: {integer} digits, {places} places; Numeric({precision}, {scale})"
        return None
    if not isinstance(storage, sa.String):
        return f"{where}: a {storage} column; list the field in STORED_AS or NO_COLUMN_LIMIT"
    bounds = [b for b in (field.text, DOMAIN_BOUNDED.get(field.key)) if b is not None]
    longest = min(bounds, default=None)
    if storage.length is not None and (longest is None or longest > storage.length):
        return f"{where}: up to {longest or 'unbounded'} characters, column holds {storage.length}"
    return None


def _entry(table: dict[str, str], field: RequestField) -> str | None:
    return table.get(field.key, table.get(f"{field.slice}.*.{field.name}"))


def _slice_tables() -> dict[str, list[sa.Table]]:
    """Each slice's tables: those on the modules its manifest names, and on their submodules
    (every one is imported by `edtech.slices`)."""
    owned: dict[str, list[sa.Table]] = {}
    for part in SLICES:
        names = tuple(module.__name__ for module in part.tables)
        tables = owned.setdefault(part.name, [])
        for name, module in list(sys.modules.items()):
            if name in names or name.startswith(tuple(f"{n}." for n in names)):
                found = (v for v in vars(module).values() if isinstance(v, sa.Table))
                tables += [t for t in found if t not in tables]
    return owned


def _request_fields(document: dict[str, Any]) -> Iterator[RequestField]:
    components: dict[str, Any] = document["components"]["schemas"]
    models = _models()
    slices = {part.name for part in SLICES}
    for name in sorted(_request_components(document)):
        model = models.get(name.removesuffix("-Input"))
        slice_ = model.__module__.split(".")[1] if model else None
        slice_ = slice_ if slice_ in slices else None
        prefix = f"{slice_}.{model.__name__}" if model and slice_ else name
        for prop, spec in components[name].get("properties", {}).items():
            arms = _arms(model, prop)
            if Decimal in arms and model is not None:
                yield _decimal(f"{prefix}.{prop}", slice_, prop, model)
            elif (str in arms or model is None) and (lengths := _text_lengths(spec)):
                longest = None if None in lengths else max(b for b in lengths if b is not None)
                yield RequestField(f"{prefix}.{prop}", slice_, prop, longest, None)


def _request_components(document: dict[str, Any]) -> set[str]:
    """Every component a request body refers to, however deep."""
    components: dict[str, Any] = document["components"]["schemas"]
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and (name := ref.rsplit("/", 1)[1]) not in found:
                found.add(name)
                walk(components[name])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for operations in document["paths"].values():
        for operation in operations.values():
            if isinstance(operation, dict):
                walk(operation.get("requestBody", {}))
    return found


def _text_lengths(spec: dict[str, Any]) -> list[int | None]:
    """The most characters each plain-text alternative of a property admits (None: unbounded);
    empty when none is plain text (an enum, a uuid, a date, an array…)."""
    arms = [spec, *(a for k in ("anyOf", "oneOf", "allOf") for a in spec.get(k, []))]
    return [
        _longest(a)
        for a in arms
        if a.get("type") == "string" and not {"format", "enum", "contentMediaType"} & set(a)
    ]


def _longest(text: dict[str, Any]) -> int | None:
    """`maxLength`, or the longest match of a `^…$` pattern (pydantic's default regex engine
    reads `$` as the end of the text: no final newline gets past it)."""
    bounds = [text.get("maxLength")]
    pattern = text.get("pattern", "")
    if pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$"):
        bounds.append(_REGEX_PARSER.parse(pattern).getwidth()[1])
    return min((b for b in bounds if b is not None and b < _REGEX_PARSER.MAXREPEAT), default=None)


def _decimal(key: str, slice_: str | None, prop: str, model: type[BaseModel]) -> RequestField:
    """A `Decimal` field: integer digits from `max_digits` or its bounds, places from
    `decimal_places`; as text, a sign, the digits, and a point before the places."""
    field = _field(model, prop)
    assert field is not None
    meta = field.metadata
    places = next((m.decimal_places for m in meta if getattr(m, "decimal_places", None)), None)
    digits = next((m.max_digits for m in meta if getattr(m, "max_digits", None)), None)
    bounds = [
        abs(Decimal(getattr(m, k)))
        for m in meta
        for k in ("le", "lt", "ge", "gt")
        if getattr(m, k, None) is not None
    ]
    if digits is not None and places is not None:
        integer: int | None = digits - places
    else:
        integer = len(str(int(max(bounds)))) if bounds else None
    text = None
    if integer is not None and places is not None:
        text = 1 + max(integer, 1) + (1 + places if places else 0)
    return RequestField(key, slice_, prop, text, (integer, places))


def _arms(model: type[BaseModel] | None, prop: str) -> set[Any]:
    """The types a model's field takes (the alternatives of a union, without `Annotated`)."""
    field = _field(model, prop) if model is not None else None
    return _unwrap(field.annotation) if field else set()


def _field(model: type[BaseModel], prop: str) -> FieldInfo | None:
    """The model's field that the document names `prop` (its alias, else its name)."""
    return next((f for n, f in model.model_fields.items() if (f.alias or n) == prop), None)


def _unwrap(annotation: Any) -> set[Any]:
    if typing.get_origin(annotation) is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, type(int | None)):
        return {arm for a in typing.get_args(annotation) for arm in _unwrap(a)}
    return {annotation}


def _models() -> dict[str, type[BaseModel]]:
    """Pydantic models by OpenAPI component name: the class name, or the module-qualified name
    FastAPI gives each of two classes of the same name."""
    models: dict[str, type[BaseModel]] = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("edtech."):
            continue
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseModel)
                and value.__module__ == name
            ):
                models.setdefault(value.__name__, value)
                models[f"{name.replace('.', '__')}__{value.__name__}"] = value
    return models
