"""A section's gradebook: weighting, categories, the default post policy, and its assessments."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from edtech.grades.domain.schemes import parse_decimal
from edtech.kernel.errors import ConflictError, FieldProblem, InvalidError
from edtech.kernel.events import Aggregate

FULL_WEIGHT_PPM = 1_000_000
"""Category weights are integer parts per million; a weighted gradebook's sum to exactly this."""

MAX_POINTS_LIMIT = Decimal(100_000)


class Weighting(enum.StrEnum):
    """Weighted: categories count by their weights. Unweighted: every point counts the same."""

    WEIGHTED = "weighted"
    UNWEIGHTED = "unweighted"


class PostPolicy(enum.StrEnum):
    """Automatic: a result is published as it is entered. Manual: drafts wait for publication."""

    AUTOMATIC = "automatic"
    MANUAL = "manual"


@dataclass(eq=False, kw_only=True)
class Category:
    """A group of assessments (Homework, Tests) with a weight and how many lowest scores to drop.

    An entity of its gradebook: reconfiguring keeps a category (by id) and changes it in place.
    """

    id: uuid.UUID
    name: str
    weight_ppm: int = 0
    drop_lowest: int = 0


def check_version(expected: int | None, actual: int, what: str) -> None:
    """Optimistic concurrency: a change based on an older version is refused."""
    if expected is not None and expected != actual:
        raise ConflictError(
            f"{what} changed meanwhile (version {actual}, you sent {expected}); reload and retry",
            current_version=actual,
        )


def category_problems(weighting: Weighting, categories: list[Category]) -> list[FieldProblem]:
    """Names unique and non-empty, drops not negative, weights summing to 100 % when weighted."""
    problems: list[FieldProblem] = []
    names: set[str] = set()
    for i, c in enumerate(categories):
        name = c.name.strip()
        if not name or len(name) > 100:
            problems.append(FieldProblem(("categories", i, "name"), "must be 1 to 100 characters"))
        elif name.lower() in names:
            problems.append(FieldProblem(("categories", i, "name"), f"{name!r} appears twice"))
        names.add(name.lower())
        if not 0 <= c.weight_ppm <= FULL_WEIGHT_PPM:
            problems.append(
                FieldProblem(("categories", i, "weight_ppm"), "must be between 0 and 1000000")
            )
        if not 0 <= c.drop_lowest <= 100:
            problems.append(FieldProblem(("categories", i, "drop_lowest"), "must be 0 to 100"))
    if weighting is Weighting.WEIGHTED and categories:
        total = sum(c.weight_ppm for c in categories)
        if total != FULL_WEIGHT_PPM:
            shown = Decimal(total) / Decimal(10_000)
            problems.append(
                FieldProblem(
                    ("categories",),
                    f"weights sum to {shown} % ({total} ppm), not 100 % ({FULL_WEIGHT_PPM} ppm)",
                    "weights_do_not_sum",
                )
            )
    return problems


@dataclass(eq=False, kw_only=True)
class Gradebook(Aggregate):
    """A section's grading setup: one per section, created on first configuration.

    Categories in use by an assessment cannot be removed; in a weighted gradebook the
    weights sum to exactly 100 %.
    """

    section_id: uuid.UUID
    institution_id: uuid.UUID
    weighting: Weighting = Weighting.WEIGHTED
    post_policy: PostPolicy = PostPolicy.MANUAL
    total_scheme_id: uuid.UUID | None = None
    categories: list[Category]
    version: int = 1
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        problems = category_problems(self.weighting, self.categories)
        if problems:
            raise InvalidError("invalid gradebook", problems)
        for c in self.categories:
            c.name = c.name.strip()

    def reconfigure(
        self,
        *,
        weighting: Weighting,
        post_policy: PostPolicy,
        total_scheme_id: uuid.UUID | None,
        categories: list[Category],
        in_use: set[uuid.UUID],
        expected_version: int | None,
    ) -> None:
        check_version(expected_version, self.version, "the gradebook")
        problems = category_problems(weighting, categories)
        kept = {c.id for c in categories}
        for removed in (c for c in self.categories if c.id not in kept):
            if removed.id in in_use:
                problems.append(
                    FieldProblem(
                        ("categories",),
                        f"category {removed.name!r} has assessments; move them before removing it",
                        "category_in_use",
                    )
                )
        if problems:
            raise InvalidError("invalid gradebook", problems)
        self.weighting = weighting
        self.post_policy = post_policy
        self.total_scheme_id = total_scheme_id
        current = {c.id: c for c in self.categories}
        merged = []
        for c in categories:
            kept_one = current.get(c.id)
            if kept_one is None:
                kept_one = c
            else:
                kept_one.weight_ppm, kept_one.drop_lowest = c.weight_ppm, c.drop_lowest
            kept_one.name = c.name.strip()
            merged.append(kept_one)
        self.categories = merged
        self.version += 1

    def category(self, category_id: uuid.UUID) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)


@dataclass(frozen=True)
class GradingPeriod:
    """The slice's view of a grading period: its dates and the day after which grades lock."""

    id: uuid.UUID
    title: str
    starts_on: date
    ends_on: date
    closes_on: date | None

    def is_locked(self, today: date) -> bool:
        """Grades are locked after the close date (on the close date itself they still change)."""
        return self.closes_on is not None and today > self.closes_on


@dataclass(eq=False, kw_only=True)
class Assessment(Aggregate):
    """A line item of a section: what is graded, out of how many points, in which category.

    `post_policy` None follows the gradebook's default.
    """

    id: uuid.UUID
    institution_id: uuid.UUID
    section_id: uuid.UUID
    category_id: uuid.UUID
    grading_period_id: uuid.UUID
    scheme_id: uuid.UUID
    title: str
    max_points: Decimal
    due_at: datetime | None = None
    post_policy: PostPolicy | None = None
    version: int = 1
    created_at: datetime

    def __post_init__(self) -> None:
        problems = assessment_problems(self.title, self.max_points)
        if problems:
            raise InvalidError("invalid assessment", problems)

    def effective_post_policy(self, gradebook: Gradebook) -> PostPolicy:
        return self.post_policy or gradebook.post_policy


def assessment_problems(title: str, max_points: Decimal) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if not title.strip() or len(title) > 200:
        problems.append(FieldProblem(("title",), "must be 1 to 200 characters"))
    try:
        parse_decimal(str(max_points), "max_points")
    except ValueError as exc:
        problems.append(FieldProblem(("max_points",), str(exc)))
    else:
        if not 0 < max_points <= MAX_POINTS_LIMIT:
            problems.append(FieldProblem(("max_points",), "must be above 0 and at most 100000"))
    return problems
