"""Event frames written and read: the standard library's `json` against `protocol.json_text`
(orjson), side by side in one run.

    uv run python -m bench.frames --frames 10000 --rounds 5

Every committed event becomes one `event` frame per channel it lands on (an announcement to
10,000 guardians: 10,000 frames, written by the publisher after the commit; a 35-student grade
publication: 105), and every frame on an observed channel (the inboxes, whose seen marks are
noted) is read back once per node (`protocol.decode_event`). Both are pure CPU on the node,
measured here without the network, the database or the broker: `--frames` frames of each
payload written the old way (`json.dumps(frame, separators=(",", ":"), ensure_ascii=False)`)
and the new (`protocol.event_frame`), then read (`json.loads` against `decode_event`), the two
alternating `--rounds` times; this process's CPU (`time.process_time`) per frame, the garbage
collector off while measuring, medians.

The payloads are synthetic, shaped like the real ones: a `grades.published` (the result, the
previous one, the change's summary and the student's course total with its categories and
lines, ~2.5 KB) and an `announcement.published` (a title and a ~600-character body with accents,
~0.9 KB).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bench.common import machine
from edtech.realtime.protocol import decode_event, event_frame

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def _grades_published() -> dict[str, Any]:
    def line(i: int) -> dict[str, Any]:
        return {
            "assessment_id": str(uuid.uuid4()),
            "title": f"Homework {i}",
            "points": "9",
            "max_points": "10",
            "excused": False,
            "weight": "1",
        }

    categories = [
        {
            "category_id": str(uuid.uuid4()),
            "name": name,
            "weight": "0.4",
            "earned": "35",
            "possible": "40",
            "percent": "87.5",
            "lines": [line(i) for i in range(4)],
        }
        for name in ("Homework", "Quizzes", "Tests")
    ]
    return {
        "section_id": str(uuid.uuid4()),
        "assessment_id": str(uuid.uuid4()),
        "assessment_title": "Unit 3 test",
        "publication_id": str(uuid.uuid4()),
        "student_id": str(uuid.uuid4()),
        "result": {"points": "8.5", "status": "graded", "comment": "Good work", "max_points": "10"},
        "previous": {"points": "7", "status": "graded", "comment": None},
        "changes": ["points 7 → 8.5"],
        "total": {"percent": "87.5", "letter": "B+", "categories": categories},
    }


def _announcement() -> dict[str, Any]:
    body = "École fermée demain : tempête de neige. " * 15
    return {
        "announcement_id": str(uuid.uuid4()),
        "title": "Fermeture — jeudi",
        "body": body,
        "urgent": True,
        "author_name": "Mme Lefèvre",
    }


def _old_frame(channel: str, offset: int, type_: str, data: dict[str, Any], ts: datetime) -> str:
    """`protocol.event_frame` as it was, with the standard library's `json`."""
    frame = {"op": "event", "channel": channel, "offset": offset, "type": type_, "data": data}
    return json.dumps({**frame, "ts": ts.isoformat()}, separators=(",", ":"), ensure_ascii=False)


def _cpu_per_frame(work: Callable[[], object], frames: int) -> float:
    """CPU per frame of `work`, the collector off meanwhile (10,000 decoded frames kept in a
    list would set it off: a node reads one frame at a time)."""
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        work()
        return (time.process_time() - start) / frames * 1e6
    finally:
        gc.enable()


def measure(name: str, data: dict[str, Any], frames: int, rounds: int) -> list[str]:
    channels = [f"user.{uuid.uuid4()}" for _ in range(frames)]
    texts = [_old_frame(c, 1, name, data, NOW) for c in channels]
    kinds = ("write old", "write new", "read old", "read new")
    runs: dict[str, list[float]] = {k: [] for k in kinds}
    for _ in range(rounds):
        runs["write old"].append(
            _cpu_per_frame(lambda: [_old_frame(c, 1, name, data, NOW) for c in channels], frames)
        )
        runs["write new"].append(
            _cpu_per_frame(lambda: [event_frame(c, 1, name, data, NOW) for c in channels], frames)
        )
        runs["read old"].append(_cpu_per_frame(lambda: [json.loads(t) for t in texts], frames))
        runs["read new"].append(_cpu_per_frame(lambda: [decode_event(t) for t in texts], frames))
    pairs = zip(channels, texts, strict=True)
    same = all(event_frame(c, 1, name, data, NOW) == t for c, t in pairs)
    med = {k: statistics.median(v) for k, v in runs.items()}
    return [
        f"| `{name}` ({len(texts[0]):,} bytes a frame) | write | {med['write old']:.1f} µs "
        f"| {med['write new']:.1f} µs | {med['write old'] / med['write new']:.1f}× |",
        f"| | read | {med['read old']:.1f} µs | {med['read new']:.1f} µs "
        f"| {med['read old'] / med['read new']:.1f}× |",
        f"| | frames written alike | {same} | | |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(machine())
    print(f"`--frames {args.frames} --rounds {args.rounds}`, CPU per frame, medians:\n")
    print("| payload | | `json` | `json_text` (orjson) | ratio |")
    print("|---|---|---|---|---|")
    for name, data in (
        ("grades.published", _grades_published()),
        ("announcement.published", _announcement()),
    ):
        for row in measure(name, data, args.frames, args.rounds):
            print(row)


if __name__ == "__main__":
    main()
