"""Use case: configure a section's gradebook (weighting, post policy, total scheme, categories)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from edtech.grades.application.common import require_gradebook_manager
from edtech.grades.application.ports import RosterFactory
from edtech.grades.domain import (
    Category,
    Gradebook,
    PostPolicy,
    Weighting,
    check_version,
)
from edtech.grades.infrastructure.repositories import (
    SqlAlchemyGradebooks,
    SqlAlchemySchemes,
    conflicts_as,
)
from edtech.kernel.clock import Clock
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.kernel.ids import new_id
from edtech.kernel.principal import Principal
from edtech.platform.db.uow import UnitOfWork


@dataclass(frozen=True)
class CategoryEntry:
    name: str
    weight_ppm: int = 0
    drop_lowest: int = 0
    id: uuid.UUID | None = None


@dataclass(frozen=True)
class GradebookSetup:
    weighting: Weighting
    post_policy: PostPolicy
    categories: list[CategoryEntry]
    total_scheme_id: uuid.UUID | None = None
    expected_version: int | None = None


class ConfigureGradebook:
    """Set a section's weighting, default post policy, total scheme and categories at once.

    In a weighted gradebook the category weights sum to exactly 100 % (1,000,000 ppm); a
    category that has assessments cannot be removed.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, roster: RosterFactory) -> None:
        self.uow = uow
        self.clock = clock
        self.roster = roster

    async def __call__(
        self, principal: Principal, section_id: uuid.UUID, setup: GradebookSetup
    ) -> Gradebook:
        async with self.uow as uow, conflicts_as("the gradebook"):
            await require_gradebook_manager(self.roster(uow.session), principal, section_id)
            books = SqlAlchemyGradebooks(uow.session)
            book = await books.get(principal.institution_id, section_id)
            problems: list[FieldProblem] = []
            if setup.total_scheme_id is not None and (
                await SqlAlchemySchemes(uow.session).get(
                    principal.institution_id, setup.total_scheme_id
                )
                is None
            ):
                problems.append(FieldProblem(("total_scheme_id",), "no such grading scheme"))
            known = {c.id for c in book.categories} if book else set()
            categories = []
            for i, entry in enumerate(setup.categories):
                if entry.id is not None and entry.id not in known:
                    problems.append(
                        FieldProblem(("categories", i, "id"), "not a category of this gradebook")
                    )
                categories.append(
                    Category(
                        id=entry.id or new_id(),
                        name=entry.name,
                        weight_ppm=entry.weight_ppm,
                        drop_lowest=entry.drop_lowest,
                    )
                )
            if problems:
                raise InvalidError("invalid gradebook", problems)
            if book is None:
                check_version(setup.expected_version, 0, "the gradebook")
                book = Gradebook(
                    section_id=section_id,
                    institution_id=principal.institution_id,
                    weighting=setup.weighting,
                    post_policy=setup.post_policy,
                    total_scheme_id=setup.total_scheme_id,
                    categories=categories,
                )
                books.add(book)
            else:
                book.reconfigure(
                    weighting=setup.weighting,
                    post_policy=setup.post_policy,
                    total_scheme_id=setup.total_scheme_id,
                    categories=categories,
                    in_use=await books.categories_in_use(section_id),
                    expected_version=setup.expected_version,
                )
            book.updated_at = self.clock.now()
            await uow.commit()
        return book
