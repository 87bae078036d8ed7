"""The node's garbage collector set-up (`freeze_heap`, `FrozenSurvivors`).

Each case runs in a fresh interpreter: freezing the heap is process-wide and would keep this
test process's garbage for ever.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

PRELUDE = """
import gc, json, weakref
from edtech.platform.serving import FrozenSurvivors, freeze_heap

class Node:
    def __init__(self):
        self.me = self  # a reference cycle: only the collector frees it

def alive_cycle():
    node = Node()
    return node, weakref.ref(node)
"""


def run(script: str) -> dict[str, object]:
    code = PRELUDE + textwrap.dedent(script)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_what_survives_a_full_collection_is_frozen_and_not_scanned_again() -> None:
    result = run(
        """
        freeze_heap(reclaim_every=3600)
        base = gc.get_freeze_count()
        keep = [alive_cycle() for _ in range(1000)]
        gc.collect()  # a full collection: all 1,000 survive it
        print(json.dumps({
            "frozen_more": gc.get_freeze_count() - base,
            "left_to_scan": len(gc.get_objects(2)),
        }))
        """
    )
    assert result["frozen_more"] >= 1000  # type: ignore[operator]
    assert result["left_to_scan"] == 0


def test_a_cycle_that_dies_after_it_was_frozen_is_freed_by_the_periodic_reclaim() -> None:
    result = run(
        """
        now = [0.0]
        collector = FrozenSurvivors(600.0, clock=lambda: now[0])
        gc.collect(); gc.freeze()
        gc.callbacks.append(collector)
        node, ref = alive_cycle()
        gc.collect()  # survives: frozen
        del node
        gc.collect()  # garbage now, but frozen: not looked at
        kept_while_frozen = ref() is not None
        now[0] = 600.0  # the reclaim is due
        gc.collect()  # unfreezes after it
        gc.collect()  # the complete collection: reclaims, then freezes again
        print(json.dumps({
            "kept_while_frozen": kept_while_frozen,
            "freed_by_reclaim": ref() is None,
            "frozen": collector.frozen,
            "reclaims": collector.reclaims,
            "left_to_scan": len(gc.get_objects(2)),
        }))
        """
    )
    assert result == {
        "kept_while_frozen": True,
        "freed_by_reclaim": True,
        "frozen": 3,
        "reclaims": 1,
        "left_to_scan": 0,
    }


def test_younger_collections_freeze_nothing() -> None:
    result = run(
        """
        freeze_heap(reclaim_every=3600)
        base = gc.get_freeze_count()
        keep = [alive_cycle() for _ in range(100)]
        gc.collect(0); gc.collect(1)
        print(json.dumps({"frozen_more": gc.get_freeze_count() - base}))
        """
    )
    assert result == {"frozen_more": 0}
