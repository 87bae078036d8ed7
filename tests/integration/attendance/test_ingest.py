"""Uploads sharing a transaction: several devices at once, concurrent requests over HTTP."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import httpx
import sqlalchemy as sa

from edtech.attendance.application.record_scans import RecordScans, ScanIn
from edtech.identity.public import create_device
from edtech.kernel.principal import DevicePrincipal
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.db.uow import UnitOfWork
from edtech.settings import Settings
from tests.integration.attendance.helpers import School, scan, school_time

GATE_KEY = "south-gate-key"


def as_id(value: Any) -> uuid.UUID:
    """A UUID from a raw SQL value (SQLite returns 32 hex digits)."""
    return uuid.UUID(str(value))


async def devices(settings: Settings, school: School) -> tuple[DevicePrincipal, DevicePrincipal]:
    """The demo scanner and a second one, the south gate."""
    engine = make_engine(settings.database_url)
    try:
        async with make_session_factory(engine)() as s:
            ids = []
            for name, key in (("Demo scanner", "demo-scanner-key"), ("South gate", GATE_KEY)):
                ids.append(
                    await create_device(
                        s,
                        institution_id=school.demo.institution_id,
                        school_id=school.demo.school_ids[0],
                        name=name,
                        location=None,
                        key=key,
                        now=school.clock.now(),
                    )
                )
            await s.commit()
    finally:
        await engine.dispose()
    one, two = (
        DevicePrincipal(
            device_id=i,
            institution_id=school.demo.institution_id,
            school_id=school.demo.school_ids[0],
            name="scanner",
        )
        for i in ids
    )
    return one, two


async def test_uploads_of_two_devices_in_one_transaction_keep_scan_ids_apart(
    settings: Settings, school: School
) -> None:
    gate, south = await devices(settings, school)
    engine = make_engine(settings.database_url)
    try:
        record = RecordScans(UnitOfWork(make_session_factory(engine)), school.clock)
        at = school_time(8, 2)
        first, second = await record.uploads(
            [
                (gate, [ScanIn("same", "CARD-1", at), ScanIn("same", "CARD-1", at)]),
                (south, [ScanIn("same", "CARD-3", at), ScanIn("other", "CARD-1", at)]),
            ]
        )
        assert [o.result.value for o in first] == ["recorded", "duplicate"]
        assert [o.result.value for o in second] == ["recorded", "already_marked"]
        assert first[0].student_id == school.person("student1@demo.test")
        assert second[0].student_id == school.person("student3@demo.test")

        (replayed,) = await record.uploads([(south, [ScanIn("same", "CARD-3", at)])])
        assert (replayed[0].result.value, replayed[0].original) == ("duplicate", "recorded")

        async with engine.connect() as conn:
            actors = dict(
                (
                    await conn.execute(
                        sa.text("select student_id, actor_id from attendance_mark_change")
                    )
                ).all()
            )
            stored = (
                await conn.execute(sa.text("select device_id, scan_id from attendance_scan"))
            ).all()
    finally:
        await engine.dispose()
    assert {as_id(k): as_id(v) for k, v in actors.items()} == {
        school.person("student1@demo.test"): gate.device_id,
        school.person("student3@demo.test"): south.device_id,
    }
    assert sorted((as_id(d), s) for d, s in stored) == sorted(
        [(gate.device_id, "same"), (south.device_id, "same"), (south.device_id, "other")]
    )


async def test_concurrent_single_scans_each_get_their_own_result(
    client: httpx.AsyncClient, school: School
) -> None:
    cards = [1, 3, 5, 7, 9, 11]
    responses = await asyncio.gather(
        *(scan(client, (f"c{n}", f"CARD-{n}", school_time(8, 1))) for n in cards),
        # the same scan twice at once: recorded once, the other is its duplicate
        scan(client, ("twice", "CARD-2", school_time(8, 1))),
        scan(client, ("twice", "CARD-2", school_time(8, 1))),
    )
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    results = [r.json()["results"] for r in responses]
    assert all(len(r) == 1 for r in results)
    assert [r[0]["id"] for r in results] == [*(f"c{n}" for n in cards), "twice", "twice"]
    assert all(r[0]["result"] == "recorded" for r in results[: len(cards)])
    twice = Counter(r[0]["result"] for r in results[len(cards) :])
    assert twice == {"recorded": 1, "duplicate": 1}
    student2 = str(school.person("student2@demo.test"))
    assert all(r[0]["student_id"] == student2 for r in results[len(cards) :])
