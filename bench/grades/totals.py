"""A class's totals with their explanation: CPU per student, this checkout or an earlier one.

    uv run python -m bench.grades.totals --students 35 --rounds 7
    PYTHONPATH=/path/to/worktree/src uv run python -m bench.grades.totals    # an earlier commit

A grade publication computes each student's published total and writes it into the event
(`SectionBook.total(…).as_data()`); the gradebook grid and the report card do the same. Pure
CPU, measured here without the database: a weighted book of three categories (one drops its
lowest score) and twelve assessments, `--students` students with seeded random points (some
missing, some not graded), and the same unweighted; each total computed `--repeat` times per
round, this process's CPU (`time.process_time`) per student, the collector off while
measuring, the median of `--rounds`. The totals' texts are printed too: two checkouts compare
only when they agree.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
import uuid
from decimal import Decimal

import edtech
from edtech.grades.domain.gradebook import Category, Weighting
from edtech.grades.domain.results import Flag, Mark
from edtech.grades.domain.totals import Item, compute_total

CATEGORIES = [("Homework", 300_000, 1), ("Tests", 500_000, 0), ("Projects", 200_000, 0)]
ASSESSMENTS = 12


def _mark(rng: random.Random) -> Mark | None:
    draw = rng.random()
    if draw < 0.10:
        return None  # not graded
    if draw < 0.15:
        return Mark(flags=frozenset({Flag.MISSING}))
    return Mark(points=Decimal(rng.randint(0, 200)) / 10)


def _class(students: int) -> tuple[list[Category], list[list[Item]]]:
    rng = random.Random(1)
    categories = [
        Category(id=uuid.UUID(int=rng.getrandbits(128)), name=n, weight_ppm=w, drop_lowest=d)
        for n, w, d in CATEGORIES
    ]
    assessments = [
        (uuid.UUID(int=rng.getrandbits(128)), f"Assessment {k}", categories[k % 3].id)
        for k in range(ASSESSMENTS)
    ]
    items = [
        [Item(a, title, c, Decimal(20), _mark(rng)) for a, title, c in assessments]
        for _ in range(students)
    ]
    return categories, items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--students", type=int, default=35)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    categories, students = _class(args.students)
    print(f"edtech from {edtech.__path__[0]}")
    for weighting in (Weighting.WEIGHTED, Weighting.UNWEIGHTED):
        per_student = []
        gc.disable()
        for _ in range(args.rounds):
            t0 = time.process_time()
            for _ in range(args.repeat):
                totals = [
                    compute_total(
                        weighting=weighting, categories=categories, items=items, scheme=None
                    ).as_data()
                    for items in students
                ]
            per_student.append((time.process_time() - t0) / args.repeat / len(students))
        gc.enable()
        print(
            f"{weighting.value}: {statistics.median(per_student) * 1e6:.1f} µs a student "
            f"(median of {args.rounds}); first total: {totals[0]['text']}"
        )


if __name__ == "__main__":
    main()
