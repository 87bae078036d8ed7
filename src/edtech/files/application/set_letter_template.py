"""Use case: an institution sets the text of its attendance letters."""

from __future__ import annotations

from edtech.files.domain.letters import LetterTemplate, check_template
from edtech.files.infrastructure.letters import save_letter_template
from edtech.kernel.clock import Clock
from edtech.kernel.errors import ForbiddenError
from edtech.kernel.principal import Principal, Role
from edtech.platform.db.uow import UnitOfWork


class SetLetterTemplate:
    """Institution administrators set the title and text of the institution's attendance
    letters; the text may name the values listed in `PLACEHOLDERS` in braces (`{student}`,
    `{days_absent}`…) and nothing else (422 naming the allowed ones). Letters rendered later use
    it; letters already rendered stay as they were."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(self, principal: Principal, title: str, body: str) -> LetterTemplate:
        if Role.INSTITUTION_ADMIN not in principal.roles:
            raise ForbiddenError("only institution administrators set the letter's text")
        template = check_template(title, body)
        async with self.uow as uow:
            await save_letter_template(
                uow.session,
                principal.institution_id,
                template,
                principal.person_id,
                self.clock.now(),
            )
            await uow.commit()
        return template
