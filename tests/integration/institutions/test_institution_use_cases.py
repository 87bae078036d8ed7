"""Creating a tenant (operators and tooling, not the REST API) and patching its settings."""

from __future__ import annotations

import pytest

from edtech.institutions.application.create_institution import CreateInstitution
from edtech.institutions.public import institution_by_slug, institution_settings
from edtech.kernel.clock import SystemClock
from edtech.kernel.errors import ConflictError, InvalidError
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.db.uow import UnitOfWork
from edtech.settings import Settings


async def test_create_institution_checks_settings_and_slug(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    try:
        factory = make_session_factory(engine)
        create = CreateInstitution(UnitOfWork(factory), SystemClock())
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
        async with factory() as session:
            assert await institution_by_slug(session, "hill") == new_id
            assert await institution_by_slug(session, "bad") is None
            found = await institution_settings(session, new_id)
            assert found is not None
            assert (found.timezone, found.currency) == ("Asia/Tokyo", "JPY")
    finally:
        await engine.dispose()
