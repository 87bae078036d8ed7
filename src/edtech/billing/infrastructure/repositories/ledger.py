"""The ledger (append-only postings) and the gapless document numbers."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from edtech.billing.domain.ledger import LedgerTransaction
from edtech.billing.infrastructure import tables as t
from edtech.billing.infrastructure.repositories.common import Scoped
from edtech.kernel.ids import new_id
from edtech.platform.db.engine import dialect_insert


class SqlAlchemyLedger(Scoped):
    async def post(self, tx: LedgerTransaction, at: datetime) -> None:
        """Append a balanced transaction to the ledger (rows are never updated or deleted)."""
        tx_id = new_id()
        await self.session.execute(
            sa.insert(t.ledger_entry),
            [
                {
                    "id": new_id(),
                    "institution_id": self.institution_id,
                    "transaction_id": tx_id,
                    "account_id": tx.account_id,
                    "kind": str(tx.kind),
                    "reference_id": tx.reference_id,
                    "ledger_account": str(p.ledger_account),
                    "amount_minor": p.amount_minor,
                    "currency": tx.currency,
                    "occurred_at": at,
                }
                for p in tx.postings
            ],
        )


class SqlAlchemyDocumentNumbers(Scoped):
    async def next(self, name: str) -> int:
        """The next number of a gapless series (invoice, credit_note, receipt, refund).

        The counter row is updated inside the caller's transaction, so a rolled-back
        transaction gives its number back and concurrent ones queue on the row lock.
        """
        seq = t.sequence
        where = (seq.c.institution_id == self.institution_id, seq.c.name == name)
        bump = (
            sa.update(seq)
            .where(*where)
            .values(last_value=seq.c.last_value + 1)
            .returning(seq.c.last_value)
        )
        value = (await self.session.execute(bump)).scalar_one_or_none()
        if value is not None:
            return int(value)
        stmt = dialect_insert(self.session)(seq).values(
            institution_id=self.institution_id, name=name, last_value=0
        )
        await self.session.execute(stmt.on_conflict_do_nothing())
        return int((await self.session.execute(bump)).scalar_one())
