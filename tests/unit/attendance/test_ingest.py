"""Group commit of scan uploads, with a fake recorder that holds its transaction open."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from edtech.attendance.application.ingest_scans import IngestScans
from edtech.attendance.application.record_scans import ScanIn, ScanOutcome, Upload
from edtech.attendance.domain import ScanResult
from edtech.kernel.principal import DevicePrincipal

INSTITUTION = uuid.uuid4()
AT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def device(institution_id: uuid.UUID = INSTITUTION) -> DevicePrincipal:
    return DevicePrincipal(
        device_id=uuid.uuid4(), institution_id=institution_id, school_id=uuid.uuid4(), name="gate"
    )


def scans(*ids: str) -> list[ScanIn]:
    return [ScanIn(i, f"CARD-{i}", AT) for i in ids]


class FakeRecorder:
    """Records which uploads went into each transaction; a transaction ends when released."""

    def __init__(self) -> None:
        self.transactions: list[list[list[str]]] = []
        self.release = asyncio.Event()
        self.fail_next = False

    def __call__(self) -> FakeRecorder:
        return self

    async def uploads(self, uploads: Sequence[Upload]) -> list[list[ScanOutcome]]:
        self.transactions.append([[s.scan_id for s in batch] for _, batch in uploads])
        await self.release.wait()
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("database gone")
        return [
            [ScanOutcome(s.scan_id, ScanResult.RECORDED, reason=str(d.device_id)) for s in batch]
            for d, batch in uploads
        ]


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_lone_upload_starts_its_transaction_at_once() -> None:
    fake = FakeRecorder()
    ingester = IngestScans(fake)
    fake.release.set()
    gate = device()
    out = await ingester.submit(gate, scans("a", "b"))
    assert fake.transactions == [[["a", "b"]]]
    assert [(o.scan_id, o.reason) for o in out] == [
        ("a", str(gate.device_id)),
        ("b", str(gate.device_id)),
    ]


async def test_uploads_arriving_during_a_transaction_share_the_next_with_their_own_results() -> (
    None
):
    fake = FakeRecorder()
    ingester = IngestScans(fake)
    first = asyncio.create_task(ingester.submit(device(), scans("a")))
    await settle()
    gates = [device() for _ in range(3)]
    waiting = [
        asyncio.create_task(ingester.submit(g, scans(f"{n}-x", f"{n}-y")))
        for n, g in enumerate(gates)
    ]
    await settle()
    assert fake.transactions == [[["a"]]]  # the others queue behind the running one
    fake.release.set()
    await first
    results = await asyncio.gather(*waiting)
    assert fake.transactions == [[["a"]], [["0-x", "0-y"], ["1-x", "1-y"], ["2-x", "2-y"]]]
    for n, (g, out) in enumerate(zip(gates, results, strict=True)):
        assert [o.scan_id for o in out] == [f"{n}-x", f"{n}-y"]
        assert {o.reason for o in out} == {str(g.device_id)}


async def test_a_transaction_takes_whole_uploads_up_to_the_limit() -> None:
    fake = FakeRecorder()
    ingester = IngestScans(fake, limit=4, alone_from=10)
    first = asyncio.create_task(ingester.submit(device(), scans("a")))
    await settle()
    queued = [
        asyncio.create_task(ingester.submit(device(), scans(*(f"{n}-{k}" for k in range(3)))))
        for n in range(3)
    ]
    await settle()
    fake.release.set()
    await asyncio.gather(first, *queued)
    assert [sum(len(u) for u in t) for t in fake.transactions] == [1, 3, 3, 3]


async def test_a_failed_transaction_fails_each_of_its_uploads_and_the_next_one_goes_on() -> None:
    fake = FakeRecorder()
    ingester = IngestScans(fake)
    fake.fail_next = True
    first = asyncio.create_task(ingester.submit(device(), scans("a")))
    await settle()
    later = asyncio.create_task(ingester.submit(device(), scans("b")))
    await settle()
    fake.release.set()
    with pytest.raises(RuntimeError, match="database gone"):
        await first
    assert [o.scan_id for o in await later] == ["b"]


async def test_institutions_do_not_wait_for_each_other() -> None:
    fake = FakeRecorder()
    ingester = IngestScans(fake)
    one = asyncio.create_task(ingester.submit(device(), scans("a")))
    other = asyncio.create_task(ingester.submit(device(uuid.uuid4()), scans("b")))
    await settle()
    assert sorted(fake.transactions) == [[["a"]], [["b"]]]
    fake.release.set()
    await asyncio.gather(one, other)


async def test_an_upload_whose_request_went_away_is_dropped_unapplied() -> None:
    fake = FakeRecorder()
    ingester = IngestScans(fake)
    first = asyncio.create_task(ingester.submit(device(), scans("a")))
    await settle()
    gone = asyncio.create_task(ingester.submit(device(), scans("gone")))
    kept = asyncio.create_task(ingester.submit(device(), scans("kept")))
    await settle()
    gone.cancel()
    await settle()
    fake.release.set()
    await asyncio.gather(first, kept)
    assert fake.transactions == [[["a"]], [["kept"]]]


async def test_a_large_upload_runs_in_its_own_transaction_without_queueing() -> None:
    fake = FakeRecorder()
    ingester = IngestScans(fake, alone_from=3)
    small = asyncio.create_task(ingester.submit(device(), scans("a")))
    await settle()
    large = asyncio.create_task(ingester.submit(device(), scans("x", "y", "z")))
    await settle()
    assert fake.transactions == [[["a"]], [["x", "y", "z"]]]  # running side by side
    fake.release.set()
    await asyncio.gather(small, large)
