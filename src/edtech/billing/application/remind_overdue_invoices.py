"""The overdue job: remind families of open invoices past their due date."""

from __future__ import annotations

import uuid
from datetime import timedelta

from edtech.billing.application.common import UseCase
from edtech.billing.infrastructure.repositories.accounts import SqlAlchemyPayerAccounts
from edtech.billing.infrastructure.repositories.invoices import (
    SqlAlchemyInvoices,
    institutions_with_overdue,
)

REMIND_EVERY_DAYS = 7


class RemindOverdueInvoices(UseCase):
    """An open invoice past its due date (judged on the school's day, in its time zone) gets a
    reminder — an `invoice_overdue` event to the family's billing guardians and the
    accountants' dashboard — then one every `REMIND_EVERY_DAYS` days until it is paid,
    credited, voided or written off. Invoice rows are locked while deciding, so nodes running
    the job at once never remind twice."""

    async def __call__(self, every_days: int = REMIND_EVERY_DAYS) -> int:
        # The latest day any school can be on (UTC+14): a superset of the overdue institutions,
        # each then judged on its own day.
        latest = (self.now() + timedelta(hours=14)).date()
        async with self.uow:
            institutions = await institutions_with_overdue(self.uow.session, latest)
        sent = 0
        for institution_id in institutions:
            sent += await self._institution(institution_id, every_days)
        return sent

    async def _institution(self, institution_id: uuid.UUID, every_days: int) -> int:
        sent = 0
        async with self.uow:
            invoices = SqlAlchemyInvoices(self.uow.session, institution_id)
            accounts = SqlAlchemyPayerAccounts(self.uow.session, institution_id)
            today = await self.today(institution_id)
            for invoice in await invoices.overdue(today):
                account = await accounts.get(invoice.account_id)
                recipients = await self.family_guardians(
                    account, account.student_ids if account is not None else []
                )
                if invoice.remind_if_overdue(today, self.now(), every_days, recipients):
                    sent += 1
            await self.uow.commit()
        return sent
