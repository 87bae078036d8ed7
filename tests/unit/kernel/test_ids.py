"""UUIDv7 ids: version bits, time order, uniqueness."""

from __future__ import annotations

import time

from edtech.kernel.ids import new_id


def test_ids_are_version_7_with_the_rfc_variant() -> None:
    value = new_id()
    assert value.version == 7
    assert value.variant == "specified in RFC 4122"


def test_ids_made_in_a_row_are_strictly_increasing() -> None:
    ids = [new_id() for _ in range(5000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_id_carries_the_creation_millisecond() -> None:
    before = time.time_ns() // 1_000_000
    value = new_id()
    after = time.time_ns() // 1_000_000
    assert before <= value.int >> 80 <= after + 1
