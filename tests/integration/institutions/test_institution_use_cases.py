"""Creating a tenant (operators and tooling, not the REST API) and patching its settings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from edtech.institutions.application.create_institution import CreateInstitution
from edtech.institutions.infrastructure.tables import person
from edtech.institutions.public import (
    institution_and_names,
    institution_by_slug,
    institution_settings,
)
from edtech.kernel.clock import SystemClock
from edtech.kernel.errors import ConflictError, InvalidError
from edtech.platform.db.uow import UnitOfWork


@pytest.fixture
def create(session_factory: async_sessionmaker[AsyncSession]) -> CreateInstitution:
    return CreateInstitution(UnitOfWork(session_factory), SystemClock())


async def test_create_institution_checks_settings_and_slug(
    session_factory: async_sessionmaker[AsyncSession], create: CreateInstitution
) -> None:
    new_id = await create(
        slug="hill", name="Hill School", timezone="Asia/Tokyo", locale="ja-JP", currency="JPY"
    )
    with pytest.raises(ConflictError):
        await create(
            slug="hill", name="Again", timezone="Asia/Tokyo", locale="ja-JP", currency="JPY"
        )
    with pytest.raises(InvalidError) as info:
        await create(slug="bad", name="Bad", timezone="Tokyo", locale="ja-JP", currency="yen")
    assert {p.loc for p in info.value.problems} == {("timezone",), ("currency",)}
    async with session_factory() as session:
        assert await institution_by_slug(session, "hill") == new_id
        assert await institution_by_slug(session, "bad") is None
        found = await institution_settings(session, new_id)
        assert found is not None
        assert (found.timezone, found.currency) == ("Asia/Tokyo", "JPY")


async def test_institution_and_names_answer_in_one_round_trip(
    session_factory: async_sessionmaker[AsyncSession], create: CreateInstitution
) -> None:
    school = await create(
        slug="vale", name="Vale School", timezone="Europe/Oslo", locale="nb-NO", currency="NOK"
    )
    people = {uuid.uuid4(): ("Ada", "Berg"), uuid.uuid4(): ("Ola", "Dahl")}
    async with session_factory() as session:
        for person_id, (given, family) in people.items():
            await session.execute(
                sa.insert(person).values(
                    id=person_id,
                    institution_id=school,
                    given_name=given,
                    family_name=family,
                    created_at=datetime.now(UTC),
                )
            )
        await session.commit()
    async with session_factory() as session:
        expected = await institution_settings(session, school)
        assert expected is not None
        assert expected.timezone == "Europe/Oslo"
        assert await institution_and_names(session, school, []) == (expected, {})
        stranger = uuid.uuid4()
        found = await institution_and_names(session, school, [*people, stranger])
        assert found == (expected, {p: f"{g} {f}" for p, (g, f) in people.items()})
        assert await institution_and_names(session, uuid.uuid4(), people) == (None, {})
